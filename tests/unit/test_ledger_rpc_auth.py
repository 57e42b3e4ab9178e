"""The signatures of the remote ledger: a message verifies only with its own key, label,
bytes and binding, and only while fresh; ``CROUPIER_LEDGER_SECRET`` is refused when short
or unreadable, and the roles refuse to run without one."""

from __future__ import annotations

import base64
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from croupier.adapters.ledger_rpc import auth
from croupier.cli import app
from croupier.config import ConfigError, load_settings, require_ledger_secret

KEY = secrets.token_bytes(32)
NOW = 1_800_000_000.0


@given(st.binary(min_size=32, max_size=64), st.binary(max_size=512), st.text(max_size=64))
def test_what_is_signed_verifies_and_returns_its_mac(
    secret: bytes, body: bytes, bound: str
) -> None:
    header, mac = auth.sign(secret, auth.REPLY, body, bound=bound, now=NOW)
    assert auth.verify(secret, auth.REPLY, header, body, bound=bound, now=NOW + 59) == mac


@given(st.binary(min_size=1, max_size=256), st.data())
def test_any_changed_byte_is_refused(body: bytes, data: st.DataObject) -> None:
    header, _ = auth.sign(KEY, auth.REQUEST, body, now=NOW)
    index = data.draw(st.integers(0, len(body) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    with pytest.raises(auth.BadSignature):
        auth.verify(KEY, auth.REQUEST, header, changed, now=NOW)


def test_the_key_the_direction_the_binding_and_the_age_all_count() -> None:
    body = b'[[["transfer"]]]'
    header, mac = auth.sign(KEY, auth.REQUEST, body, now=NOW)
    reply, _ = auth.sign(KEY, auth.REPLY, body, bound=mac, now=NOW)
    refused = [
        (secrets.token_bytes(32), auth.REQUEST, header, "", NOW),  # another key
        (KEY, auth.REPLY, header, "", NOW),  # a request is no reply
        (KEY, auth.REQUEST, reply, "", NOW),  # a reply is no request
        (KEY, auth.REPLY, reply, "another request's mac", NOW),  # bound to its request
        (KEY, auth.REQUEST, header, "", NOW + auth.MAX_AGE_S + 1),  # stale
        (KEY, auth.REQUEST, header, "", NOW - auth.MAX_AGE_S - 1),  # from the future
        (KEY, auth.REQUEST, None, "", NOW),  # unsigned
        (KEY, auth.REQUEST, "", "", NOW),
        (KEY, auth.REQUEST, "x" + header, "", NOW),
        (KEY, auth.REQUEST, header.partition(":")[2], "", NOW),
    ]
    for secret, label, value, bound, now in refused:
        with pytest.raises(auth.BadSignature):
            auth.verify(secret, label, value, body, bound=bound, now=now)


def test_the_secret_is_hex_or_base64_of_32_bytes_at_least() -> None:
    raw = secrets.token_bytes(32)
    for text in (raw.hex(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        settings = load_settings({"CROUPIER_LEDGER_SECRET": text})
        assert require_ledger_secret(settings) == raw
    for text in (raw[:31].hex(), "hunter2", "not base64 at all!"):
        with pytest.raises(ConfigError, match="CROUPIER_LEDGER_SECRET"):
            load_settings({"CROUPIER_LEDGER_SECRET": text})
    with pytest.raises(ConfigError, match=r"secrets\.token_hex\(32\)"):
        require_ledger_secret(load_settings({}))
    assert raw.hex() not in repr(load_settings({"CROUPIER_LEDGER_SECRET": raw.hex()}))


@pytest.mark.parametrize("command", [["writer"], ["serve", "--role", "gateway"]])
def test_the_roles_refuse_to_start_without_a_secret(command: list[str]) -> None:
    env = {
        "CROUPIER_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "CROUPIER_STREAM_URL": "nats://127.0.0.1:1",
        "CROUPIER_LEDGER_SECRET": "",
    }
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 2
    assert "CROUPIER_LEDGER_SECRET" in result.output and "token_hex(32)" in result.output


def test_a_mac_is_new_once_while_it_could_pass_for_fresh() -> None:
    replays = auth.Replays()
    assert replays.first("a", now=0) and replays.first("b", now=1)
    assert not replays.first("a", now=2 * auth.MAX_AGE_S - 1)
    assert replays.first("a", now=2 * auth.MAX_AGE_S)  # stale by then anyway: forgotten
    assert not replays.first("b", now=2 * auth.MAX_AGE_S)  # "b" a second longer
    assert len(replays) == 2
