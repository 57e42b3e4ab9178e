"""The card vault on both engines, through a real platform: the storage contract (add, list,
get, delete, one player's cards only, the per-player bound under concurrent adds), and what
deleting a card reaches: the live database loses the card for good, while a copy taken before
holds ciphertext that only the card KEK opens (docs/security.md, "Card data")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from croupier.adapters.cards.cipher import CardCipher
from croupier.adapters.storage.card_rows import CARD_COLUMNS, card_from_row
from croupier.adapters.vault import UndecryptableValue
from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.errors import CardLimit, CardNotFound
from croupier.services.cards import CardVault
from tests.support.on_disk import found_in, sqlite_checkpoint, sqlite_files
from tests.support.platform import PASSWORD
from tests.support.raw_sql import raw_fetch
from tests.support.vault import KEK_ENV, TEST_CARD_KEK_HEX, TEST_KEK_HEX

GB_VISA = "4000008260000000"
GB_MASTERCARD = "5555008260000006"


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    env = {**KEK_ENV, "CROUPIER_CARDS_PER_PLAYER": "3"}
    opened = await open_platform(load_settings(env, database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()


def _cards(platform: Platform) -> CardVault:
    assert platform.cards is not None
    return platform.cards


async def _player(platform: Platform, email: str, country: str = "GB") -> Player:
    await platform.accounts.register(
        email=email, password=PASSWORD, date_of_birth="1990-01-01", country=country, currency="EUR"
    )
    return (await platform.accounts.login(email=email, password=PASSWORD, ip="1.2.3.4")).player


async def test_the_storage_contract(platform: Platform) -> None:
    vault = _cards(platform)
    alice = await _player(platform, "alice@example.com")
    bob = await _player(platform, "bob@example.com")
    first = await vault.add(alice, GB_VISA, 12, 2031, "Alice")
    second = await vault.add(alice, GB_MASTERCARD, 6, 2032, "Alice")
    assert [c.token for c in await vault.list(alice.player_id)] == [first.token, second.token]
    assert (await vault.get(alice.player_id, second.token)).brand == "mastercard"
    assert await vault.list(bob.player_id) == []
    with pytest.raises(CardNotFound):
        await vault.get(bob.player_id, first.token)
    with pytest.raises(CardNotFound):
        await vault.delete(bob.player_id, first.token)
    instrument = await vault.instrument(alice.player_id, first.token)
    assert instrument.secret["pan"] == GB_VISA and instrument.country == "GB"
    await vault.delete(alice.player_id, first.token)
    with pytest.raises(CardNotFound):
        await vault.delete(alice.player_id, first.token)
    assert [c.token for c in await vault.list(alice.player_id)] == [second.token]
    audited = await raw_fetch(
        platform.settings.database_url, "SELECT action, subject FROM audit_log ORDER BY seq"
    )
    assert ("card.deleted", f"card:{first.token}") in audited


async def test_concurrent_adds_never_pass_the_bound(platform: Platform) -> None:
    vault = _cards(platform)
    alice = await _player(platform, "alice@example.com")
    outcomes = await asyncio.gather(
        *(vault.add(alice, GB_VISA, 12, 2031, f"Alice {n}") for n in range(8)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, CardLimit) for o in outcomes) == 5
    assert len(await vault.list(alice.player_id)) == 3


async def test_deleting_a_card_shreds_it_from_the_live_database(
    platform: Platform, database_url: str
) -> None:
    vault = _cards(platform)
    alice = await _player(platform, "alice@example.com")
    card = await vault.add(alice, GB_VISA, 12, 2031, "Alice")
    select = f"SELECT {CARD_COLUMNS} FROM cards"
    (raw,) = await raw_fetch(database_url, select)
    backup = card_from_row(raw)  # what a backup taken now holds
    assert b"4000008260000000" not in backup.pan_sealed + backup.details_sealed
    await vault.delete(alice.player_id, card.token)
    assert await raw_fetch(database_url, select) == []
    with pytest.raises(CardNotFound):
        await vault.instrument(alice.player_id, card.token)
    # The copy: nothing without the card KEK (not the data vault's KEK, not another) …
    for other in (bytes.fromhex(TEST_KEK_HEX), b"\x00" * 32):
        with pytest.raises(UndecryptableValue):
            # As if wrapped by that key, so the cipher tries to unwrap rather than refuse on
            # the KEK's name: the best an attacker holding it can do.
            CardCipher(other).open_pan(replace(backup, kek_id=CardCipher(other).kek_id))
    # … and the card KEK still opens it: a backup is shredded only when the KEK that wrapped
    # its keys is destroyed (docs/security.md, "Card data": rotate, then destroy the old one).
    assert CardCipher(bytes.fromhex(TEST_CARD_KEK_HEX)).open_pan(backup) == GB_VISA


async def test_sqlite_overwrites_a_deleted_cards_bytes(tmp_path: Path) -> None:
    """secure_delete: once the WAL is folded in, the file holds no byte of the card's sealed
    values or wrapped key (PostgreSQL keeps a dead tuple until VACUUM: see the docs)."""
    path = tmp_path / "croupier.db"
    platform = await open_platform(load_settings(KEK_ENV, database_url=f"sqlite:///{path}"))
    try:
        vault = _cards(platform)
        alice = await _player(platform, "alice@example.com")
        card = await vault.add(alice, GB_VISA, 12, 2031, "Alice")
        (raw,) = await raw_fetch(f"sqlite:///{path}", f"SELECT {CARD_COLUMNS} FROM cards")
        sealed = card_from_row(raw)
        needles = [sealed.pan_sealed[-24:], sealed.details_sealed[-24:], sealed.key_wrapped]
        sqlite_checkpoint(path)
        assert found_in(sqlite_files(path)[str(path)], needles) == needles  # there: looked right
        await vault.delete(alice.player_id, card.token)
    finally:
        await platform.close()
    sqlite_checkpoint(path)
    for name, data in sqlite_files(path).items():
        assert found_in(data, needles) == [], name
