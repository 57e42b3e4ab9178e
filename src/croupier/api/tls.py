"""TLS for the listeners: TLS 1.3 and nothing older, from a certificate and key in PEM files.

TLS 1.3 alone: no downgrade to weaker suites or renegotiation, forward secrecy always, and
the same floor HAProxy is given in the test cluster (``croupier.cluster.haproxy``). A TLS
1.2 client fails the handshake rather than getting a weaker connection.

uvicorn builds its own context from files with a protocol but no maximum version; it takes a
ready one through ``ssl_context_factory`` (uvicorn >= 0.47), which :func:`uvicorn_factory`
gives it. The context is built once, so every listener of the process (the player port and
the admin one) can share it; the player port's WebSocket (``/v1/ws``, picows) reads the
same decrypted stream as HTTP, so wss:// needs nothing more.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

from croupier.config import ConfigError, HttpSettings

__all__ = ["listener_context", "tls13_context", "uvicorn_factory"]


def tls13_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context that speaks TLS 1.3 only, with ``cert`` (PEM: the leaf, then its
    chain) and its unencrypted private ``key`` (PEM). Raises :class:`ConfigError` naming the
    file when one is missing or unreadable, not PEM, or the key is not the certificate's."""
    if not ssl.HAS_TLSv1_3:  # pragma: no cover - every supported OpenSSL has it
        raise ConfigError(f"TLS 1.3 is not available in this Python's {ssl.OPENSSL_VERSION}")
    _readable(cert, "--tls-cert", b"-----BEGIN CERTIFICATE-----", "certificate")
    _readable(key, "--tls-key", b"PRIVATE KEY-----", "private key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    context.set_alpn_protocols(["http/1.1"])  # what the port speaks (HTTP/1.1, and upgrades)
    try:
        # A password callback that refuses: without one, OpenSSL would prompt on the
        # terminal for an encrypted key and the server would hang at start.
        context.load_cert_chain(cert, key, password=_no_password)
    except _EncryptedKey:
        raise ConfigError(
            f"--tls-key {key}: the key is encrypted; give an unencrypted key file (mode 0600)"
        ) from None
    except ssl.SSLError as error:
        if "KEY_VALUES_MISMATCH" in str(error) or "key values mismatch" in str(error):
            raise ConfigError(
                f"--tls-key {key} is not the private key of --tls-cert {cert}"
            ) from None
        raise ConfigError(
            f"--tls-cert {cert} / --tls-key {key} cannot be loaded: {error}"
        ) from None
    return context


def listener_context(http: HttpSettings) -> ssl.SSLContext | None:
    """The context for ``http``'s certificate and key, or ``None`` (plain HTTP) when it has
    neither; one without the other is refused."""
    if http.tls_cert is None and http.tls_key is None:
        return None
    if http.tls_cert is None or http.tls_key is None:
        raise ConfigError("--tls-cert and --tls-key (CROUPIER_TLS_CERT/KEY) go together")
    return tls13_context(http.tls_cert, http.tls_key)


def uvicorn_factory(
    context: ssl.SSLContext,
) -> Callable[[object, Callable[[], ssl.SSLContext]], ssl.SSLContext]:
    """uvicorn's ``ssl_context_factory=``: ``context`` instead of the one from its options."""
    return lambda _config, _default: context


class _EncryptedKey(Exception):
    pass


def _no_password() -> bytes:
    raise _EncryptedKey


def _readable(path: Path, option: str, marker: bytes, holds: str) -> None:
    """Checked first so the refusal names the file (OpenSSL's errors do not)."""
    try:
        text = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{option} {path} cannot be read: {error.strerror}") from None
    if marker not in text:
        raise ConfigError(f"{option} {path} holds no PEM {holds}")
