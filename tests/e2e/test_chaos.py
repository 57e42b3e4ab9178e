"""The short chaos run (``croupier chaos``, docs/operations.md "Chaos run"): a cluster of its
own, 50 WebSocket players and HTTP clients retrying with the same key through HAProxy, and
one kill of each kind in turn: a gateway, the active writer, the PostgreSQL primary, a NATS
node, the Redis primary. After it: no acknowledged round lost or applied twice, every
wallet equal to its history, ``ledger verify`` OK on the surviving primary, every WebSocket
player resumed without gap or duplicate, and the load recovered after every kill (within the
phase's deadline: a failover that leaves the cluster without a writer never does).

Marked ``cluster``, like tests/e2e/test_cluster.py: it runs in ``make test`` under
``CROUPIER_REQUIRE_SERVICES=1`` and is skipped otherwise when the packages are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from croupier.chaos import KILLS
from croupier.cluster import packages, processes
from tests.conftest import service_unavailable, services_required

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(900)]


def _croupier(*args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "croupier", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


@pytest.fixture
def cluster_dir() -> Path:
    missing = packages.missing()
    if missing and not services_required():
        pytest.skip(f"cluster packages missing: {missing}")
    if missing and os.geteuid() != 0:
        service_unavailable(f"cluster packages missing: {missing}; as root, `up` installs them")
    # Not pytest's tmp_path: its parents are 0700, and PostgreSQL runs as `postgres`.
    base = Path(tempfile.mkdtemp(prefix="croupier-chaos-"))
    base.chmod(0o755)
    directory = base / "cluster"
    try:
        yield directory
    finally:
        if (directory / "cluster.json").exists():
            down = _croupier("cluster", "down", "--dir", str(directory), timeout_s=240)
            assert down.returncode == 0, down.stderr
            assert processes.processes_mentioning(f"{directory}/") == []
        shutil.rmtree(base, ignore_errors=True)


def test_a_short_chaos_run_loses_nothing_and_recovers(cluster_dir: Path) -> None:
    done = _croupier(
        "chaos",
        "--dir", str(cluster_dir),
        "--players", "50",
        "--http-clients", "8",
        "--warmup", "4",
        "--phase-min", "3",
        "--phase-deadline", "60",
        "--json",
        timeout_s=840,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    report = json.dumps({k: v for k, v in result.items() if k != "survivors"}, indent=1)
    assert [kill["component"] for kill in result["kills"]] == list(KILLS)
    assert result["rounds_acknowledged"] > 0
    assert result["rounds_lost"] == 0, report
    assert result["rounds_applied_twice"] == 0, report
    assert result["wallets_ok"] and result["wallets_checked"] == 50, report
    assert result["ledger_verify_ok"], report
    assert result["ws_caught_up"], report
    assert result["stream_gaps"] == 0 and result["stream_duplicates"] == 0, report
    assert result["ws_reconnects"] > 0  # the gateway kill dropped some: they resumed
    # A failover must bring the load back (a killed gateway, NATS or Redis node is not
    # restarted, so on a loaded machine the throughput may stay under the baseline there).
    recovered = {kill["component"]: kill["recovery_s"] for kill in result["kills"]}
    assert recovered["writer-active"] is not None, report
    assert recovered["postgres-primary"] is not None, report
    assert result["ok"] and done.returncode == 0, report
