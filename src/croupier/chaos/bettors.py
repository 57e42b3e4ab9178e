"""HTTP clients that play slot rounds through HAProxy and, on any failure, send the same
request again with the same ``Idempotency-Key`` until it is acknowledged (201).

Every attempt goes on the :class:`~croupier.chaos.timeline.Timeline`; every acknowledged
round is kept (player, key, round id) for the audit, which must find each exactly once.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from croupier.chaos.timeline import Timeline
from croupier.loadtest.players import Player

__all__ = ["Acknowledged", "Bettors"]

GAME = "lotus-20"
STAKE = 100
RETRY_PAUSE_S = 0.05  # between attempts of one key: keeps a dead path from spinning the CPU
GIVE_UP_S = 120.0  # one key's attempts stop after this long (the round is then not acknowledged)
#: Answers that a retry cannot change: the run stops counting the key as pending.
FINAL = frozenset({400, 401, 403, 404, 422})


@dataclass(frozen=True, slots=True)
class Acknowledged:
    player_id: str
    key: str
    round_id: str


@dataclass(slots=True)
class BettorCounts:
    attempts: int = 0
    retried_keys: int = 0
    abandoned_keys: int = 0  # gave up (GIVE_UP_S, or a final refusal): never acknowledged
    errors: Counter[str] = field(default_factory=Counter)


class Bettors:
    def __init__(
        self,
        url: str,
        verify: ssl.SSLContext,
        players: Sequence[Player],
        workers: int,
        timeline: Timeline,
        run_id: str,
    ) -> None:
        self.url = url
        self.verify = verify
        self.players = players
        self.workers = workers
        self.timeline = timeline
        self.run_id = run_id
        self.acknowledged: list[Acknowledged] = []
        self.counts = BettorCounts()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.workers, max_keepalive_connections=self.workers)
        async with httpx.AsyncClient(
            base_url=self.url,
            verify=self.verify,
            timeout=10.0,
            limits=limits,
        ) as http:
            await asyncio.gather(*(self._worker(http, w) for w in range(self.workers)))

    async def _worker(self, http: httpx.AsyncClient, worker: int) -> None:
        mine = self.players[worker :: self.workers] or self.players
        n = 0
        while not self._stop.is_set():
            player = mine[n % len(mine)]
            await self._play(http, player, f"chaos-{self.run_id}-{worker}-{n}")
            n += 1

    async def _play(self, http: httpx.AsyncClient, player: Player, key: str) -> None:
        """One round: attempts with the same key until acknowledged or given up. Once the
        first attempt is sent the key is finished even when the run is stopping, so no
        round is left half-known."""
        headers = {"Authorization": f"Bearer {player.token}", "Idempotency-Key": key}
        give_up = time.monotonic() + GIVE_UP_S
        for attempt in range(1_000_000):
            if attempt == 1:
                self.counts.retried_keys += 1
            started = time.monotonic()
            code = await self._attempt(http, headers, player, key)
            self.timeline.add(started, time.monotonic(), code == "ok")
            self.counts.attempts += 1
            if code == "ok":
                return
            self.counts.errors[code] += 1
            if code.startswith("final-") or time.monotonic() > give_up:
                self.counts.abandoned_keys += 1
                return
            await asyncio.sleep(RETRY_PAUSE_S)

    async def _attempt(
        self, http: httpx.AsyncClient, headers: dict[str, str], player: Player, key: str
    ) -> str:
        try:
            answer = await http.post(
                f"/v1/games/{GAME}/rounds", json={"stake": STAKE}, headers=headers
            )
        except httpx.HTTPError as error:
            return type(error).__name__
        if answer.status_code == 201:
            self.acknowledged.append(Acknowledged(player.player_id, key, answer.json()["round_id"]))
            return "ok"
        kind = f"http-{answer.status_code}"
        return f"final-{kind}" if answer.status_code in FINAL else kind
