"""The HTTP server as an operator and a client first meet it: health, metrics, errors."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import running_server


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    with running_server(database_url) as base:
        yield base


def test_health_readiness_and_metrics(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server}/readyz").json() == {"status": "ready"}
    metrics = httpx.get(f"{server}/metrics")
    assert metrics.status_code == 200
    assert "croupier_ledger_batches_total" in metrics.text
    assert 'croupier_http_requests_total{method="GET",route="/readyz",status="200"}' in metrics.text


def test_errors_are_problem_json(server: str) -> None:
    missing = httpx.get(f"{server}/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404
    wrong_method = httpx.delete(f"{server}/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["type"].endswith("/method-not-allowed")


def test_oversize_bodies_are_refused_before_routing(server: str) -> None:
    response = httpx.post(f"{server}/healthz", content=b"x" * (65 * 1024))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_openapi_is_served(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json").json()
    assert spec["info"]["title"] == "Croupier"
    assert "/readyz" in spec["paths"]


def _raw(base: str, payload: bytes, wait_s: float) -> bytes:
    """What the server answers a raw connection that sends ``payload`` and then nothing."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait_s) as conn:
        conn.sendall(payload)
        answer = b""
        with contextlib.suppress(TimeoutError):
            while chunk := conn.recv(4096):
                answer += chunk
    return answer


def test_slow_or_endless_request_heads_are_cut_off(tmp_path: Path) -> None:
    """A head that never completes (slowloris) or never ends must not hold a connection and
    memory: 408 after the deadline, 431 past 16 KiB."""
    with running_server(f"sqlite:///{tmp_path}/l.db", CROUPIER_HTTP_HEAD_TIMEOUT_S="1") as base:
        slow = _raw(base, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", wait_s=5)
        assert slow.startswith(b"HTTP/1.1 408")
        endless = b"GET /v1/ws HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 20_000
        assert _raw(base, endless, wait_s=5).startswith(b"HTTP/1.1 431")
        whole = b"GET /healthz HTTP/1.1\r\nX-Pad: " + b"a" * 20_000 + b"\r\n\r\n"
        assert _raw(base, whole, wait_s=5).startswith(b"HTTP/1.1 431")  # even in one read
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
