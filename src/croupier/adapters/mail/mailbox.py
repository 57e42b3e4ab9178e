"""The development mailer: each mail becomes an ``.eml`` file in a folder, and the log says
where, so ``make run`` needs no mail server and a reset link is one ``cat`` away."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from pathlib import Path

from croupier.adapters.mail.message import to_message
from croupier.services.accounts.security_ports import Mail

__all__ = ["MailboxMailer"]

_log = logging.getLogger("croupier.mail")


class MailboxMailer:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        path = await asyncio.to_thread(self._write, mail)
        _log.info("mail to %s (%s) written to %s", mail.to, mail.subject, path)

    def _write(self, mail: Mail) -> Path:
        # Owner-only: the mails hold reset tokens.
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{secrets.token_hex(4)}"
        path, partial = self.folder / f"{name}.eml", self.folder / f".{name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(to_message(mail, self.sender).as_bytes())
        # Whole or not at all: a reader of *.eml (a mail client, a test) never sees half a
        # mail, which it would read as one without headers.
        os.replace(partial, path)
        return path
