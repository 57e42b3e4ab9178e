"""The shape of one cluster: its components, their ports and paths, kept in DIR/cluster.json.

Component names are fixed (``etcd-1``, ``postgres-2``, ``gateway-1`` …); which PostgreSQL node
is the primary, which Redis the primary and which writer the active one changes at run time,
so ``postgres-primary``, ``redis-primary`` and ``writer-active`` are aliases resolved by asking
the engines (see :mod:`croupier.cluster.status`).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

ETCD_MEMBERS = 3
POSTGRES_NODES = 2
NATS_NODES = 3
SENTINELS = 3
WRITERS = 2
STATE_FILE = "cluster.json"


def port_needs(gateways: int) -> dict[str, tuple[str, ...]]:
    """Each component's ports by purpose; the first one is its main port."""
    needs: dict[str, tuple[str, ...]] = {}
    for i in range(1, ETCD_MEMBERS + 1):
        needs[f"etcd-{i}"] = ("client", "peer")
    for i in range(1, POSTGRES_NODES + 1):
        needs[f"postgres-{i}"] = ("postgres", "rest")
    for i in range(1, NATS_NODES + 1):
        needs[f"nats-{i}"] = ("client", "cluster", "monitor")
    for i in (1, 2):
        needs[f"redis-{i}"] = ("redis",)
    for i in range(1, SENTINELS + 1):
        needs[f"sentinel-{i}"] = ("sentinel",)
    needs["haproxy"] = ("https", "postgres", "stats")
    for i in range(1, WRITERS + 1):
        needs[f"writer-{i}"] = ("health",)
    for i in range(1, gateways + 1):
        needs[f"gateway-{i}"] = ("http", "admin")
    return needs


#: The secrets ``up`` makes for the Croupier processes (``Layout.make_secrets``).
SECRETS = ("ledger", "state", "kek", "card-kek")


@dataclass
class Layout:
    """Everything ``status``, ``kill`` and ``down`` need to find a cluster again."""

    dir: Path
    gateways: int
    ports: dict[str, dict[str, int]]
    #: "roles" (writers and gateways) or "all-in-one" (one ``croupier serve``: the installed
    #: Croupier has no ``writer`` command yet).
    croupier_mode: str = "roles"
    #: Components started by ``up`` (name → pid of the process it started).
    pids: dict[str, int] = field(default_factory=dict)

    # -- paths ---------------------------------------------------------------------------------
    def home(self, name: str) -> Path:
        return self.dir / name

    def log(self, name: str) -> Path:
        return self.dir / "logs" / f"{name}.log"

    def pidfile(self, name: str) -> Path:
        return self.dir / "run" / f"{name}.pid"

    @property
    def cert(self) -> Path:
        """The self-signed certificate (PEM), what a client trusts."""
        return self.dir / "tls" / "cert.pem"

    @property
    def haproxy_pem(self) -> Path:
        """Certificate then key, the one file HAProxy reads."""
        return self.dir / "tls" / "haproxy.pem"

    def make_secrets(self) -> None:
        """Fresh secrets shared by this cluster's Croupier processes, readable by their owner
        alone: ``ledger`` (whoever holds it can move money through the writer), ``state``
        (the key of the pseudonyms in Redis), ``kek`` (the vault's key-encryption key,
        ``CROUPIER_KEY_FILE``; a new cluster has a new database, so a new key is right) and
        ``card-kek`` (the card vault's own, ``CROUPIER_CARD_KEY_FILE``)."""
        folder = self.dir / "secrets"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in SECRETS:
            path = folder / name
            path.unlink(missing_ok=True)
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(secrets.token_hex(32))

    def secret(self, name: str) -> str:
        """One of the secrets ``make_secrets`` made (``DIR/secrets/NAME``)."""
        return (self.dir / "secrets" / name).read_text()

    # -- endpoints -----------------------------------------------------------------------------
    def port(self, name: str, purpose: str | None = None) -> int:
        ports = self.ports[name]
        return ports[purpose] if purpose else next(iter(ports.values()))

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port('haproxy', 'https')}"

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port('haproxy', 'postgres')}/croupier"

    @property
    def stream_url(self) -> str:
        return ",".join(
            f"nats://127.0.0.1:{self.port(f'nats-{i}', 'client')}" for i in range(1, NATS_NODES + 1)
        )

    @property
    def state_url(self) -> str:
        sentinels = ",".join(
            f"127.0.0.1:{self.port(f'sentinel-{i}')}" for i in range(1, SENTINELS + 1)
        )
        return f"redis+sentinel://{sentinels}/croupier"

    def names(self, kind: str) -> list[str]:
        return [name for name in self.ports if name.rsplit("-", 1)[0] == kind]

    # -- persistence ---------------------------------------------------------------------------
    def save(self) -> None:
        data = asdict(self)
        data["dir"] = str(self.dir)
        tmp = self.dir / f"{STATE_FILE}.tmp"
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
        tmp.replace(self.dir / STATE_FILE)

    @classmethod
    def load(cls, directory: Path) -> Layout:
        path = directory.resolve() / STATE_FILE
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"no cluster in {directory} (no {STATE_FILE})") from None
        data["dir"] = Path(data["dir"])
        return cls(**data)
