"""schemathesis against the live server's /openapi.json: no 5xx, no response that breaks the
schema, no wrong status or content type — for anonymous and authenticated requests.

Business rules the schema cannot express (a real calendar date, an assigned country code, a
password not on the common list) make some schema-valid requests 422 on purpose, so the
``positive_data_acceptance`` check is left out; every other check runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.server import running_server

EXAMPLES_PER_OPERATION = 25


def _token(base: str) -> str:
    player = {
        "email": "fuzz@example.com",
        "password": "correct horse battery staple",
        "date_of_birth": "1990-04-01",
        "country": "MT",
        "currency": "EUR",
    }
    assert httpx.post(f"{base}/v1/players", json=player).status_code == 201
    session = httpx.post(f"{base}/v1/sessions", json={k: player[k] for k in ("email", "password")})
    return str(session.json()["token"])


def test_the_api_keeps_its_schema_under_generated_requests(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path}/fuzz.db") as base:
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--generation-deterministic",
            "--workers",
            "1",
            "--header",
            f"Authorization: Bearer {_token(base)}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
