"""The TOTP secrets, sealed by the vault: the context binding each to its row, and where the
secrets migration 0012 left in clear (``secrets_plaintext``) go once sealed.

A TOTP secret makes every code of its second factor, so it is stored only sealed (AES-256-GCM
under a data key, see :mod:`croupier.adapters.vault`); the associated data names the column
and the row, so a sealed secret copied onto another staff member or player does not open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from croupier.adapters.vault import Vault

__all__ = [
    "PLAYER_KINDS",
    "STAFF_KINDS",
    "PlaintextKind",
    "open_secret",
    "player_totp_context",
    "staff_totp_context",
]


def staff_totp_context(staff_id: str) -> str:
    """The context of a staff member's TOTP secret, pending or confirmed (confirming moves
    the pending one into place, within the row)."""
    return f"staff.totp_secret:{staff_id}"


def player_totp_context(player_id: str) -> str:
    return f"player_totp.secret:{player_id}"


async def open_secret(vault: Vault, sealed: bytes | None, context: str) -> str | None:
    """The secret ``sealed`` holds (None for None)."""
    return None if sealed is None else await vault.decrypt_text(bytes(sealed), context)


@dataclass(frozen=True, slots=True)
class PlaintextKind:
    """One ``kind`` of ``secrets_plaintext``: the column its sealed value goes to, and the
    context it is sealed under (with the row's id)."""

    kind: str
    table: str
    column: str
    key: str  # the table's id column, which secrets_plaintext.row_id holds
    context_name: str

    def context(self, row_id: str) -> str:
        return f"{self.context_name}:{row_id}"


STAFF_KINDS: Final = (
    PlaintextKind("staff.totp_secret", "staff", "totp_secret_sealed", "id", "staff.totp_secret"),
    PlaintextKind(
        "staff.pending_totp_secret", "staff", "pending_totp_secret_sealed", "id",
        "staff.totp_secret",
    ),
)  # fmt: skip
PLAYER_KINDS: Final = (
    PlaintextKind(
        "player_totp.secret", "player_totp", "secret_sealed", "player_id", "player_totp.secret"
    ),
)
