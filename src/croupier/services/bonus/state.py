"""Where the bonus engine reads a player's bonus state: their bonus stream on the ledger,
folded (``croupier.domain.bonus.fold``), kept in this process for ``cache_ttl_ms``.

A round asks this before it moves anything: a player whose state is cached and has no
bonus costs no read at all; this process updates the cache itself after each grant or end
it writes, so within one process it is exact; another process's grant is seen within the
TTL (docs/bonuses.md, "Several gateways").
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from croupier.domain.bonus import BonusState, fold
from croupier.services.bonus.ledger_ops import bonus_stream
from croupier.services.ledger import LedgerClient

__all__ = ["BonusStates"]

#: Events read per page of a bonus stream (a player has a handful of bonuses a year).
_PAGE: Final = 500


class BonusStates:
    def __init__(
        self,
        ledger: LedgerClient,
        *,
        clock_ms: Callable[[], int],
        cache_ttl_ms: int,
        cache_entries_max: int,
    ) -> None:
        self.ledger = ledger
        self.clock_ms = clock_ms
        self.cache_ttl_ms = cache_ttl_ms
        self.cache_entries_max = cache_entries_max
        self._cache: OrderedDict[str, tuple[BonusState, int]] = OrderedDict()
        #: Streams read (not answered from the cache): for tests and the benchmark.
        self.reads = 0

    async def read(self, player_id: str) -> BonusState:
        """The state as the ledger has it now (and cached)."""
        self.reads += 1
        stream, after, events = bonus_stream(player_id), 0, []
        while True:
            page = await self.ledger.stream_events(stream, after_seq=after, limit=_PAGE)
            events += [(e.seq, e.type, json.loads(e.data_json)) for e in page]
            if len(page) < _PAGE:
                break
            after = page[-1].seq
        state = fold(events)
        self.remember(player_id, state)
        return state

    async def get(self, player_id: str) -> BonusState:
        """The cached state if fresh, else :meth:`read`."""
        found = self._cache.get(player_id)
        if found is not None and self.clock_ms() - found[1] < self.cache_ttl_ms:
            return found[0]
        return await self.read(player_id)

    def remember(self, player_id: str, state: BonusState) -> None:
        self._cache[player_id] = (state, self.clock_ms())
        self._cache.move_to_end(player_id)
        while len(self._cache) > self.cache_entries_max:
            self._cache.popitem(last=False)

    def forget(self, player_id: str) -> None:
        self._cache.pop(player_id, None)
