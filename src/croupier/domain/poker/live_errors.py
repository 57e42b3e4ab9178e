"""The refusals of a live cash table, as HTTP and the WebSocket gateway report them (one code
and status for both, through ``croupier.api.statuses``). Each is raised before anything
changes: no event is appended and no money moves.

::

    IllegalAction (croupier.domain.errors)   illegal-action         422
     ├── NotYourTurn                         not-your-turn          422  another seat is to act
     ├── BetOutOfRange                       bet-out-of-range       422  outside min raise … max
     ├── BuyInOutOfRange                     buy-in-out-of-range    422  outside the table's limits
     ├── NotSeated                           not-seated             422  not at this table
     └── NotRegistered                       not-registered         422  not in this tournament
    StateConflict (croupier.domain.errors)   state-conflict         409
     ├── AlreadySeated                       already-seated         409  one seat per table
     ├── AlreadyRegistered                   already-registered     409  one entry per tournament
     ├── RegistrationClosed                  registration-closed    409  started, full or too late
     └── SeatTaken                           seat-taken             409
    NotFound (croupier.domain.errors)        not-found              404
     ├── TableNotFound                       not-found              404
     ├── HandNotFound                        not-found              404
     └── TournamentNotFound                  not-found              404
"""

from __future__ import annotations

from croupier.domain.errors import IllegalAction, NotFound, StateConflict

__all__ = [
    "AlreadyRegistered",
    "AlreadySeated",
    "BetOutOfRange",
    "BuyInOutOfRange",
    "HandNotFound",
    "NotRegistered",
    "NotSeated",
    "NotYourTurn",
    "RegistrationClosed",
    "SeatTaken",
    "TableNotFound",
    "TournamentNotFound",
]


class NotYourTurn(IllegalAction):
    code = "not-your-turn"


class BetOutOfRange(IllegalAction):
    code = "bet-out-of-range"


class BuyInOutOfRange(IllegalAction):
    code = "buy-in-out-of-range"


class NotSeated(IllegalAction):
    code = "not-seated"


class AlreadySeated(StateConflict):
    code = "already-seated"


class SeatTaken(StateConflict):
    code = "seat-taken"


class TableNotFound(NotFound):
    pass


class HandNotFound(NotFound):
    pass


class TournamentNotFound(NotFound):
    pass


class AlreadyRegistered(StateConflict):
    code = "already-registered"


class RegistrationClosed(StateConflict):
    code = "registration-closed"


class NotRegistered(IllegalAction):
    code = "not-registered"
