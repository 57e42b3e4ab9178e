"""Transport security against real ``croupier serve`` processes: with --tls-cert/--tls-key the
port speaks TLS 1.3 and nothing older, to HTTP and the WebSocket alike; HSTS goes out over
TLS only; every answer carries the security headers and /docs still loads under its policy;
CORS answers the configured origins and no others; a certificate that cannot serve stops
the server at start."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import IO

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from websockets.asyncio.client import connect

from croupier.cluster.tls import self_signed
from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.server import free_port, start_server, stop

pytestmark = pytest.mark.timeout(120)

HSTS = "max-age=63072000; includeSubDomains"
ALLOWED = "https://play.example.com"
ALSO_ALLOWED = "http://localhost:3000"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (the one the test cluster's
    HAProxy is given), and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = self_signed()
    (folder / "cert.pem").write_bytes(cert)
    (folder / "key.pem").write_bytes(key)
    (folder / "key.pem").chmod(0o600)
    return folder / "cert.pem", folder / "key.pem"


def trusting(cert: Path) -> ssl.SSLContext:
    """A client context that trusts ``cert`` and otherwise verifies as browsers do."""
    return ssl.create_default_context(cafile=str(cert))


@contextmanager
def serving(database_url: str, verify: ssl.SSLContext | None = None, **env: str) -> Iterator[str]:
    """``croupier serve`` on a free port, https when ``verify`` is given (then with
    ``CROUPIER_TLS_CERT``/``KEY`` in ``env``); its base URL once /readyz answers."""
    port = free_port()
    base = f"{'https' if verify else 'http'}://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = start_server(database_url, port, log, **env)
        try:
            _wait_ready(base, process, log, verify)
            yield base
        finally:
            stop(process)


def _wait_ready(
    base: str,
    process: subprocess.Popen[bytes],
    log: IO[bytes],
    verify: ssl.SSLContext | None,
    timeout_s: float = 30,
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read()!r}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1, verify=verify or True).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the server at {base} was not ready within {timeout_s} s")


@pytest.fixture(scope="module")
def tls_server(
    tmp_path_factory: pytest.TempPathFactory, certificate: tuple[Path, Path]
) -> Iterator[str]:
    cert, key = certificate
    path = tmp_path_factory.mktemp("tls-server")
    with serving(
        f"sqlite:///{path}/tls.db",
        trusting(cert),
        CROUPIER_TLS_CERT=str(cert),
        CROUPIER_TLS_KEY=str(key),
        CROUPIER_CORS_ORIGINS=f"{ALLOWED},{ALSO_ALLOWED}",
    ) as base:
        yield base


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Plain HTTP, no CORS origins, and 127.0.0.1 a trusted proxy (as HAProxy would be)."""
    path = tmp_path_factory.mktemp("plain-server")
    with serving(f"sqlite:///{path}/plain.db", CROUPIER_TRUSTED_PROXIES="127.0.0.1") as base:
        yield base


def _handshake(base: str, client: ssl.SSLContext) -> tuple[str | None, str | None]:
    """The TLS version and ALPN protocol a raw handshake with ``base`` settles on."""
    port = int(base.rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        client.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.version(), tls.selected_alpn_protocol()


def test_tls_1_3_is_spoken_and_tls_1_2_is_refused(
    tls_server: str, certificate: tuple[Path, Path]
) -> None:
    modern = trusting(certificate[0])
    modern.set_alpn_protocols(["h2", "http/1.1"])
    assert _handshake(tls_server, modern) == ("TLSv1.3", "http/1.1")  # not h2: not served
    old = trusting(certificate[0])
    old.maximum_version = ssl.TLSVersion.TLSv1_2  # a client that cannot go higher
    with pytest.raises(ssl.SSLError):
        _handshake(tls_server, old)
    with pytest.raises(httpx.ConnectError):  # and an HTTP client gets nothing from it either
        httpx.get(f"{tls_server}/healthz", verify=old, timeout=10)
    # The port speaks TLS only: plain HTTP to it is not answered as HTTP.
    with pytest.raises(httpx.TransportError):
        httpx.get(tls_server.replace("https://", "http://") + "/healthz", timeout=10)


def test_https_and_wss_share_the_port(tls_server: str, certificate: tuple[Path, Path]) -> None:
    verify = trusting(certificate[0])
    with httpx.Client(base_url=tls_server, verify=verify, timeout=10) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        auth = _register_and_login(client, "tls@example.com")
    token = auth["Authorization"].removeprefix("Bearer ")

    async def authenticate() -> dict[str, object]:
        url = tls_server.replace("https://", "wss://") + "/v1/ws"
        async with asyncio.timeout(10), connect(url, ssl=verify) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token, "request_id": "a1"}))
            answer: dict[str, object] = json.loads(await ws.recv())
            return answer

    answer = asyncio.run(authenticate())
    assert answer["type"] == "authenticated" and answer["request_id"] == "a1", answer


def test_hsts_goes_out_over_tls_only(
    tls_server: str, plain_server: str, certificate: tuple[Path, Path]
) -> None:
    verify = trusting(certificate[0])
    for path in ("/healthz", "/v1/wallet", "/docs", "/v1/no-such-thing"):  # errors too
        answer = httpx.get(f"{tls_server}{path}", verify=verify, timeout=10)
        assert answer.headers.get("strict-transport-security") == HSTS, path
        assert "strict-transport-security" not in httpx.get(f"{plain_server}{path}").headers
    # Behind a proxy that terminated TLS (HAProxy in the cluster), the request was https.
    proxied = httpx.get(f"{plain_server}/healthz", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers.get("strict-transport-security") == HSTS


def test_every_answer_tells_the_browser_to_hold_it_tight(plain_server: str) -> None:
    for path in ("/healthz", "/v1/wallet", "/v1/games", "/openapi.json"):
        answer = httpx.get(f"{plain_server}{path}")
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["referrer-policy"] == "no-referrer", path
        policy = _policy(answer)
        assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


class _Resources(HTMLParser):
    """What a page loads (scripts, styles, icons) and whether it has inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str]] = []  # (directive, URL)
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            if named.get("src"):
                self.loads.append(("script-src", str(named["src"])))
            else:
                self._in_script = True
        elif tag == "link" and named.get("href"):
            kind = "style-src" if named.get("rel") == "stylesheet" else "img-src"
            self.loads.append((kind, str(named["href"])))

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def _policy(answer: httpx.Response) -> dict[str, list[str]]:
    directives = answer.headers["content-security-policy"].split(";")
    return {name: values for name, *values in (d.split() for d in directives if d.strip())}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_still_loads_under_its_policy(plain_server: str, page: str) -> None:
    """What the browser would allow: each script, style and icon the page names is this
    server's ('self') and is served; its inline start-up script is allowed; it fetches the
    OpenAPI document from 'self'."""
    answer = httpx.get(f"{plain_server}{page}")
    assert answer.status_code == 200
    policy = _policy(answer)
    page_resources = _Resources()
    page_resources.feed(answer.text)
    assert page_resources.loads, "the page loads its bundle"
    for directive, url in page_resources.loads:
        assert url.startswith("/") and not url.startswith("//"), url  # same origin
        assert "'self'" in policy.get(directive, policy["default-src"]), (directive, policy)
        assert httpx.get(f"{plain_server}{url}").status_code == 200, url
    if page_resources.inline_scripts:
        assert "'unsafe-inline'" in policy["script-src"]
    assert "'self'" in policy.get("connect-src", policy["default-src"])  # /openapi.json
    assert policy["frame-ancestors"] == ["'none'"]


def test_cors_answers_the_listed_origins(tls_server: str, certificate: tuple[Path, Path]) -> None:
    with httpx.Client(base_url=tls_server, verify=trusting(certificate[0]), timeout=10) as client:
        auth = _register_and_login(client, "cors@example.com")
        for origin in (ALLOWED, ALSO_ALLOWED):
            asked = {
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
            }
            preflight = client.options("/v1/wallet/deposits", headers=asked)
            assert preflight.status_code == 200, preflight.text
            assert preflight.headers["access-control-allow-origin"] == origin
            assert preflight.headers["access-control-allow-credentials"] == "true"
            assert "POST" in preflight.headers["access-control-allow-methods"]
            allowed_headers = preflight.headers["access-control-allow-headers"].lower()
            for header in ("authorization", "content-type", "idempotency-key"):
                assert header in allowed_headers
        unlisted_header = client.options(
            "/v1/wallet",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-debug",
            },
        )
        assert unlisted_header.status_code == 400
        assert unlisted_header.json()["detail"] == "not allowed for this page: headers"
        simple = client.get("/v1/wallet", headers={**auth, "Origin": ALLOWED})
        assert simple.status_code == 200
        assert simple.headers["access-control-allow-origin"] == ALLOWED
        assert simple.headers["access-control-allow-credentials"] == "true"
        assert "origin" in simple.headers["vary"].lower()  # a cache keeps answers apart
        refused = client.get("/v1/wallet", headers={"Origin": ALLOWED})  # a 401: readable too
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == ALLOWED
        assert "www-authenticate" in refused.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "https://play.example.com.evil.example.com",  # a suffix is not the origin
        "http://play.example.com",  # nor another scheme
        "https://play.example.com:8443",  # nor another port
        "null",
    ],
)
def test_cors_gives_other_origins_nothing(
    tls_server: str, certificate: tuple[Path, Path], origin: str
) -> None:
    with httpx.Client(base_url=tls_server, verify=trusting(certificate[0]), timeout=10) as client:
        preflight = client.options(
            "/v1/wallet",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 400
        assert preflight.headers["content-type"] == "application/problem+json"
        assert preflight.json()["detail"] == "not allowed for this page: origin"
        assert "access-control-allow-origin" not in preflight.headers
        simple = client.get("/healthz", headers={"Origin": origin})
        assert simple.status_code == 200  # served: the browser keeps it from the page
        # Without its origin named here, the browser gives the page nothing (Starlette adds
        # its other CORS headers to every answer, which alone permit nothing).
        assert "access-control-allow-origin" not in simple.headers


def test_without_origins_no_cors_headers_at_all(plain_server: str) -> None:
    preflight = httpx.options(
        f"{plain_server}/v1/wallet",
        headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = httpx.get(f"{plain_server}/healthz", headers={"Origin": ALLOWED})
    assert "access-control-allow-origin" not in simple.headers


def _serve_refused(tmp_path: Path, *tls: str, **env: str) -> str:
    """``croupier serve`` with these TLS options: it must exit 2 before binding; its error."""
    command = [sys.executable, "-m", "croupier", "serve", "--port", str(free_port())]
    result = subprocess.run(
        [*command, "--database-url", f"sqlite:///{tmp_path}/r.db", *tls],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**_environment(), **env},
        stdin=subprocess.DEVNULL,  # an encrypted key must not wait for a passphrase
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    return result.stderr


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CROUPIER_TLS_")}


def test_a_certificate_that_cannot_serve_stops_the_server(
    tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    other_key = tmp_path / "other.pem"
    other_key.write_bytes(self_signed()[1])
    encrypted = tmp_path / "encrypted.pem"
    loaded = serialization.load_pem_private_key(key.read_bytes(), None)
    encrypted.write_bytes(
        loaded.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    cases = [
        (("--tls-cert", str(cert), "--tls-key", str(other_key)), "is not the private key of"),
        (("--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(key)), "cannot be read"),
        (("--tls-cert", str(key), "--tls-key", str(key)), "holds no PEM certificate"),
        (("--tls-cert", str(cert), "--tls-key", str(cert)), "holds no PEM private key"),
        (("--tls-cert", str(cert), "--tls-key", str(encrypted)), "the key is encrypted"),
        (("--tls-cert", str(cert)), "go together"),
    ]
    for options, message in cases:
        assert message in _serve_refused(tmp_path, *options), options
    assert "go together" in _serve_refused(tmp_path, CROUPIER_TLS_KEY=str(key))
