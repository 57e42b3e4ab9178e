"""Port allocation for ``croupier cluster up``: distinct, free, and never shared between two
clusters' directories, even before either has bound its ports."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.cluster import ports
from croupier.cluster.layout import port_needs


@pytest.fixture(autouse=True)
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "registry.json"
    monkeypatch.setenv(ports.REGISTRY_ENV, str(path))
    yield path


def _flat(chosen: dict[str, dict[str, int]]) -> list[int]:
    return [port for purposes in chosen.values() for port in purposes.values()]


@given(gateways=st.integers(1, 8))
def test_every_purpose_gets_its_own_free_port_below_the_ephemeral_range(gateways: int) -> None:
    owner = Path(__file__).parent  # a directory that exists
    chosen = ports.allocate(owner, port_needs(gateways))
    flat = _flat(chosen)
    assert len(flat) == len(set(flat)) == sum(len(p) for p in port_needs(gateways).values())
    assert all(port in ports.port_range() for port in flat)
    assert chosen.keys() == port_needs(gateways).keys()
    assert sum(name.startswith("gateway-") for name in chosen) == gateways


def test_two_directories_never_share_a_port_even_with_the_same_luck(tmp_path: Path) -> None:
    (first := tmp_path / "a").mkdir()
    (second := tmp_path / "b").mkdir()
    needs = port_needs(2)
    one = ports.allocate(first, needs, random.Random(7))
    two = ports.allocate(second, needs, random.Random(7))  # would pick the same ports
    assert not set(_flat(one)) & set(_flat(two))
    assert sorted(_flat(two)) == ports.claimed(second)


def test_a_released_or_vanished_directory_frees_its_ports(tmp_path: Path) -> None:
    (first := tmp_path / "a").mkdir()
    (second := tmp_path / "b").mkdir()
    needs = {"x": ("main",)}
    taken = ports.allocate(first, needs, random.Random(3))["x"]["main"]
    ports.release(first)
    assert ports.allocate(second, needs, random.Random(3))["x"]["main"] == taken
    second.rmdir()  # a directory removed without `down`: its claim is dropped
    assert ports.allocate(first, needs, random.Random(3))["x"]["main"] == taken


class _StartAt(random.Random):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def randrange(self, *args: object, **kwargs: object) -> int:  # type: ignore[override]
        return self.index


def test_a_port_in_use_is_skipped(tmp_path: Path) -> None:
    candidates = ports.port_range()
    with socket.socket() as busy:
        for port in candidates:
            try:
                busy.bind(("127.0.0.1", port))
            except OSError:
                continue
            busy.listen()
            break
        chosen = ports.allocate(tmp_path, {"x": ("main",)}, _StartAt(candidates.index(port)))
    assert chosen["x"]["main"] != port
