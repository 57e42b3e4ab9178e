"""The audit trail's tamper evidence: each record is hashed together with the hash of the one
before, as the ledger's batches are (``croupier.domain.ledger.chain``).

``hash(n) = SHA-256(canonical_json([n, hash(n-1), at_ms, actor, action, subject, source_ip,
reason, before, after]))``, hex; the first record's ``prev_hash`` is 64 zeros (32 zero bytes,
the ledger's ``GENESIS_HASH``). Canonical JSON is the ledger's: sorted keys, no whitespace,
ASCII only. Changing, removing, inserting or reordering any record breaks the chain at that
record; :func:`verify_chain` names the first one and why.

What the chain cannot see from inside the database is a tail cut off (or the whole chain
rewritten by someone who recomputes every hash): keep a head printed by ``croupier audit
verify`` somewhere else and pass it back as an anchor.

>>> first = AuditRecord.seal(1, GENESIS_HASH, 1_700_000_000_000, actor="system", action="x")
>>> verify_chain([first]).ok
True
>>> verify_chain([first.replace_unsealed(actor="staff:7")]).problem
'record 1: content does not match its hash (tampered)'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from croupier.domain.errors import InvalidInput
from croupier.domain.ledger.chain import GENESIS_HASH
from croupier.domain.ledger.transfers import canonical_json

__all__ = [
    "ACTION_CHARS_MAX",
    "ACTOR_CHARS_MAX",
    "CHANGE_BYTES_MAX",
    "GENESIS_HASH",
    "REASON_CHARS_MAX",
    "SOURCE_IP_CHARS_MAX",
    "SUBJECT_CHARS_MAX",
    "AuditRecord",
    "ChainReport",
    "ChainVerifier",
    "canonical_change",
    "record_hash",
    "verify_chain",
]

# Bounds on every field: a record is a line in a log, not a place to store documents.
ACTOR_CHARS_MAX = 200
ACTION_CHARS_MAX = 100
SUBJECT_CHARS_MAX = 200
SOURCE_IP_CHARS_MAX = 64  # the longest IPv6 text with a zone id fits
REASON_CHARS_MAX = 1000
CHANGE_BYTES_MAX = 16 * 1024  # each of before/after, as canonical JSON


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One stored audit record: an entry with its place (seq), its time and its hashes.

    ``before``/``after`` are kept as canonical JSON text (``None`` for none): the exact bytes
    that were hashed, so a record read back from any database hashes the same.
    """

    seq: int
    at_ms: int
    actor: str
    action: str
    subject: str | None
    source_ip: str | None
    reason: str | None
    before_json: str | None
    after_json: str | None
    prev_hash: str
    hash: str

    @classmethod
    def seal(
        cls,
        seq: int,
        prev_hash: str,
        at_ms: int,
        *,
        actor: str,
        action: str,
        subject: str | None = None,
        source_ip: str | None = None,
        reason: str | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Check the fields against their bounds and hash them onto ``prev_hash``.

        Raises :class:`InvalidInput` naming the first field out of bounds."""
        _check_text("actor", actor, ACTOR_CHARS_MAX, required=True)
        _check_text("action", action, ACTION_CHARS_MAX, required=True)
        _check_text("subject", subject, SUBJECT_CHARS_MAX)
        _check_text("source_ip", source_ip, SOURCE_IP_CHARS_MAX)
        _check_text("reason", reason, REASON_CHARS_MAX)
        unsealed = cls(
            seq,
            at_ms,
            actor,
            action,
            subject,
            source_ip,
            reason,
            canonical_change("before", before),
            canonical_change("after", after),
            prev_hash,
            "",
        )
        return dataclasses.replace(unsealed, hash=record_hash(unsealed))

    @property
    def before(self) -> dict[str, Any] | None:
        return _parse(self.before_json)

    @property
    def after(self) -> dict[str, Any] | None:
        return _parse(self.after_json)

    def replace_unsealed(self, **changes: Any) -> AuditRecord:
        """A copy with fields changed and the hash kept: what a tamperer leaves behind
        (for tests and examples)."""
        return dataclasses.replace(self, **changes)


def canonical_change(name: str, change: Mapping[str, Any] | None) -> str | None:
    """``before``/``after`` as canonical JSON, refused unless a JSON object within bounds."""
    if change is None:
        return None
    if not isinstance(change, Mapping):
        raise InvalidInput(f"audit {name} must be a JSON object")
    try:
        text = canonical_json(dict(change))
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"audit {name} is not JSON-serialisable: {error}") from None
    if len(text) > CHANGE_BYTES_MAX:
        raise InvalidInput(f"audit {name} is larger than {CHANGE_BYTES_MAX} bytes")
    return text


def record_hash(record: AuditRecord) -> str:
    """The record's hash, recomputed from its content and ``prev_hash`` (its ``hash`` aside)."""
    content = canonical_json(
        [
            record.seq,
            record.prev_hash,
            record.at_ms,
            record.actor,
            record.action,
            record.subject,
            record.source_ip,
            record.reason,
            record.before_json,  # text, not objects: the stored bytes are what is sealed
            record.after_json,
        ]
    )
    return hashlib.sha256(content.encode("ascii")).hexdigest()


@dataclass(slots=True)
class ChainReport:
    """What :func:`verify_chain` found: the head it reached, or the first broken record."""

    records: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    #: The seq of the first record that breaks the chain (None: intact).
    broken_seq: int | None = None
    #: Why it breaks, in one sentence.
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class ChainVerifier:
    """Checks records one at a time, in seq order, so a long trail can be verified in pages.
    Stops at the first break: every record after it hangs on a broken link."""

    def __init__(self, anchor: tuple[int, str] | None = None) -> None:
        """``anchor``: ``(seq, hash)`` of a record that must still be in the chain."""
        self.report = ChainReport()
        self._anchor = anchor

    def add(self, record: AuditRecord) -> bool:
        """Check the next record; False once the chain is broken (then stop feeding it)."""
        report = self.report
        if not report.ok:
            return False
        expected = report.head_seq + 1
        if record.seq != expected:
            what = "missing records" if record.seq > expected else "out of order or repeated"
            return self._broken(record.seq, f"expected record {expected} ({what})")
        if record.prev_hash != report.head_hash:
            return self._broken(
                record.seq, f"prev_hash does not match record {report.head_seq}'s hash"
            )
        if record_hash(record) != record.hash:
            return self._broken(record.seq, "content does not match its hash (tampered)")
        anchor = self._anchor
        if anchor is not None and record.seq == anchor[0] and record.hash != anchor[1]:
            return self._broken(
                record.seq, f"hash {record.hash} is not the anchored {anchor[1]} (rewritten)"
            )
        report.records += 1
        report.head_seq, report.head_hash = record.seq, record.hash
        return True

    def finish(self) -> ChainReport:
        """The report, once every record has been added."""
        report, anchor = self.report, self._anchor
        if report.ok and anchor is not None and report.head_seq < anchor[0]:
            report.broken_seq = report.head_seq + 1
            report.problem = (
                f"the chain ends at record {report.head_seq}, before the anchored record "
                f"{anchor[0]} (cut short)"
            )
        return report

    def _broken(self, seq: int, why: str) -> bool:
        self.report.broken_seq = seq
        self.report.problem = f"record {seq}: {why}"
        return False


def verify_chain(
    records: Iterable[AuditRecord], anchor: tuple[int, str] | None = None
) -> ChainReport:
    """Check a whole trail, from seq 1, in order: every seq present once, every link, every
    hash. The report names the first broken record and why."""
    verifier = ChainVerifier(anchor)
    for record in records:
        if not verifier.add(record):
            break
    return verifier.finish()


def _check_text(name: str, value: str | None, chars_max: int, *, required: bool = False) -> None:
    if value is None:
        if required:
            raise InvalidInput(f"audit {name} is required")
        return
    if not isinstance(value, str) or (required and not value):
        raise InvalidInput(f"audit {name} must be a non-empty string")
    if len(value) > chars_max:
        raise InvalidInput(f"audit {name} is longer than {chars_max} characters")


def _parse(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))
