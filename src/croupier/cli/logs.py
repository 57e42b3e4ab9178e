"""Where a server's own log lines go: uvicorn configures its loggers and nothing else, so
``croupier.*`` lines at INFO (the security log among them) were dropped. This adds them."""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

__all__ = ["UtcFormatter", "server_log_config"]


class UtcFormatter(logging.Formatter):
    """ISO 8601 times in UTC, to the millisecond: lines of several hosts sort together."""

    converter = staticmethod(time.gmtime)
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


def server_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, plus every ``croupier.*`` logger at INFO on stderr,
    each line with its UTC time and logger name (``croupier.security`` carries JSON)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["croupier"] = {
        "()": "croupier.cli.logs.UtcFormatter",
        "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
    }
    config["handlers"]["croupier"] = {
        "formatter": "croupier",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["croupier"] = {
        "handlers": ["croupier"],
        "level": "INFO",
        "propagate": False,
    }
    return config
