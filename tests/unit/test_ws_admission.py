"""Connection caps per address and per player, and what a client's address is."""

from __future__ import annotations

import doctest

import pytest

from croupier.api.ws import admission
from croupier.api.ws.admission import Admission, client_address, trusted_networks


def test_an_address_holds_its_cap_and_a_release_frees_one() -> None:
    caps = Admission(per_address_max=2, per_player_max=10)
    first, second, third = object(), object(), object()
    assert caps.admit_address(first, "192.0.2.1") and caps.admit_address(second, "192.0.2.1")
    assert not caps.admit_address(third, "192.0.2.1")
    assert caps.admit_address(third, "192.0.2.2")  # another address has its own count
    caps.release(first)
    caps.release(first)  # a connection ends once, however often it is told
    assert caps.admit_address(object(), "192.0.2.1")
    assert not caps.admit_address(object(), "192.0.2.1")


def test_a_connection_whose_address_is_unknown_is_not_counted() -> None:
    caps = Admission(per_address_max=1, per_player_max=10)
    assert all(caps.admit_address(object(), None) for _ in range(3))


def test_a_player_holds_its_cap_counted_once_per_connection() -> None:
    caps = Admission(per_address_max=10, per_player_max=2)
    first, second = object(), object()
    for connection in (first, second):
        assert caps.admit_address(connection, "192.0.2.1")
        assert caps.admit_player(connection, "p1")
    assert caps.admit_player(first, "p1")  # authenticating again takes no second slot
    refused = object()
    assert caps.admit_address(refused, "192.0.2.1") and not caps.admit_player(refused, "p1")
    caps.release(refused)
    caps.release(second)  # its address and its player both
    assert caps.admit_player(object(), "p1")
    assert not caps.admit_player(object(), "p1")
    caps.release(first)
    assert caps.admit_address(object(), "192.0.2.1")


def test_impossible_caps_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Admission(per_address_max=0, per_player_max=1)


_PROXIES = trusted_networks(["10.0.0.0/8", "2001:db8::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "address"),
    [
        ("192.0.2.1", ["203.0.113.7"], "192.0.2.1"),  # not a proxy: its header is ignored
        ("10.0.0.2", [], "10.0.0.2"),  # a proxy that names no client
        ("10.0.0.2", ["203.0.113.7"], "203.0.113.7"),
        ("10.0.0.2", ["198.51.100.1, 203.0.113.7"], "203.0.113.7"),  # the first is a claim
        ("10.0.0.2", ["203.0.113.7", "10.0.0.3"], "203.0.113.7"),  # two headers, two proxies
        ("10.0.0.2", ["10.0.0.4, 10.0.0.3"], "10.0.0.4"),  # all proxies: the first
        ("10.0.0.2", ["203.0.113.7:51000"], "203.0.113.7"),
        ("10.0.0.2", ["[2001:DB8:0:0::7]:443"], "2001:db8::7"),
        ("2001:db8::1", ["2001:db8:0::7"], "2001:db8::7"),  # one spelling per address
        ("2001:0db8::0001", ["203.0.113.7"], "203.0.113.7"),
        (None, ["203.0.113.7"], None),
    ],
)
def test_the_client_address_is_the_peer_or_what_a_trusted_proxy_saw(
    peer: str | None, forwarded_for: list[str], address: str | None
) -> None:
    assert client_address(peer, forwarded_for, _PROXIES) == address


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address("10.0.0.2", ["203.0.113.7"], ()) == "10.0.0.2"


def test_docstring_examples() -> None:
    result = doctest.testmod(admission, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
