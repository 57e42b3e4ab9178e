"""The SMTP mailer (stdlib ``smtplib`` on a worker thread), and the choice of mailer from
``CROUPIER_MAIL_URL``: ``smtp://[user:password@]host:port`` or ``dir:///path``."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import urllib.parse
from pathlib import Path

from croupier.adapters.mail.mailbox import MailboxMailer
from croupier.adapters.mail.message import to_message
from croupier.services.accounts.security_ports import Mail, Mailer

__all__ = ["SmtpMailer", "make_mailer"]

_TIMEOUT_S = 10.0


class SmtpMailer:
    """One connection per mail: resets and notices are rare, and a fresh connection never
    meets a server that dropped an idle one."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = _TIMEOUT_S,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """``tls_context``: what STARTTLS verifies the server with (default: the system's
        trusted certificates, and the host name)."""
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.username = username
        self._password = password
        self.timeout_s = timeout_s
        self._tls_context = tls_context

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._send, mail)

    def _send(self, mail: Mail) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as client:
            if self.starttls:
                client.starttls(context=self._tls_context or ssl.create_default_context())
            if self.username is not None:
                client.login(self.username, self._password or "")
            client.send_message(to_message(mail, self.sender))


def make_mailer(url: str, sender: str, *, starttls: bool = False) -> Mailer:
    """The mailer of ``CROUPIER_MAIL_URL`` (``ValueError`` names what is wrong)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "dir":
        if not parts.netloc + parts.path:
            raise ValueError("dir:///PATH needs a path")
        return MailboxMailer(Path(parts.netloc + parts.path), sender)
    if parts.scheme == "smtp":
        if not parts.hostname:
            raise ValueError("smtp://HOST:PORT needs a host")
        username = urllib.parse.unquote(parts.username) if parts.username else None
        password = urllib.parse.unquote(parts.password) if parts.password else None
        return SmtpMailer(
            parts.hostname,
            parts.port or 25,
            sender,
            starttls=starttls,
            username=username,
            password=password,
        )
    raise ValueError(f"must be smtp://HOST:PORT or dir:///PATH, got scheme {parts.scheme!r}")
