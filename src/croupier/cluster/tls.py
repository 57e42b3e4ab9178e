"""The self-signed certificate HAProxy terminates TLS with (for tests and this test cluster;
a real deployment brings its own): ECDSA P-256, for ``localhost`` and ``127.0.0.1``."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_DAYS = 365


def self_signed(common_name: str = "localhost") -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def write(cert_path: Path, haproxy_pem: Path) -> None:
    """The certificate alone (what clients trust) and certificate + key (HAProxy's file,
    mode 0600)."""
    cert, key = self_signed()
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert)
    haproxy_pem.touch(mode=0o600)
    haproxy_pem.write_bytes(cert + key)
