"""Bots at live cash tables (``--mode poker``): each bot is one player on one connection,
subscribed to its table's channel; it sits down, plays its turns with :func:`.pokerbot.choose`,
tops up when it busts, and leaves when the time is up.

A bot learns that it is to act from the table's own events (``to_act`` of ``hand.started``
and ``hand.acted``), asks ``table.view`` for its legal choices (the public events do not
carry the minimum raise), and sends ``table.act``. The action's round trip is measured from
sending ``table.act`` to receiving the ``hand.acted`` event it caused on the table channel:
what every other player at the table waits for. Hands are counted from ``hand.ended`` (and
``hand.cancelled``) events seen by one bot per table, up to the end of the run.

At the end every bot stops deciding, waits for the decisions it already started, and sends
``table.leave``: a bot in a hand is checked or folded for by the table until the hand ends
and is paid out then, so the tables end empty and their escrow at zero.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from croupier.loadtest import LoadtestError
from croupier.loadtest.client import Connection, ConnectionLost, Message
from croupier.loadtest.pokerbot import choose
from croupier.loadtest.rounds import Pacer
from croupier.loadtest.stats import Latencies, Tally

__all__ = ["PokerDriver", "PokerPlan", "PokerTally", "TableInfo", "pick_tables"]

ANSWER_WAIT_S = 30.0  # a table message unanswered this long counts as ``no-answer``
TURN_EVENTS = ("hand.started", "hand.acted")
HAND_ENDS = ("hand.ended", "hand.cancelled")


@dataclass(frozen=True, slots=True)
class PokerPlan:
    seconds: float
    tables: int
    seats: int  # bots per table
    connection_rate_max: float = 45.0
    #: After the time is up: how long the tables get to finish their hands and pay out.
    drain_s: float = 30.0
    #: The bots' random source (``None``: a fresh one each run).
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class TableInfo:
    table_id: str
    big_blind_minor: int
    min_buy_in_minor: int
    max_buy_in_minor: int


async def pick_tables(http: httpx.AsyncClient, tables: int, seats: int) -> list[TableInfo]:
    """``tables`` open tables from the lobby (``GET /v1/poker/tables``, in id order) with
    ``seats`` free seats each; refuse, saying how to open more, if there are fewer."""
    try:
        answer = await http.get("/v1/poker/tables")
    except httpx.TransportError as error:
        raise LoadtestError(f"GET /v1/poker/tables: {error!r}") from error
    if answer.status_code == 404:
        raise LoadtestError("the server has no live tables (CROUPIER_POKER_TABLES_PER_GAME=0?)")
    if answer.status_code != 200:
        raise LoadtestError(f"GET /v1/poker/tables answered {answer.status_code}: {answer.text}")
    lobby = answer.json()["items"]
    free = [t for t in lobby if t["seat_count"] - t["seats_taken"] >= seats and not t["wait_list"]]
    if len(free) < tables:
        games = len({t["game_id"] for t in lobby}) or 1
        raise LoadtestError(
            f"{tables} tables with {seats} free seats wanted, the server has {len(free)} "
            f"(of {len(lobby)} open): start it with CROUPIER_POKER_TABLES_PER_GAME="
            f"{-(-tables // games)} or more (it opens that many per holdem-* table file; "
            f"{games} here)"
        )
    return [
        TableInfo(
            t["table_id"],
            int(t["stakes"]["big_blind_minor"]),
            int(t["buy_in"]["min_minor"]),
            int(t["buy_in"]["max_minor"]),
        )
        for t in sorted(free, key=lambda t: str(t["table_id"]))[:tables]
    ]


class PokerTally:
    """What the bots' run came to."""

    def __init__(self) -> None:
        #: ``table.act`` → its ``hand.acted`` event; ``errors`` holds every refused message.
        self.actions = Tally()
        #: ``table.act`` → its answer (``table.state``, sent after the table's follow-ups:
        #: the hand's end and the next deal when the action ended a hand).
        self.answers = Latencies()
        self.views = Latencies()  # ``table.view`` round trips (the bot's look at its choices)
        self.hands = 0
        self.hands_cancelled = 0
        self.top_ups = 0
        self.turns_missed = 0  # turns taken by the table for a bot (``by`` not ``player``)
        self.running = True  # hands and latencies count only until the time is up


class Bot:
    """One player at one table."""

    def __init__(
        self,
        index: int,
        connection: Connection,
        table: TableInfo,
        plan: PokerPlan,
        tally: PokerTally,
        rng: random.Random,
        *,
        counts_hands: bool,
        run_id: str,
    ) -> None:
        self.index = index
        self.connection = connection
        self.table = table
        self.tally = tally
        self.rng = rng
        self.counts_hands = counts_hands
        self.seat: int | None = None
        self.left = asyncio.Event()
        self.stopping = False
        self._pacer = Pacer(plan.connection_rate_max)
        self._ids = itertools.count()
        self._run_id = run_id
        self._turn_seq = -1  # the stream seq of the last turn acted on (never twice)
        self._sent_ns: int | None = None  # the table.act whose hand.acted is awaited
        self.tasks: set[asyncio.Task[None]] = set()
        connection.on_event = self._on_event

    # -- requests ------------------------------------------------------------------------

    def _frame(self, kind: str, **fields: Any) -> Message:
        request_id = f"lt-{self._run_id}-{self.index}-{next(self._ids)}"
        return {"type": kind, "request_id": request_id, "table_id": self.table.table_id, **fields}

    async def _send(self, frame: Message) -> tuple[Message | None, int]:
        """Send (paced under the server's frame rate); the answer, or ``None`` after
        counting the error."""
        await self._pacer.wait()
        try:
            answer, received = await asyncio.wait_for(self.connection.send(frame), ANSWER_WAIT_S)
        except ConnectionLost as lost:
            self.tally.actions.error(lost.error_code)
            return None, 0
        except TimeoutError:
            self.tally.actions.error("no-answer")
            return None, 0
        if answer.get("type") == "error":
            self.tally.actions.error(str((answer.get("error") or {}).get("code", "unknown")))
            return None, received
        return answer, received

    async def subscribe(self) -> None:
        frame = {"type": "subscribe", "request_id": "table", "channel": "table"}
        await self.connection.request(frame | {"table_id": self.table.table_id}, "subscribed")

    async def join(self, buy_in_minor: int) -> None:
        answer, _ = await self._send(self._frame("table.join", buy_in_minor=buy_in_minor))
        if answer is None:
            raise LoadtestError(f"table.join at {self.table.table_id} was refused: {self._last()}")
        state = answer["data"]
        if state.get("your_seat") is None:
            raise LoadtestError(f"{self.table.table_id} put a bot on its wait list: table full")
        self.seat = int(state["your_seat"])
        # The deal may have come before this answer told the bot its seat: look once.
        self._maybe_turn(state.get("hand"), int(state["head_seq"]))

    def _last(self) -> str:
        return ", ".join(f"{code} {n}" for code, n in self.tally.actions.errors.items())

    async def leave(self) -> None:
        self.stopping = True
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=ANSWER_WAIT_S)
        if self.seat is None:
            self.left.set()
            return
        answer, _ = await self._send(self._frame("table.leave"))
        if answer is None:
            self.left.set()  # refused or lost: nothing more will come for this bot
        elif answer["data"].get("your_seat") is None:
            self.left.set()  # paid out at once (between its hands)

    # -- events ----------------------------------------------------------------------------

    def _on_event(self, event: Message, received_ns: int, _wall_ns: int) -> None:
        kind, data = event.get("type"), event.get("data") or {}
        if kind == "hand.acted" and data.get("seat") == self.seat and self.seat is not None:
            self._acted(data, received_ns)
        if kind in TURN_EVENTS:
            self._maybe_turn(data, int(event["seq"]))
        elif kind in HAND_ENDS:
            self._hand_over(kind, data)
        elif kind == "table.left" and data.get("seat") == self.seat and self.stopping:
            self.left.set()

    def _acted(self, data: dict[str, Any], received_ns: int) -> None:
        if data.get("by") != "player":
            if self.tally.running:
                self.tally.turns_missed += 1
            return
        sent, self._sent_ns = self._sent_ns, None
        if sent is not None and self.tally.running:
            self.tally.actions.latencies.add(received_ns - sent)

    def _maybe_turn(self, hand: dict[str, Any] | None, seq: int) -> None:
        if (
            hand is None
            or self.stopping
            or self.seat is None
            or hand.get("to_act") != self.seat
            or seq <= self._turn_seq
        ):
            return
        self._turn_seq = seq
        self._spawn(self._play_turn(str(hand.get("hand_id"))))

    def _hand_over(self, kind: str, data: dict[str, Any]) -> None:
        if self.counts_hands and self.tally.running:
            if kind == "hand.ended":
                self.tally.hands += 1
            else:
                self.tally.hands_cancelled += 1
        stacks = data.get("stacks_minor") or {}
        if not self.stopping and stacks.get(str(self.seat)) == 0:
            self._spawn(self._top_up())

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # -- decisions -------------------------------------------------------------------------

    async def _play_turn(self, hand_id: str) -> None:
        started = time.perf_counter_ns()
        answer, received = await self._send(self._frame("table.view"))
        if answer is None:
            return
        self.tally.views.add(received - started)
        state = answer["data"]
        hand = state.get("hand") or {}
        choices = state.get("your_choices")
        if choices is None or hand.get("hand_id") != hand_id:
            return  # the turn passed meanwhile (the table acted on a timeout)
        stack = next(s["stack_minor"] for s in state["seats"] if s["seat"] == self.seat)
        decision = choose(choices, int(stack), self.table.big_blind_minor, self.rng.random())
        frame = decision.frame(self._frame("table.act")["request_id"], self.table.table_id)
        self.tally.actions.sent += 1
        self._sent_ns = sent = time.perf_counter_ns()
        answer, received = await self._send(frame)
        if answer is None:
            self._sent_ns = None
        elif self.tally.running:
            self.tally.answers.add(received - sent)

    async def _top_up(self) -> None:
        answer, _ = await self._send(
            self._frame("table.top_up", amount_minor=self.table.max_buy_in_minor)
        )
        if answer is not None:
            self.tally.top_ups += 1


class PokerDriver:
    """``plan.seats`` bots at each of ``tables``: connection ``i`` plays at table
    ``i // plan.seats``."""

    def __init__(
        self,
        connections: Sequence[Connection],
        tables: Sequence[TableInfo],
        plan: PokerPlan,
        tally: PokerTally,
    ) -> None:
        if len(connections) != len(tables) * plan.seats:
            raise LoadtestError(f"{len(connections)} connections for {len(tables)} tables")
        self.plan = plan
        self.tally = tally
        rng = random.Random(plan.seed)
        run_id = secrets.token_hex(3)
        self.bots = [
            Bot(
                i,
                connection,
                tables[i // plan.seats],
                plan,
                tally,
                random.Random(rng.getrandbits(64)),
                counts_hands=i % plan.seats == 0,
                run_id=run_id,
            )
            for i, connection in enumerate(connections)
        ]

    async def sit_down(self) -> None:
        """Subscribe every bot to its table, then seat them (a random buy-in within the
        table's limits)."""
        await asyncio.gather(*(bot.subscribe() for bot in self.bots))
        await asyncio.gather(
            *(
                bot.join(bot.rng.randint(bot.table.min_buy_in_minor, bot.table.max_buy_in_minor))
                for bot in self.bots
            )
        )

    async def run(self) -> float:
        """Play for ``plan.seconds``; then every bot leaves. The seconds played."""
        started = time.perf_counter()
        await asyncio.sleep(self.plan.seconds)
        self.tally.running = False
        elapsed = time.perf_counter() - started
        await self.leave()
        return elapsed

    async def leave(self) -> None:
        """Every bot stands up; wait (``plan.drain_s`` at most) until each is paid out."""
        await asyncio.gather(*(bot.leave() for bot in self.bots))
        waits = [asyncio.ensure_future(bot.left.wait()) for bot in self.bots]
        _, late = await asyncio.wait(waits, timeout=self.plan.drain_s)
        for wait in late:
            wait.cancel()
        if late:
            self.tally.actions.errors["not-paid-out"] += len(late)
