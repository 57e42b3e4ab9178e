"""``croupier keys``: the vault's keys (docs/security.md, "Encryption at rest").

``status`` shows which KEK is configured and which wrapped the data keys; ``rotate``
re-wraps every data key under a new KEK, and with ``--data-keys`` also starts a new data
key for new values. Restart the servers afterwards: they hold the keys they loaded.
``rotate-cards`` does the same for the card vault's own KEK (docs/security.md, "Card data").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from croupier.cli.common import DATABASE_URL_OPTION, fail, print_json, run, settings_for
from croupier.config import ConfigError, Settings

app = typer.Typer(help="The vault's keys: status and rotation.", no_args_is_help=True)

_NEW_KEY_FILE = typer.Option(
    None,
    "--new-key-file",
    help="Write the new KEK here (0600, must not exist) and leave the old key file as it is; "
    "without it the configured key file is replaced and the old one kept as a dated .bak.",
)
_DATA_KEYS = typer.Option(
    False, "--data-keys", help="Also start a new data key: new values are sealed under it."
)


async def _checked_schema(settings: Settings) -> None:
    """Refuse a database the ledger writer has not migrated (no data_keys table yet)."""
    from croupier.bootstrap import open_ledger

    ledger = await open_ledger(settings, writer=False)
    await ledger.close()


def _run_vault(go: Callable[[], Coroutine[Any, Any, None]]) -> None:
    from croupier.adapters.vault import VaultError

    try:
        run(go())
    except (ConfigError, VaultError) as error:
        fail(str(error))


@app.command("status")
def status(database_url: str | None = DATABASE_URL_OPTION) -> None:
    """Print the configured KEK (its id, never the key) and every data key: which KEK wraps
    it, and which one seals new values; then the card KEK and how many stored cards each KEK
    wraps. Exit 1 if a configured KEK cannot unwrap all of its keys."""
    from croupier.adapters.cards.cipher import CardCipher
    from croupier.adapters.cards.keys import load_card_kek
    from croupier.adapters.vault import kek_id, load_kek
    from croupier.bootstrap import make_data_key_store
    from croupier.cards_wiring import make_card_store

    settings = settings_for(database_url)
    result: dict[str, Any] = {}

    async def go() -> None:
        kek = load_kek(settings)
        await _checked_schema(settings)
        rows = await make_data_key_store(settings.database_url).load()
        configured = kek_id(kek.key)
        data_rows = [row for row in rows if row.purpose == "data"]
        active = data_rows[-1].key_id if data_rows else None
        result.update(
            kek={"source": kek.source, "id": configured},
            keys=[
                {
                    "id": row.key_id,
                    "purpose": row.purpose,
                    "kek_id": row.kek_id,
                    "created_at": datetime.fromtimestamp(row.created_at_ms / 1000, UTC)
                    .isoformat()
                    .replace("+00:00", "Z"),
                    "seals_new_values": row.key_id == active,
                }
                for row in rows
            ],
            readable=all(row.kek_id == configured for row in rows),
        )
        card_kek = load_card_kek(settings)
        card_kek_id = CardCipher(card_kek.key).kek_id
        store = make_card_store(settings.database_url)
        await store.open()
        try:
            wrapping = Counter(key.kek_id for key in await store.keys())
        finally:
            await store.close()
        result["card_kek"] = {
            "source": card_kek.source,
            "id": card_kek_id,
            "cards_by_kek": dict(sorted(wrapping.items())),
            "readable": set(wrapping) <= {card_kek_id},
        }
        result["readable"] = result["readable"] and result["card_kek"]["readable"]

    _run_vault(go)
    print_json(result)
    if not result["readable"]:
        raise typer.Exit(1)


@app.command("rotate")
def rotate(
    database_url: str | None = DATABASE_URL_OPTION,
    new_key_file: Path | None = _NEW_KEY_FILE,
    data_keys: bool = _DATA_KEYS,
) -> None:
    """Re-wrap every data key (and the blind-index key) under a new, random KEK in one
    transaction. Sealed values are not touched. With a KEK from CROUPIER_KEK, give
    --new-key-file and move its content into CROUPIER_KEK afterwards."""
    from croupier.adapters.vault import Vault, load_kek, rotate_key_file
    from croupier.adapters.vault.kek import default_key_file, read_key_file
    from croupier.bootstrap import make_data_key_store

    settings = settings_for(database_url)
    result: dict[str, Any] = {}

    async def go() -> None:
        kek = load_kek(settings)
        await _checked_schema(settings)
        store = make_data_key_store(settings.database_url)
        key_file = (
            None
            if settings.kek is not None
            else (settings.key_file or default_key_file(settings.database_url))
        )
        done = await rotate_key_file(store, kek.key, key_file=key_file, new_key_file=new_key_file)
        result.update(
            rewrapped=done.rewrapped,
            kek_id=done.new_kek_id,
            key_file=str(done.key_file),
            backup=None if done.backup is None else str(done.backup),
        )
        if data_keys:
            vault = Vault(read_key_file(done.key_file), store)
            await vault.open()
            result["new_data_key"] = await vault.start_data_key()

    _run_vault(go)
    print_json(result)
    typer.echo("restart every server and writer so they load the new key", err=True)


@app.command("rotate-cards")
def rotate_cards(
    database_url: str | None = DATABASE_URL_OPTION, new_key_file: Path | None = _NEW_KEY_FILE
) -> None:
    """Re-wrap every stored card's data key under a new, random card KEK
    (CROUPIER_CARD_KEY_FILE or CROUPIER_CARD_KEK) in one transaction; the sealed card data is
    not touched. Stop the servers first: a card added meanwhile under the old KEK makes the
    rotation change nothing and fail. Then destroy the old key (the .bak file) once no
    backup you keep needs it: every copy made before holds cards only that key opens."""
    from croupier.adapters.cards.keys import default_card_key_file, load_card_kek
    from croupier.adapters.cards.rotation import rotate_card_key_file
    from croupier.cards_wiring import make_card_store

    settings = settings_for(database_url)
    result: dict[str, Any] = {}

    async def go() -> None:
        kek = load_card_kek(settings)
        await _checked_schema(settings)
        store = make_card_store(settings.database_url)
        cards = settings.cards
        key_file = (
            None
            if cards.kek is not None
            else (cards.key_file or default_card_key_file(settings.database_url))
        )
        if key_file is None and new_key_file is None:
            raise ConfigError(
                "the card KEK comes from CROUPIER_CARD_KEK: give --new-key-file, then put the "
                "new key in CROUPIER_CARD_KEK (or point CROUPIER_CARD_KEY_FILE at the file)"
            )
        await store.open()
        try:
            done = await rotate_card_key_file(
                store, kek.key, key_file=key_file, new_key_file=new_key_file
            )
        finally:
            await store.close()
        result.update(
            rewrapped=done.rewrapped,
            card_kek_id=done.new_kek_id,
            key_file=str(done.key_file),
            backup=None if done.backup is None else str(done.backup),
        )

    _run_vault(go)
    print_json(result)
    typer.echo("restart every server so it loads the new card key", err=True)
