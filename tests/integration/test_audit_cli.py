"""``croupier audit verify`` and ``croupier audit query`` as an operator runs them, on both
engines (their tampering cases: tests/security/test_audit_tamper.py)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from croupier.services.audit import AuditEntry
from tests.support.audit import migrated, open_audit


def _audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "croupier", "audit", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _recorded(database_url: str) -> None:
    async with migrated(database_url), open_audit(database_url) as audit:
        await audit.record(AuditEntry("staff:1", "staff.login", source_ip="127.0.0.1"))
        await audit.record(
            AuditEntry(
                "staff:1",
                "player.frozen",
                subject="player:p1",
                reason="fraud, confirmed",
                before={"status": "active"},
                after={"status": "frozen"},
            )
        )
        await audit.record(AuditEntry("player:p1", "player.login.failed", source_ip="::1"))


async def test_verify_of_an_empty_trail_is_intact(database_url: str) -> None:
    async with migrated(database_url):
        pass

    checked = _audit("verify", "--database-url", database_url)

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"audit trail intact: 0 records, head 0:{'0' * 64}\n"


def test_verify_of_no_ledger_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    checked = _audit("verify", "--database-url", f"sqlite:///{tmp_path}/none.db")

    assert checked.returncode == 2 and "no Croupier ledger" in checked.stderr
    assert not (tmp_path / "none.db").exists()


async def test_query_filters_and_prints_json_lines(database_url: str) -> None:
    await _recorded(database_url)

    by_actor = _audit("query", "--database-url", database_url, "--actor", "staff:1")
    by_action = _audit("query", "--database-url", database_url, "--action", "player.")
    paged = _audit("query", "--database-url", database_url, "--after-seq", "1", "--limit", "1")
    later = _audit("query", "--database-url", database_url, "--since", "2999-01-01T00:00Z")

    assert by_actor.returncode == 0, by_actor.stderr
    rows = [json.loads(line) for line in by_actor.stdout.splitlines()]
    assert [r["seq"] for r in rows] == [1, 2]
    assert rows[1]["reason"] == "fraud, confirmed" and rows[1]["after"] == {"status": "frozen"}
    assert rows[1]["at"].endswith("+00:00") and len(rows[1]["hash"]) == 64
    assert [json.loads(line)["seq"] for line in by_action.stdout.splitlines()] == [2, 3]
    assert [json.loads(line)["seq"] for line in paged.stdout.splitlines()] == [2]
    assert later.returncode == 0 and later.stdout == ""


async def test_query_prints_csv(database_url: str) -> None:
    await _recorded(database_url)

    printed = _audit("query", "--database-url", database_url, "--format", "csv")

    assert printed.returncode == 0, printed.stderr
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert [r["action"] for r in rows] == ["staff.login", "player.frozen", "player.login.failed"]
    assert rows[1]["reason"] == "fraud, confirmed"  # the comma quoted, not a new column
    assert json.loads(rows[1]["before"]) == {"status": "active"}
    assert rows[0]["subject"] == "" and rows[2]["source_ip"] == "::1"


def test_bad_options_are_refused_before_reading_anything(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/none.db"
    for extra in (["--format", "xml"], ["--since", "yesterday"], ["--limit", "5000"]):
        refused = _audit("query", "--database-url", url, *extra)
        assert refused.returncode == 2, (extra, refused.stdout, refused.stderr)
    assert _audit("verify", "--database-url", url, "--expect", "3:nothex").returncode == 2
    assert not (tmp_path / "none.db").exists()
