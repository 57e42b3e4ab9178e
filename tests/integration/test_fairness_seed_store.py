"""The fairness service on both storage backends: lazy pairs, durable distinct nonces,
client-seed rules, rotation, and draw sources that reproduce croupier-pf-1."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from croupier.bootstrap import make_seed_pair_store
from croupier.domain.errors import SeedPairRefusal
from croupier.domain.fairness import (
    InvalidClientSeed,
    ProvablyFairSource,
    roulette_pocket,
    shuffled_shoe,
)
from croupier.domain.ledger.events import StreamConflict
from croupier.services.accounts import AccountService, Player
from croupier.services.fairness import (
    ClientSeedLocked,
    FairnessService,
    Rotation,
    RoundFairness,
    SeedPairNotFound,
)
from tests.support.accounts import GOOD_PASSWORD, SettableClock, open_accounts
from tests.support.vault import open_test_vault

pytestmark = pytest.mark.timeout(60)

CONCURRENT_ROUNDS = 50


@dataclass
class Casino:
    accounts: AccountService
    fairness: FairnessService
    _one_at_a_time: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def take_nonce(self, player: Player) -> RoundFairness:
        """What a round does with its nonce, without the money: draw, then commit the claim
        (one round of the player at a time, as the round service plays them)."""
        async with self._one_at_a_time:
            for _ in range(8):
                fair = await self.fairness.draw(player)
                claim = self.fairness.claim(fair)
                try:
                    await self.fairness.ledger.submit([claim])
                except StreamConflict:  # a rotation revealed the pair meanwhile
                    self.fairness.forget(player, fair)
                    continue
                return fair
        raise AssertionError("the seed pair kept changing")

    async def rotate_in_turn(self, player: Player) -> Rotation:
        """A rotation as the round service asks for one: in turn among the player's rounds."""
        async with self._one_at_a_time:
            return await self.fairness.rotate(player)


@asynccontextmanager
async def open_casino(url: str) -> AsyncIterator[Casino]:
    async with open_accounts(url, clock=SettableClock()) as accounts:
        store = make_seed_pair_store(url, await open_test_vault(url))
        await store.open()
        try:
            fairness = FairnessService(store, accounts.ledger, clock_ms=lambda: 1_800_000_000_000)
            yield Casino(accounts, fairness)
        finally:
            await store.close()


async def new_player(casino: Casino, email: str = "ada@example.com") -> Player:
    return await casino.accounts.register(
        email=email,
        password=GOOD_PASSWORD,
        date_of_birth="1990-04-01",
        country="MT",
        currency="EUR",
    )


async def secret_seed(casino: Casino, player: Player) -> str:
    active = await casino.fairness.store.active(player.player_id)
    assert active is not None
    return active.pair.server_seed


async def test_the_first_pair_is_created_lazily_and_kept(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        assert await casino.fairness.store.active(player.player_id) is None
        first = await casino.fairness.current(player)
        assert (first.scheme, first.next_nonce) == ("croupier-pf-1", 0)
        assert len(first.client_seed) == 16  # the random default: 8 bytes as hex
        seed = await secret_seed(casino, player)
        assert hashlib.sha256(seed.encode()).hexdigest() == first.server_seed_hash
        assert await casino.fairness.current(player) == first
        other = await casino.fairness.current(await new_player(casino, "bob@example.com"))
        assert other.server_seed_hash != first.server_seed_hash


async def test_racing_first_requests_share_one_pair(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        views = await asyncio.gather(*(casino.fairness.current(player) for _ in range(10)))
        assert len({view.server_seed_hash for view in views}) == 1


async def test_concurrent_rounds_get_distinct_increasing_nonces(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        await casino.fairness.current(player)
        rounds = await asyncio.gather(
            *(casino.take_nonce(player) for _ in range(CONCURRENT_ROUNDS))
        )
        assert sorted(r.nonce for r in rounds) == list(range(CONCURRENT_ROUNDS))
        assert len({r.pair_id for r in rounds}) == 1
        assert (await casino.fairness.current(player)).next_nonce == CONCURRENT_ROUNDS
        one_by_one = [(await casino.take_nonce(player)).nonce for _ in range(3)]
        assert one_by_one == [CONCURRENT_ROUNDS, CONCURRENT_ROUNDS + 1, CONCURRENT_ROUNDS + 2]


async def test_consumed_nonces_survive_a_reopen(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        before = await casino.fairness.current(player)
        for played in range(1, 4):
            await casino.take_nonce(player)
            # Committed before take_nonce returned: a service with nothing cached sees it.
            onlooker = FairnessService(
                casino.fairness.store, casino.fairness.ledger, clock_ms=lambda: 1_800_000_000_000
            )
            assert (await onlooker.current(player)).next_nonce == played
    async with open_casino(database_url) as casino:
        after = await casino.fairness.current(player)
        assert after.server_seed_hash == before.server_seed_hash
        assert after.next_nonce == 3
        assert (await casino.take_nonce(player)).nonce == 3


async def test_client_seed_rules(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        chosen = await casino.fairness.set_client_seed(player, "lucky~7!")
        assert (chosen.client_seed, chosen.next_nonce) == ("lucky~7!", 0)
        for bad in ["", "has space", "x" * 65, "caf\u00e9", "tab\there"]:
            with pytest.raises(InvalidClientSeed):
                await casino.fairness.set_client_seed(player, bad)
        assert (await casino.fairness.current(player)).client_seed == "lucky~7!"

        round_zero = await casino.take_nonce(player)
        assert round_zero.client_seed == "lucky~7!"
        with pytest.raises(ClientSeedLocked) as refused:
            await casino.fairness.set_client_seed(player, "another")
        assert refused.value.code == "client-seed-locked"
        assert (await casino.fairness.current(player)).client_seed == "lucky~7!"

        await casino.fairness.rotate(player)
        assert (await casino.fairness.set_client_seed(player, "another")).client_seed == ("another")


async def test_rotation_reveals_the_committed_seed(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        committed = await casino.fairness.current(player)
        played = [await casino.take_nonce(player) for _ in range(2)]
        pair_id = played[0].pair_id
        assert await casino.fairness.revealed_seed(pair_id) is None
        secret = await casino.fairness.server_seed(pair_id)

        rotation = await casino.fairness.rotate(player)
        revealed = rotation.revealed
        assert revealed.pair_id == pair_id and revealed.revealed
        assert revealed.pair.server_seed == secret
        assert hashlib.sha256(secret.encode()).hexdigest() == committed.server_seed_hash
        assert revealed.pair.nonce == 2  # rounds played on the retired pair
        assert await casino.fairness.revealed_seed(pair_id) == secret

        now = await casino.fairness.current(player)
        assert now == rotation.current.pair.commitment()
        assert now.server_seed_hash != committed.server_seed_hash
        assert (now.client_seed, now.next_nonce) == (committed.client_seed, 0)
        following = await casino.take_nonce(player)
        assert (following.pair_id, following.nonce) == (rotation.current.pair_id, 0)
        with pytest.raises(SeedPairNotFound):
            await casino.fairness.revealed_seed(10**9)


async def test_a_rotation_in_turn_is_never_starved_by_rounds(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        first = await casino.fairness.current(player)
        calls: list[Awaitable[object]] = [casino.take_nonce(player) for _ in range(30)]
        calls.insert(10, casino.rotate_in_turn(player))
        results = await asyncio.gather(*calls)
        rotation = results.pop(10)
        assert isinstance(rotation, Rotation)
        assert rotation.revealed.pair.server_seed_hash == first.server_seed_hash
        taken = [(r.pair_id, r.nonce) for r in results if isinstance(r, RoundFairness)]
        old, new = rotation.revealed.pair_id, rotation.current.pair_id
        assert taken == [(old, n) for n in range(10)] + [(new, n) for n in range(20)]


async def test_rounds_racing_a_rotation_never_share_a_nonce(database_url: str) -> None:
    """A rotation from another process does not wait its turn: it may lose every race (and is
    refused, asking to try again), but no nonce is ever handed out twice or skipped."""
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        await casino.fairness.current(player)
        calls: list[Awaitable[object]] = [casino.take_nonce(player) for _ in range(30)]
        calls.insert(10, casino.fairness.rotate(player))
        results = await asyncio.gather(*calls, return_exceptions=True)
        rotation = results.pop(10)
        assert isinstance(rotation, (Rotation, SeedPairRefusal)), rotation
        taken = [(r.pair_id, r.nonce) for r in results if isinstance(r, RoundFairness)]
        assert len(taken) == 30 and len(set(taken)) == 30
        for pair_id in {pair for pair, _ in taken}:
            nonces = sorted(nonce for pair, nonce in taken if pair == pair_id)
            assert nonces == list(range(len(nonces)))


async def test_round_sources_reproduce_croupier_pf_1(database_url: str) -> None:
    async with open_casino(database_url) as casino:
        player = await new_player(casino)
        await casino.fairness.set_client_seed(player, "player")
        first, second = [await casino.take_nonce(player) for _ in range(2)]
        pocket, deck = roulette_pocket(first.source), shuffled_shoe(second.source)
        seed = (await casino.fairness.rotate(player)).revealed.pair.server_seed

        # A player's recomputation from the revealed seed, straight from the spec.
        block = hmac.digest(seed.encode(), b"player:0:0", "sha256")
        words = [int.from_bytes(block[i : i + 4], "big") for i in range(0, 32, 4)]
        limit = 2**32 - 2**32 % 37
        assert pocket == next(word for word in words if word < limit) % 37
        assert pocket == roulette_pocket(ProvablyFairSource(seed, "player", 0))
        assert deck == shuffled_shoe(ProvablyFairSource(seed, "player", 1))
        assert deck != shuffled_shoe(ProvablyFairSource(seed, "player", 0))
