"""The server's log shows the security log, and the durable trail holds the same entries:
``croupier serve`` prints each ``croupier.security`` line on stderr (it printed none before,
as uvicorn configured only its own loggers), and ``croupier audit`` reads them back."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

from tests.support.server import free_port, start_server, stop, wait_ready


def test_the_server_logs_and_records_its_security_events(database_url: str) -> None:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_server(database_url, port, log)
        try:
            wait_ready(f"http://127.0.0.1:{port}", process, log)
        finally:
            stop(process)
        log.seek(0)
        output = log.read().decode()

    lines = [line for line in output.splitlines() if " croupier.security " in line]
    assert lines, output
    started = json.loads(lines[0].split(" croupier.security ", 1)[1])
    assert started["action"] == "server.started" and started["actor"] == "system"
    assert started["seq"] == 1 and started["after"] == {"role": "all-in-one"}
    recorded = subprocess.run(
        [sys.executable, "-m", "croupier", "audit", "query", "--database-url", database_url],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    (stored,) = [json.loads(line) for line in recorded.stdout.splitlines()]
    assert (stored["seq"], stored["action"]) == (1, "server.started")
    assert stored["at"] == started["at"]  # the same moment in the log and in the trail
