"""Typed events: every record the ledger stores as an event, and the one codec for them.

Past tense, frozen, one class per thing that happened: a service builds records and
:func:`encode` makes them ``AppendEvent`` commands for its linked group; a reader
:func:`decode` s what was stored. Where each goes: :mod:`croupier.domain.events.streams`.

====================  =====================  =============================================
record                type                   stream
====================  =====================  =============================================
RoundPlayed           round.played           ``round:<id>``: an instant round, whole
RoundStarted          round.started          ``round:<id>``: a blackjack deal
RoundAction           round.action           ``round:<id>``: a blackjack decision
RoundSettled          round.settled          ``round:<id>``: a blackjack settlement
RoundStartedNotice    round.started          ``player:<id>``: a round of theirs opened
RoundSettledNotice    round.settled          ``player:<id>``: a round of theirs settled
BalanceChanged        balance.changed        ``player:<id>``: their cash moved (wallet)
JackpotWon            jackpot.won            ``lobby:main``
NonceUsed             nonce.used             ``seeds:<pair>``
SeedPairRevealed      seed_pair.revealed     ``revealed:<pair>``
====================  =====================  =============================================
"""

from croupier.domain.events.base import Record
from croupier.domain.events.codec import (
    RECORD_TYPES,
    StoredEvent,
    decode,
    decode_as,
    encode,
    record_type,
)
from croupier.domain.events.notices import (
    BalanceChanged,
    JackpotWon,
    RoundSettledNotice,
    RoundStartedNotice,
)
from croupier.domain.events.recorded import RecordedRound, read_round
from croupier.domain.events.rounds import (
    RecordedFairness,
    RoundAction,
    RoundPlayed,
    RoundSettled,
    RoundStarted,
    request_fingerprint,
)
from croupier.domain.events.seeds import NonceUsed, SeedPairRevealed
from croupier.domain.events.streams import (
    JACKPOTS_STREAM,
    LOBBY_STREAM,
    family_of,
    pair_stream,
    player_stream,
    reveal_stream,
    round_stream,
)

__all__ = [
    "JACKPOTS_STREAM",
    "LOBBY_STREAM",
    "RECORD_TYPES",
    "BalanceChanged",
    "JackpotWon",
    "NonceUsed",
    "Record",
    "RecordedFairness",
    "RecordedRound",
    "RoundAction",
    "RoundPlayed",
    "RoundSettled",
    "RoundSettledNotice",
    "RoundStarted",
    "RoundStartedNotice",
    "SeedPairRevealed",
    "StoredEvent",
    "decode",
    "decode_as",
    "encode",
    "family_of",
    "pair_stream",
    "player_stream",
    "read_round",
    "record_type",
    "request_fingerprint",
    "reveal_stream",
    "round_stream",
]
