"""The accounts service on both storage backends, with a real ledger and argon2id (cheap)."""

from __future__ import annotations

import dataclasses
import secrets
import unicodedata
from datetime import timedelta

import pytest

from croupier.adapters.passwords import Argon2PasswordHasher
from croupier.domain.errors import AccountConflict
from croupier.domain.ledger import AccountKind
from croupier.services.accounts import (
    AccountLimits,
    AccountService,
    AuthenticationFailed,
    EmailTaken,
    InvalidRegistration,
    PasswordHasher,
    Player,
    TooManyAttempts,
    TooManyRegistrations,
    token_sha256,
)
from tests.support.accounts import GOOD_PASSWORD, SettableClock, open_accounts

pytestmark = pytest.mark.timeout(60)

EMAIL = "Alice@Example.com"


class CountingHasher:
    """Our hasher port, counting verifications."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.verifications = 0

    async def hash(self, password: str) -> str:
        return await self.inner.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return await self.inner.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self.inner.needs_rehash(password_hash)


async def register(service: AccountService, email: str = EMAIL, **overrides: str) -> Player:
    fields: dict[str, str] = {
        "email": email,
        "password": GOOD_PASSWORD,
        "date_of_birth": "1990-04-01",
        "country": "DE",
        "currency": "EUR",
    }
    fields.update(overrides)
    return await service.register(**fields)


async def test_registration_opens_empty_ledger_accounts(database_url: str) -> None:
    clock = SettableClock()
    async with open_accounts(database_url, clock=clock) as service:
        player = await register(service, currency="SEK", country="se")
        assert player.email == "alice@example.com"
        assert (player.country, player.currency, player.created_at) == ("SE", "SEK", clock.now)
        for account_id, kind in [
            (f"player:{player.player_id}:cash", AccountKind.PLAYER_CASH),
            (f"player:{player.player_id}:bonus", AccountKind.PLAYER_BONUS),
        ]:
            account, balance = await service.ledger.balance(account_id)
            assert (account.kind, account.currency, account.floor_minor) == (kind, "SEK", 0)
            assert balance.debits_posted == balance.credits_posted == 0
        assert await service.store.get_player(player.player_id) == player


async def test_registration_refusals_name_the_field_and_store_nothing(database_url: str) -> None:
    clock = SettableClock()  # 2026-05-01
    cases = [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short pw"}, "password"),
        ({"password": "PASSWORD1234"}, "password"),  # common, compared case-folded
        ({"password": "alice@example.com"}, "password"),
        ({"password": "Alice!!2026!!"}, "password"),  # the email's name
        ({"password": " " * 10}, "password"),
        ({"password": "\x00" * 10}, "password"),
        ({"password": "croupier2026"}, "password"),
        ({"date_of_birth": "2008-05-02"}, "date_of_birth"),  # 17 years and 364 days
        ({"date_of_birth": "01/04/1990"}, "date_of_birth"),
        ({"country": "XX"}, "country"),
        ({"country": "DEU"}, "country"),
        ({"currency": "XYZ"}, "currency"),
    ]
    async with open_accounts(database_url, clock=clock) as service:
        for overrides, field in cases:
            with pytest.raises(InvalidRegistration) as refused:
                await register(service, **overrides)
            assert refused.value.field == field, overrides
            assert refused.value.code == "invalid-registration"
        assert await service.store.find_by_email("alice@example.com") is None
        assert await register(service, date_of_birth="2008-05-01")  # 18 today


async def test_duplicate_email_in_another_case_is_taken(database_url: str) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as service:
        first = await register(service)
        with pytest.raises(EmailTaken):
            await register(service, email="  ALICE@example.COM ")
        # The unique index holds even when the early check is raced past.
        twin = dataclasses.replace(first, player_id="f" * 32)
        with pytest.raises(EmailTaken):
            await service.store.insert_player(twin, "hash")


async def test_ledger_refusal_leaves_no_player_that_can_log_in(database_url: str) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as service:
        service._new_player_id = lambda: "taken"
        await service.ledger.open_account("player:taken:cash", AccountKind.PLAYER_CASH, "USD")
        with pytest.raises(AccountConflict):
            await register(service)  # EUR cash account clashes with the existing USD one
        assert await service.store.find_by_email("alice@example.com") is None
        with pytest.raises(AuthenticationFailed):
            await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.1")


async def test_login_tells_the_previous_login_and_authenticates(database_url: str) -> None:
    clock = SettableClock()
    async with open_accounts(database_url, clock=clock) as service:
        player = await register(service)
        first_at = clock.now
        first = await service.login(email=" alice@EXAMPLE.com", password=GOOD_PASSWORD, ip="::1")
        assert first.previous_login_at is None
        assert first.expires_at == first_at + timedelta(days=1)
        assert first.player == player
        clock.advance(3600.25)
        second = await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.1")
        assert second.previous_login_at == first_at
        assert second.token != first.token
        assert await service.authenticate(first.token) == player
        assert await service.authenticate(second.token) == player
        # Only the hash is stored: the token itself is no key to anything.
        assert await service.store.find_session(token_sha256(first.token)) is not None
        assert await service.store.find_session(first.token) is None


async def test_wrong_password_and_unknown_email_fail_alike(database_url: str) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as service:
        await register(service)
        verified = CountingHasher(service.hasher)
        service.hasher = verified
        failures = []
        for email, password in [
            (EMAIL, GOOD_PASSWORD + "!"),
            ("bob@example.com", GOOD_PASSWORD),
            ("not an email", GOOD_PASSWORD),
        ]:
            with pytest.raises(AuthenticationFailed) as failed:
                await service.login(email=email, password=password, ip="10.0.0.1")
            failures.append((type(failed.value), str(failed.value), failed.value.code))
        assert len(set(failures)) == 1
        assert verified.verifications == 3  # one argon2 verification each: same cost, too
        verified.verifications = 0
        for email in (EMAIL, "bob@example.com"):  # NFKC and NFC forms differ: two each
            with pytest.raises(AuthenticationFailed):
                await service.login(email=email, password="\ufb01" + GOOD_PASSWORD, ip="10.0.0.1")
        assert verified.verifications == 4


async def test_lockout_after_failures_then_expiry(database_url: str) -> None:
    clock = SettableClock()
    limits = AccountLimits(login_failures_max=3, lockout_s=900)
    async with open_accounts(database_url, clock=clock, limits=limits) as service:
        await register(service)
        for email in (EMAIL, "nobody@example.com"):  # unknown emails lock the same way
            for _ in range(3):
                with pytest.raises(AuthenticationFailed):
                    await service.login(email=email, password="wrong password", ip="10.0.0.2")
                clock.advance(10)
            with pytest.raises(TooManyAttempts) as refused:
                await service.login(email=email, password=GOOD_PASSWORD, ip="10.0.0.2")
            assert refused.value.retry_after_s == 890  # locked at the third failure, 10 s ago
        clock.advance(849)  # 11 s before the first account's lock ends
        with pytest.raises(TooManyAttempts) as refused:
            await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.3")
        assert refused.value.retry_after_s == 11
        clock.advance(11)
        assert await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.3")


async def test_success_resets_the_failure_count(database_url: str) -> None:
    clock = SettableClock()
    limits = AccountLimits(login_failures_max=3, login_attempts_per_account_per_minute=100)
    async with open_accounts(database_url, clock=clock, limits=limits) as service:
        await register(service)
        for _ in range(2):
            for _ in range(2):
                with pytest.raises(AuthenticationFailed):
                    await service.login(email=EMAIL, password="wrong password", ip="10.0.0.4")
            await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.4")


async def test_per_ip_limit(database_url: str) -> None:
    clock = SettableClock()
    limits = AccountLimits(login_attempts_per_ip_per_minute=3)
    async with open_accounts(database_url, clock=clock, limits=limits) as service:
        await register(service)
        for i in range(3):
            with pytest.raises(AuthenticationFailed):
                await service.login(email=f"u{i}@example.com", password="x" * 12, ip="10.0.0.5")
        with pytest.raises(TooManyAttempts) as refused:
            await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.5")
        assert refused.value.retry_after_s == 60
        assert await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.6")
        clock.advance(60)
        assert await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.5")


async def test_logout_revokes_only_that_session(database_url: str) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as service:
        player = await register(service)
        phone = await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.7")
        laptop = await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.7")
        await service.logout(phone.token)
        with pytest.raises(AuthenticationFailed):
            await service.authenticate(phone.token)
        await service.logout(phone.token)  # idempotent
        await service.logout("not a token")
        assert await service.authenticate(laptop.token) == player


async def test_session_expires(database_url: str) -> None:
    clock = SettableClock()
    limits = AccountLimits(session_ttl_s=600)
    async with open_accounts(database_url, clock=clock, limits=limits) as service:
        await register(service)
        session = await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.8")
        clock.advance(599.999)
        assert await service.authenticate(session.token)
        clock.advance(0.001)
        with pytest.raises(AuthenticationFailed):
            await service.authenticate(session.token)


async def test_forged_tokens_are_refused(database_url: str) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as service:
        await register(service)
        session = await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.9")
        flipped = ("A" if session.token[0] != "A" else "B") + session.token[1:]
        for forged in [
            secrets.token_urlsafe(32),
            flipped,
            session.token + "=",
            token_sha256(session.token),  # the stored hash is not a token
            "",
            "x" * 10_000,
        ]:
            with pytest.raises(AuthenticationFailed):
                await service.authenticate(forged)


async def test_login_rehashes_a_hash_made_with_old_parameters(database_url: str) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as service:
        await register(service)
        stronger = Argon2PasswordHasher(time_cost=2, memory_cost_kib=16, parallelism=1)
        try:
            service.hasher = stronger
            old = await service.store.find_by_email("alice@example.com")
            assert old is not None and stronger.needs_rehash(old.password_hash)
            await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.10")
            new = await service.store.find_by_email("alice@example.com")
            assert new is not None and not stronger.needs_rehash(new.password_hash)
            assert await service.login(email=EMAIL, password=GOOD_PASSWORD, ip="10.0.0.10")
        finally:
            stronger.close()


async def test_registrations_per_address_are_limited(database_url: str) -> None:
    """Each costs an argon2 hash and leaves a player: one address cannot flood them."""
    clock = SettableClock()
    limits = AccountLimits(registrations_per_ip_per_minute=3)
    async with open_accounts(database_url, clock=clock, limits=limits) as service:
        for i in range(3):
            await register(service, f"p{i}@example.com", ip="198.51.100.7")
        with pytest.raises(TooManyRegistrations) as refused:
            await register(service, "p3@example.com", ip="198.51.100.7")
        assert "registrations" in str(refused.value) and refused.value.retry_after_s == 60
        assert await service.store.find_by_email("p3@example.com") is None
        await register(service, "p4@example.com", ip="198.51.100.8")  # another address
        clock.now += timedelta(seconds=61)
        await register(service, "p5@example.com", ip="198.51.100.7")


async def test_compatibility_forms_are_one_password_and_older_hashes_still_log_in(
    database_url: str,
) -> None:
    """Passwords are NFKC-normalised (NIST SP 800-63B): full-width letters from one keyboard
    and ASCII from another are the same password. A hash made before, of the NFC form, still
    logs its player in, and that login replaces it with a hash of the NFKC form."""
    full_width = "\uff43\uff4f\uff52\uff52\uff45\uff43\uff54 horse battery"
    async with open_accounts(database_url, clock=SettableClock()) as service:
        await register(service, password=full_width)
        assert await service.login(email=EMAIL, password="correct horse battery", ip="10.0.0.11")
        older = await register(service, "older@example.com")
        ligatures = "\ufb01ve \ufb01ne \ufb01gures"  # NFC keeps the ligatures, NFKC spells them out
        nfc_hash = await service.hasher.hash(unicodedata.normalize("NFC", ligatures))
        await service.store.update_password_hash(older.player_id, nfc_hash)
        await service.login(email="older@example.com", password=ligatures, ip="10.0.0.11")
        stored = await service.store.find_by_email("older@example.com")
        assert stored is not None and stored.password_hash != nfc_hash
        assert await service.login(
            email="older@example.com", password="five fine figures", ip="10.0.0.11"
        )


async def test_login_never_cuts_the_password(database_url: str) -> None:
    """ASVS 2.1.3: with a password of the longest length, a longer input must not log in."""
    longest = (GOOD_PASSWORD + " ")[:16] * 16  # 256 characters
    async with open_accounts(database_url, clock=SettableClock()) as service:
        await register(service, password=longest)
        assert await service.login(email=EMAIL, password=longest, ip="10.0.0.12")
        for longer in (longest + "!", longest * 4 + "!"):
            with pytest.raises(AuthenticationFailed):
                await service.login(email=EMAIL, password=longer, ip="10.0.0.12")
