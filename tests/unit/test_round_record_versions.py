"""``round.played`` version 2 stores less than version 1, and what it leaves out is derived
again to the value version 1 stored: the round id (its stream), the server seed's hash (its
pair's) and the request's fingerprint (from the choices, unless the request was not its
choices, when it is still stored)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from croupier.adapters.game_files import GameFiles
from croupier.bootstrap import instant_games
from croupier.domain.events import (
    NonceUsed,
    RecordedFairness,
    RoundPlayed,
    decode,
    decode_as,
    encode,
    request_fingerprint,
)
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.ledger import Event
from croupier.domain.seed_pair import SeedPair
from croupier.services.fairness.ports import RoundFairness
from croupier.services.rounds.opening import RoundOpening
from tests.support.records import round_played_v1

ROUND = "r0123456789abcdef01234567"
PAIR = SeedPair("5e" * 32, "lucky-7", nonce=3)
GAMES = instant_games(
    {game_id: GameFiles.shipped().load(game_id) for game_id in ("lotus-20", "european-roulette")}
)


def _old_fingerprint(game_id: str, request: Any) -> str:
    """How version 1's round service computed it (services/rounds/service.py at 8b7a690)."""
    return hashlib.sha256(json.dumps([game_id, request], sort_keys=True).encode()).hexdigest()


def _played(game_id: str, request: dict[str, Any]) -> tuple[RoundPlayed, RoundPlayed]:
    """A real round of ``game_id`` as version 1 wrote it, and as version 2 writes it."""
    game = GAMES[game_id]
    fair = RoundFairness(
        7,
        PAIR.server_seed_hash,
        PAIR.client_seed,
        PAIR.nonce,
        ProvablyFairSource(PAIR.server_seed, PAIR.client_seed, PAIR.nonce),
    )
    bet = game.parse_bet(request, "EUR")
    opening = RoundOpening(
        ROUND, "p1", game_id, game.version, "EUR", bet, _old_fingerprint(game_id, request)
    )
    v2 = opening.played(fair, game.play(bet, fair.source))
    v1 = dataclasses.replace(
        v2,
        request_fingerprint=opening.request_fingerprint,
        fairness=dataclasses.replace(v2.fairness, server_seed_hash=fair.server_seed_hash),
    )
    return v1, v2


def _v1_data(record: RoundPlayed) -> str:
    """Version 1's bytes: every field in the data under its name, the round id too."""
    return json.dumps(round_played_v1(record), sort_keys=True)


def _stored(data_json: str, stream: str = f"round:{ROUND}") -> Event:
    return Event(stream, 1, "round.played", data_json, 1_800_000_000_000, 1)


def test_the_fingerprint_is_computed_as_version_1_computed_it() -> None:
    request = {"stake": 100}
    assert request_fingerprint("lotus-20", request) == _old_fingerprint("lotus-20", request)
    # what 8b7a690 stored for this request, read back from one of its databases
    assert request_fingerprint("lotus-20", request) == (
        "fee1e996827a2df9eea236992a17c3ce9336e4e853c79f3c28441f9b4ab5f728"
    )


def test_a_slot_round_leaves_out_what_is_derived_to_version_1s_values() -> None:
    v1, v2 = _played("lotus-20", {"stake": 100})
    data = json.loads(encode(v2).data_json)
    assert "round_id" not in data and "rf" not in data and "request_fingerprint" not in data
    assert "server_seed_hash" not in data["f"]
    read = decode_as(RoundPlayed, _stored(encode(v2).data_json))
    assert read.round_id == v1.round_id  # from the stream
    assert read.fingerprint == v1.request_fingerprint  # from the game and the choices
    assert PAIR.server_seed_hash == v1.fairness.server_seed_hash  # from its pair
    assert read == v2
    assert len(encode(v2).data_json) < 0.55 * len(_v1_data(v1))


def test_a_request_that_is_not_its_choices_keeps_its_fingerprint() -> None:
    """Roulette fills in a bet's numbers: the choices are not the request any more."""
    game = "european-roulette"
    request = {"bets": [{"type": "red", "stake": 100}]}
    bet = GAMES[game].parse_bet(request, "EUR")
    assert request_fingerprint(game, bet.choices) != _old_fingerprint(game, request)
    record = RoundPlayed(
        round_id=ROUND,
        player_id="p1",
        game_id=game,
        game_version=1,
        currency="EUR",
        stake=100,
        choices=bet.choices,
        request_fingerprint=_old_fingerprint(game, request),
        fairness=RecordedFairness(pair_id=7, server_seed_hash="ab" * 32, client_seed="c", nonce=0),
        outcome={"pocket": 8},
        win=0,
        jackpot_contribution=0,
    ).compact()
    assert record.request_fingerprint == _old_fingerprint(game, request)
    assert decode(_stored(encode(record).data_json)) == record


def test_a_version_1_record_still_decodes_whole() -> None:
    v1, _ = _played("lotus-20", {"stake": 100})
    read = decode_as(RoundPlayed, _stored(_v1_data(v1)))
    assert read == v1
    assert read.fingerprint == v1.request_fingerprint
    assert read.fairness.server_seed_hash == PAIR.server_seed_hash


def test_a_version_1_claim_still_names_its_round_and_a_first_claim_its_commitment() -> None:
    old = Event("seeds:7", 4, "nonce.used", '{"round_id":"' + ROUND + '"}', 0, 1)
    assert decode(old) == NonceUsed(pair_id=7, round_id=ROUND)
    first = encode(NonceUsed(pair_id=7, server_seed_hash=PAIR.server_seed_hash))
    assert json.loads(first.data_json) == {"server_seed_hash": PAIR.server_seed_hash}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
_IDS = st.text("0123456789abcdef", min_size=1, max_size=24)


@st.composite
def _records(draw: st.DrawFn) -> RoundPlayed:
    return RoundPlayed(
        round_id="r" + draw(_IDS),
        player_id=draw(_IDS),
        game_id=draw(st.sampled_from(["lotus-20", "european-roulette", "neon-7"])),
        game_version=draw(st.integers(1, 9)),
        currency=draw(st.sampled_from(["EUR", "JPY", "KWD"])),
        stake=draw(st.integers(1, 10**9)),
        choices=draw(_JSON),
        request_fingerprint=draw(st.none() | st.just("f" * 64)),
        fairness=RecordedFairness(
            pair_id=draw(st.integers(1, 10**6)),
            server_seed_hash=draw(st.none() | st.just("ab" * 32)),
            client_seed=draw(st.text(min_size=1, max_size=16)),
            nonce=draw(st.integers(0, 2**31)),
        ),
        outcome=draw(st.dictionaries(st.text(max_size=6), _JSON, max_size=4)),
        win=draw(st.integers(0, 10**9)),
        jackpot_contribution=draw(st.integers(0, 100)),
        balance_after=draw(st.none() | st.integers(0, 10**12)),
        jackpot_win=draw(st.none() | st.integers(1, 10**9)),
    )


@given(_records())
def test_every_record_round_trips_and_compacting_keeps_what_it_derives(
    record: RoundPlayed,
) -> None:
    assert decode(_stored(encode(record).data_json, record.stream)) == record
    compact = record.compact()
    assert decode(_stored(encode(compact).data_json, record.stream)) == compact
    assert compact.fingerprint == record.fingerprint
    assert compact.fairness.server_seed_hash is None
    # and in version 1's shape (the round id in the data too) it decodes as it was written
    assert decode(_stored(_v1_data(record), record.stream)) == record
