"""A card number sent to the API is found nowhere but sealed in the vault: not in any answer
(successes and every kind of refusal, the malformed ones included), not in the server's log
(its security lines record card.added and card.deleted), not in the database files.

A real ``croupier serve`` on both engines; distinctive numbers made for this run, so a hit
cannot be a coincidence. What is searched for: each full number, typed and bare, and its
digits after the six a mask shows; and the holder's name.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from croupier.domain.payments.cards import luhn_check_digit
from tests.support.held import register_and_login
from tests.support.on_disk import (
    found_in,
    postgres_files_since,
    postgres_table_text,
    sqlite_checkpoint,
    sqlite_files,
)
from tests.support.server import free_port, start_server, stop, wait_ready

pytestmark = pytest.mark.timeout(180)


def _pan(prefix: str, digits: int = 16) -> str:
    body = prefix + "".join(str(secrets.randbelow(10)) for _ in range(digits - 1 - len(prefix)))
    return body + luhn_check_digit(body)


def _needles(pans: list[str], holder: str) -> list[bytes]:
    needles = [holder.encode()]
    for pan in pans:
        spaced = " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))
        needles += [pan.encode(), spaced.encode(), pan[6:].encode()]
    return needles


def _exercise(base: str, kept: str, holder: str, others: dict[str, str]) -> list[httpx.Response]:
    """Every route of the vault, its successes and refusals; every answer, for the search."""
    auth = register_and_login(base, f"cards-{secrets.token_hex(4)}@example.com")  # an MT player
    intruder = register_and_login(base, f"other-{secrets.token_hex(4)}@example.com")
    spaced = " ".join(kept[i : i + 4] for i in range(0, 16, 4))
    good = {"number": spaced, "exp_month": 12, "exp_year": 2031, "holder_name": holder}
    answers: list[httpx.Response] = []
    with httpx.Client(base_url=base, headers=auth, timeout=30) as client:

        def send(status: int, code: str | None, method: str, path: str, **kw: object) -> None:
            answer = client.request(method, path, **kw)  # type: ignore[arg-type]
            answers.append(answer)
            assert answer.status_code == status, answer.text
            if code is not None:
                assert answer.json()["type"].endswith("/" + code), answer.text

        send(201, None, "POST", "/v1/cards", json=good)
        token = answers[-1].json()["token"]
        assert answers[-1].json()["masked"] == kept[:6] + "******" + kept[-4:]
        send(201, None, "POST", "/v1/cards", json={**good, "number": kept.replace(" ", "-")})
        send(422, "card-invalid", "POST", "/v1/cards", json={**good, "cvv": "123"})
        send(422, "card-invalid", "POST", "/v1/cards", json={**good, "CVC2": 123})
        send(422, "card-invalid", "POST", "/v1/cards", json={**good, "exp_year": 2020})
        send(422, "card-invalid", "POST", "/v1/cards", json={**good, "number": others["luhn"]})
        send(451, "geo-blocked", "POST", "/v1/cards", json={**good, "number": others["gb"]})
        send(422, "card-bin-unknown", "POST", "/v1/cards", json={**good, "number": others["bin"]})
        send(422, "invalid-request", "POST", "/v1/cards", json={**good, "number": int(kept)})
        send(422, "invalid-request", "POST", "/v1/cards", json={**good, "exp_month": "12x"})
        send(422, "invalid-request", "POST", "/v1/cards", json={**good, "pan": kept})
        send(422, "invalid-request", "POST", "/v1/cards", json=[kept])
        truncated = f'{{"number": "{kept}", "exp_month": 12,'
        as_json = {"Content-Type": "application/json"}
        send(400, "malformed-json", "POST", "/v1/cards", content=truncated, headers=as_json)
        twice = f'{{"number": "{kept}", "number": "{kept}"}}'
        send(400, "malformed-json", "POST", "/v1/cards", content=twice, headers=as_json)
        send(200, None, "GET", "/v1/cards")
        assert len(answers[-1].json()["cards"]) == 2
        send(200, None, "GET", "/v1/cards", headers=intruder)
        assert answers[-1].json() == {"cards": []}
        send(404, "card-not-found", "DELETE", f"/v1/cards/{token}", headers=intruder)
        send(405, None, "PUT", "/v1/cards")
        assert answers[-1].headers["allow"] == "GET, POST, HEAD"
        send(405, None, "GET", f"/v1/cards/{token}")
        assert answers[-1].headers["allow"] == "DELETE"
        send(204, None, "DELETE", f"/v1/cards/{token}")
        send(404, "card-not-found", "DELETE", f"/v1/cards/{token}")
    return answers


def test_a_card_number_appears_in_no_answer_log_or_database_file(
    database_url: str, tmp_path: Path
) -> None:
    started = time.time() - 1
    kept = _pan("40000047")  # MT: the player's country
    others = {"luhn": kept[:-1] + str((int(kept[-1]) + 1) % 10), "gb": _pan("40000082")}
    others["bin"] = _pan("40000099")  # a prefix the shipped BIN file does not know
    holder = f"Zebulon Quixote {secrets.token_hex(4)}"
    needles = _needles([kept, *others.values()], holder)
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_server(database_url, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, process, log)
            answers = _exercise(base, kept, holder, others)
            files = _database_contents(database_url, started) if database_url else {}
        finally:
            stop(process)
        log.seek(0)
        output = log.read()
    assert b'"action": "card.added"' in output and b'"action": "card.deleted"' in output, output
    assert found_in(output, needles) == [], "a card number in the server's log"
    for answer in answers:
        assert found_in(answer.content + str(answer.headers).encode(), needles) == [], (
            f"{answer.request.method} {answer.request.url} answered a card number: {answer.text}"
        )
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        files |= {f"after stop: {k}": v for k, v in sqlite_files(path).items()}
        sqlite_checkpoint(path)
        files |= {f"checkpointed: {k}": v for k, v in sqlite_files(path).items()}
    assert files, "no database content was read"
    for name, data in files.items():
        assert found_in(data, needles) == [], f"a card number in {name}"


def _database_contents(url: str, started: float) -> dict[str, bytes]:
    if url.startswith("sqlite:///"):
        return sqlite_files(Path(url.removeprefix("sqlite:///")))

    async def read() -> dict[str, bytes]:
        rows = {"every table as text": await postgres_table_text(url)}
        return rows | await postgres_files_since(url, ("cards", "audit_log"), started)

    return asyncio.run(read())
