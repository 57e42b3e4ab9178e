"""Croupier installed as a user installs it: a wheel built from this tree, installed with its
dependencies into a fresh virtual environment (not this one, not the system's packages), and
run from a scratch directory far from the checkout, so nothing can be found beside a source
tree. The server must start and list the shipped games; the tools must read them too.

Slow (a minute or so, most of it pip installing the dependencies); part of ``make test``, so
CI builds, installs and starts the wheel once per run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import httpx
import pytest

from croupier.adapters.game_files import GameFiles
from croupier.services.catalogue import GameCatalogue, percent_text
from tests.support.server import free_port, stop, wait_ready

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1_800)]

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 300
VENV_TIMEOUT_S = 120
INSTALL_TIMEOUT_S = 1_200  # a cold pip cache downloads numpy, matplotlib and the rest
READY_TIMEOUT_S = 60
COMMAND_TIMEOUT_S = 120
SEED = "0" * 64


@dataclass(frozen=True)
class Installed:
    bin: Path
    workdir: Path  # an empty scratch directory: the installed commands run here
    env: dict[str, str]


def _run(
    command: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout_s: float
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; fail the test with its output if it fails."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited with {done.returncode}:\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return done


def _clean_env() -> dict[str, str]:
    """This environment without what could point the installed package back at the
    checkout or this virtual environment (pip's own settings stay: they name the index)."""
    leaks = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__"}
    env = {k: v for k, v in os.environ.items() if k not in leaks and not k.startswith("CROUPIER_")}
    return {**env, "PYTHONNOUSERSITE": "1"}


def _copy_source(target: Path) -> Path:
    """What a wheel is built from, copied: building in the checkout would leave ``build/``
    there, and a stale ``build/lib`` could slip files the tree no longer has into the wheel."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    scratch = tmp_path_factory.mktemp("wheel")
    source = _copy_source(scratch / "source")
    dist, venv, workdir = scratch / "dist", scratch / "venv", scratch / "run"
    workdir.mkdir()
    env = _clean_env()
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist)]
    _run([*build, str(source)], cwd=scratch, env=env, timeout_s=BUILD_TIMEOUT_S)
    [wheel] = dist.glob("croupier-*.whl")
    # A plain venv (no system site-packages): it sees only what the wheel brings.
    _run([sys.executable, "-m", "venv", str(venv)], cwd=scratch, env=env, timeout_s=VENV_TIMEOUT_S)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", str(wheel)]
    _run(install, cwd=scratch, env=env, timeout_s=INSTALL_TIMEOUT_S)
    where = _run(
        [str(python), "-c", "import croupier; print(croupier.__file__)"],
        cwd=workdir,
        env=env,
        timeout_s=COMMAND_TIMEOUT_S,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), f"croupier imported from {where}, not the venv"
    return Installed(venv / "bin", workdir, env)


def _shipped_ids() -> set[str]:
    ids = {game.game_id for game in GameCatalogue.load(GameFiles.shipped()).games}
    assert {"lotus-20", "european-roulette", "blackjack-6d-s17", "holdem-nl-50-100"} <= ids
    return ids


def test_the_installed_server_starts_and_lists_the_shipped_games(installed: Installed) -> None:
    port = free_port()
    database_url = f"sqlite:///{installed.workdir}/ledger.db"
    command = [
        str(installed.bin / "croupier"),
        "serve",
        "--port",
        str(port),
        "--admin-port",
        str(free_port()),
    ]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [*command, "--database-url", database_url],
            cwd=installed.workdir,
            env=installed.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, server, log, timeout_s=READY_TIMEOUT_S)
            response = httpx.get(f"{base}/v1/games", timeout=10)
        finally:
            stop(server)
    assert response.status_code == 200, response.text
    assert {item["id"] for item in response.json()["items"]} == _shipped_ids()


def test_the_installed_tools_read_the_shipped_games(installed: Installed) -> None:
    croupier = str(installed.bin / "croupier")
    rtp = _run(
        [croupier, "rtp", "lotus-20", "--exact", "--json"],
        cwd=installed.workdir,
        env=installed.env,
        timeout_s=COMMAND_TIMEOUT_S,
    )
    total = Fraction(json.loads(rtp.stdout)["rtp"]["total"]["exact"])
    lotus = GameCatalogue.load(GameFiles.shipped()).get("lotus-20")
    assert lotus is not None and percent_text(total) == lotus.rtp
    database_url = f"sqlite:///{installed.workdir}/demo.db"
    demo = _run(
        [croupier, "demo", "--spins", "2", "--database-url", database_url],
        cwd=installed.workdir,
        env=installed.env,
        timeout_s=COMMAND_TIMEOUT_S,
    )
    assert "ledger verify: OK" in demo.stdout


def test_the_installed_tools_read_the_operators_games_folder(
    installed: Installed, tmp_path: Path
) -> None:
    shipped = GameFiles.shipped().folders[0].joinpath("orchard-10.toml").read_text("utf-8")
    (tmp_path / "orchard-10-classic.toml").write_text(
        shipped.replace('"orchard-10"', '"orchard-10-classic"'), encoding="utf-8"
    )
    rounds = []
    for game, env in (
        ("orchard-10", installed.env),
        ("orchard-10-classic", {**installed.env, "CROUPIER_GAMES_DIR": str(tmp_path)}),
    ):
        fairness = [str(installed.bin / "croupier"), "fairness", "slots", "--game", game]
        seeds = ["--server-seed", SEED, "--client-seed", "player", "--nonce", "0"]
        done = _run([*fairness, *seeds], cwd=installed.workdir, env=env, timeout_s=60)
        rounds.append(json.loads(done.stdout))
    assert rounds[0]["stops"] == rounds[1]["stops"]  # the same reels, read from the folder
    assert rounds[1]["game"] == "orchard-10-classic"
