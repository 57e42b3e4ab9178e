"""Mailers: SMTP for production, a folder of ``.eml`` files for ``make run``."""

from croupier.adapters.mail.mailbox import MailboxMailer
from croupier.adapters.mail.smtp import SmtpMailer, make_mailer

__all__ = ["MailboxMailer", "SmtpMailer", "make_mailer"]
