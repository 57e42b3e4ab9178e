"""The SMTP mailer against a real SMTP server (aiosmtpd on a free port): plain, with
STARTTLS (a certificate of the test's own), with a login, and refused when STARTTLS is
asked of a server that does not offer it (never sent in clear then)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from croupier.adapters.mail import SmtpMailer, make_mailer
from croupier.services.accounts.security_ports import Mail
from tests.support.server import free_port

pytestmark = pytest.mark.timeout(60)

MAIL = Mail("ada@example.com", "Reset your password", "Your reset token: abc\n")


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"app", b"s3cret")
    return AuthResult(success=ok)


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def smtp(request: pytest.FixtureRequest) -> Iterator[tuple[Inbox, int, dict[str, Any]]]:
    options: dict[str, Any] = getattr(request, "param", {})
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port, options
    finally:
        controller.stop()


async def test_a_mail_reaches_a_real_smtp_server(smtp: tuple[Inbox, int, Any]) -> None:
    inbox, port, _ = smtp
    mailer = make_mailer(f"smtp://127.0.0.1:{port}", "Casino <no-reply@casino.example>")
    await mailer.send(MAIL)
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "no-reply@casino.example"
    assert envelope.rcpt_tos == ["ada@example.com"]
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "Reset your password" and message["To"] == "ada@example.com"
    assert "Your reset token: abc" in message.get_payload()


async def test_starttls_with_a_login(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=_authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        trusted = ssl.create_default_context(cafile=str(cert))
        mailer = SmtpMailer(
            "127.0.0.1",
            port,
            "no-reply@casino.example",
            starttls=True,
            username="app",
            password="s3cret",
            tls_context=trusted,
        )
        await mailer.send(MAIL)
        assert [e.rcpt_tos for e in inbox.envelopes] == [["ada@example.com"]]
        plain = SmtpMailer("127.0.0.1", port, "no-reply@casino.example")
        with pytest.raises(Exception, match="STARTTLS"):  # the server refuses mail in clear
            await plain.send(MAIL)
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 1


async def test_starttls_is_not_skipped_when_the_server_lacks_it(
    smtp: tuple[Inbox, int, Any],
) -> None:
    inbox, port, _ = smtp
    mailer = SmtpMailer("127.0.0.1", port, "no-reply@casino.example", starttls=True)
    with pytest.raises(Exception, match=r"(?i)starttls"):
        await mailer.send(MAIL)
    assert inbox.envelopes == []


def test_mail_urls() -> None:
    assert isinstance(make_mailer("smtp://user:p%40ss@mail.example:2525", "a@b"), SmtpMailer)
    for bad in ("http://mail.example", "smtp://", "dir://"):
        with pytest.raises(ValueError):
            make_mailer(bad, "a@b")
