"""Load-test players over HTTP: register or log in ``loadtest-<i>@…``, fund them, and reuse
their cached session tokens while those are still valid."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from croupier.loadtest import LoadtestError
from croupier.loadtest.tokens import CachedSession, TokenCache

__all__ = ["PASSWORD", "Player", "PlayerSetup", "SetupCounts", "email_of"]

#: Fixed, so that every run (and every machine) finds the same players; long and not on any
#: common-password list. Load-test players belong on test servers only.
PASSWORD = "croupier-loadtest-7Qv2-lotus-koi-crane"
SETUP_CONCURRENCY = 8  # the server hashes at most 4 passwords at once anyway
RETRIES_MAX = 30  # 429 and 503 answers waited out per request; a login lock-out is 900 s
DEPOSIT_MINOR_MAX = 100_000_000  # the server's default CROUPIER_DEPOSIT_MINOR_MAX
_REGISTRATION = {"date_of_birth": "1990-01-01", "country": "MT", "currency": "EUR"}


def email_of(index: int) -> str:
    return f"loadtest-{index}@loadtest.example.com"


@dataclass(frozen=True, slots=True)
class Player:
    index: int
    email: str
    player_id: str
    token: str


@dataclass(slots=True)
class SetupCounts:
    registered: int = 0
    logged_in: int = 0
    reused: int = 0
    funded: int = 0
    retried: int = 0  # 429 and 503 answers waited out (Retry-After) and sent again


class PlayerSetup:
    """Gets players ready: a token valid for ``token_valid_for_s`` more seconds and, when
    asked, at least ``bankroll_minor`` of cash."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        cache: TokenCache,
        *,
        token_valid_for_s: float,
        on_ready: Callable[[], None] = lambda: None,
        on_wait: Callable[[str, float], None] = lambda _why, _seconds: None,
    ) -> None:
        self.http = http
        self.cache = cache
        self.token_valid_for_s = token_valid_for_s
        self.on_ready = on_ready
        self.on_wait = on_wait
        self.counts = SetupCounts()
        self._run_id = secrets.token_hex(4)

    async def ready(self, cash_wanted: Mapping[int, int]) -> list[Player]:
        """The players of these indices, each with at least the cash wanted, in order."""
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)

        async def one(index: int, cash: int) -> Player:
            async with gate:
                player = await self._ready(index, cash)
            self.on_ready()
            return player

        try:
            return list(await asyncio.gather(*(one(i, c) for i, c in cash_wanted.items())))
        finally:
            self.cache.save()

    async def _ready(self, index: int, bankroll_minor: int) -> Player:
        email = email_of(index)
        session = self.cache.get(email)
        fresh = session is not None and session.valid_for(self.token_valid_for_s)
        cash = await self._cash(session.token) if session is not None and fresh else None
        if session is not None and cash is not None:
            self.counts.reused += 1
        else:
            session = await self._sign_in(email, session)
            cash = await self._cash(session.token)
            if cash is None:
                raise LoadtestError(f"a fresh token for {email} was refused by GET /v1/wallet")
        if cash < bankroll_minor:
            await self._deposit(index, session.token, bankroll_minor - cash)
        return Player(index, email, session.player_id, session.token)

    async def _sign_in(self, email: str, cached: CachedSession | None) -> CachedSession:
        """Register (an existing email costs the server no password hash), then log in.
        Registering even when the cache knows the player survives a wiped database."""
        player_id = cached.player_id if cached is not None else ""
        body = {"email": email, "password": PASSWORD, **_REGISTRATION}
        answer = await self._call("POST", "/v1/players", json=body, expect=(201, 409))
        if answer.status_code == 201:
            player_id = answer.json()["player_id"]
            self.counts.registered += 1
        elif _code(answer) != "email-taken":
            raise _refused(answer)
        credentials = {"email": email, "password": PASSWORD}
        answer = await self._call("POST", "/v1/sessions", json=credentials, expect=(201, 401))
        if answer.status_code == 401:
            raise LoadtestError(
                f"{email} exists with another password: use another --state-file on a "
                "fresh database, or remove that player"
            )
        self.counts.logged_in += 1
        body = answer.json()
        session = CachedSession(player_id, body["token"], body["expires_at"])
        self.cache.put(email, session)
        return session

    async def _cash(self, token: str) -> int | None:
        """The player's available cash, or ``None`` when the token is no longer valid."""
        answer = await self._call("GET", "/v1/wallet", token=token, expect=(200, 401))
        return int(answer.json()["cash"]) if answer.status_code == 200 else None

    async def _deposit(self, index: int, token: str, amount: int) -> None:
        key = f"loadtest-{self._run_id}-{index}"
        body = {"amount": min(amount, DEPOSIT_MINOR_MAX)}
        await self._call(
            "POST", "/v1/wallet/deposits", json=body, token=token, key=key, expect=(201,)
        )
        self.counts.funded += 1

    async def _call(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...],
        json: dict[str, Any] | None = None,
        token: str | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        """One request; 429 and 503 are waited out (``Retry-After``) and sent again."""
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        for _ in range(RETRIES_MAX):
            try:
                answer = await self.http.request(method, path, json=json, headers=headers)
            except httpx.TransportError as error:
                where = f"{str(self.http.base_url).rstrip('/')}/{path.lstrip('/')}"
                raise LoadtestError(f"{method} {where}: {error!r}") from error
            if answer.status_code in expect:
                return answer
            if answer.status_code not in (429, 503):
                raise _refused(answer)
            wait = _retry_after(answer)
            self.counts.retried += 1
            self.on_wait(f"{answer.status_code} {_code(answer)} on {method} {path}", wait)
            await asyncio.sleep(wait)
        raise _refused(answer)


def _code(answer: httpx.Response) -> str:
    try:
        kind = answer.json().get("type", "")
    except ValueError:
        return f"http-{answer.status_code}"
    return str(kind).rsplit("/", 1)[-1] or f"http-{answer.status_code}"


def _retry_after(answer: httpx.Response) -> float:
    try:
        return max(0.1, min(float(answer.headers.get("Retry-After", "1")), 900.0))
    except ValueError:
        return 1.0


def _refused(answer: httpx.Response) -> LoadtestError:
    try:
        detail = answer.json().get("detail", "")
    except ValueError:
        detail = answer.text[:200]
    request = answer.request
    return LoadtestError(
        f"{request.method} {request.url} answered {answer.status_code} {_code(answer)}: {detail}"
    )
