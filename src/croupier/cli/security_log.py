"""The server's log shows security events: uvicorn configures its own loggers only, so the
``croupier.security`` JSON lines (logins, failures, lock-outs, revocations, policy closes)
and the dev mailbox's notes would otherwise be dropped below WARNING."""

from __future__ import annotations

import logging
import sys

__all__ = ["show_security_log"]

_LOGGERS = ("croupier.security", "croupier.mail")


def show_security_log() -> None:
    """Send those loggers' INFO lines to stderr (unless the operator configured them)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if logger.handlers:
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
