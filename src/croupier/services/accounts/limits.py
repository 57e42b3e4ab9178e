"""Every limit of the accounts service, bounded and checked at construction."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["AccountLimits"]

# (low, high) for each limit: outside these a setting is a mistake, not a policy.
_BOUNDS: dict[str, tuple[int, int]] = {
    "password_length_min": (8, 128),
    "password_length_max": (8, 4096),
    "session_ttl_s": (60, 30 * 86_400),
    "login_failures_max": (1, 100),
    "lockout_s": (1, 86_400),
    "login_attempts_per_ip_per_minute": (1, 100_000),
    "login_attempts_per_account_per_minute": (1, 1_000),
    "registrations_per_ip_per_minute": (1, 100_000),
    "tracked_keys_max": (100, 10_000_000),
    "age_years_min": (18, 99),
    "password_reset_ttl_s": (300, 86_400),
}


@dataclass(frozen=True, slots=True)
class AccountLimits:
    """Limits of registration and login. ``ValueError`` names a limit out of its bounds."""

    #: OWASP ASVS 4.0.3 2.1.1 (ASVS 5 asks at least 8, and recommends 15).
    password_length_min: int = 12
    password_length_max: int = 256
    session_ttl_s: int = 86_400
    #: Consecutive failed logins of one account before it is locked for ``lockout_s``.
    login_failures_max: int = 5
    lockout_s: int = 900
    login_attempts_per_ip_per_minute: int = 30
    login_attempts_per_account_per_minute: int = 10
    #: Each registration costs an argon2 hash and leaves a player and two ledger accounts.
    registrations_per_ip_per_minute: int = 10
    #: Keys (IPs, accounts) the in-memory rate limiter remembers; the oldest are forgotten.
    tracked_keys_max: int = 100_000
    #: Minimum age at registration (jurisdiction rules will raise it where the law does).
    age_years_min: int = 18
    #: A password-reset token mailed to a player works once, for this long.
    password_reset_ttl_s: int = 1_800

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            low, high = _BOUNDS[item.name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{item.name} must be an integer in {low}..{high}: {value!r}")
        if self.password_length_max < self.password_length_min:
            raise ValueError("password_length_max must be at least password_length_min")
