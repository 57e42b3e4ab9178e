"""Compare two commits under the same load: ``bench/compare.sh OLD_REF [NEW_REF] [options]``.

Each commit is unpacked (``git archive``) and installed into a venv of its own under
``$CROUPIER_COMPARE_CACHE/<hash>`` (default /tmp/croupier-compare), once; the caller's
checkout is never touched. Runs are interleaved, old then new, ``--runs`` times. A run starts
a fresh server of that commit on a free port and an empty database, plays a short warm-up
(which registers the players), then measures it with the NEW commit's
``croupier loadtest --json``, so both commits face the same client. ``--ledger`` compares
``croupier bench ledger --json`` instead. Standard library only: it runs on any Python 3.11.
See docs/benchmarks.md ("Comparing two commits").
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("CROUPIER_COMPARE_CACHE", "/tmp/croupier-compare"))
POSTGRES = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/"
BUILD_TIMEOUT_S = 900
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20  # the server drains for up to 10 s (uvicorn's graceful shutdown)
SETUP_TIMEOUT_S = 900  # a first run registers every player: an argon2 hash each
# Every run starts on an empty database, so all players register, log in and connect from one
# address (a commit that predates a limit ignores its setting).
SERVER_ENV = {
    "CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "10000",
    "CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE": "100000",
    "CROUPIER_WS_CONNECTIONS_PER_ADDRESS_MAX": "100000",
    # loopback clients are at CROUPIER_GEO_HOME on PostgreSQL too (docs/compliance.md)
    "CROUPIER_GEO_ALLOW_PRIVATE": "1",
}
ROUND_COLUMNS = [  # (key, heading, format, compared as a ratio)
    ("rounds_per_s", "rounds/s", "{:,.0f}", True),
    ("cpu_us_per_round", "server CPU µs/round", "{:,.0f}", True),
    ("p50_ms", "p50 ms", "{:,.1f}", True),
    ("p99_ms", "p99 ms", "{:,.1f}", True),
    ("errors", "errors", "{:,.0f}", False),
    ("bytes_per_round", "bytes/round", "{:,.0f}", True),
]
LEDGER_COLUMNS = [
    ("settlements_per_s", "settlements/s", "{:,.0f}", True),
    ("cpu_us_per_settlement", "CPU µs/settlement", "{:,.0f}", True),
    ("p50_ms", "request p50 ms", "{:,.1f}", True),
    ("p99_ms", "request p99 ms", "{:,.1f}", True),
]


class CompareError(Exception):
    """A step failed: a build, a server that would not start, a run that did not run."""


@dataclass(frozen=True)
class Build:
    label: str  # "old" or "new"
    ref: str
    sha: str

    @property
    def root(self) -> Path:
        return CACHE / self.sha

    @property
    def croupier(self) -> str:
        return str(self.root / "venv" / "bin" / "croupier")


@dataclass(frozen=True)
class Database:
    url: str
    path: Path | None = None  # SQLite's file; None on PostgreSQL


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    # SIGTERM as a Ctrl-C, so that every finally: below still stops servers and cleans up
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    try:
        old, new = build("old", args.old), build("new", args.new)
        results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
        for run in range(1, args.runs + 1):
            for target in (old, new):
                _say(f"run {run}/{args.runs}: {target.label} {target.sha[:9]}")
                one = run_ledger(target, args) if args.ledger else run_rounds(target, new, args)
                results[target.label].append(one)
    except CompareError as error:
        print(f"compare: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("compare: interrupted; servers stopped, scratch files removed", file=sys.stderr)
        return 130
    print_report(args, old, new, results)
    print(f"wall time {time.monotonic() - started:,.0f} s, load average now {_load()}")
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/compare.sh", description=__doc__)
    add = parser.add_argument
    add("old", metavar="OLD_REF", help="the baseline commit")
    add("new", metavar="NEW_REF", nargs="?", default="HEAD", help="the change (default HEAD)")
    add("--ledger", action="store_true", help="compare `croupier bench ledger` instead")
    add("--runs", type=int, default=2, help="runs per commit, interleaved (default 2)")
    add("--players", type=int, default=1000, help="players, or producers (default 1000)")
    add("--seconds", type=float, help="measured seconds (default 15; --ledger 10)")
    add("--rate", type=float, help="open loop at this many rounds/s in total (default closed)")
    add("--warmup", type=float, default=3.0, help="closed-loop warm-up, s (default 3; 0: none)")
    add("--backend", choices=("sqlite", "postgres"), default="sqlite", help="default sqlite")
    add("--env", action="append", default=[], metavar="KEY=VALUE", help="a server setting")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.players < 1:
        parser.error("--runs and --players must be at least 1")
    if args.warmup and args.warmup < 0.5:
        parser.error("--warmup is 0 (none) or at least 0.5 s")
    if any("=" not in pair or not pair.startswith("CROUPIER_") for pair in args.env):
        parser.error("--env takes CROUPIER_KEY=VALUE (inherited CROUPIER_* are dropped)")
    args.env = dict(pair.split("=", 1) for pair in args.env)
    if args.seconds is None:
        args.seconds = 10.0 if args.ledger else 15.0
    return args


# -- building ------------------------------------------------------------------------------


def build(label: str, ref: str) -> Build:
    """The commit unpacked and installed in a venv of its own; done once per hash."""
    sha = _run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], 30).stdout.strip()
    target = Build(label, ref, sha)
    CACHE.mkdir(parents=True, exist_ok=True)
    with _locked(CACHE / f"{sha}.lock"):  # another compare may be building the same commit
        if (target.root / ".built").exists():
            return target
        _say(f"building {ref} ({sha[:9]}) in {target.root}")
        shutil.rmtree(target.root, ignore_errors=True)
        try:
            tree, archive = target.root / "tree", target.root / "tree.tar"
            tree.mkdir(parents=True)
            _run(["git", "archive", "--format=tar", "-o", str(archive), sha], 120)
            _run(["tar", "-xf", str(archive), "-C", str(tree)], 120)
            archive.unlink()
            _run([sys.executable, "-m", "venv", str(target.root / "venv")], 120)
            # editable: older commits read games/ beside the source tree, not from the wheel
            pip = [str(target.root / "venv" / "bin" / "python"), "-m", "pip", "install", "-q"]
            _run([*pip, "-e", str(tree)], BUILD_TIMEOUT_S)
            (target.root / ".built").touch()
        except BaseException:
            shutil.rmtree(target.root, ignore_errors=True)
            raise
    return target


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as lock:
        for _ in range(BUILD_TIMEOUT_S):
            with contextlib.suppress(BlockingIOError):
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            time.sleep(1)
        else:
            raise CompareError(f"{path} stayed locked {BUILD_TIMEOUT_S} s")
        yield


# -- one run -------------------------------------------------------------------------------


def run_rounds(target: Build, client: Build, args: argparse.Namespace) -> dict[str, float]:
    """A fresh server of ``target`` on an empty database, driven by ``client``'s loadtest."""
    with _scratch() as name, fresh_database(args.backend, tmp := Path(name)) as database:
        empty_bytes = database_bytes(database)  # PostgreSQL's catalogue; SQLite: no file yet
        with serve(target, database, tmp, args.env) as (url, pid):
            warm_rounds = 0
            if args.warmup:
                warm_rounds = loadtest(client, url, tmp, args.players, args.warmup)["rounds"]
            rate = ["--rate", f"{args.rate:g}"] if args.rate else []
            f = loadtest(
                client, url, tmp, args.players, args.seconds, "--server-pid", str(pid), *rate
            )
        # the server has stopped: what it committed is in the files, the WAL checkpointed
        stored_bytes = database_bytes(database) - empty_bytes
    cpu_s = (f["server_cpu_pct"] or 0) / 100 * f["elapsed_s"]
    return {
        "rounds_per_s": f["rounds_per_s"],
        "cpu_us_per_round": cpu_s * 1e6 / max(1, f["rounds"]),
        "p50_ms": f["p50_ms"],
        "p99_ms": f["p99_ms"],
        "errors": f["errors_total"],
        # players and their deposits included: a fixed cost per player, spread over the rounds
        "bytes_per_round": stored_bytes / max(1, warm_rounds + f["rounds"]),
    }


def run_ledger(target: Build, args: argparse.Namespace) -> dict[str, float]:
    with _scratch() as tmp:
        command = [target.croupier, "bench", "ledger", "--backend", args.backend]
        command += ["--seconds", f"{args.seconds:g}", "--naive-seconds", "1"]
        command += ["--producers", str(args.players), "--json"]
        # sqlite: the directory for its files; postgres: where to create scratch databases
        admin = POSTGRES_URL + "postgres"
        command += ["--database-url", str(tmp) if args.backend == "sqlite" else admin]
        if args.rate:
            command += ["--rate", f"{args.rate:g}"]
        f = _json(_run(command, SETUP_TIMEOUT_S + 3 * args.seconds, env=_env(args.env), cwd=tmp))
    return {
        "settlements_per_s": f["settlements_per_s"],
        "cpu_us_per_settlement": f["group"]["cpu_us_per_settlement"],
        "p50_ms": f["p50_ms"],
        "p99_ms": f["p99_ms"],
    }


def loadtest(
    client: Build, url: str, tmp: Path, players: int, seconds: float, *options: str
) -> dict[str, Any]:
    """``croupier loadtest --json`` of ``client``; its tokens kept beside the database."""
    command = [client.croupier, "loadtest", "--url", url, "--players", str(players), *options]
    command += ["--seconds", f"{seconds:g}", "--state-file", str(tmp / "tokens.json"), "--json"]
    return _json(_run(command, SETUP_TIMEOUT_S + 2 * seconds))


def _scratch() -> tempfile.TemporaryDirectory[str]:
    """A directory for one run's database, log and tokens (on disk: TMPDIR, not tmpfs)."""
    return tempfile.TemporaryDirectory(prefix="croupier-compare-run-", ignore_cleanup_errors=True)


@contextlib.contextmanager
def fresh_database(backend: str, tmp: Path) -> Iterator[Database]:
    if backend == "sqlite":
        path = tmp / "ledger.db"  # removed with tmp
        yield Database(f"sqlite:///{path}", path=path)
        return
    name = f"croupier_compare_{secrets.token_hex(4)}"
    _run(["createdb", *POSTGRES, name], 60)
    try:
        yield Database(POSTGRES_URL + name)
    finally:
        _run(["dropdb", *POSTGRES, "--force", "--if-exists", name], 60)


def database_bytes(database: Database) -> int:
    if database.path is not None:
        files = (database.path, database.path.with_name(database.path.name + "-wal"))
        return sum(f.stat().st_size for f in files if f.exists())
    query = f"SELECT pg_database_size('{database.url.rsplit('/', 1)[1]}')"
    return int(_run(["psql", *POSTGRES, "-Atc", query, "postgres"], 60).stdout)


@contextlib.contextmanager
def serve(
    target: Build, database: Database, tmp: Path, settings: dict[str, str]
) -> Iterator[tuple[str, int]]:
    """``croupier serve`` of ``target`` on a free port: yields its URL and pid once ready."""
    port = _free_port()
    # No admin listener (builds before it ignore the variable): its port could be taken.
    env = _env(settings) | {"CROUPIER_DATABASE_URL": database.url, "CROUPIER_ADMIN_PORT": "0"}
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [target.croupier, "serve", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches us; we stop it in order
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(process, url, log_path)
            yield url, process.pid
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = _tail(log_path.read_text(errors="replace"))
            raise CompareError(f"the server exited ({process.returncode}):\n{log}")
        # 503 (starting) is a URLError too
        with contextlib.suppress(OSError), opener.open(f"{url}/readyz", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise CompareError(f"{url}/readyz not ready within {READY_TIMEOUT_S} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        _say(f"server {process.pid} still up {STOP_TIMEOUT_S} s after SIGINT: SIGKILL")
        process.kill()
        process.wait(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(settings: dict[str, str]) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CROUPIER_")}
    return inherited | SERVER_ENV | settings


# -- the report ----------------------------------------------------------------------------


def print_report(
    args: argparse.Namespace, old: Build, new: Build, results: dict[str, list[dict[str, float]]]
) -> None:
    """Each run, the medians per commit, and new/old ratios of the medians."""
    columns = LEDGER_COLUMNS if args.ledger else ROUND_COLUMNS
    if args.ledger:
        what = f"croupier bench ledger --backend {args.backend} --seconds {args.seconds:g}"
        what += f" --naive-seconds 1 --producers {args.players}"
    else:
        what = f"croupier loadtest --players {args.players} --seconds {args.seconds:g}"
        what += f" (after a {args.warmup:g} s warm-up), {args.backend}"
    loop = f", open loop at {args.rate:g}/s: read p99" if args.rate else ""
    print(f"\n{what}{loop}; {args.runs} runs each, interleaved")
    for target in (old, new):
        print(f"  {target.label}  {target.ref} = {target.sha[:12]}")
    rows = [["commit", "run", *(heading for _, heading, _, _ in columns)]]
    medians: dict[str, dict[str, float]] = {}
    for label in ("old", "new"):
        for run, measured in enumerate(results[label], 1):
            rows.append([label, str(run), *(fmt.format(measured[k]) for k, _, fmt, _ in columns)])
        medians[label] = {k: statistics.median(r[k] for r in results[label]) for k, *_ in columns}
    for label in ("old", "new"):
        rows.append([label, "median", *(fmt.format(medians[label][k]) for k, _, fmt, _ in columns)])
    ratios = ["new/old", ""]
    for key, _, _, compared in columns:
        base = medians["old"][key]
        ratios.append(f"{medians['new'][key] / base:.3f}" if compared and base else "")
    rows.append(ratios)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def _run(command: list[str], timeout_s: float, **options: Any) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False, **options
        )
    except subprocess.TimeoutExpired as error:  # run() has killed it
        raise CompareError(f"{shlex.join(command)}: no end within {timeout_s:.0f} s") from error
    if done.returncode != 0:
        output = _tail(done.stderr + done.stdout)
        raise CompareError(f"{shlex.join(command)} exited {done.returncode}:\n{output}")
    return done


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    try:
        return dict(json.loads(done.stdout))
    except ValueError as error:
        raise CompareError(f"{shlex.join(done.args)}: not JSON: {_tail(done.stdout)}") from error


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message} (load {_load()})", file=sys.stderr, flush=True)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
