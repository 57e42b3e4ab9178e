"""The remote ledger's wire format: every command kind and every outcome crosses it intact
(a replay is recognised by comparing what crossed with what is stored, so a field that
changed type on the way would turn a retry into an idempotency conflict), and whatever
malformed arrives is refused for its group alone."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.adapters.ledger_rpc.codec import (
    decode_groups,
    decode_outcomes,
    encode_groups,
    encode_outcomes,
)
from croupier.domain.errors import (
    InsufficientFunds,
    InvalidTransfer,
    LedgerUnavailable,
    StreamConflict,
)
from croupier.domain.ledger import (
    Account,
    AccountKind,
    AppendEvent,
    Applied,
    CreateAccount,
    Event,
    Transfer,
    TransferKind,
    TransferRequest,
)

ids = st.from_regex(r"[a-z][a-z0-9:_-]{0,20}", fullmatch=True)
amounts = st.integers(min_value=1, max_value=2**62)
optional_ids = st.none() | ids


@st.composite
def transfer_requests(draw: st.DrawFn) -> TransferRequest:
    return TransferRequest(
        draw(ids),
        draw(st.sampled_from(list(TransferKind))),
        draw(optional_ids),
        draw(optional_ids),
        draw(st.none() | amounts),
        draw(st.none() | st.sampled_from(["EUR", "USD", "BTC"])),
        draw(optional_ids),
        draw(st.text(max_size=20)),
        json.dumps(draw(st.dictionaries(ids, st.integers(), max_size=3))),
        draw(st.none() | st.integers(min_value=1, max_value=10**9)),
        draw(st.booleans()),
    )


@st.composite
def append_events(draw: st.DrawFn) -> AppendEvent:
    fills = draw(st.lists(st.tuples(ids, st.sampled_from(["balance", "amount"]), ids), max_size=3))
    return AppendEvent(
        draw(ids),
        draw(ids),
        json.dumps(draw(st.dictionaries(ids, st.text(max_size=10), max_size=3))),
        draw(st.none() | st.integers(min_value=0, max_value=10**9)),
        tuple(fills),
        draw(st.none() | st.tuples(ids, st.integers(min_value=0, max_value=10**9))),
    )


accounts = st.builds(
    Account,
    st.sampled_from(["player:p1:EUR", "house:EUR", "jackpot:lotus-20:EUR"]),
    st.sampled_from(list(AccountKind)),
    st.just("EUR"),
    st.none() | st.integers(min_value=-(10**12), max_value=0),
)
commands = st.one_of(transfer_requests(), append_events(), accounts.map(CreateAccount))


@given(st.lists(st.lists(commands, min_size=1, max_size=5), min_size=1, max_size=5))
def test_every_command_kind_crosses_intact(groups: list[list[object]]) -> None:
    assert decode_groups(encode_groups(groups)) == groups  # type: ignore[arg-type]


transfers = st.builds(
    Transfer,
    ids,
    st.sampled_from(list(TransferKind)),
    ids,
    ids,
    amounts,
    st.just("EUR"),
    optional_ids,
    st.text(max_size=10),
    st.just("{}"),
    st.integers(min_value=0, max_value=2**50),
    st.none() | st.integers(min_value=0, max_value=2**50),
    st.integers(min_value=1, max_value=2**40),
)
events = st.builds(
    Event,
    ids,
    st.integers(min_value=1, max_value=10**9),
    ids,
    st.just('{"a":1}'),
    st.integers(min_value=0, max_value=2**50),
    st.integers(min_value=1, max_value=2**40),
)
results = st.none() | transfers | events | accounts
outcomes = st.one_of(
    st.builds(Applied, st.lists(results, max_size=5).map(tuple), st.booleans()),
    st.sampled_from(
        [InsufficientFunds("below the floor"), StreamConflict("moved on"), LedgerUnavailable("x")]
    ),
)


@given(st.lists(outcomes, min_size=1, max_size=6))
def test_every_outcome_crosses_intact(sent: list[object]) -> None:
    received = decode_outcomes(encode_outcomes(sent), len(sent))  # type: ignore[arg-type]
    for before, after in zip(sent, received, strict=True):
        if isinstance(before, Exception):
            assert type(after) is type(before) and str(after) == str(before)
        else:
            assert after == before


def test_a_malformed_group_is_refused_alone() -> None:
    good = [CreateAccount(Account("house:EUR", AccountKind.HOUSE_BANKROLL, "EUR", None))]
    payload = json.loads(encode_groups([good]))
    payload.append(
        [["transfer", "t1", "single", None, None, "100", None, None, "", "{}", None, False]]
    )
    payload.append([["launch-missiles"]])
    payload.append("not a group")
    decoded = decode_groups(json.dumps(payload).encode())
    assert decoded[0] == good
    assert all(isinstance(d, InvalidTransfer) for d in decoded[1:])


@pytest.mark.parametrize("payload", [b"not json", b"{}", b"[]", json.dumps([[]] * 1001).encode()])
def test_a_message_that_is_not_groups_is_refused(payload: bytes) -> None:
    with pytest.raises(InvalidTransfer):
        decode_groups(payload)


def test_a_refusal_of_the_whole_message_answers_every_group() -> None:
    received = decode_outcomes(encode_outcomes([LedgerUnavailable("busy")]), 3)
    assert [type(r) for r in received] == [LedgerUnavailable] * 3
