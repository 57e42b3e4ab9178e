"""Row encodings of the stores beside the ledger (players, sessions, seed pairs), shared by
the SQLite and PostgreSQL adapters: one place that knows their column order.

A player's email and date of birth, and an active pair's server seed, are stored sealed by
the vault (:mod:`croupier.adapters.vault`), each bound to its column and row by its
context; the email is found through its blind index (``players.email_index``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from croupier.adapters.vault import Vault, VaultError
from croupier.domain.accounts import Player
from croupier.domain.seed_pair import SeedPair
from croupier.services.accounts.ports import SessionRecord
from croupier.services.fairness.ports import StoredPair

__all__ = [
    "PAIR_COLUMNS",
    "PLAYER_COLUMNS",
    "SESSION_COLUMNS",
    "SealedPlayer",
    "email_index",
    "from_ms",
    "pair_from_row",
    "player_from_row",
    "prefixed",
    "seal_player",
    "seal_server_seed",
    "session_from_row",
    "to_ms",
]

PLAYER_COLUMNS = "id, email_sealed, country, currency, date_of_birth_sealed, created_at_ms, state"
SESSION_COLUMNS = "token_sha256, player_id, created_at_ms, expires_at_ms, revoked_at_ms"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime (exact integer arithmetic)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """The UTC datetime of ``ms`` milliseconds since the epoch (exact, no float rounding)."""
    return _EPOCH + timedelta(milliseconds=ms)


def _email_context(player_id: str) -> str:
    return f"players.email:{player_id}"


def _birth_context(player_id: str) -> str:
    return f"players.date_of_birth:{player_id}"


def email_index(vault: Vault, email: str) -> str:
    """The blind index of a normalised email: what ``players.email_index`` holds."""
    return vault.blind_index(email, "players.email")


@dataclass(frozen=True, slots=True)
class SealedPlayer:
    """What a player's row stores in place of the email and the date of birth."""

    email_index: str
    email_sealed: bytes
    date_of_birth_sealed: bytes


def seal_player(vault: Vault, player_id: str, email: str, date_of_birth: date) -> SealedPlayer:
    """The sealed columns of a player (the email normalised by the caller)."""
    return SealedPlayer(
        email_index(vault, email),
        vault.encrypt_text(email, _email_context(player_id)),
        vault.encrypt_text(date_of_birth.isoformat(), _birth_context(player_id)),
    )


async def player_from_row(row: Any, vault: Vault) -> Player:
    """A :class:`Player` from a row in ``PLAYER_COLUMNS`` order, its values unsealed."""
    player_id = row[0]
    if row[1] is None or row[4] is None:  # migrated but not sealed yet: see 0009
        raise VaultError(f"player {player_id} is not sealed yet: open the player store once")
    email = await vault.decrypt_text(row[1], _email_context(player_id))
    born = await vault.decrypt_text(row[4], _birth_context(player_id))
    return Player(
        player_id=player_id,
        email=email,
        country=row[2],
        currency=row[3],
        date_of_birth=date.fromisoformat(born),
        created_at=from_ms(row[5]),
        state=row[6],
    )


def session_from_row(row: Any) -> SessionRecord:
    return SessionRecord(
        token_sha256=row[0],
        player_id=row[1],
        created_at=from_ms(row[2]),
        expires_at=from_ms(row[3]),
        revoked_at=None if row[4] is None else from_ms(row[4]),
    )


def prefixed(alias: str, columns: str) -> str:
    """``columns`` (a comma-separated list) qualified with a table alias."""
    return ", ".join(f"{alias}.{name.strip()}" for name in columns.split(","))


PAIR_COLUMNS: Final = (
    "id, player_id, server_seed, server_seed_sealed, client_seed, next_nonce, revealed_at_ms"
)


def _seed_context(pair_id: int) -> str:
    return f"seed_pairs.server_seed:{pair_id}"


def seal_server_seed(vault: Vault, pair_id: int, server_seed: str) -> bytes:
    """An active pair's server seed sealed for ``seed_pairs.server_seed_sealed``."""
    return vault.encrypt_text(server_seed, _seed_context(pair_id))


async def pair_from_row(row: Any, vault: Vault) -> StoredPair:
    """A :class:`StoredPair` from a row in ``PAIR_COLUMNS`` order: the server seed in clear
    once revealed, else unsealed (bound to the pair's id)."""
    pair_id = int(row[0])
    if row[2] is not None:
        server_seed = row[2]
    else:
        server_seed = await vault.decrypt_text(row[3], _seed_context(pair_id))
    return StoredPair(
        pair_id=pair_id,
        player_id=row[1],
        pair=SeedPair(server_seed, row[4], int(row[5])),
        revealed_at_ms=None if row[6] is None else int(row[6]),
    )
