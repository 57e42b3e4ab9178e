"""The card vault on both engines, through a real platform: the storage contract (add, list,
get, delete, one player's cards only, the per-player bound under concurrent adds), and what
deleting a card reaches: the live database loses the card for good, while a copy taken before
holds ciphertext that only the card KEK opens (docs/security.md, "Card data")."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from croupier.adapters.cards.bin_file import BinFile
from croupier.adapters.cards.cipher import CardCipher
from croupier.adapters.cards.rotation import CardKeyRing
from croupier.adapters.storage.card_rows import CARD_COLUMNS, card_from_row
from croupier.adapters.vault import UndecryptableValue, VaultError, rewrap_keys
from croupier.adapters.vault.kek import read_key_file, write_key_file
from croupier.bootstrap import Platform, open_platform
from croupier.cli import app
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.errors import CardLimit, CardNotFound
from croupier.services.cards import CardKey, CardVault
from croupier.services.cards.memory import MemoryCardStore
from tests.support.on_disk import found_in, sqlite_checkpoint, sqlite_files
from tests.support.platform import PASSWORD
from tests.support.raw_sql import raw_fetch
from tests.support.vault import KEK_ENV, TEST_CARD_KEK_HEX, TEST_KEK_HEX

GB_VISA = "4000008260000000"
GB_MASTERCARD = "5555008260000006"
TODAY = dt.date(2026, 12, 7)
ALICE = Player(
    player_id="p-alice",
    email="alice@example.com",
    country="GB",
    currency="EUR",
    date_of_birth=dt.date(1990, 1, 1),
    created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)


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


async def _keys(*args: str, env: dict[str, str | None]) -> tuple[int, str]:
    done = await asyncio.to_thread(CliRunner().invoke, app, ["keys", *args], env=env)
    return done.exit_code, done.stdout


async def test_rotating_the_card_kek_shreds_deleted_cards_in_older_copies(
    database_url: str, tmp_path: Path
) -> None:
    """The whole crypto-shred: delete a card, rotate the card KEK (``croupier keys
    rotate-cards``), destroy the old key; a copy taken before the delete no longer opens, and
    the kept card still does under the new key."""
    key_file = tmp_path / "cards.key"
    write_key_file(key_file, os.urandom(32))
    old_kek = read_key_file(key_file)
    env = {**KEK_ENV, "CROUPIER_CARD_KEY_FILE": str(key_file)}
    env.pop("CROUPIER_CARD_KEK")
    settings = load_settings(env, database_url=database_url)
    platform = await open_platform(settings)
    try:
        alice = await _player(platform, "alice@example.com")
        deleted = await _cards(platform).add(alice, GB_VISA, 12, 2031, "Alice")
        kept = await _cards(platform).add(alice, GB_MASTERCARD, 12, 2031, "Alice")
        mark = "?" if database_url.startswith("sqlite") else "$1"
        select = f"SELECT {CARD_COLUMNS} FROM cards WHERE token = {mark}"
        (raw,) = await raw_fetch(database_url, select, deleted.token)
        backup = card_from_row(raw)  # a backup of the database, taken before the delete
        await _cards(platform).delete(alice.player_id, deleted.token)
    finally:
        await platform.close()

    cli_env: dict[str, str | None] = {
        **env,
        "CROUPIER_CARD_KEK": None,
        "CROUPIER_DATABASE_URL": database_url,
    }
    code, out = await _keys("rotate-cards", env=cli_env)
    assert code == 0, out
    rotated = json.loads(out.splitlines()[0])
    assert rotated["rewrapped"] == 1 and read_key_file(Path(rotated["backup"])) == old_kek
    new_kek = read_key_file(key_file)
    assert new_kek != old_kek and rotated["card_kek_id"] == CardCipher(new_kek).kek_id
    code, out = await _keys("status", env=cli_env)
    status = json.loads(out)["card_kek"]
    assert code == 0 and status["readable"]
    assert status["id"] == rotated["card_kek_id"]
    assert status["cards_by_kek"] == {rotated["card_kek_id"]: 1}
    # The old key (the .bak) opens none of the re-wrapped cards: status says so and fails.
    code, out = await _keys("status", env={**cli_env, "CROUPIER_CARD_KEY_FILE": rotated["backup"]})
    assert code == 1 and not json.loads(out)["card_kek"]["readable"]

    platform = await open_platform(load_settings(env, database_url=database_url))
    try:
        instrument = await _cards(platform).instrument(alice.player_id, kept.token)
        assert instrument.secret["pan"] == GB_MASTERCARD  # the kept card, under the new KEK
    finally:
        await platform.close()
    # The copy still opens with the old KEK (kept as the .bak) …
    assert CardCipher(old_kek).open_pan(backup) == GB_VISA
    # … and with no other: once the operator destroys the .bak, the deleted card is gone
    # from every copy too (the new KEK never wrapped its key).
    with pytest.raises(UndecryptableValue):
        CardCipher(new_kek).open_pan(replace(backup, kek_id=CardCipher(new_kek).kek_id))


async def test_a_card_added_during_a_rotation_makes_it_change_nothing() -> None:
    old, new = os.urandom(32), os.urandom(32)

    class AddsDuringRotation(MemoryCardStore):
        async def keys(self) -> Sequence[CardKey]:
            keys = await super().keys()
            await vault.add(ALICE, GB_VISA, 12, 2031, "late")  # under the old KEK
            return keys

    store = AddsDuringRotation()
    vault = CardVault(
        store, CardCipher(old), BinFile.load(), clock_ms=lambda: 1, today=lambda: TODAY
    )
    first = await vault.add(ALICE, GB_VISA, 12, 2031, "first")
    before = dict(store.rows)
    with pytest.raises(VaultError, match="added under another KEK"):
        await rewrap_keys(CardKeyRing(store), old, new)
    assert {t: r for t, r in store.rows.items() if t in before} == before  # nothing changed
    assert first.token in store.rows
