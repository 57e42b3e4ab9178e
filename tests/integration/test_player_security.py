"""Player account security on both engines: TOTP (login, withdrawal, the operator's
requirement), password reset by mail, password change, the session list and revocations,
the new-device notice, and what the audit trail is told (never a secret)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from croupier.domain.errors import (
    AuthenticationFailed,
    Forbidden,
    InvalidRegistration,
    InvalidResetToken,
    NotFound,
    StateConflict,
    TotpEnrolmentRequired,
    TotpInvalid,
    TotpRequired,
)
from croupier.services.accounts import token_sha256
from croupier.services.accounts.totp import TotpEnrolment
from tests.support.accounts import GOOD_PASSWORD
from tests.support.security import RESET_TOKEN, Secure, open_secure_accounts

pytestmark = pytest.mark.timeout(60)

NEW_PASSWORD = "a brand new passphrase for me"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


@pytest.fixture
async def secure(database_url: str) -> AsyncIterator[Secure]:
    async with open_secure_accounts(database_url) as opened:
        yield opened


async def _login(secure: Secure, email: str, **extra: str) -> str:
    session = await secure.accounts.login(
        email=email, password=GOOD_PASSWORD, ip=extra.pop("ip", "192.0.2.1"), **extra
    )
    return session.token


async def _enrolled(secure: Secure, email: str) -> tuple[str, TotpEnrolment]:
    """A player with TOTP on; their id and enrolment (the clock moved past the first code)."""
    player_id = await secure.player(email)
    player = await secure.accounts.store.get_player(player_id)
    assert player is not None
    enrolment = await secure.accounts.totp.enrol(player, ip="192.0.2.1")
    await secure.accounts.totp.confirm(player, secure.code(enrolment.secret), ip="192.0.2.1")
    secure.clock.advance(30)
    return player_id, enrolment


async def test_totp_is_asked_at_login_once_confirmed_and_each_code_works_once(
    secure: Secure,
) -> None:
    player_id = await secure.player("ada@example.com")
    player = await secure.accounts.store.get_player(player_id)
    assert player is not None
    enrolment = await secure.accounts.totp.enrol(player, ip="192.0.2.1")
    assert enrolment.otpauth_uri.startswith("otpauth://totp/")
    assert enrolment.qr_svg_data_uri.startswith("data:image/svg+xml")
    assert len(set(enrolment.recovery_codes)) == 10
    await _login(secure, "ada@example.com")  # not confirmed yet: not asked
    with pytest.raises(TotpInvalid):
        await secure.accounts.totp.confirm(player, "000000", ip="192.0.2.1")
    await secure.accounts.totp.confirm(player, secure.code(enrolment.secret), ip="192.0.2.1")
    with pytest.raises(TotpRequired):
        await _login(secure, "ada@example.com")
    with pytest.raises(AuthenticationFailed):  # the confirming code again: used
        await _login(secure, "ada@example.com", totp=secure.code(enrolment.secret))
    secure.clock.advance(30)
    code = secure.code(enrolment.secret)
    await _login(secure, "ada@example.com", totp=code)
    with pytest.raises(AuthenticationFailed):  # a replay of the step just used
        await _login(secure, "ada@example.com", totp=code)
    recovery = enrolment.recovery_codes[0]
    await _login(secure, "ada@example.com", totp=recovery.upper())
    with pytest.raises(AuthenticationFailed):
        await _login(secure, "ada@example.com", totp=recovery)
    with pytest.raises(StateConflict):  # on already: disable first
        await secure.accounts.totp.enrol(player, ip="192.0.2.1")


async def test_a_withdrawal_asks_for_a_current_code_and_disabling_needs_one(
    secure: Secure,
) -> None:
    player_id, enrolment = await _enrolled(secure, "bo@example.com")
    player = await secure.accounts.store.get_player(player_id)
    assert player is not None
    with pytest.raises(TotpRequired):
        await secure.accounts.check_withdrawal(player, None, ip="192.0.2.1")
    with pytest.raises(TotpInvalid):
        await secure.accounts.check_withdrawal(player, "123456", ip="192.0.2.1")
    code = secure.code(enrolment.secret)
    await secure.accounts.check_withdrawal(player, code, ip="192.0.2.1")
    with pytest.raises(TotpInvalid):
        await secure.accounts.check_withdrawal(player, code, ip="192.0.2.1")
    with pytest.raises(TotpInvalid):
        await secure.accounts.totp.disable(player, "999999", ip="192.0.2.1")
    secure.clock.advance(30)
    await secure.accounts.totp.disable(player, secure.code(enrolment.secret), ip="192.0.2.1")
    await secure.accounts.check_withdrawal(player, None, ip="192.0.2.1")  # off: not asked
    with pytest.raises(StateConflict):
        await secure.accounts.totp.disable(player, secure.code(enrolment.secret), ip="x")
    await _login(secure, "bo@example.com")


async def test_an_operator_can_require_totp_before_play_and_withdrawal(database_url: str) -> None:
    async with open_secure_accounts(database_url, require_totp=True) as secure:
        player_id = await secure.player("cy@example.com")
        player = await secure.accounts.store.get_player(player_id)
        assert player is not None
        await _login(secure, "cy@example.com")  # a login is how one enrols
        with pytest.raises(TotpEnrolmentRequired):
            await secure.accounts.check_can_play(player)
        with pytest.raises(TotpEnrolmentRequired):
            await secure.accounts.check_withdrawal(player, None, ip="192.0.2.1")
        enrolment = await secure.accounts.totp.enrol(player, ip="192.0.2.1")
        await secure.accounts.totp.confirm(player, secure.code(enrolment.secret), ip="192.0.2.1")
        await secure.accounts.check_can_play(player)
        secure.clock.advance(30)
        with pytest.raises(Forbidden):
            await secure.accounts.totp.disable(player, secure.code(enrolment.secret), ip="x")


async def test_a_password_reset_token_is_mailed_works_once_and_ends_every_session(
    secure: Secure,
) -> None:
    await secure.player("di@example.com")
    token = await _login(secure, "di@example.com")
    await secure.accounts.recovery.request_reset("DI@example.com ", ip="192.0.2.9")
    await secure.accounts.recovery.request_reset("nobody@example.com", ip="192.0.2.9")
    await secure.accounts.sessions.drain()
    [mail] = await secure.mails.wait_for(1)  # the unknown address got nothing
    assert mail.to == "di@example.com" and mail.subject == "Reset your password"
    match = RESET_TOKEN.search(mail.body)
    assert match is not None
    reset = match.group(1)
    with pytest.raises(InvalidRegistration):  # the policy applies, and keeps the token
        await secure.accounts.recovery.reset(reset, "password1234", ip="192.0.2.9")
    await secure.accounts.recovery.reset(reset, NEW_PASSWORD, ip="192.0.2.9")
    with pytest.raises(AuthenticationFailed):
        await secure.accounts.authenticate(token)
    assert secure.revoked[-1].token_sha256s == (token_sha256(token),)
    with pytest.raises(InvalidResetToken):
        await secure.accounts.recovery.reset(reset, "yet another new passphrase", ip="x")
    with pytest.raises(AuthenticationFailed):
        await _login(secure, "di@example.com")
    await secure.accounts.login(email="di@example.com", password=NEW_PASSWORD, ip="192.0.2.1")


async def test_a_reset_token_expires(secure: Secure) -> None:
    await secure.player("ed@example.com")
    await secure.accounts.recovery.request_reset("ed@example.com", ip="192.0.2.9")
    await secure.accounts.sessions.drain()
    [mail] = await secure.mails.wait_for(1)
    match = RESET_TOKEN.search(mail.body)
    assert match is not None
    secure.clock.advance(secure.accounts.limits.password_reset_ttl_s)
    with pytest.raises(InvalidResetToken):
        await secure.accounts.recovery.reset(match.group(1), NEW_PASSWORD, ip="192.0.2.9")
    await _login(secure, "ed@example.com")  # the password is unchanged


async def test_a_password_change_ends_the_other_sessions_and_is_mailed(secure: Secure) -> None:
    player_id = await secure.player("fa@example.com")
    player = await secure.accounts.store.get_player(player_id)
    assert player is not None
    current = await _login(secure, "fa@example.com", user_agent=BROWSER)
    other = await _login(secure, "fa@example.com", user_agent="Phone", ip="198.51.100.4")
    with pytest.raises(AuthenticationFailed):
        await secure.accounts.recovery.change(
            player, token_sha256(current), "not my password", NEW_PASSWORD, ip="192.0.2.1"
        )
    await secure.accounts.recovery.change(
        player, token_sha256(current), GOOD_PASSWORD, NEW_PASSWORD, ip="192.0.2.1"
    )
    await secure.accounts.authenticate(current)
    with pytest.raises(AuthenticationFailed):
        await secure.accounts.authenticate(other)
    assert secure.revoked[-1].token_sha256s == (token_sha256(other),)
    await secure.accounts.sessions.drain()
    subjects = [mail.subject for mail in secure.mails.sent]
    assert subjects == ["New login to your account", "Your password was changed"]


async def test_a_player_lists_and_revokes_their_own_sessions_only(secure: Secure) -> None:
    ada_id = await secure.player("ga@example.com")
    await secure.player("ha@example.com")
    ada = await secure.accounts.store.get_player(ada_id)
    assert ada is not None
    first = await _login(secure, "ga@example.com", user_agent=BROWSER, ip="192.0.2.10")
    secure.clock.advance(5)
    second = await _login(secure, "ga@example.com", user_agent="Phone", ip="192.0.2.11")
    theirs = await _login(secure, "ha@example.com")
    listed = await secure.accounts.sessions.own(ada, token_sha256(second))
    assert [(s.view.user_agent, s.view.ip, s.current) for s in listed] == [
        ("Phone", "192.0.2.11", True),
        (BROWSER, "192.0.2.10", False),
    ]
    hb = await secure.accounts.store.get_player(
        (await secure.accounts.authenticate(theirs)).player_id
    )
    assert hb is not None
    their_id = (await secure.accounts.sessions.own(hb, token_sha256(theirs)))[0].view.session_id
    with pytest.raises(NotFound):  # another player's session: not found, and still live
        await secure.accounts.sessions.revoke_one(ada, their_id, ip="192.0.2.10")
    refused = secure.audit.entries[-1]
    assert (refused.action, refused.actor) == ("player.access.refused", f"player:{ada_id}")
    await secure.accounts.authenticate(theirs)
    await secure.accounts.sessions.revoke_one(ada, listed[1].view.session_id, ip="192.0.2.11")
    with pytest.raises(AuthenticationFailed):
        await secure.accounts.authenticate(first)
    await secure.accounts.authenticate(second)
    assert secure.revoked[-1].token_sha256s == (token_sha256(first),)
    with pytest.raises(NotFound):  # revoked already
        await secure.accounts.sessions.revoke_one(ada, listed[1].view.session_id, ip="x")


async def test_logout_pushes_the_revocation_and_new_devices_are_mailed(secure: Secure) -> None:
    await secure.player("ia@example.com")
    token = await _login(secure, "ia@example.com", user_agent=BROWSER)  # the first: no mail
    await _login(secure, "ia@example.com", user_agent=BROWSER)  # the same device: no mail
    await _login(secure, "ia@example.com", user_agent=BROWSER, ip="203.0.113.5")  # new
    await secure.accounts.logout(token, ip="192.0.2.1")
    await secure.accounts.logout(token, ip="192.0.2.1")  # again: nothing more to push
    assert [r.token_sha256s for r in secure.revoked] == [(token_sha256(token),)]
    await secure.accounts.sessions.drain()
    [mail] = secure.mails.sent
    assert mail.subject == "New login to your account" and "203.0.113.5" in mail.body


async def test_security_events_are_audited_without_secrets(secure: Secure) -> None:
    limits = dataclasses.replace(secure.accounts.limits)
    player_id, enrolment = await _enrolled(secure, "ja@example.com")
    with pytest.raises(AuthenticationFailed):
        await secure.accounts.login(email="ja@example.com", password="wrong one!", ip="192.0.2.3")
    token = await _login(secure, "ja@example.com", totp=secure.code(enrolment.secret))
    await secure.accounts.logout(token, ip="192.0.2.3")
    await secure.accounts.recovery.request_reset("ja@example.com", ip="192.0.2.3")
    await secure.accounts.sessions.drain()
    reset = RESET_TOKEN.search(secure.mails.sent[-1].body)
    assert reset is not None
    await secure.accounts.recovery.reset(reset.group(1), NEW_PASSWORD, ip="192.0.2.3")
    actions = secure.audit.actions()
    for action in (
        "player.mfa.enrolled",
        "player.login.failed",
        "player.login",
        "player.session.revoked",
        "player.password.reset-requested",
        "player.password.reset-completed",
    ):
        assert action in actions
    login = next(e for e in secure.audit.entries if e.action == "player.login")
    assert login.actor == f"player:{player_id}" and login.source_ip == "192.0.2.1"
    failed = next(e for e in secure.audit.entries if e.action == "player.login.failed")
    assert failed.subject == "email:ja@example.com" and failed.source_ip == "192.0.2.3"
    written = repr(secure.audit.entries)
    secrets = [GOOD_PASSWORD, NEW_PASSWORD, "wrong one!", token, reset.group(1)]
    secrets += [enrolment.secret, *enrolment.recovery_codes]
    assert not [secret for secret in secrets if secret in written]
    assert limits.password_reset_ttl_s == 1800
