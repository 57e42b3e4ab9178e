"""The staff service on both storage backends: enrolment, login with TOTP or a recovery
code, replay and reuse refused, lock-out, sessions; with real argon2id (cheap) and pyotp."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from croupier.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    StaffUsernameTaken,
    TooManyAttempts,
)
from croupier.domain.staff import Role
from croupier.services.staff import SessionStage, StaffMember, StaffService, StaffStatus
from tests.support.accounts import SettableClock
from tests.support.staff import STAFF_PASSWORD, KeptAudit, code_at, open_staff, totp_secret

pytestmark = pytest.mark.timeout(60)


@dataclass
class Enrolled:
    service: StaffService
    clock: SettableClock
    audit: KeptAudit
    member: StaffMember
    secret: str
    recovery_codes: tuple[str, ...]

    def code(self, steps_ahead: int = 0) -> str:
        return code_at(self.secret, self.clock.now.timestamp() + 30 * steps_ahead)

    async def login(self, code: str | None, ip: str = "10.0.0.1") -> SessionStage:
        done = await self.service.login(username="ada", password=STAFF_PASSWORD, code=code, ip=ip)
        return done.stage


@pytest.fixture
async def enrolled(database_url: str) -> AsyncIterator[Enrolled]:
    """An admin who has enrolled a TOTP (the clock then moves on a step)."""
    clock, audit = SettableClock(), KeptAudit()
    async with open_staff(database_url, clock=clock, audit=audit) as service:
        member = await service.create(
            username="Ada", password=STAFF_PASSWORD, role=Role.ADMIN, actor="system", source_ip=None
        )
        first = await service.login(username="ada", password=STAFF_PASSWORD, code=None, ip="::1")
        assert first.stage is SessionStage.ENROLMENT
        enrolment = await service.enrol(member.staff_id, source_ip="::1")
        secret = totp_secret(enrolment.otpauth_uri)
        code = code_at(secret, clock.now.timestamp())
        confirmed = await service.confirm(member.staff_id, code, token=first.token, source_ip="::1")
        assert confirmed.status is StaffStatus.ACTIVE
        _, session = await service.authenticate(first.token)
        assert session.stage is SessionStage.FULL  # the enrolment session became a full one
        clock.advance(30)
        yield Enrolled(service, clock, audit, member, secret, enrolment.recovery_codes)


async def test_enrolment_gives_a_qr_code_and_ten_recovery_codes(database_url: str) -> None:
    clock, audit = SettableClock(), KeptAudit()
    async with open_staff(database_url, clock=clock, audit=audit) as service:
        member = await service.create(
            username="grace",
            password=STAFF_PASSWORD,
            role="support",
            actor="staff:x",
            source_ip=None,
        )
        assert member.status is StaffStatus.ENROLLING and member.role is Role.SUPPORT
        enrolment = await service.enrol(member.staff_id, source_ip=None)
        assert enrolment.otpauth_uri.startswith("otpauth://totp/Croupier:grace?")
        assert enrolment.qr_svg.startswith("<svg") and "path" in enrolment.qr_svg
        assert enrolment.qr_png_data_uri.startswith("data:image/png;base64,")
        assert len(set(enrolment.recovery_codes)) == 10
        wrong = code_at(totp_secret(enrolment.otpauth_uri), clock.now.timestamp() + 300)
        with pytest.raises(InvalidInput):
            await service.confirm(member.staff_id, wrong, token="t" * 43, source_ip=None)
        assert (await service.get(member.staff_id)).status is StaffStatus.ENROLLING  # type: ignore[union-attr]
        with pytest.raises(StaffUsernameTaken):
            await service.create(
                username="GRACE",
                password=STAFF_PASSWORD,
                role="admin",
                actor="system",
                source_ip=None,
            )
    assert audit.actions() == ["staff.created", "staff.mfa.enrol"]
    assert audit.entries[0].actor == "staff:x" and audit.entries[0].after == {
        "username": "grace",
        "role": "support",
        "status": "enrolling",
    }


async def test_after_enrolment_a_login_needs_the_second_factor(enrolled: Enrolled) -> None:
    with pytest.raises(AuthenticationFailed):
        await enrolled.login(None)
    assert await enrolled.login(enrolled.code()) is SessionStage.FULL
    assert enrolled.audit.actions()[-2:] == ["staff.login.failed", "staff.login"]
    failed = enrolled.audit.entries[-2]
    assert failed.subject == f"staff:{enrolled.member.staff_id}" and failed.actor == "anonymous"
    assert failed.reason == "missing, wrong or used code" and failed.source_ip == "10.0.0.1"


async def test_a_totp_code_passes_once(enrolled: Enrolled) -> None:
    code = enrolled.code()
    assert await enrolled.login(code) is SessionStage.FULL
    with pytest.raises(AuthenticationFailed):
        await enrolled.login(code)  # the same code again, still within its window
    enrolled.clock.advance(30)
    with pytest.raises(AuthenticationFailed):
        await enrolled.login(enrolled.code(-1))  # the previous step: already used, refused
    assert await enrolled.login(enrolled.code()) is SessionStage.FULL


async def test_two_logins_at_once_with_one_code_pass_once(enrolled: Enrolled) -> None:
    code = enrolled.code()
    results = await asyncio.gather(
        *(enrolled.login(code, ip=f"10.0.0.{i}") for i in range(2, 6)), return_exceptions=True
    )
    assert sorted(type(result).__name__ for result in results) == [
        "AuthenticationFailed",
        "AuthenticationFailed",
        "AuthenticationFailed",
        "SessionStage",
    ]


async def test_a_recovery_code_works_once(enrolled: Enrolled) -> None:
    code = enrolled.recovery_codes[3]
    assert await enrolled.login(f"  {code.upper()} ") is SessionStage.FULL  # as typed
    with pytest.raises(AuthenticationFailed):
        await enrolled.login(code)
    assert await enrolled.login(enrolled.recovery_codes[4].replace("-", "")) is SessionStage.FULL
    used = [e for e in enrolled.audit.entries if e.action == "staff.mfa.recovery_code_used"]
    assert [entry.after for entry in used] == [
        {"recovery_codes_left": 9},
        {"recovery_codes_left": 8},
    ]


async def test_every_failure_says_the_same_and_five_lock_the_account(enrolled: Enrolled) -> None:
    service = enrolled.service
    answers = []
    for username, password, code in [
        ("nobody", STAFF_PASSWORD, enrolled.code()),
        ("ada", "not the password at all", enrolled.code()),
        ("ada", STAFF_PASSWORD, "000000" if enrolled.code() != "000000" else "111111"),
        ("ada", STAFF_PASSWORD, "not-a-recovery-code"),
        ("ada", STAFF_PASSWORD, None),
    ]:
        with pytest.raises(AuthenticationFailed) as refused:
            await service.login(username=username, password=password, code=code, ip="10.9.9.9")
        answers.append(str(refused.value))
    assert len(set(answers)) == 1
    # ada's fourth failure from this address (nobody's counted apart): one more locks her
    with pytest.raises(AuthenticationFailed):
        await enrolled.login("123", ip="10.9.9.9")
    with pytest.raises(TooManyAttempts) as locked:
        await enrolled.login(enrolled.code(), ip="10.9.9.10")  # the right code, too late
    assert locked.value.retry_after_s > 800
    enrolled.clock.advance(15 * 60 + 1)
    assert await enrolled.login(enrolled.code(), ip="10.9.9.10") is SessionStage.FULL


async def test_a_session_ends_at_logout_and_at_expiry(enrolled: Enrolled) -> None:
    done = await enrolled.service.login(
        username="ada", password=STAFF_PASSWORD, code=enrolled.code(), ip="10.0.0.1"
    )
    member, session = await enrolled.service.authenticate(done.token)
    assert member.staff_id == enrolled.member.staff_id and session.stage is SessionStage.FULL
    await enrolled.service.logout(done.token, source_ip="10.0.0.1")
    with pytest.raises(AuthenticationFailed):
        await enrolled.service.authenticate(done.token)
    enrolled.clock.advance(30)
    later = await enrolled.service.login(
        username="ada", password=STAFF_PASSWORD, code=enrolled.code(), ip="10.0.0.1"
    )
    enrolled.clock.advance(8 * 3600)
    with pytest.raises(AuthenticationFailed):
        await enrolled.service.authenticate(later.token)
    with pytest.raises(AuthenticationFailed):
        await enrolled.service.authenticate("forged")
