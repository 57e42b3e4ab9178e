"""argon2id hashing and the bundled common-password list."""

from __future__ import annotations

import asyncio

from croupier.adapters.passwords import Argon2PasswordHasher
from croupier.domain.accounts import PasswordPolicy
from croupier.domain.errors import Busy
from croupier.services.accounts import load_common_passwords
from tests.support.accounts import GOOD_PASSWORD, fast_hasher


async def test_hash_verifies_only_its_password() -> None:
    hasher = fast_hasher()
    try:
        first, second = await hasher.hash("s3cret-pass"), await hasher.hash("s3cret-pass")
        assert first.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert first != second  # salted
        assert await hasher.verify(first, "s3cret-pass")
        assert not await hasher.verify(first, "s3cret-pasS")
        assert not await hasher.verify("not a hash", "s3cret-pass")
        assert not hasher.needs_rehash(first)
    finally:
        hasher.close()


async def test_a_flood_waits_no_longer_than_the_queue_allows() -> None:
    """Beyond ``waiting_max`` hashes in the queue, a login is refused at once (503), not
    queued behind every other: the limit is what a player in the flood waits at most."""
    hasher = Argon2PasswordHasher(
        time_cost=1, memory_cost_kib=8, parallelism=1, concurrent_max=1, waiting_max=2
    )
    try:
        outcomes = await asyncio.gather(
            *(hasher.hash(f"password-{i}") for i in range(6)), return_exceptions=True
        )
        assert [isinstance(o, Busy) for o in outcomes] == [False, False] + [True] * 4
        assert await hasher.verify(str(outcomes[0]), "password-0")  # free again afterwards
    finally:
        hasher.close()


async def test_default_parameters_want_cheap_hashes_rehashed() -> None:
    hasher, default = fast_hasher(), Argon2PasswordHasher()
    try:
        assert default.needs_rehash(await hasher.hash("s3cret-pass"))
        assert default.needs_rehash("garbage")
    finally:
        hasher.close()
        default.close()


def test_bundled_list_holds_the_usual_suspects() -> None:
    common = load_common_passwords()
    assert 3000 <= len(common) <= 20_000
    for password in [
        "123456",
        "password",
        "12345678",
        "qwerty",
        "123456789",
        "111111",
        "iloveyou",
        "1234567890",
        "qwertyuiop",
        "password123",
        "1q2w3e4r5t",
        "qwerty12345",
        "iloveyou123",
        "football123",
        "0987654321",
    ]:
        assert password in common, password
    assert all(p == p.lower() and p.strip() == p and not p.startswith("#") for p in common)
    assert GOOD_PASSWORD not in common


def test_policy_with_the_bundled_list_refuses_long_common_passwords() -> None:
    policy = PasswordPolicy(length_min=10, common_passwords=load_common_passwords())
    refused = 0
    for password in ["Password123", "QWERTYUIOP", "1234567890", "Welcome2024", "Sunshine123"]:
        try:
            policy.check(password)
        except ValueError:
            refused += 1
    assert refused == 5
    assert policy.check(GOOD_PASSWORD) == GOOD_PASSWORD
