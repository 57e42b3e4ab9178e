"""The configuration ``croupier cluster up`` writes, component by component; where the
engine can check its own configuration (HAProxy ``-c``, NATS ``-t``, Patroni
``--validate-config``) it does, on the real binary."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from croupier.cluster import croupier, etcd, haproxy, nats, patroni, redis, tls
from croupier.cluster.layout import Layout, port_needs


def _layout(directory: Path, gateways: int = 2) -> Layout:
    needs = port_needs(gateways)
    numbers = iter(range(20_000, 21_000))
    ports = {
        name: {purpose: next(numbers) for purpose in purposes} for name, purposes in needs.items()
    }
    return Layout(directory, gateways, ports)


def _write(layout: Layout, files: dict[str, str]) -> list[Path]:
    written = []
    for relative, text in files.items():
        path = layout.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


def _needs(binary: str) -> None:
    if not Path(binary).exists():
        pytest.skip(f"{binary} is not installed (`croupier cluster up` installs it as root)")


def test_the_layout_survives_a_round_trip_through_cluster_json(tmp_path: Path) -> None:
    layout = _layout(tmp_path, gateways=3)
    layout.pids = {"etcd-1": 123}
    layout.save()
    again = Layout.load(tmp_path)
    assert again == layout
    assert again.names("gateway") == ["gateway-1", "gateway-2", "gateway-3"]
    assert again.url == f"https://127.0.0.1:{layout.port('haproxy', 'https')}"
    with pytest.raises(FileNotFoundError, match="no cluster"):
        Layout.load(tmp_path / "nowhere")


def test_etcd_members_know_each_other_and_speak_v3_only(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    one, two = etcd.config(layout, "etcd-1"), etcd.config(layout, "etcd-2")
    peers = [f"etcd-{i}=http://127.0.0.1:{layout.port(f'etcd-{i}', 'peer')}" for i in (1, 2, 3)]
    assert one["initial-cluster"] == two["initial-cluster"] == ",".join(peers)
    assert one["enable-v2"] is False and one["enable-grpc-gateway"] is True
    assert str(one["data-dir"]).startswith(f"{tmp_path}/etcd-1/")
    assert (
        one["initial-cluster-token"]
        != etcd.config(_layout(tmp_path / "x"), "etcd-1")["initial-cluster-token"]
    )


def test_patroni_runs_a_synchronous_pair_on_etcd3(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    config = patroni.config(layout, "postgres-2")
    dcs = config["bootstrap"]["dcs"]  # type: ignore[index]
    assert dcs["synchronous_mode"] is True
    assert dcs["postgresql"]["parameters"]["synchronous_commit"] == "on"
    assert dcs["loop_wait"] + 2 * dcs["retry_timeout"] <= dcs["ttl"]
    assert config["etcd3"] == {"hosts": etcd.hosts(layout)} and "etcd" not in config
    assert config["postgresql"]["bin_dir"] == "/usr/lib/postgresql/15/bin"  # type: ignore[index]
    assert config["postgresql"]["data_dir"] == f"{tmp_path}/postgres-2/data"  # type: ignore[index]
    assert patroni.spec(layout, "postgres-2").user == "postgres"
    _needs(patroni.BINARY)
    (path,) = _write(layout, patroni.files(layout, "postgres-2"))
    check = subprocess.run(
        [patroni.BINARY, "--validate-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    # Complaints that do not apply: loopback addresses are the point here, nothing listens
    # on the etcd ports yet, and pg_hba is set per node (postgresql.pg_hba), not at bootstrap.
    expected = ('must not contain "127.0.0.1"', "is not reachable", "bootstrap.pg_hba")
    lines = (check.stdout + check.stderr).splitlines()
    assert [line for line in lines if line.strip() and not any(e in line for e in expected)] == []
    assert any("is not reachable" in line for line in lines)  # it did validate


def test_haproxy_terminates_tls_13_and_checks_patroni_and_readyz(tmp_path: Path) -> None:
    layout = _layout(tmp_path, gateways=3)
    text = haproxy.config(layout)
    assert "ssl-min-ver TLSv1.3" in text and "option httpchk GET /readyz" in text
    assert "option httpchk GET /primary" in text
    for name in layout.names("gateway"):
        assert f"server {name} 127.0.0.1:{layout.port(name)} check" in text
    for name in layout.names("postgres"):
        assert f"check port {layout.port(name, 'rest')}" in text
    _needs(haproxy.BINARY)
    (layout.dir / "run").mkdir()
    tls.write(layout.cert, layout.haproxy_pem)
    (path,) = _write(layout, haproxy.files(layout))
    check = subprocess.run(
        [haproxy.BINARY, "-c", "-f", str(path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_nats_nodes_route_to_the_others_and_keep_jetstream_under_dir(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    text = nats.config(layout, "nats-2")
    for other in ("nats-1", "nats-3"):
        assert f"nats-route://127.0.0.1:{layout.port(other, 'cluster')}" in text
    assert f'127.0.0.1:{layout.port("nats-2", "cluster")}"\n  routes' in text
    assert f'store_dir: "{tmp_path}/nats-2/jetstream"' in text
    _needs(nats.BINARY)
    (path,) = _write(layout, nats.files(layout, "nats-2"))
    check = subprocess.run(
        [nats.BINARY, "-t", "-c", str(path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_redis_replica_follows_the_primary_and_sentinels_watch_it(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    primary = layout.port("redis-1")
    assert "replicaof" not in redis.server_config(layout, "redis-1")
    assert f"replicaof 127.0.0.1 {primary}" in redis.server_config(layout, "redis-2")
    for name in layout.names("sentinel"):
        text = redis.sentinel_config(layout, name)
        assert f"sentinel monitor croupier 127.0.0.1 {primary} 2" in text
        assert f"port {layout.port(name)}" in text
        # one file per Sentinel: each rewrites its own
        assert list(redis.files(layout, name)) == [f"{name}/sentinel.conf"]
    assert redis.spec(layout, "sentinel-1").argv[-1] == "--sentinel"


def test_croupier_processes_reach_everything_through_one_set_of_urls(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    layout.make_secrets()
    env = croupier.environment(layout)
    assert len(bytes.fromhex(env["CROUPIER_LEDGER_SECRET"])) == 32
    assert env["CROUPIER_DATABASE_URL"].endswith(f":{layout.port('haproxy', 'postgres')}/croupier")
    assert env["CROUPIER_STREAM_URL"].count("nats://") == 3
    assert env["CROUPIER_STATE_URL"].startswith("redis+sentinel://127.0.0.1:")
    assert env["CROUPIER_STATE_URL"].endswith("/croupier")
    assert env["CROUPIER_STREAM_REPLICAS"] == "3"
    assert len(bytes.fromhex(env["CROUPIER_STATE_SECRET"])) == 32
    assert env["CROUPIER_STATE_SECRET"] != env["CROUPIER_LEDGER_SECRET"]
    # clients reach HAProxy on loopback, on PostgreSQL: located at home, not refused
    assert env["CROUPIER_GEO_ALLOW_PRIVATE"] == "1"
    for name in ("ledger", "state"):  # one each for the whole cluster, kept private
        assert (layout.dir / "secrets" / name).stat().st_mode & 0o777 == 0o600
    layout.make_secrets()  # a new `up`: new secrets
    assert croupier.environment(layout)["CROUPIER_STATE_SECRET"] != env["CROUPIER_STATE_SECRET"]
    gateway = croupier.gateway_spec(layout, "gateway-2").argv
    assert gateway[-6:] == (
        "--role",
        "gateway",
        "--host",
        "127.0.0.1",
        "--port",
        str(layout.port("gateway-2")),
    )
    writer = croupier.writer_spec(layout, "writer-1", health_port=True).argv
    assert writer[-3:] == ("writer", "--health-port", str(layout.port("writer-1", "health")))
    layout.croupier_mode = croupier.ALL_IN_ONE
    assert croupier.names_to_start(layout) == ([], ["gateway-1"])
    assert "--role" not in croupier.gateway_spec(layout, "gateway-1").argv


def test_the_certificate_is_for_loopback_and_matches_its_key(tmp_path: Path) -> None:
    tls.write(tmp_path / "cert.pem", tmp_path / "haproxy.pem")
    cert = x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert (tmp_path / "haproxy.pem").stat().st_mode & 0o077 == 0
    assert b"PRIVATE KEY" in (tmp_path / "haproxy.pem").read_bytes()


def test_a_name_or_role_that_matches_nothing_is_refused_clearly(tmp_path: Path) -> None:
    from croupier.cluster import status

    layout = _layout(tmp_path)
    assert status.resolve(layout, "nats-2") == "nats-2"
    with pytest.raises(status.UnknownComponent, match="no component 'nats-9'; known: etcd-1"):
        status.resolve(layout, "nats-9")
    with pytest.raises(status.UnknownComponent, match="no postgres is primary now"):
        status.resolve(layout, "postgres-primary")  # nothing runs: nobody holds the role
    with pytest.raises(status.UnknownComponent, match="gateway-1 is not running"):
        status.kill(layout, "gateway-1")


def test_up_refuses_a_dir_the_postgres_user_cannot_reach(tmp_path: Path) -> None:
    from croupier.cluster import up

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)
    with pytest.raises(up.ClusterError, match=f"{locked} is not searchable by other users"):
        up._prepare(locked / "cluster")
