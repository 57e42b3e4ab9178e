"""The HTTP server as an operator and a client first meet it: health, metrics, errors."""

from __future__ import annotations

from collections.abc import Iterator

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
