"""Session tokens of load-test players, kept between runs in a JSON file.

The file maps a server's base URL to ``{email: {"player_id", "token", "expires_at"}}``.
It holds live session tokens, so it is written with mode 0600, atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["CachedSession", "TokenCache", "default_state_file"]


def default_state_file() -> Path:
    """``$XDG_CACHE_HOME/croupier/loadtest.json`` (``~/.cache/…`` without the variable)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "croupier" / "loadtest.json"


@dataclass(frozen=True, slots=True)
class CachedSession:
    player_id: str
    token: str
    expires_at: str  # ISO 8601, as the server sent it

    def valid_for(self, seconds: float, now: datetime | None = None) -> bool:
        """Whether the token outlives ``seconds`` from now (an unreadable date: no)."""
        try:
            expires = datetime.fromisoformat(self.expires_at.replace("Z", "+00:00"))
        except ValueError:
            return False
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return expires > (now or datetime.now(UTC)) + timedelta(seconds=seconds)


class TokenCache:
    def __init__(self, path: Path, server: str) -> None:
        self.path = path
        self.server = server.rstrip("/")
        self._all: dict[str, dict[str, Any]] = self._read()

    def get(self, email: str) -> CachedSession | None:
        entry = self._all.get(self.server, {}).get(email)
        try:
            return CachedSession(**entry) if isinstance(entry, dict) else None
        except TypeError:  # a file from another version: log in again
            return None

    def put(self, email: str, session: CachedSession) -> None:
        self._all.setdefault(self.server, {})[email] = asdict(session)

    def forget(self, email: str) -> None:
        self._all.get(self.server, {}).pop(email, None)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".loadtest-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as out:  # mkstemp creates it 0600
                json.dump({"version": 1, "servers": self._all}, out, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # unreadable or corrupt: start afresh, it is only a cache
        servers = data.get("servers") if isinstance(data, dict) else None
        return servers if isinstance(servers, dict) else {}
