"""Who acts, and why: the checks every back-office action makes before it changes anything.

Staff are named as the audit trail names them, ``staff:<id>``. Four-eyes compares staff by
:func:`staff_identity`, which folds case and Unicode compatibility forms, so ``staff:Alice``,
``STAFF:alice`` and ``staff:ａｌｉｃｅ`` are one person and cannot approve each other.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from croupier.domain.errors import Forbidden, InvalidInput

__all__ = ["REASON_CHARS_MAX", "check_reason", "same_staff", "staff_identity"]

REASON_CHARS_MAX: Final = 500
#: After folding, a staff id is printable ASCII without spaces: an invisible or look-alike
#: character (a zero-width space, a Cyrillic "а") cannot make one person two.
_STAFF: Final = re.compile(r"^staff:(?P<id>[\x21-\x7e]{1,128})\Z")


def staff_identity(actor: object) -> str:
    """The canonical identity of a staff actor; ``Forbidden`` for anyone else (a player,
    ``system``, a malformed name): back-office actions are staff actions."""
    if not isinstance(actor, str):
        raise Forbidden("back-office actions are taken by staff")
    folded = unicodedata.normalize("NFKC", actor).strip().casefold()
    match = _STAFF.match(folded)
    if match is None:
        raise Forbidden("back-office actions are taken by staff (actor staff:<id>)")
    return match.group("id")


def same_staff(first: str, second: str) -> bool:
    return staff_identity(first) == staff_identity(second)


def check_reason(reason: object) -> str:
    """Every staff action says why (it goes to the audit trail): 1 to 500 characters."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("a reason is required")
    if len(reason) > REASON_CHARS_MAX:
        raise InvalidInput(f"a reason holds at most {REASON_CHARS_MAX} characters")
    return reason.strip()
