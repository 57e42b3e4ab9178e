"""The vault on its in-memory key table: sealing, refusals, blind indexes, key rotation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from croupier.adapters.vault import (
    InvalidTag,
    UndecryptableValue,
    Vault,
    VaultError,
    load_kek,
    rewrap_keys,
    rotate_key_file,
)
from croupier.adapters.vault.kek import read_key_file, write_key_file
from croupier.adapters.vault.memory import MemoryDataKeyStore
from croupier.config import ConfigError, load_settings

KEK = bytes(range(32))
CONTEXT = "players.email:p-1"


async def open_vault(kek: bytes = KEK, store: MemoryDataKeyStore | None = None) -> Vault:
    vault = Vault(kek, store or MemoryDataKeyStore())
    await vault.open()
    return vault


async def test_a_sealed_value_opens_with_its_context_and_shows_no_plaintext() -> None:
    vault = await open_vault()
    sealed = vault.encrypt(b"ada@example.com", CONTEXT)
    assert b"ada@example.com" not in sealed
    assert sealed[0] == 1  # the format version
    assert sealed[1:9] == bytes.fromhex(vault.active_key_id)
    assert await vault.decrypt(sealed, CONTEXT) == b"ada@example.com"
    # A fresh nonce each time: equal values do not give equal ciphertexts.
    assert vault.encrypt(b"ada@example.com", CONTEXT) != sealed


async def test_a_tampered_value_is_refused_with_invalid_tag() -> None:
    vault = await open_vault()
    sealed = bytearray(vault.encrypt(b"1990-04-01", "players.date_of_birth:p-1"))
    sealed[-1] ^= 0x01
    with pytest.raises(UndecryptableValue) as refused:
        await vault.decrypt(bytes(sealed), "players.date_of_birth:p-1")
    assert isinstance(refused.value.__cause__, InvalidTag)


@pytest.mark.parametrize(
    "other_context",
    ["players.email:p-2", "players.date_of_birth:p-1", "seed_pairs.server_seed:1"],
)
async def test_a_value_moved_to_another_row_or_column_is_refused(other_context: str) -> None:
    vault = await open_vault()
    sealed = vault.encrypt(b"ada@example.com", CONTEXT)
    with pytest.raises(UndecryptableValue):
        await vault.decrypt(sealed, other_context)


async def test_a_malformed_value_is_refused() -> None:
    vault = await open_vault()
    with pytest.raises(VaultError):
        await vault.decrypt(b"ada@example.com", CONTEXT)


async def test_the_blind_index_is_stable_per_purpose_and_keyed() -> None:
    store = MemoryDataKeyStore()
    vault = await open_vault(store=store)
    again = await open_vault(store=store)
    index = vault.blind_index("ada@example.com", "players.email")
    assert index == again.blind_index("ada@example.com", "players.email")
    assert index != vault.blind_index("bob@example.com", "players.email")
    assert index != vault.blind_index("ada@example.com", "staff.email")
    elsewhere = await open_vault()  # another database: another index key
    assert index != elsewhere.blind_index("ada@example.com", "players.email")


async def test_a_wrong_kek_cannot_open_the_keys() -> None:
    store = MemoryDataKeyStore()
    await open_vault(store=store)
    with pytest.raises(VaultError, match="wrong CROUPIER_KEY_FILE"):
        await open_vault(os.urandom(32), store)


async def test_a_new_kek_rewraps_the_keys_and_old_values_still_open() -> None:
    store = MemoryDataKeyStore()
    vault = await open_vault(store=store)
    sealed = vault.encrypt(b"ada@example.com", CONTEXT)
    index = vault.blind_index("ada@example.com", "players.email")
    new_kek = os.urandom(32)
    assert await rewrap_keys(store, KEK, new_kek) == 2  # the data key and the index key
    with pytest.raises(VaultError):
        await open_vault(KEK, store)  # the old KEK opens nothing any more
    rotated = await open_vault(new_kek, store)
    assert await rotated.decrypt(sealed, CONTEXT) == b"ada@example.com"
    assert rotated.blind_index("ada@example.com", "players.email") == index


async def test_a_new_data_key_seals_new_values_and_the_old_one_still_opens() -> None:
    store = MemoryDataKeyStore()
    vault = await open_vault(store=store)
    old = vault.encrypt(b"old", CONTEXT)
    first = vault.active_key_id
    other_process = await open_vault(store=store)
    second = await vault.start_data_key()
    assert second != first and vault.active_key_id == second
    new = vault.encrypt(b"new", CONTEXT)
    assert new[1:9] == bytes.fromhex(second)
    # A process that loaded the keys before reads the table again for the unknown key.
    assert await other_process.decrypt(new, CONTEXT) == b"new"
    assert await vault.decrypt(old, CONTEXT) == b"old"


async def test_rotating_a_key_file_keeps_a_dated_backup(tmp_path: Path) -> None:
    store = MemoryDataKeyStore()
    key_file = tmp_path / "croupier.key"
    write_key_file(key_file, KEK)
    vault = await open_vault(store=store)
    sealed = vault.encrypt(b"ada@example.com", CONTEXT)
    done = await rotate_key_file(store, KEK, key_file=key_file, new_key_file=None)
    assert done.backup is not None and read_key_file(done.backup) == KEK
    new_kek = read_key_file(key_file)
    assert new_kek != KEK
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(done.backup.stat().st_mode) == 0o600
    reopened = await open_vault(new_kek, store)
    assert await reopened.decrypt(sealed, CONTEXT) == b"ada@example.com"


async def test_a_kek_from_the_environment_rotates_only_into_a_new_file(tmp_path: Path) -> None:
    store = MemoryDataKeyStore()
    await open_vault(store=store)
    with pytest.raises(VaultError, match="--new-key-file"):
        await rotate_key_file(store, KEK, key_file=None, new_key_file=None)
    done = await rotate_key_file(store, KEK, key_file=None, new_key_file=tmp_path / "new.key")
    await open_vault(read_key_file(done.key_file), store)


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "croupier.key"
    write_key_file(key_file, KEK)
    key_file.chmod(0o640)
    settings = load_settings({"CROUPIER_KEY_FILE": str(key_file)})
    with pytest.raises(ConfigError, match="chmod 600"):
        load_kek(settings)
    key_file.chmod(0o600)
    assert load_kek(settings).key == KEK


def test_sqlite_generates_an_owner_only_key_file_beside_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings({}, database_url=f"sqlite:///{tmp_path}/data/croupier.db")
    kek = load_kek(settings)
    key_file = tmp_path / "data" / "croupier.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file) in capsys.readouterr().err
    assert load_kek(settings).key == kek.key  # the next start reads the same key


def test_postgresql_refuses_to_start_without_a_key() -> None:
    settings = load_settings({}, database_url="postgresql://croupier@db.example/croupier")
    with pytest.raises(ConfigError, match="CROUPIER_KEY_FILE"):
        load_kek(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CROUPIER_KEK": "abcd"}, "exactly 32 bytes"),
        ({"CROUPIER_KEK": "not a key!"}, "hex or base64"),
        ({"CROUPIER_KEK": "00" * 32, "CROUPIER_KEY_FILE": "/k"}, "not both"),
    ],
)
def test_a_bad_kek_setting_is_refused_at_start(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_the_kek_never_shows_in_the_settings() -> None:
    settings = load_settings({"CROUPIER_KEK": KEK.hex()})
    assert settings.kek == KEK
    assert KEK.hex() not in repr(settings) and str(list(KEK)) not in repr(settings)
