"""The base of every typed event record, and how each of its fields is stored.

A record is a frozen dataclass whose fields are, name for name, the JSON object the ledger
stores as the event's data (so a record documents its wire format). A field is one of:

* *data* (the default): always in the data, ``None`` written as ``null``;
* :func:`address`: the id part of the record's stream (``player:<id>``), not in the data;
* :func:`optional`: left out of the data when ``None`` (records written before it existed);
* :func:`filled`: a value the ledger writes into the data as it applies the event's group
  (a balance after it, what a balancing transfer took); ``None`` in a record not yet applied.

A field may be stored under a short ``key`` of its own (:func:`data`, and the ``key`` of
:func:`optional` and :func:`filled`): records that nobody outside reads as JSON, written once
a round, spell their data short (``round.played`` 2). Reading takes the short key or, from
records written before it, the field's name.

:mod:`croupier.domain.events.codec` turns records into ``AppendEvent`` commands and stored
events back into records.
"""

from __future__ import annotations

from dataclasses import field
from enum import Enum
from typing import Any, ClassVar

__all__ = ["FieldRole", "Record", "address", "data", "filled", "key_of", "optional", "role_of"]

_ROLE = "croupier.event-field"
_KEY = "croupier.event-key"


class FieldRole(Enum):
    DATA = "data"
    ADDRESS = "address"
    OPTIONAL = "optional"
    FILLED = "filled"


def address() -> Any:
    """The id part of the record's stream: read from the stream's name, never stored twice."""
    return field(metadata={_ROLE: FieldRole.ADDRESS})


def data(key: str) -> Any:
    """Always in the data, under ``key``."""
    return field(metadata={_ROLE: FieldRole.DATA, _KEY: key})


def optional(key: str | None = None) -> Any:
    """Left out of the data when ``None``."""
    return field(default=None, metadata={_ROLE: FieldRole.OPTIONAL, _KEY: key})


def filled(key: str | None = None) -> Any:
    """Written by the ledger as it applies the group (see ``AppendEvent.fills``)."""
    return field(default=None, metadata={_ROLE: FieldRole.FILLED, _KEY: key})


def role_of(metadata: Any) -> FieldRole:
    """The role a dataclass field's ``metadata`` gives it."""
    role: FieldRole = metadata.get(_ROLE, FieldRole.DATA)
    return role


def key_of(metadata: Any, name: str) -> str:
    """The key a field is stored under: its own, or its name."""
    key: str | None = metadata.get(_KEY)
    return name if key is None else key


class Record:
    """An event record: ``TYPE`` on a stream of family ``FAMILY``, at :attr:`stream`.

    A type names one record per family: ``round.started`` on ``round:<id>`` is a blackjack
    round's opening (:class:`~croupier.domain.events.rounds.RoundStarted`), on
    ``player:<id>`` the short notice of it
    (:class:`~croupier.domain.events.notices.RoundStartedNotice`).
    """

    __slots__ = ()
    TYPE: ClassVar[str]
    FAMILY: ClassVar[str]

    @property
    def stream(self) -> str:
        """The stream the record is appended to."""
        raise NotImplementedError
