"""Prometheus metrics: HTTP requests and latencies, and the ledger writer's batches."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from croupier.services.ledger.writer import WriterStats

__all__ = ["BlockedCollector", "HttpMetrics", "LedgerCollector", "rounds_counter"]


def rounds_counter(registry: CollectorRegistry) -> Counter:
    """Rounds answered by game (ids come from the catalogue, so the labels stay bounded)."""
    return Counter(
        "croupier_rounds", "Rounds played or acted on", ["game_id", "status"], registry=registry
    )


class HttpMetrics:
    """ASGI middleware counting requests by route template (not raw path: bounded labels)."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "croupier_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "croupier_http_request_seconds", "HTTP request latency", ["route"], registry=registry
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(route).observe(time.perf_counter() - started)


class LedgerCollector(Collector):
    """Reads the writer's running statistics at scrape time."""

    def __init__(self, stats: Callable[[], WriterStats | None]) -> None:
        self.stats = stats

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        stats = self.stats()
        if stats is None:
            return
        yield CounterMetricFamily(
            "croupier_ledger_batches", "Durable ledger commits", value=stats.batches
        )
        yield CounterMetricFamily(
            "croupier_ledger_transfers", "Transfers committed", value=stats.transfers
        )
        yield CounterMetricFamily(
            "croupier_ledger_commit_seconds",
            "Time spent committing",
            value=stats.commit_seconds_total,
        )
        yield GaugeMetricFamily(
            "croupier_ledger_last_batch_requests",
            "Requests in the last batch",
            value=stats.last_batch_size,
        )
        yield GaugeMetricFamily(
            "croupier_ledger_last_commit_seconds",
            "Duration of the last commit",
            value=stats.last_commit_s,
        )


class GatewayCollector(Collector):
    """The WebSocket gateway's connections and why connections were closed, at scrape time."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "croupier_ws_connections", "Open WebSocket connections", value=self.gateway.connections
        )
        closes = CounterMetricFamily(
            "croupier_ws_closes", "Connections the server closed, by reason", labels=["reason"]
        )
        for reason, count in sorted(self.gateway.closes.items()):
            closes.add_metric([reason], count)
        yield closes


class BlockedCollector(Collector):
    """Blocked attempts (451 ``geo-blocked``, 403 exclusions at login and registration) by
    stage, reason and located country, at scrape time (``services/compliance/blocked.py``).
    The labels are bounded: a few stages and reasons, ISO country codes."""

    def __init__(self, counts: Callable[[], Mapping[tuple[str, str, str], int] | None]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[CounterMetricFamily]:
        counts = self.counts()
        if counts is None:
            return
        family = CounterMetricFamily(
            "croupier_compliance_blocked",
            "Requests refused for where they came from or an exclusion",
            labels=["stage", "reason", "country"],
        )
        for (stage, reason, country), count in sorted(counts.items()):
            family.add_metric([stage, reason, country], count)
        yield family


class LeaderboardCollector(Collector):
    """The leaderboards' counting task (issue 18) at scrape time: rounds counted, board
    updates applied, the time spent applying them, the deepest the queue got and the rounds
    a full queue turned away."""

    def __init__(self, service: Callable[[], Any]) -> None:
        self.service = service

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        service = self.service()
        if service is None:
            return
        stats = service.stats
        yield CounterMetricFamily(
            "croupier_leaderboard_rounds", "Rounds counted on the leaderboards", value=stats.rounds
        )
        yield CounterMetricFamily(
            "croupier_leaderboard_updates", "Board updates applied", value=stats.updates
        )
        yield CounterMetricFamily(
            "croupier_leaderboard_busy_seconds",
            "Time the counting task spent applying updates",
            value=stats.busy_s,
        )
        yield GaugeMetricFamily(
            "croupier_leaderboard_queue_high",
            "The most rounds waiting to be counted at once",
            value=stats.queue_high,
        )
        yield CounterMetricFamily(
            "croupier_leaderboard_dropped",
            "Rounds a full queue turned away (not counted)",
            value=service.dropped,
        )
