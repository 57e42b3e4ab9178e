"""Hypothesis drives one player's rounds — many in flight at once, rotations racing them, the
process dying before or after a round's write, restarts — and checks after every step that
each seed pair's nonces run 0, 1, 2, … with no gap and no reuse, that every committed round
used exactly one of them and recomputes from its seeds, and that the money matches.

On SQLite (each example is a fresh platform in its own file); the same code runs on
PostgreSQL in the other round tests.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from croupier.bootstrap import Platform, open_platform
from croupier.config import Settings, load_settings
from croupier.domain.errors import CroupierError
from croupier.domain.events import RoundPlayed, decode_as
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.ledger import AppendEvent, Applied, Command
from croupier.services.fairness import pair_stream
from croupier.services.ledger import Ledger, verify_ledger
from croupier.services.rounds import round_stream
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV

DEPOSIT = 1_000_000
Bets = list[tuple[str, dict[str, Any]]]
GAMES = st.sampled_from(
    [
        ("lotus-20", {"stake": 100}),
        ("orchard-10", {"stake": 50}),
        ("european-roulette", {"bets": [{"type": "red", "stake": 100}]}),
        ("european-roulette", {"bets": [{"type": "straight", "numbers": [7], "stake": 20}]}),
    ]
)


class Crash(Exception):
    """The process dying around a round's write."""


def _is_round(commands: Sequence[Command]) -> bool:
    return any(isinstance(c, AppendEvent) and c.stream.startswith("round:") for c in commands)


class RoundNonces(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(self.folder.name) / 'ledger.db'}"
        self.settings: Settings = load_settings(KEK_ENV, database_url=url)
        self.platform: Platform = self.run(open_platform(self.settings))
        self.player = self.run(funded_player(self.platform, "nonces@example.com", DEPOSIT))
        self.keys = 0
        self.committed: dict[str, str] = {}  # key -> round id, of rounds answered
        self.pairs: set[int] = set()

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.platform.close())
        self.loop.close()
        self.folder.cleanup()

    def new_key(self) -> str:
        self.keys += 1
        return f"round-key-{self.keys:05d}"

    async def _play_all(self, bets: Bets) -> None:
        keys = [self.new_key() for _ in bets]
        results = await asyncio.gather(
            *(
                self.platform.rounds.play(self.player, game, key, dict(body))
                for key, (game, body) in zip(keys, bets, strict=True)
            ),
            return_exceptions=True,
        )
        for key, result in zip(keys, results, strict=True):
            if isinstance(result, BaseException):
                assert isinstance(result, CroupierError | Crash), result
            else:
                self.committed[key] = result["round_id"]

    @rule(bets=st.lists(GAMES, min_size=1, max_size=8))
    def play_at_once(self, bets: Bets) -> None:
        self.run(self._play_all(bets))

    @rule(bets=st.lists(GAMES, min_size=2, max_size=6), rotate_after=st.integers(0, 5))
    def rotate_while_playing(
        self, bets: list[tuple[str, dict[str, Any]]], rotate_after: int
    ) -> None:
        async def race() -> None:
            playing = asyncio.ensure_future(self._play_all(bets))
            for _ in range(rotate_after):
                await asyncio.sleep(0)  # let some of the rounds draw first
            await self.platform.rounds.rotate_seeds(self.player)
            await playing

        self.run(race())

    @rule(after_write=st.booleans(), bets=st.lists(GAMES, min_size=1, max_size=4))
    def crash_around_a_write(
        self, after_write: bool, bets: list[tuple[str, dict[str, Any]]]
    ) -> None:
        submit = Ledger.submit

        async def crashing(ledger: Ledger, commands: Sequence[Command]) -> Applied:
            if not _is_round(commands):
                return await submit(ledger, commands)
            if not after_write:
                raise Crash
            await submit(ledger, commands)
            raise Crash

        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(Ledger, "submit", crashing)
            self.run(self._play_all(bets))
        self.run(self.platform.close())  # and the process starts again
        self.platform = self.run(open_platform(self.settings))

    @invariant()
    def nonces_are_gapless_and_each_round_used_one(self) -> None:
        self.run(self._check())

    async def _check(self) -> None:
        store = self.platform.ledger.store
        stream = await store.stream_events(f"player:{self.player.player_id}", limit=10_000)
        round_ids = [
            json.loads(e.data_json)["round_id"] for e in stream if e.type == "round.started"
        ]
        assert set(self.committed.values()) <= set(round_ids)  # every answered round is there
        used: dict[tuple[int, int], str] = {}
        batch_of: dict[str, int] = {}
        for round_id in round_ids:
            (played,) = await store.stream_events(round_stream(round_id), limit=2)
            batch_of[round_id] = played.batch_seq
            record = decode_as(RoundPlayed, played)
            fairness = record.fairness
            key = (fairness.pair_id, fairness.nonce)
            assert key not in used, f"nonce {key} used by {used.get(key)} and {round_id}"
            used[key] = round_id
            seed = await self.platform.fairness.server_seed(fairness.pair_id)
            source = ProvablyFairSource(seed, fairness.client_seed, fairness.nonce)
            game = self.platform.rounds.games[record.game_id]
            outcome = game.play(game.parse_bet(_request(record.choices), "EUR"), source)
            assert (outcome.shown, outcome.win_minor) == (record.outcome, record.win)
        for pair_id in {pair for pair, _ in used}:
            claims = await store.stream_events(pair_stream(pair_id), limit=100_000)
            # A claim no longer names its round: the round whose record names the pair and
            # the nonce committed in the claim's group, so in its batch.
            assert [c.batch_seq for c in claims] == [
                batch_of[used[(pair_id, nonce)]] for nonce in range(len(claims))
            ]
            pair = await self.platform.fairness.pair(pair_id)
            # the pair's commitment is in the chain, on its first claim
            assert json.loads(claims[0].data_json) == {
                "server_seed_hash": pair.pair.server_seed_hash
            }
            if pair.revealed:  # no round committed a nonce once the pair was revealed
                assert pair.pair.nonce == len(claims)
        assert (await verify_ledger(store)).ok


def _request(choices: Any) -> dict[str, Any]:
    return {"bets": choices} if isinstance(choices, list) else dict(choices)


@pytest.mark.slow
def test_round_nonces_hold_under_concurrency_rotation_and_crashes() -> None:
    run_state_machine_as_test(
        RoundNonces,
        settings=settings(
            max_examples=12,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
