"""The second factor of staff logins: TOTP (RFC 6238, 30 s steps) and one-time recovery codes.

A code is checked against the step before, the current one and the one after (a clock a few
seconds off still works); the step it matched is what the store records as used, so the same
code, or any earlier one, never passes twice. Recovery codes are 80 random bits, which a fast
salted hash protects well enough: only their SHA-256 (salted with the staff id) is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

import pyotp
import segno

__all__ = [
    "RECOVERY_CODES",
    "STEP_S",
    "Enrolment",
    "matching_step",
    "new_enrolment",
    "normalise_recovery_code",
    "recovery_code_sha256",
]

STEP_S = 30
#: Steps either side of now a code may come from (pyotp's ``valid_window=1``).
_WINDOW_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_CODE_BYTES = 10  # 80 bits: 16 base32 characters
_DIGITS = 6


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What enrolment shows once: the secret (as a URI and a QR code) and the recovery codes."""

    secret: str = field(repr=False)
    otpauth_uri: str = field(repr=False)
    qr_svg: str = field(repr=False)
    qr_png_data_uri: str = field(repr=False)
    recovery_codes: tuple[str, ...] = field(repr=False)


def new_enrolment(*, account_name: str, issuer: str) -> Enrolment:
    """A fresh TOTP secret (160 bits), its ``otpauth://`` URI and QR code, and recovery codes."""
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret, interval=STEP_S).provisioning_uri(
        name=account_name, issuer_name=issuer
    )
    qr = segno.make(uri, error="m")
    codes = tuple(_new_recovery_code() for _ in range(RECOVERY_CODES))
    return Enrolment(
        secret=secret,
        otpauth_uri=uri,
        qr_svg=qr.svg_inline(scale=4),
        qr_png_data_uri=qr.png_data_uri(scale=4),
        recovery_codes=codes,
    )


def matching_step(secret: str, code: str, *, now_s: float) -> int | None:
    """The step (``now_s // 30`` ± 1) whose code ``code`` is, or ``None``.

    >>> secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    >>> code = pyotp.TOTP(secret).at(90)
    >>> matching_step(secret, code, now_s=95), matching_step(secret, code, now_s=125)
    (3, 3)
    >>> matching_step(secret, code, now_s=155) is None
    True
    """
    if len(code) != _DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_S, digits=_DIGITS)
    now_step = int(now_s) // STEP_S
    found = None
    for step in range(now_step - _WINDOW_STEPS, now_step + _WINDOW_STEPS + 1):
        # Every candidate is compared, in constant time each: the timing says nothing.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def normalise_recovery_code(code: str) -> str:
    """Lower-case, without the dashes and spaces it was shown or typed with."""
    return "".join(ch for ch in code.strip().lower() if ch not in "- ")


def recovery_code_sha256(staff_id: str, code: str) -> str:
    """What the store keeps of a recovery code (normalised, salted with the staff id)."""
    text = f"{staff_id}:{normalise_recovery_code(code)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(_RECOVERY_CODE_BYTES)).decode("ascii").lower()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
