"""A private PostgreSQL 15 for one test: its own data directories, WAL archive and loopback
ports, run as the ``postgres`` user (PostgreSQL refuses root), all removed afterwards.

For what the shared server at 5432 cannot be used for: settings that need a restart
(``archive_mode``), and a second server restored from the first one's backup."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from croupier.cluster import ports
from tests.conftest import service_unavailable

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
REPO = Path(__file__).resolve().parents[2]
PITR = REPO / "scripts" / "pitr.sh"
#: A budget for one step (initdb, a start, a backup), generous for a loaded machine.
STEP_TIMEOUT_S = 120


@dataclass
class PrivatePostgres:
    """Servers under ``root`` (a directory of /tmp that the postgres user may enter)."""

    root: Path
    ports: dict[str, int]
    started: list[Path] = field(default_factory=list)

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    def url(self, name: str, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports[name]}/{database}"

    def run(self, *command: str | Path) -> str:
        """``command`` as the postgres user (when we are root); its stdout. Fails loudly."""
        argv = [str(part) for part in command]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(
            argv, check=False, capture_output=True, text=True, timeout=STEP_TIMEOUT_S, cwd=self.root
        )
        if done.returncode != 0:
            raise AssertionError(f"{argv} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done.stdout

    def init(self, name: str) -> Path:
        """A new cluster ``name`` that archives its WAL into :attr:`archive`."""
        data = self.root / name
        self.run(PGBIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        settings = self.run(PITR, "archive-settings", self.archive)
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n")
            conf.write(settings)
        return data

    def start(self, name: str) -> None:
        data = self.root / name
        log = self.root / f"{name}.log"
        port = f"-p {self.ports[name]}"
        self.run(PGBIN / "pg_ctl", "-D", data, "-l", log, "-o", port, "-w", "-t", "60", "start")
        self.started.append(data)

    def running(self, name: str) -> bool:
        """``pg_ctl status``: whether the server of ``name`` runs (exit 3 when it does not)."""
        argv = [str(PGBIN / "pg_ctl"), "-D", str(self.root / name), "status"]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, check=False, capture_output=True, timeout=STEP_TIMEOUT_S)
        return done.returncode == 0

    def stop(self, name: str) -> None:
        data = self.root / name
        self.run(PGBIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "stop")
        self.started.remove(data)


@contextlib.contextmanager
def private_postgres(*names: str) -> Iterator[PrivatePostgres]:
    """A directory for servers ``names`` (one free port each), cleaned up afterwards."""
    if not (PGBIN / "initdb").exists():
        service_unavailable(
            f"PostgreSQL 15's programs are not in {PGBIN} (apt-get install postgresql-15)"
        )
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        service_unavailable("no postgres user to run a private PostgreSQL as")
    # Not pytest's tmp_path: its parents are 0700, and the postgres user must enter this.
    root = Path(tempfile.mkdtemp(prefix="croupier-pg-", dir="/tmp"))
    root.chmod(0o755)
    (root / "archive").mkdir()
    if os.geteuid() == 0:
        os.chown(root, owner.pw_uid, owner.pw_gid)
        os.chown(root / "archive", owner.pw_uid, owner.pw_gid)
    chosen = ports.allocate(root, {name: ["postgres"] for name in names})
    servers = PrivatePostgres(root, {name: chosen[name]["postgres"] for name in names})
    try:
        yield servers
    finally:
        for data in list(servers.started):
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                servers.run(PGBIN / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        ports.release(root)
        shutil.rmtree(root, ignore_errors=True)
