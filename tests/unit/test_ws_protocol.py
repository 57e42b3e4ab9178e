"""The WebSocket wire format: every malformed message is a ``BadMessage`` with a code the
client can act on, whatever the bytes."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.api.ws.protocol import BadMessage, error_frame, parse, reply_frame


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"not json", "malformed-json"),
        (b"[1, 2]", "malformed-json"),
        (b"\xff\xfe", "malformed-json"),
        (b'{"type": "teleport"}', "unknown-type"),
        (b'{"request_id": 7, "type": "ping"}', "invalid-request"),
        (b'{"request_id": "' + b"x" * 65 + b'", "type": "ping"}', "invalid-request"),
        (b'{"type": "round.start", "game_id": "lotus-20"}', "invalid-request"),
        (b'{"type": "subscribe", "channel": "everyone"}', "invalid-request"),
        (b'{"type": "subscribe", "channel": "player", "after_seq": -1}', "invalid-request"),
        (b'{"type": "subscribe", "channel": "player", "after_seq": true}', "invalid-request"),
        (b'{"type": "subscribe", "channel": "player", "after_seq": 1.5}', "invalid-request"),
        (b'{"type": "auth"}', "invalid-request"),
        (b"[" * 16_000, "malformed-json"),  # nested past the parser's stack
        # a duplicate key: a proxy reading the first and us the last must never disagree
        (b'{"type": "ping", "request_id": "a", "request_id": "b"}', "malformed-json"),
        (b'{"type": "ping", "type": "auth", "token": "t"}', "malformed-json"),
        (
            b'{"type": "round.start", "request_id": "k-000001", "game_id": "roulette",'
            b' "bets": [{"type": "red", "stake": 1, "stake": 9999}]}',
            "malformed-json",
        ),
        # integers past a signed 64-bit column (SQLite's, PostgreSQL's bigint)
        (
            b'{"type": "subscribe", "channel": "player", "after_seq": 9223372036854775808}',
            "invalid-request",
        ),
        (
            b'{"type": "subscribe", "channel": "lobby", "after_seq": ' + str(2**70).encode() + b"}",
            "invalid-request",
        ),
        (
            b'{"type": "round.start", "request_id": "k-000001", "game_id": "lotus-20",'
            b' "stake": 1180591620717411303424}',
            "invalid-request",
        ),
        (
            b'{"type": "round.start", "request_id": "k-000001", "game_id": "roulette",'
            b' "bets": [{"type": "straight", "numbers": [-9223372036854775809], "stake": 1}]}',
            "invalid-request",
        ),
    ],
)
def test_malformed_messages_are_refused_with_a_code(payload: bytes, code: str) -> None:
    with pytest.raises(BadMessage) as refused:
        parse(payload)
    assert refused.value.code == code


def test_a_refusal_names_the_request_when_it_can() -> None:
    with pytest.raises(BadMessage) as refused:
        parse(b'{"type": "subscribe", "channel": "nope", "request_id": "sub-1"}')
    assert refused.value.request_id == "sub-1"


def test_good_messages_come_back_as_sent() -> None:
    message = {"type": "subscribe", "channel": "player", "after_seq": 12, "request_id": "s"}
    assert parse(json.dumps(message).encode()) == message
    last = {"type": "subscribe", "channel": "player", "after_seq": 2**63 - 1}
    assert parse(json.dumps(last).encode()) == last
    assert parse(b'{"type": "ping"}') == {"type": "ping"}


@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_refused_never_crash(payload: bytes) -> None:
    with contextlib.suppress(BadMessage):
        parse(payload)


_FIELDS = st.sampled_from(["type", "request_id", "channel", "after_seq", "token"])
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=70),
    st.sampled_from(["ping", "auth", "subscribe", "player"]),
)


@given(st.dictionaries(_FIELDS, _VALUES))
def test_any_json_object_parses_or_is_refused(message: dict[str, object]) -> None:
    try:
        parsed = parse(json.dumps(message).encode())
    except BadMessage:
        return
    assert parsed["type"] in ("auth", "subscribe", "unsubscribe", "ping")


def test_answers_always_carry_a_request_id_key() -> None:
    assert json.loads(reply_frame("pong", None)) == {"type": "pong", "request_id": None}
    error = json.loads(error_frame("rate-limited", 429, "slow down", "r1"))
    assert error["request_id"] == "r1" and error["error"]["status"] == 429
