"""The ledger's rules on in-memory state, without storage."""

from __future__ import annotations

import dataclasses

import pytest

from croupier.domain.errors import (
    AccountConflict,
    AccountNotFound,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidInput,
    InvalidTransfer,
    InvariantBroken,
    PendingAlreadyResolved,
    PendingNotFound,
)
from croupier.domain.ledger import (
    Account,
    AccountKind,
    AppendEvent,
    BatchBuilder,
    BatchRecord,
    CreateAccount,
    LedgerState,
    StreamConflict,
    Transfer,
    TransferKind,
    TransferRequest,
)
from croupier.domain.ledger.audit import Auditor

T0 = 1_000_000


class Book:
    """A ledger state plus the committed transfers, driven one batch per call."""

    def __init__(self) -> None:
        self.state = LedgerState()
        self.known: dict[str, Transfer] = {}
        self.batches: list[BatchRecord] = []
        self.now_ms = T0

    def run(self, *groups: list) -> list:
        builder = BatchBuilder(self.state, len(self.batches) + 1, self.now_ms)
        builder.expire_due()
        outcomes = []
        for group in groups:
            try:
                applied = builder.apply(group, self.known)
            except Exception as error:
                outcomes.append(error)
                continue
            for result in applied.results:
                if isinstance(result, Transfer):
                    self.known[result.id] = result
            outcomes.append(applied)
        prev = self.batches[-1].hash if self.batches else "0" * 64
        self.batches.append(
            BatchRecord.seal(
                builder.batch_seq,
                prev,
                self.now_ms,
                builder.accounts,
                builder.transfers,
                builder.events,
            )
        )
        for transfer in self.batches[-1].transfers:
            self.known[transfer.id] = transfer
        return outcomes

    def one(self, *commands: object) -> object:
        (outcome,) = self.run(list(commands))
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def balance(self, account_id: str) -> tuple[int, int, int]:
        b = self.state.balances[account_id]
        return b.posted, b.pending, b.available

    def audit(self, open_pendings: list[str] | None = None) -> list[str]:
        auditor = Auditor()
        for batch in self.batches:
            auditor.add_batch(batch)
        stored = [(self.state.accounts[i], self.state.balances[i]) for i in self.state.accounts]
        if open_pendings is None:
            open_pendings = list(self.state.open_pendings)
        return auditor.finish(stored, open_pendings).problems


def move(tid: str, debit: str, credit: str, amount: int, **extra: object) -> TransferRequest:
    return TransferRequest.create(
        tid,
        debit_account_id=debit,
        credit_account_id=credit,
        amount_minor=amount,
        currency="EUR",
        **extra,
    )


@pytest.fixture
def book() -> Book:
    b = Book()
    b.one(
        CreateAccount(Account("house", AccountKind.HOUSE_BANKROLL, "EUR", -1000)),
        CreateAccount(Account("bank", AccountKind.PAYMENT_CLEARING, "EUR", None)),
        CreateAccount(Account("alice", AccountKind.PLAYER_CASH, "EUR", 0)),
        CreateAccount(Account("pool", AccountKind.JACKPOT_POOL, "EUR", 0)),
    )
    b.one(move("dep", "bank", "alice", 500))
    return b


def test_player_cannot_go_below_zero_and_nothing_changes(book: Book) -> None:
    with pytest.raises(InsufficientFunds):
        book.one(move("big", "alice", "house", 501))
    assert book.balance("alice") == (500, 0, 500)
    book.one(move("all", "alice", "house", 500))
    assert book.balance("alice") == (0, 0, 0)


def test_house_may_go_negative_within_its_limit(book: Book) -> None:
    book.one(move("w1", "house", "alice", 1000))
    with pytest.raises(InsufficientFunds):
        book.one(move("w2", "house", "alice", 1))
    assert book.balance("house") == (-1000, 0, -1000)


def test_pending_reserves_then_posts_a_smaller_amount(book: Book) -> None:
    book.one(move("bet", "alice", "house", 300, kind="pending"))
    assert book.balance("alice") == (500, 300, 200)
    with pytest.raises(InsufficientFunds):  # reserved money is not available twice
        book.one(move("bet2", "alice", "house", 201, kind="pending"))
    book.one(TransferRequest.create("bet:post", kind="post", pending_id="bet", amount_minor=120))
    assert book.balance("alice") == (380, 0, 380)
    assert book.balance("house") == (120, 0, 120)
    with pytest.raises(PendingAlreadyResolved):
        book.one(TransferRequest.create("bet:void", kind="void", pending_id="bet"))
    assert book.audit() == []


def test_void_releases_the_reservation(book: Book) -> None:
    book.one(move("bet", "alice", "house", 300, kind="pending"))
    book.one(TransferRequest.create("bet:void", kind="void", pending_id="bet"))
    assert book.balance("alice") == (500, 0, 500)
    with pytest.raises(PendingNotFound):
        book.one(TransferRequest.create("x:post", kind="post", pending_id="nope"))


def test_post_cannot_exceed_or_redirect_the_pending(book: Book) -> None:
    book.one(move("bet", "alice", "house", 300, kind="pending"))
    with pytest.raises(InvalidTransfer):
        book.one(TransferRequest.create("p", kind="post", pending_id="bet", amount_minor=301))
    with pytest.raises(InvalidTransfer):
        book.one(
            TransferRequest.create("p", kind="post", pending_id="bet", credit_account_id="pool")
        )
    assert book.balance("alice") == (500, 300, 200)


def test_pending_times_out_by_itself(book: Book) -> None:
    book.one(move("bet", "alice", "house", 300, kind="pending", timeout_ms=5_000))
    book.now_ms += 4_999
    book.run()
    assert book.balance("alice") == (500, 300, 200)
    book.now_ms += 1
    book.run()
    assert book.balance("alice") == (500, 0, 500)
    assert book.known["~expired:bet"].reason == "pending_expired"
    with pytest.raises(PendingAlreadyResolved):
        book.one(TransferRequest.create("late", kind="post", pending_id="bet"))
    assert book.audit() == []


def test_linked_group_is_all_or_nothing(book: Book) -> None:
    book.one(move("bet", "alice", "house", 100, kind="pending"))
    group = [
        TransferRequest.create("bet:post", kind="post", pending_id="bet"),
        move("bet:jp", "house", "pool", 5),
        move("bet:win", "house", "alice", 10_000),  # beyond the house limit: the group fails
    ]
    (outcome,) = book.run(group)
    assert isinstance(outcome, InsufficientFunds)
    assert book.balance("alice") == (500, 100, 400)
    assert book.balance("pool") == (0, 0, 0)
    assert "bet:post" not in book.known
    group[2] = move("bet:win", "house", "alice", 250)
    book.one(*group)
    assert book.balance("alice") == (650, 0, 650)
    assert book.balance("house") == (100 - 5 - 250, 0, -155)
    assert book.audit() == []


def test_replay_returns_the_original_and_conflict_changes_nothing(book: Book) -> None:
    first = book.one(move("t1", "alice", "house", 50, metadata={"round": 7}))
    book.now_ms += 10
    again = book.one(move("t1", "alice", "house", 50, metadata={"round": 7}))
    assert again.replayed and again.results == first.results  # type: ignore[attr-defined]
    with pytest.raises(IdempotencyConflict):
        book.one(move("t1", "alice", "house", 51))
    with pytest.raises(IdempotencyConflict):  # a group half made of old ids is a conflict too
        book.one(
            move("t1", "alice", "house", 50, metadata={"round": 7}), move("t2", "alice", "house", 1)
        )
    assert book.balance("alice") == (450, 0, 450)


def test_a_replay_cannot_claim_to_have_opened_an_account(book: Book) -> None:
    book.one(move("t1", "alice", "house", 50))
    carol = CreateAccount(Account("carol", AccountKind.PLAYER_CASH, "EUR", 0))
    with pytest.raises(IdempotencyConflict):  # t1 was never sent with carol's opening
        book.one(carol, move("t1", "alice", "house", 50))
    assert "carol" not in book.state.accounts


def test_accounts_are_idempotent_and_checked(book: Book) -> None:
    book.one(CreateAccount(Account("alice", AccountKind.PLAYER_CASH, "EUR", 0)))
    with pytest.raises(AccountConflict):
        book.one(CreateAccount(Account("alice", AccountKind.PLAYER_CASH, "USD", 0)))
    book.one(CreateAccount(Account("bob", AccountKind.PLAYER_CASH, "USD", 0)))
    with pytest.raises(CurrencyMismatch):
        book.one(move("x", "alice", "bob", 1))
    with pytest.raises(AccountNotFound):
        book.one(move("y", "alice", "carol", 1))


@pytest.mark.parametrize(
    "fields",
    [
        {"amount_minor": 0},
        {"amount_minor": -5},
        {"amount_minor": 1.5},
        {"amount_minor": True},
        {"amount_minor": 2**63},
        {"credit_account_id": "alice"},
        {"credit_account_id": "house\n"},  # `$` would let a trailing newline through
        {"reason": "bet\n"},
        {"currency": "XXX"},
        {"reason": "Bad Reason"},
        {"timeout_ms": 10},
        {"metadata": {"x": object()}},
        {"metadata": {"x": "y" * 5000}},
        {"kind": "refund"},
    ],
)
def test_malformed_transfers_are_refused_up_front(fields: dict) -> None:
    base = {
        "debit_account_id": "alice",
        "credit_account_id": "house",
        "amount_minor": 1,
        "currency": "EUR",
    }
    with pytest.raises(InvalidInput):
        TransferRequest.create("t", **{**base, **fields})


def test_ids_with_a_trailing_newline_are_refused() -> None:
    """A look-alike id ("dep" and "dep\\n") must never reach the ledger."""
    with pytest.raises(InvalidInput):
        TransferRequest.create(
            "dep\n", debit_account_id="a", credit_account_id="b", amount_minor=1, currency="EUR"
        )
    with pytest.raises(InvalidInput):
        TransferRequest.create("post", kind=TransferKind.POST, pending_id="dep\n")
    with pytest.raises(InvalidInput):
        AppendEvent.create("player:p1\n", "round.settled", {})
    with pytest.raises(InvalidInput):
        AppendEvent.create("player:p1", "round.settled\n", {})


def test_audit_checks_the_list_of_open_pendings(book: Book) -> None:
    """A restarted writer trusts that list: a lost or stale entry must not pass verify."""
    book.one(move("held", "alice", "house", 50, kind=TransferKind.PENDING))
    book.one(move("gone", "alice", "house", 10, kind=TransferKind.PENDING))
    book.one(TransferRequest.create("gone:void", kind=TransferKind.VOID, pending_id="gone"))
    assert book.audit() == []
    assert book.audit(open_pendings=[]) == ["pending 'held' is open but not listed as open"]
    assert book.audit(open_pendings=["held", "gone"]) == [
        "pending 'gone' is listed as open but is not"
    ]


def test_audit_detects_tampering(book: Book) -> None:
    book.one(move("t1", "alice", "house", 50))
    assert book.audit() == []
    batch = book.batches[-1]
    forged = batch.transfers[0]._replace(amount_minor=5)
    book.batches[-1] = dataclasses.replace(batch, transfers=(forged,))
    problems = book.audit()
    assert any("tampered" in p for p in problems)
    assert any("sum of entries" in p for p in problems)


def test_events_get_gap_free_seqs_and_the_audit_notices_a_gap(book: Book) -> None:
    book.state.stream_heads["round:7"] = 0
    book.one(move("b7", "alice", "house", 10), AppendEvent.create("round:7", "round.started", {}))
    book.one(AppendEvent.create("round:7", "round.settled", {"win": 0}))
    assert [e.seq for b in book.batches for e in b.events] == [1, 2]
    assert book.audit() == []
    last = book.batches[-1]
    book.batches[-1] = BatchRecord.seal(
        last.seq,
        last.prev_hash,
        last.timestamp_ms,
        last.accounts,
        last.transfers,
        (last.events[0]._replace(seq=3),),
    )
    assert any("expected 2" in problem for problem in book.audit())


def test_an_event_on_a_stream_the_writer_did_not_load_is_refused(book: Book) -> None:
    with pytest.raises(InvariantBroken):
        book.one(AppendEvent.create("round:unknown", "round.started", {}))


def test_a_balancing_transfer_takes_what_the_account_holds(book: Book) -> None:
    book.one(move("jp-seed", "house", "pool", 300))
    win = move("jp-win-1", "pool", "alice", 10**9, balancing=True)
    first = book.one(win)
    assert first.results[0].amount_minor == 300 and book.balance("pool") == (0, 0, 0)
    assert book.one(win).replayed  # a replay, though it asked for up to 10**9
    empty = book.one(move("jp-win-2", "pool", "alice", 10**9, balancing=True))
    assert empty.results[0].amount_minor == 0
    with pytest.raises(InvalidInput):
        TransferRequest.create(
            "p",
            kind="pending",
            debit_account_id="pool",
            credit_account_id="alice",
            amount_minor=1,
            currency="EUR",
            balancing=True,
        )
    assert book.audit() == []


def test_an_event_with_a_stale_expected_seq_refuses_its_whole_group(book: Book) -> None:
    book.state.stream_heads["round:9"] = 0
    book.one(AppendEvent.create("round:9", "round.started", {}, expected_seq=0))
    with pytest.raises(StreamConflict):  # a second writer of seq 1 lost the race
        book.one(
            move("b9", "alice", "house", 10),
            AppendEvent.create("round:9", "round.action", {}, expected_seq=0),
        )
    assert book.balance("alice") == (500, 0, 500)  # the transfer in its group did not happen
    book.one(AppendEvent.create("round:9", "round.action", {}, expected_seq=1))


def test_two_streams_guarding_each_other_let_only_one_append_through(book: Book) -> None:
    """A nonce's claim and a pair's reveal, each guarded on the other's stream: in one batch,
    whichever the writer applies first wins and the other is refused, and the guard leaves
    the guarded stream as it was."""
    book.state.stream_heads.update({"seeds:1": 0, "revealed:1": 0})

    def claim(nonce: int) -> AppendEvent:
        return AppendEvent.create(
            "seeds:1", "nonce.used", {}, expected_seq=nonce, guard=("revealed:1", 0)
        )

    reveal = AppendEvent.create(
        "revealed:1", "seed_pair.revealed", {}, expected_seq=0, guard=("seeds:1", 1)
    )
    first, revealed, late = book.run([claim(0)], [reveal], [claim(1)])
    assert not isinstance(first, Exception) and not isinstance(revealed, Exception)
    assert isinstance(late, StreamConflict)  # drawn before the reveal, applied after it
    assert book.state.stream_heads == {"seeds:1": 1, "revealed:1": 1}
    with pytest.raises(InvalidInput, match="another stream"):
        AppendEvent.create("seeds:1", "nonce.used", {}, guard=("seeds:1", 0))
