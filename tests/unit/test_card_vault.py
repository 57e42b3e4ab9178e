"""The card vault's service (services/cards) on its in-memory store, with the real cipher and
the shipped BIN file: what it stores, what it refuses, what it hands to a provider, and that a
card belongs to one player. The storage contract on SQLite and PostgreSQL is
tests/integration/test_card_vault_storage.py."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest

from croupier.adapters.cards.bin_file import BinFile
from croupier.adapters.cards.cipher import CardCipher
from croupier.adapters.cards.keys import default_card_key_file, load_card_kek
from croupier.adapters.vault import UndecryptableValue, VaultError
from croupier.config import ConfigError, load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.errors import (
    CardBinUnknown,
    CardInvalid,
    CardLimit,
    CardNotFound,
    GeoBlocked,
)
from croupier.services.audit import AuditEntry
from croupier.services.cards import CardVault
from croupier.services.cards.memory import MemoryCardStore

TODAY = dt.date(2026, 12, 7)
GB_VISA = "4000 0082 6000 0000"
MT_VISA = "4000004700000007"
US_VISA = "4242424242424242"


class RecordingTrail:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


def _player(player_id: str, country: str) -> Player:
    return Player(
        player_id=player_id,
        email=f"{player_id}@example.com",
        country=country,
        currency="EUR",
        date_of_birth=dt.date(1990, 1, 1),
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


ALICE = _player("p-alice", "GB")
BOB = _player("p-bob", "GB")


def _vault(store: MemoryCardStore, *, kek: bytes = b"k" * 32, **options: object) -> CardVault:
    return CardVault(
        store,
        CardCipher(kek),
        BinFile.load(),
        clock_ms=lambda: 1_000,
        today=lambda: TODAY,
        **options,  # type: ignore[arg-type]
    )


async def test_a_card_goes_in_and_only_its_token_and_mask_come_out() -> None:
    store, trail = MemoryCardStore(), RecordingTrail()
    vault = _vault(store, audit=trail)
    card = await vault.add(ALICE, GB_VISA, 12, 2031, " Alice  Smith ", ip="192.0.2.1")
    assert card.token.startswith("card_") and len(card.token) == 37
    assert (card.masked, card.brand, card.country, card.expiry) == (
        "400000******0000",
        "visa",
        "GB",
        "12/2031",
    )
    assert await vault.list(ALICE.player_id) == [card]
    assert await vault.get(ALICE.player_id, card.token) == card
    row = store.rows[card.token]
    for value in (row.pan_sealed, row.details_sealed, row.key_wrapped):
        assert b"4000008260000000" not in value and b"2031" not in value
    assert "4000008260000000" not in repr(row) + repr(card)
    (entry,) = trail.entries
    assert (entry.actor, entry.action, entry.subject) == (
        "player:p-alice",
        "card.added",
        f"card:{card.token}",
    )
    assert entry.after == {"masked": "400000******0000", "brand": "visa", "country": "GB"}


async def test_the_instrument_is_the_only_way_out_for_the_pan() -> None:
    vault = _vault(MemoryCardStore())
    card = await vault.add(ALICE, GB_VISA, 1, 2027, "Alice Smith")
    instrument = await vault.instrument(ALICE.player_id, card.token)
    assert (instrument.kind, instrument.token, instrument.country) == ("card", card.token, "GB")
    assert dict(instrument.secret) == {
        "pan": "4000008260000000",
        "exp_month": "1",
        "exp_year": "2027",
        "holder_name": "Alice Smith",
    }
    assert "4000008260000000" not in repr(instrument)


async def test_another_players_token_is_not_found_for_every_operation() -> None:
    vault = _vault(MemoryCardStore())
    card = await vault.add(ALICE, GB_VISA, 12, 2031, "Alice Smith")
    for attempt in (
        vault.get(BOB.player_id, card.token),
        vault.instrument(BOB.player_id, card.token),
        vault.delete(BOB.player_id, card.token),
        vault.get(ALICE.player_id, "card_" + "0" * 32),
        vault.get(ALICE.player_id, "not-a-token"),
    ):
        with pytest.raises(CardNotFound) as refused:
            await attempt
        assert refused.value.code == "card-not-found"
    assert await vault.list(BOB.player_id) == []
    assert await vault.get(ALICE.player_id, card.token) == card  # Bob's delete did nothing


async def test_refusals_store_nothing() -> None:
    store = MemoryCardStore()
    vault = _vault(store)
    malta = _player("p-malta", "MT")
    with pytest.raises(CardInvalid):
        await vault.add(ALICE, "4000008260000001", 12, 2031, "A")  # Luhn
    with pytest.raises(CardInvalid):
        await vault.add(ALICE, GB_VISA, 11, 2026, "A")  # expired last month
    with pytest.raises(CardBinUnknown) as unknown:
        await vault.add(ALICE, "4000000000000002", 12, 2031, "A")  # no such BIN in the file
    assert unknown.value.code == "card-bin-unknown"
    with pytest.raises(GeoBlocked):
        await vault.add(ALICE, MT_VISA, 12, 2031, "A")  # issued in MT, Alice is in GB
    with pytest.raises(GeoBlocked):
        await vault.add(malta, US_VISA, 12, 2031, "A")
    assert store.rows == {}
    assert (await vault.add(malta, MT_VISA, 12, 2031, "M")).country == "MT"


async def test_a_player_keeps_a_bounded_number_of_cards() -> None:
    vault = _vault(MemoryCardStore(), cards_per_player_max=2)
    first = await vault.add(ALICE, GB_VISA, 12, 2031, "A")
    await vault.add(ALICE, GB_VISA, 12, 2032, "A")
    with pytest.raises(CardLimit):
        await vault.add(ALICE, GB_VISA, 12, 2033, "A")
    await vault.add(BOB, GB_VISA, 12, 2031, "B")  # per player
    await vault.delete(ALICE.player_id, first.token)
    await vault.add(ALICE, GB_VISA, 12, 2033, "A")


async def test_an_expired_card_is_listed_but_not_handed_to_a_provider() -> None:
    today = [TODAY]
    vault = CardVault(
        MemoryCardStore(),
        CardCipher(b"k" * 32),
        BinFile.load(),
        clock_ms=lambda: 1_000,
        today=lambda: today[0],
    )
    card = await vault.add(ALICE, GB_VISA, 12, 2026, "A")
    today[0] = dt.date(2027, 1, 1)
    assert [c.token for c in await vault.list(ALICE.player_id)] == [card.token]
    with pytest.raises(CardInvalid, match="expired"):
        await vault.instrument(ALICE.player_id, card.token)


async def test_a_sealed_card_opens_only_for_its_player_and_token_under_its_kek() -> None:
    store = MemoryCardStore()
    vault = _vault(store)
    card = await vault.add(ALICE, GB_VISA, 12, 2031, "A")
    row = store.rows[card.token]
    store.rows[card.token] = replace(row, player_id=BOB.player_id)  # a row moved to Bob
    with pytest.raises(UndecryptableValue):
        await vault.instrument(BOB.player_id, card.token)
    other = await vault.add(ALICE, GB_VISA, 12, 2031, "A")
    swapped = replace(store.rows[other.token], pan_sealed=row.pan_sealed)  # another card's PAN
    store.rows[other.token] = swapped
    with pytest.raises(VaultError, match="another data key"):
        await vault.instrument(ALICE.player_id, other.token)
    store.rows[card.token] = row
    with pytest.raises(VaultError, match="card KEK"):  # the same rows under another card KEK
        await _vault(store, kek=b"x" * 32).instrument(ALICE.player_id, card.token)


def test_the_shipped_bin_file_and_its_checks(tmp_path: Path) -> None:
    bins = BinFile.load()
    assert len(bins) >= 15
    for text, why in (
        ("12345 GB", "6 to 8 digits"),
        ("123456789 GB", "6 to 8 digits"),
        ("123456 XX", "ISO 3166"),
        ("123456 GB\n123456 FR", "listed twice"),
        ("123456", "PREFIX COUNTRY"),
        ("# nothing", "no BIN prefix"),
    ):
        with pytest.raises(ConfigError, match=why):
            BinFile.parse(text, "test")
    own = tmp_path / "bins.txt"
    own.write_text("411111 gb  # an operator's own line\n41111111 FR\n")
    settings = load_settings({"CROUPIER_CARD_BINS_FILE": str(own)})
    assert settings.cards.bins_file == own
    with pytest.raises(ConfigError, match="CROUPIER_CARD_BINS_FILE"):
        BinFile.load(tmp_path / "missing.txt")


async def test_the_longest_bin_prefix_wins() -> None:
    bins = BinFile.parse("411111 GB\n41111111 FR\n", "test")
    assert await bins.issuer_country("41111111") == "FR"
    assert await bins.issuer_country("41111122") == "GB"
    assert await bins.issuer_country("42424242") is None


def test_the_card_kek_is_a_key_of_its_own(tmp_path: Path) -> None:
    data_kek, card_kek = os.urandom(32).hex(), os.urandom(32).hex()
    postgres = "postgresql://nobody@127.0.0.1/none"
    with pytest.raises(ConfigError, match="card key-encryption key"):
        load_card_kek(load_settings({"CROUPIER_KEK": data_kek}, database_url=postgres))
    with pytest.raises(ConfigError, match="the data vault's"):
        load_card_kek(
            load_settings(
                {"CROUPIER_KEK": data_kek, "CROUPIER_CARD_KEK": data_kek}, database_url=postgres
            )
        )
    with pytest.raises(ConfigError, match="not both"):
        load_settings({"CROUPIER_CARD_KEK": card_kek, "CROUPIER_CARD_KEY_FILE": "/k"})
    with pytest.raises(ConfigError, match="CROUPIER_CARDS_PER_PLAYER"):
        load_settings({"CROUPIER_CARDS_PER_PLAYER": "0"})
    settings = load_settings(
        {"CROUPIER_KEK": data_kek, "CROUPIER_CARD_KEK": card_kek}, database_url=postgres
    )
    assert load_card_kek(settings).key.hex() == card_kek
    assert card_kek not in repr(settings)
    # SQLite: a key file generated beside the database, owner-only, then reused.
    url = f"sqlite:///{tmp_path}/croupier.db"
    sqlite = load_settings({"CROUPIER_KEK": data_kek}, database_url=url)
    made = load_card_kek(sqlite)
    path = default_card_key_file(url)
    assert path == tmp_path / "croupier.db.cardkey" and path.stat().st_mode & 0o777 == 0o600
    assert load_card_kek(sqlite).key == made.key
    path.chmod(0o644)
    with pytest.raises(ConfigError, match=r"CROUPIER_CARD_KEY_FILE .* readable by others"):
        load_card_kek(sqlite)
