"""Whom the remote ledger trusts, on a real NATS server: the writer applies only requests
signed with ``CROUPIER_LEDGER_SECRET`` and fresh, a gateway believes only replies signed
with it and bound to its request, a reply it cannot read is no answer (retried, then 503,
never a caller left waiting), and a writer that is not alive leaves the queue group."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from croupier.adapters.ledger_rpc import (
    LedgerResponder,
    RemoteSubmitter,
    auth,
    nats_servers,
    submit_subject,
)
from croupier.adapters.ledger_rpc.codec import decode_outcomes, encode_groups, encode_outcomes
from croupier.domain.errors import InvalidTransfer, LedgerAuthRefused, LedgerUnavailable
from croupier.domain.ledger import Applied, Command, TransferRequest
from croupier.services.ledger import Ledger
from tests.support.ledger import CLEARING, open_casino, open_test_ledger
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)

pytestmark = pytest.mark.timeout(120)
WAIT_S = 30.0
SECRET = secrets.token_bytes(32)


def _deposit(transfer_id: str) -> list[Command]:
    return [
        TransferRequest.create(
            transfer_id,
            debit_account_id=CLEARING,
            credit_account_id="player:0",
            amount_minor=100,
            currency="EUR",
        )
    ]


@pytest.fixture
async def ledger(tmp_path: Path) -> AsyncIterator[Ledger]:
    ledger = await open_test_ledger(f"sqlite:///{tmp_path}/ledger.db")
    await open_casino(ledger, players=1)
    yield ledger
    await ledger.close()


@pytest.fixture
async def raw(nats_stream_url: str) -> AsyncIterator[Client]:  # noqa: F811
    """A plain NATS client: the attacker, or a fake writer."""
    nc = await nats.connect(nats_servers(nats_stream_url), connect_timeout=WAIT_S)
    yield nc
    await nc.close()


def _responder(url: str, ledger: Ledger, alive: Callable[[], bool]) -> LedgerResponder:
    return LedgerResponder(
        nats_servers(url),
        submit_subject(url),
        ledger.submit,
        alive,
        secret=SECRET,
        alive_poll_s=0.02,
    )


def _submitter(url: str, **options: float) -> RemoteSubmitter:
    return RemoteSubmitter(nats_servers(url), submit_subject(url), secret=SECRET, **options)


async def test_the_writer_applies_only_fresh_requests_signed_with_the_secret(
    ledger: Ledger,
    raw: Client,
    nats_stream_url: str,  # noqa: F811
) -> None:
    responder = _responder(nats_stream_url, ledger, lambda: True)
    subject = submit_subject(nats_stream_url)
    forged = encode_groups([_deposit("forged")])
    other = encode_groups([_deposit("other")])
    ok_header, _ = auth.sign(SECRET, auth.REQUEST, forged)
    await responder.start()
    try:
        attempts = {
            "unsigned": {},
            "another secret": {auth.HEADER: auth.sign(b"x" * 32, auth.REQUEST, forged)[0]},
            "stale": {
                auth.HEADER: auth.sign(SECRET, auth.REQUEST, forged, now=time.time() - 61)[0]
            },
            "from the future": {
                auth.HEADER: auth.sign(SECRET, auth.REQUEST, forged, now=time.time() + 61)[0]
            },
            "signed as a reply": {auth.HEADER: auth.sign(SECRET, auth.REPLY, forged)[0]},
            "another body's signature": {auth.HEADER: auth.sign(SECRET, auth.REQUEST, other)[0]},
            "garbled": {auth.HEADER: "soon:" + ok_header.partition(":")[2]},
        }
        for name, headers in attempts.items():
            reply = await raw.request(subject, forged, timeout=WAIT_S, headers=headers)
            [outcome] = decode_outcomes(reply.data, 1)
            assert isinstance(outcome, LedgerAuthRefused), name
        assert await ledger.transfer_by_id("forged") is None
        # The same bytes, well signed, are applied: it was the signature that was refused.
        reply = await raw.request(subject, forged, timeout=WAIT_S, headers={auth.HEADER: ok_header})
        [outcome] = decode_outcomes(reply.data, 1)
        assert isinstance(outcome, Applied) and await ledger.transfer_by_id("forged") is not None
        # A copy of that request (same bytes, same signature, still fresh) is a replay.
        reply = await raw.request(subject, forged, timeout=WAIT_S, headers={auth.HEADER: ok_header})
        assert isinstance(decode_outcomes(reply.data, 1)[0], LedgerAuthRefused)
    finally:
        await responder.close()


async def test_a_gateway_with_another_secret_moves_nothing(
    ledger: Ledger,
    nats_stream_url: str,  # noqa: F811
) -> None:
    """It cannot trust the writer's refusal either (not signed with its key): 503 at its
    deadline, as for a writer that is away."""
    responder = _responder(nats_stream_url, ledger, lambda: True)
    client = RemoteSubmitter(
        nats_servers(nats_stream_url),
        submit_subject(nats_stream_url),
        secret=secrets.token_bytes(32),
        deadline_s=0.5,
        attempt_timeout_s=0.2,
        retry_wait_s=0.05,
    )
    await responder.start()
    await client.start()
    try:
        with pytest.raises(LedgerUnavailable):
            await asyncio.wait_for(client.submit(_deposit("wrong-key")), WAIT_S)
        assert await ledger.transfer_by_id("wrong-key") is None
    finally:
        await client.close()
        await responder.close()


def _fake_writer(reply: bytes, *, secret: bytes | None) -> Callable[[Msg], object]:
    """A writer that answers ``reply`` to everything, signed with ``secret`` (or not)."""

    async def answer(message: Msg) -> None:
        assert message.headers is not None and message._client is not None
        request_mac = message.headers[auth.HEADER].partition(":")[2]
        headers = {}
        if secret is not None:
            headers[auth.HEADER] = auth.sign(secret, auth.REPLY, reply, bound=request_mac)[0]
        await message._client.publish(message.reply, reply, headers=headers)

    return answer


APPLIED = encode_outcomes([Applied((), replayed=False)])


@pytest.mark.parametrize(
    ("reply", "secret"),
    [
        pytest.param(b"not json", SECRET, id="not-json"),
        pytest.param(b'[{"nothing": 1}]', SECRET, id="key-error"),
        pytest.param(b'[{"ok": 5, "replayed": false}]', SECRET, id="type-error"),
        pytest.param(b"[1]", SECRET, id="not-an-object"),
        pytest.param(b'[{"ok": [["account", "a"]], "replayed": false}]', SECRET, id="index"),
        pytest.param(b"[]", SECRET, id="too-few"),
        pytest.param(APPLIED, None, id="unsigned"),
        pytest.param(APPLIED, secrets.token_bytes(32), id="another-secret"),
    ],
)
async def test_a_reply_that_cannot_be_read_or_trusted_is_retried_then_unavailable(
    raw: Client,
    nats_stream_url: str,  # noqa: F811
    reply: bytes,
    secret: bytes | None,
) -> None:
    await raw.subscribe(submit_subject(nats_stream_url), cb=_fake_writer(reply, secret=secret))
    await raw.flush()
    client = _submitter(nats_stream_url, deadline_s=0.5, attempt_timeout_s=0.2, retry_wait_s=0.05)
    await client.start()
    try:
        with pytest.raises(LedgerUnavailable):
            await asyncio.wait_for(client.submit(_deposit("garbage")), WAIT_S)
        assert client.messages_sent >= 2  # counted as no answer: sent again
        # The client still works: its sending task survived.
        with pytest.raises(LedgerUnavailable):
            await asyncio.wait_for(client.submit(_deposit("garbage-2")), WAIT_S)
    finally:
        await client.close()


async def test_a_signed_refusal_of_authentication_is_not_retried(
    raw: Client,
    nats_stream_url: str,  # noqa: F811
) -> None:
    refusal = encode_outcomes([LedgerAuthRefused("stale")])
    await raw.subscribe(submit_subject(nats_stream_url), cb=_fake_writer(refusal, secret=SECRET))
    await raw.flush()
    client = _submitter(nats_stream_url, deadline_s=WAIT_S)
    await client.start()
    try:
        with pytest.raises(LedgerAuthRefused):
            await asyncio.wait_for(client.submit(_deposit("refused")), WAIT_S)
        assert client.messages_sent == 1
    finally:
        await client.close()


async def test_a_writer_that_is_not_alive_leaves_the_queue_group_and_comes_back(
    ledger: Ledger,
    raw: Client,
    nats_stream_url: str,  # noqa: F811
) -> None:
    """Not alive, it is not subscribed: a request meets "no responders" at once instead of
    waiting out its timeout. Alive again, it answers."""
    state = {"alive": True}
    responder = _responder(nats_stream_url, ledger, lambda: state["alive"])
    subject = submit_subject(nats_stream_url)
    harmless = json.dumps([[["nothing"]]]).encode()  # refused for its group: changes nothing

    async def ask() -> Msg | None:
        """A reply, or ``None`` for "no responders"."""
        while True:
            headers = {auth.HEADER: auth.sign(SECRET, auth.REQUEST, harmless)[0]}
            try:
                return await raw.request(subject, harmless, timeout=1.0, headers=headers)
            except nats.errors.NoRespondersError:
                return None
            except nats.errors.TimeoutError:
                continue  # it was leaving as this one arrived: ask again

    await responder.start()
    try:
        reply = await asyncio.wait_for(ask(), WAIT_S)
        assert reply is not None
        assert isinstance(decode_outcomes(reply.data, 1)[0], InvalidTransfer)
        state["alive"] = False
        while await asyncio.wait_for(ask(), WAIT_S) is not None:  # until it has left
            pass
        assert not responder.subscribed
        state["alive"] = True
        while (reply := await asyncio.wait_for(ask(), WAIT_S)) is None:  # until it is back
            pass
        assert isinstance(decode_outcomes(reply.data, 1)[0], InvalidTransfer)
    finally:
        await responder.close()
