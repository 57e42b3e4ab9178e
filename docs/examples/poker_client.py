"""Play hold'em against a friend over Croupier's WebSocket: one of these per player.

    pip install websockets httpx
    python docs/examples/poker_client.py http://127.0.0.1:8000 you@example.com 'your password' \\
        --table holdem-nl-50-100-1 --buy-in 5000

It logs in, sits down (the buy-in moves from your wallet to the table's escrow), follows the
table's public events and your own stream (where your hole cards arrive, and nowhere else),
and asks for your decision when it is your turn: ``fold``, ``check``, ``call``,
``bet 300`` or ``raise 600`` (amounts in minor units: the total bet on this street).
``leave`` stands up and pays your stack back. ``--auto`` checks or calls by itself and
stops after ``--hands`` hands (how a test runs two of these against a real server).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

_ids = itertools.count(1)


def _log_in(base: str, email: str, password: str) -> str:
    answer = httpx.post(f"{base}/v1/sessions", json={"email": email, "password": password})
    answer.raise_for_status()
    return str(answer.json()["token"])


async def _send(ws: ClientConnection, message: dict[str, Any]) -> None:
    message.setdefault("request_id", f"poker-{next(_ids):06d}")
    await ws.send(json.dumps(message))


async def _decide(table: str, view: dict[str, Any], auto: bool) -> dict[str, Any]:
    choices = view["your_choices"]
    call = choices["call_minor"]
    if auto:
        return {"type": "table.act", "table_id": table, "action": "call" if call else "check"}
    prompt = f"your turn ({'call ' + str(call) if call else 'check'}; raise to "
    prompt += f"{choices['min_raise_to_minor']}…{choices['max_raise_to_minor']}): "
    words = (await asyncio.to_thread(input, prompt)).split()
    if words and words[0] == "leave":
        return {"type": "table.leave", "table_id": table}
    message: dict[str, Any] = {"type": "table.act", "table_id": table, "action": words[0]}
    if len(words) > 1:
        message["amount_minor"] = int(words[1])
    return message


def _show(kind: str, data: dict[str, Any]) -> None:
    public = [e for e in data.get("events", []) if e["type"] != "hand-started"]
    keys = ("seat", "stacks_minor", "shown", "rake_minor", "server_seed_hash", "server_seed")
    print(kind, json.dumps(public or {k: v for k, v in data.items() if k in keys}))


async def play(base: str, token: str, table: str, buy_in: int, auto: bool, hands: int) -> None:
    """Sit down and play until ``hands`` hands have ended (or you leave)."""
    async with connect(base.replace("http", "ws", 1) + "/v1/ws") as ws:
        await _send(ws, {"type": "auth", "token": token})
        await _send(ws, {"type": "subscribe", "channel": "player"})
        await _send(ws, {"type": "subscribe", "channel": "table", "table_id": table})
        await _send(ws, {"type": "table.join", "table_id": table, "buy_in_minor": buy_in})
        ended = 0
        while ended < hands:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 600))
            kind, data = frame.get("type"), frame.get("data") or {}
            if kind == "error":
                print("refused:", frame["error"]["code"], frame["error"]["detail"])
            elif kind == "table.state" and "your_choices" in data:
                decision = await _decide(table, data, auto)
                await _send(ws, decision)
                if decision["type"] == "table.leave":
                    return
            elif kind == "poker.hole_cards":
                print(f"your cards: {' '.join(data['cards'])}  (hand {data['hand_id']})")
            elif frame.get("stream") == f"table:{table}":
                _show(str(kind), data)
                ended += kind == "hand.ended"
                if "to_act" in data:  # someone's turn: ask the table whether it is ours
                    await _send(ws, {"type": "table.view", "table_id": table})
        await _send(ws, {"type": "table.leave", "table_id": table})
        print("left the table after", ended, "hands")


def main() -> None:
    parser = argparse.ArgumentParser(description="Play live hold'em over the WebSocket.")
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("email")
    parser.add_argument("password")
    parser.add_argument(
        "--table", default="holdem-nl-50-100-1", help="a table id (lobby: GET /v1/poker/tables)"
    )
    parser.add_argument(
        "--buy-in", type=int, default=5_000, help="minor units, within the table's limits"
    )
    parser.add_argument("--auto", action="store_true", help="check or call by itself")
    parser.add_argument("--hands", type=int, default=1_000, help="stop after this many hands")
    args = parser.parse_args()
    token = _log_in(args.base, args.email, args.password)
    asyncio.run(play(args.base, token, args.table, args.buy_in, args.auto, args.hands))


if __name__ == "__main__":
    main()
