"""Players: registration, login sessions and login rate limits (no HTTP in here)."""

from croupier.domain.accounts import (
    AuthenticationFailed,
    EmailTaken,
    InvalidRegistration,
    Player,
    TooManyAttempts,
    TooManyRegistrations,
)
from croupier.services.accounts.common_passwords import load_common_passwords
from croupier.services.accounts.limits import AccountLimits
from croupier.services.accounts.ports import (
    LoginLimiter,
    PasswordHasher,
    PlayerStore,
    SessionRecord,
    StoredPlayer,
)
from croupier.services.accounts.rate_keys import account_rate_key, ip_rate_key
from croupier.services.accounts.service import AccountService, NewSession, token_sha256

__all__ = [
    "AccountLimits",
    "AccountService",
    "AuthenticationFailed",
    "EmailTaken",
    "InvalidRegistration",
    "LoginLimiter",
    "NewSession",
    "PasswordHasher",
    "Player",
    "PlayerStore",
    "SessionRecord",
    "StoredPlayer",
    "TooManyAttempts",
    "TooManyRegistrations",
    "account_rate_key",
    "ip_rate_key",
    "load_common_passwords",
    "token_sha256",
]
