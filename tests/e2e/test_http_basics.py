"""The HTTP server as an operator and a client first meet it: health, metrics, errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.held import database_for_module
from tests.support.raw_http import send_and_read
from tests.support.server import running_server, scrape_metrics


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    with running_server(database_url) as base:
        yield base


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One server per backend for the tests that change nothing another test reads (a start
    costs seconds; ``server`` starts one per test, for a test that needs its own)."""
    with (
        database_for_module(request.param, tmp_path_factory.mktemp("basics")) as database_url,
        running_server(database_url) as base,
    ):
        yield base


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for tests that only read, or that change nothing."""
    with running_server(f"sqlite:///{tmp_path_factory.mktemp('basics')}/b.db") as base:
        yield base


def test_health_readiness_and_metrics(shared_server: str) -> None:
    assert httpx.get(f"{shared_server}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{shared_server}/readyz").json() == {"status": "ready"}
    metrics = scrape_metrics(shared_server)
    assert "croupier_ledger_batches_total" in metrics
    assert 'croupier_http_requests_total{method="GET",route="/readyz",status="200"}' in metrics
    assert httpx.get(f"{shared_server}/metrics").status_code == 404  # the admin listener's alone


def test_errors_are_problem_json(shared_server: str) -> None:
    missing = httpx.get(f"{shared_server}/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404
    wrong_method = httpx.delete(f"{shared_server}/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["type"].endswith("/method-not-allowed")


def test_oversize_bodies_are_refused_before_routing(shared_server: str) -> None:
    response = httpx.post(f"{shared_server}/healthz", content=b"x" * (65 * 1024))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_openapi_is_served(shared_server: str) -> None:
    # The document is built on its first request: seconds on a loaded machine (httpx's
    # default 5 s timed out at a load of 15 on 2 cores).
    spec = httpx.get(f"{shared_server}/openapi.json", timeout=60).json()
    assert spec["info"]["title"] == "Croupier"
    assert "/readyz" in spec["paths"]
    # A frozen account's wallet calls are 403 account-restricted: the document says so.
    for path, method in (("/v1/wallet/deposits", "post"), ("/v1/wallet", "get")):
        answers = spec["paths"][path][method]["responses"]
        assert "application/problem+json" in answers["403"]["content"], path


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_work_offline(sqlite_server: str, page: str) -> None:
    """Every script, style sheet and icon of the docs pages comes from this server."""
    html = httpx.get(f"{sqlite_server}{page}")
    assert html.status_code == 200
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html.text)
    assert any(url.endswith(".js") for url in assets), assets
    assert [url for url in assets if re.match(r"(?i)(https?:)?//", url)] == []
    for url in assets:
        assert httpx.get(f"{sqlite_server}{url}").status_code == 200, url


def _json_bodies(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every operation with a JSON body, with plausible path parameters."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                real = path.replace("{game_id}", "lotus-20")
                yield method.upper(), real.replace("{round_id}", "r" + "0" * 24)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"amount": 100, "amount": 99999999}', id="repeated-key"),
        pytest.param(b'{"bets": [{"stake": 1, "stake": 2}]}', id="repeated-nested-key"),
        pytest.param(b"[" * 30_000 + b"]" * 30_000, id="too-deep"),
        pytest.param(b'{"email": "\xff"}', id="not-utf-8"),
        pytest.param(b"{not json", id="not-json"),
    ],
)
def test_every_json_body_refuses_what_two_readers_could_read_apart(
    sqlite_server: str, body: bytes
) -> None:
    """Malformed JSON is 400 `malformed-json` on every route, before anything else is read."""
    with httpx.Client(base_url=sqlite_server) as client:
        routes = list(_json_bodies(client.get("/openapi.json").json()))
        assert len(routes) >= 6, routes
        for method, path in routes:
            answer = client.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 400, (method, path, answer.text)
            assert answer.json()["type"] == "https://croupier.dev/problems/malformed-json"


def test_slow_or_endless_request_heads_are_cut_off(tmp_path: Path) -> None:
    """A head that never completes (slowloris) or never ends must not hold a connection and
    memory: 408 after the deadline, 431 past 16 KiB."""
    with running_server(f"sqlite:///{tmp_path}/l.db", CROUPIER_HTTP_HEAD_TIMEOUT_S="1") as base:
        slow = send_and_read(base, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", wait_s=5)
        assert slow.startswith(b"HTTP/1.1 408")
        endless = b"GET /v1/ws HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 20_000
        assert send_and_read(base, endless, wait_s=5).startswith(b"HTTP/1.1 431")
        whole = b"GET /healthz HTTP/1.1\r\nX-Pad: " + b"a" * 20_000 + b"\r\n\r\n"
        assert send_and_read(base, whole, wait_s=5).startswith(b"HTTP/1.1 431")  # even in one read
        assert httpx.get(f"{base}/healthz").status_code == 200


def test_forwarded_for_counts_only_from_a_named_proxy(tmp_path: Path) -> None:
    """Unless CROUPIER_TRUSTED_PROXIES names the proxy, a client cannot pick the address the
    login limits count by sending X-Forwarded-For."""
    with running_server(f"sqlite:///{tmp_path}/l.db") as base, httpx.Client(base_url=base) as c:
        codes = [
            c.post(
                "/v1/sessions",
                json={"email": f"nobody{i}@example.com", "password": "wrong password!"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(31)
        ]
    assert codes[:30] == [401] * 30 and codes[30] == 429
