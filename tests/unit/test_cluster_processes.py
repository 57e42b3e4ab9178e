"""Process supervision and health waits for ``croupier cluster``: detached processes with pid
files and logs, group kills that reach children, waits that end on a deadline or on a dead
process (no fixed sleeps anywhere)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from croupier.cluster import health, processes
from croupier.cluster.processes import Spec


def _wait_gone(pid: int) -> None:
    health.wait_until(f"pid {pid} gone", lambda: not processes.alive(pid), 10)


def test_a_started_process_is_detached_logged_and_killed_with_its_children(
    tmp_path: Path,
) -> None:
    # The pid file appears whole (written aside, then renamed): the test reads it once seen.
    pid_file = tmp_path / "child"
    script = f"echo started; sleep 300 & echo $! > {pid_file}.tmp; mv {pid_file}.tmp {pid_file}"
    script += "; wait"
    spec = Spec("demo", ("/bin/sh", "-c", script), env={"CROUPIER_DEMO": "1"})
    pid = processes.start(spec, tmp_path / "logs" / "demo.log", tmp_path / "run" / "demo.pid")
    assert (tmp_path / "run" / "demo.pid").read_text() == f"{pid}\n"
    health.wait_until("child pid", (tmp_path / "child").exists, 10)
    health.wait_until("log", lambda: "started" in (tmp_path / "logs/demo.log").read_text(), 10)
    child = int((tmp_path / "child").read_text())
    assert processes.alive(pid) and processes.alive(child)
    assert str(tmp_path) in processes.cmdline(pid)
    assert pid in processes.processes_mentioning(str(tmp_path), frozenset({"sh"}))
    assert pid not in processes.processes_mentioning(str(tmp_path))  # not a cluster program
    processes.signal_group(pid, signal.SIGKILL)  # the whole group: the child too
    _wait_gone(pid)
    _wait_gone(child)
    assert processes.any_alive([pid, child]) == []


def test_a_wait_ends_at_its_deadline_naming_what_it_waited_for() -> None:
    started = time.monotonic()
    with pytest.raises(health.NotHealthy, match=r"the thing: not healthy after 0 s \(OSError"):
        health.wait_until("the thing", lambda: (_ for _ in ()).throw(OSError("refused")), 0.3)
    assert time.monotonic() - started < 5


def test_a_wait_gives_up_at_once_when_the_process_exited() -> None:
    calls = []

    def check() -> bool:
        calls.append(1)
        return False

    with pytest.raises(health.NotHealthy, match="exited"):
        health.wait_until("x", check, 60, still_running=lambda: "exited")
    assert len(calls) == 1


def test_resp_speaks_to_a_real_redis() -> None:
    from tests.conftest import service_unavailable

    try:
        assert health.redis_command(6379, "PING") == "PONG"
    except OSError as error:
        service_unavailable(f"Redis unreachable at 127.0.0.1:6379: {error}")
    assert "role" in health.redis_info(6379, "replication")
    with pytest.raises(health.RespError):
        health.redis_command(6379, "NO-SUCH-COMMAND")
