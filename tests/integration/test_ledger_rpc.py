"""The ledger over NATS request/reply, on a real NATS server and a real ledger writer:
groups submitted at once share messages; a group with no answer is sent again with the
same ids until its deadline, and a lost reply (a writer that committed and died before
answering) is answered by the retry as a replay, never applied twice."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from croupier.adapters.ledger_rpc import (
    LedgerResponder,
    RemoteSubmitter,
    nats_servers,
    submit_subject,
)
from croupier.domain.errors import InsufficientFunds, LedgerUnavailable
from croupier.domain.ledger import Applied, Command, TransferRequest
from croupier.services.ledger import Ledger
from tests.support.ledger import CLEARING, open_casino, open_test_ledger
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)

pytestmark = pytest.mark.timeout(120)
WAIT_S = 30.0


def _deposit(transfer_id: str, player: int = 0, amount_minor: int = 100) -> list[Command]:
    return [
        TransferRequest.create(
            transfer_id,
            debit_account_id=CLEARING,
            credit_account_id=f"player:{player}",
            amount_minor=amount_minor,
            currency="EUR",
        )
    ]


async def _ledger(tmp_path: Path) -> Ledger:
    ledger = await open_test_ledger(f"sqlite:///{tmp_path}/ledger.db")
    await open_casino(ledger, players=2)
    return ledger


SECRET = secrets.token_bytes(32)


def _submitter(url: str, **options: Any) -> RemoteSubmitter:
    return RemoteSubmitter(nats_servers(url), submit_subject(url), secret=SECRET, **options)


def _responder(url: str, submit: Any, alive: Callable[[], bool]) -> LedgerResponder:
    return LedgerResponder(
        nats_servers(url), submit_subject(url), submit, alive, secret=SECRET, alive_poll_s=0.02
    )


async def test_groups_submitted_at_once_share_messages(
    tmp_path: Path,
    nats_stream_url: str,  # noqa: F811
) -> None:
    ledger = await _ledger(tmp_path)
    assert ledger.writer is not None
    responder = _responder(nats_stream_url, ledger.submit, lambda: True)
    client = _submitter(nats_stream_url)
    try:
        await responder.start()
        await client.start()
        answers = await asyncio.gather(
            *(client.submit(_deposit(f"d-{i:04d}", i % 2)) for i in range(300)),
            client.submit(_withdraw_too_much()),
            return_exceptions=True,
        )
        applied = [a for a in answers if isinstance(a, Applied)]
        assert len(applied) == 300 and not any(a.replayed for a in applied)
        assert isinstance(answers[-1], InsufficientFunds)  # a refusal crosses as itself
        assert client.groups_sent == 301
        assert client.messages_sent < 301 / 2, "submits at once should share messages"
        assert (await ledger.balance("player:0"))[1].posted == 150 * 100
    finally:
        await client.close()
        await responder.close()
        await ledger.close()


def _withdraw_too_much() -> list[Command]:
    return [
        TransferRequest.create(
            "w-too-much",
            debit_account_id="player:1",
            credit_account_id=CLEARING,
            amount_minor=10**12,
            currency="EUR",
        )
    ]


async def test_a_lost_reply_is_answered_by_the_retry_as_a_replay(
    tmp_path: Path,
    nats_stream_url: str,  # noqa: F811
) -> None:
    """The writer commits the group, then is not alive (paused, unsure of its lease): it
    answers nothing and leaves the queue group. Alive again, it rejoins; the client sent the
    same group again meanwhile, and gets the first result back, marked a replay."""
    ledger = await _ledger(tmp_path)
    state = {"alive": True}
    commits: list[Sequence[Command]] = []

    async def submit(commands: Sequence[Command]) -> Applied:
        commits.append(commands)
        applied = await ledger.submit(commands)
        if len(commits) == 1:
            state["alive"] = False  # before the reply: the first one is lost
        return applied

    responder = _responder(nats_stream_url, submit, lambda: state["alive"])
    client = _submitter(nats_stream_url, attempt_timeout_s=0.5, retry_wait_s=0.05)

    async def come_back() -> None:
        await _until(lambda: bool(commits) and not responder.subscribed)
        sent = client.messages_sent
        await _until(lambda: client.messages_sent > sent)  # a retry found nobody
        state["alive"] = True

    try:
        await responder.start()
        await client.start()
        back = asyncio.create_task(come_back())
        applied = await asyncio.wait_for(client.submit(_deposit("lost-reply")), WAIT_S)
        await back
        assert applied.replayed and len(commits) == 2  # sent twice, applied once
        history = await ledger.history("player:0")
        assert [t.id for _, t in history].count("lost-reply") == 1
        assert (await ledger.balance("player:0"))[1].posted == 100
    finally:
        await client.close()
        await responder.close()
        await ledger.close()


async def _until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), WAIT_S)


async def test_no_writer_is_ledger_unavailable_after_the_deadline_then_a_writer_answers(
    tmp_path: Path,
    nats_stream_url: str,  # noqa: F811
) -> None:
    ledger = await _ledger(tmp_path)
    client = _submitter(nats_stream_url, deadline_s=0.5, attempt_timeout_s=0.2, retry_wait_s=0.05)
    responder = _responder(nats_stream_url, ledger.submit, lambda: True)
    try:
        await client.start()
        started = time.monotonic()
        with pytest.raises(LedgerUnavailable):
            await client.submit(_deposit("nobody-home"))
        assert client.messages_sent >= 2  # it tried again before giving up
        assert time.monotonic() - started < WAIT_S
        assert await ledger.transfer_by_id("nobody-home") is None
        # A group waiting when the writer comes back is answered by it.
        patient = _submitter(nats_stream_url, deadline_s=WAIT_S, retry_wait_s=0.05)
        await patient.start()
        try:
            waiting = asyncio.create_task(patient.submit(_deposit("patient")))
            while patient.messages_sent < 2:  # it has been refused at least once
                await asyncio.sleep(0.01)
            await responder.start()
            assert not (await asyncio.wait_for(waiting, WAIT_S)).replayed
        finally:
            await patient.close()
    finally:
        await client.close()
        await responder.close()
        await ledger.close()
