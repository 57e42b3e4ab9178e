"""The audit trail's hash chain: an intact trail verifies, and any single change to a stored
record — a field edited, a record removed, moved or slipped in — is caught at that record."""

from __future__ import annotations

import dataclasses
import doctest
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain import audit
from croupier.domain.audit import GENESIS_HASH, AuditRecord, verify_chain
from croupier.domain.errors import InvalidInput

_TEXT = st.text(min_size=1, max_size=12)
_CHANGE = st.none() | st.dictionaries(
    st.text(max_size=6), st.integers() | st.text(max_size=6) | st.booleans(), max_size=3
)
_ENTRY = st.fixed_dictionaries(
    {
        "actor": _TEXT,
        "action": _TEXT,
        "subject": st.none() | _TEXT,
        "source_ip": st.none() | st.ip_addresses().map(str),
        "reason": st.none() | _TEXT,
        "before": _CHANGE,
        "after": _CHANGE,
    }
)


def chain_of(entries: list[dict[str, Any]], start_ms: int = 1_800_000_000_000) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    for entry in entries:
        head = records[-1] if records else None
        records.append(
            AuditRecord.seal(
                head.seq + 1 if head else 1,
                head.hash if head else GENESIS_HASH,
                start_ms + len(records),
                **entry,
            )
        )
    return records


_CHAINS = st.lists(_ENTRY, min_size=1, max_size=8).map(chain_of)


def _changed(value: object) -> object:
    """Another value of the same field: what a tamperer writes over it."""
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "x"
    assert isinstance(value, str)
    return value[:-1] + ("y" if value.endswith("x") else "x")


@given(_CHAINS)
def test_an_untouched_trail_verifies_to_its_head(records: list[AuditRecord]) -> None:
    report = verify_chain(records)

    assert report.ok and report.broken_seq is None
    assert (report.records, report.head_seq, report.head_hash) == (
        len(records),
        records[-1].seq,
        records[-1].hash,
    )


@given(_CHAINS, st.data())
def test_any_single_field_changed_is_caught_at_that_record(
    records: list[AuditRecord], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(records) - 1))
    name = data.draw(st.sampled_from([f.name for f in dataclasses.fields(AuditRecord)]))
    record = records[index]
    tampered = dataclasses.replace(record, **{name: _changed(getattr(record, name))})

    report = verify_chain([*records[:index], tampered, *records[index + 1 :]])

    assert not report.ok
    assert report.broken_seq == tampered.seq  # the record as found, its seq edited or not
    assert report.problem is not None and f"record {tampered.seq}" in report.problem


@given(_CHAINS.filter(lambda r: len(r) >= 2), st.data())
def test_a_removed_record_is_caught_where_the_gap_is(
    records: list[AuditRecord], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(records) - 2))  # the last one: see the anchor test

    report = verify_chain(records[:index] + records[index + 1 :])

    assert report.broken_seq == records[index + 1].seq
    assert f"expected record {records[index].seq}" in str(report.problem)


@given(_CHAINS.filter(lambda r: len(r) >= 2), st.data())
def test_reordered_records_are_caught_at_the_first_moved_one(
    records: list[AuditRecord], data: st.DataObject
) -> None:
    first = data.draw(st.integers(0, len(records) - 2))
    second = data.draw(st.integers(first + 1, len(records) - 1))
    swapped = list(records)
    swapped[first], swapped[second] = swapped[second], swapped[first]

    report = verify_chain(swapped)

    assert report.broken_seq == records[second].seq  # found where record `first` belongs


@given(_CHAINS, _ENTRY, st.data())
def test_a_record_slipped_in_is_caught_even_with_a_valid_hash(
    records: list[AuditRecord], entry: dict[str, Any], data: st.DataObject
) -> None:
    """A forger who recomputes the forged record's hash still breaks the link after it."""
    index = data.draw(st.integers(0, len(records) - 1))
    previous = records[index - 1] if index else None
    forged = AuditRecord.seal(
        previous.seq + 1 if previous else 1,
        previous.hash if previous else GENESIS_HASH,
        records[index].at_ms,
        **entry,
    )

    report = verify_chain([*records[:index], forged, *records[index:]])

    assert not report.ok
    assert report.broken_seq == records[index].seq


def test_an_anchor_catches_a_tail_cut_off_and_a_rewritten_chain() -> None:
    records = chain_of([{"actor": "system", "action": f"a{i}"} for i in range(5)])
    head = (records[-1].seq, records[-1].hash)

    assert verify_chain(records, anchor=head).ok
    cut = verify_chain(records[:3], anchor=head)
    assert cut.broken_seq == 4 and "cut short" in str(cut.problem)
    rewritten = chain_of([{"actor": "system", "action": f"b{i}"} for i in range(5)])
    again = verify_chain(rewritten, anchor=head)
    assert again.broken_seq == 5 and "rewritten" in str(again.problem)


def test_the_first_record_hangs_on_32_zero_bytes() -> None:
    (first,) = chain_of([{"actor": "system", "action": "server.started"}])

    assert first.prev_hash == bytes(32).hex()
    assert verify_chain([dataclasses.replace(first, prev_hash="1" * 64)]).broken_seq == 1


def test_before_and_after_are_sealed_as_canonical_json() -> None:
    (record,) = chain_of([{"actor": "a", "action": "b", "after": {"z": 1, "a": [1, "é"]}}])

    assert record.after_json == '{"a":[1,"\\u00e9"],"z":1}'
    assert record.after == {"z": 1, "a": [1, "é"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("actor", "", "actor must be a non-empty string"),
        ("action", "x" * 101, "action is longer than 100"),
        ("reason", "r" * 1001, "reason is longer than 1000"),
        ("after", {"blob": "x" * 20_000}, "after is larger than"),
        ("before", {"when": object()}, "before is not JSON-serialisable"),
    ],
)
def test_a_field_out_of_bounds_is_refused(field: str, value: object, message: str) -> None:
    fields: dict[str, Any] = {"actor": "system", "action": "x", field: value}
    with pytest.raises(InvalidInput, match=message):
        AuditRecord.seal(1, GENESIS_HASH, 0, **fields)


def test_docstring_examples() -> None:
    result = doctest.testmod(audit, raise_on_error=False)

    assert result.attempted > 0 and result.failed == 0
