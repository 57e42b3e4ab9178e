"""Audit chain tampering is detected: someone with the database's keys edits, deletes or
re-chains records past the append-only triggers, and ``croupier audit verify`` — the command
an operator runs — names the first broken record and exits 1."""

from __future__ import annotations

import subprocess
import sys

import pytest

from croupier.domain.audit import record_hash
from croupier.services.audit import AuditEntry
from tests.support.audit import marks, migrated, open_audit, tamper


def _verify(database_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "croupier",
            "audit",
            "verify",
            "--database-url",
            database_url,
            *extra,
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _five_records(database_url: str) -> str:
    """Five staff actions; the head as ``verify --expect`` takes it."""
    async with migrated(database_url), open_audit(database_url) as audit:
        for n in range(1, 6):
            stored = await audit.append(
                AuditEntry(
                    "staff:1",
                    "adjustment.approved",
                    subject=f"player:{n}",
                    reason="goodwill",
                    after={"amount_minor": 100 * n},
                )
            )
    return f"{stored.seq}:{stored.hash}"


@pytest.mark.parametrize(
    ("change", "broken", "why"),
    [
        (
            "UPDATE audit_log SET after_json = '{\"amount_minor\":90000}' WHERE seq = 3",
            3,
            "tampered",
        ),
        ("UPDATE audit_log SET actor = 'staff:2' WHERE seq = 2", 2, "tampered"),
        ("UPDATE audit_log SET at_ms = at_ms - 86400000 WHERE seq = 4", 4, "tampered"),
        ("DELETE FROM audit_log WHERE seq = 2", 3, "expected record 2"),
        # Its hash recomputed by the tamperer: the next record's link still names the old one.
        ("UPDATE audit_log SET hash = prev_hash WHERE seq = 3", 3, "tampered"),
    ],
)
async def test_verify_names_the_first_record_tampered_with(
    database_url: str, change: str, broken: int, why: str
) -> None:
    await _five_records(database_url)
    intact = _verify(database_url)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("audit trail intact: 5 records, head 5:")

    await tamper(database_url, change)
    found = _verify(database_url)

    assert found.returncode == 1, found.stdout + found.stderr
    assert f"BROKEN: record {broken}:" in found.stdout and why in found.stdout


async def test_a_record_resealed_by_the_tamperer_breaks_the_next_link(database_url: str) -> None:
    """Editing record 2 and recomputing its hash (the formula is public) leaves record 3
    naming the old hash."""
    await _five_records(database_url)
    async with open_audit(database_url) as audit:
        original = (await audit.store.scan(1, 1))[0]

    forged = original.replace_unsealed(reason="none given")
    forged_hash = record_hash(forged)
    a, b, c = marks(database_url, 3)
    await tamper(
        database_url,
        f"UPDATE audit_log SET reason = {a}, hash = {b} WHERE seq = {c}",
        "none given",
        forged_hash,
        2,
    )

    found = _verify(database_url)

    assert found.returncode == 1
    assert "BROKEN: record 3: prev_hash does not match record 2's hash" in found.stdout


async def test_a_tail_cut_off_is_caught_by_a_head_kept_elsewhere(database_url: str) -> None:
    head = await _five_records(database_url)
    await tamper(database_url, "DELETE FROM audit_log WHERE seq >= 4")

    assert _verify(database_url).returncode == 0  # nothing inside the database can tell
    found = _verify(database_url, "--expect", head)
    assert found.returncode == 1 and "cut short" in found.stdout
