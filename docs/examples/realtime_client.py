"""A Croupier WebSocket client: log in, follow your stream, spin, drop, resume.

    pip install websockets httpx
    python docs/examples/realtime_client.py http://127.0.0.1:8000 you@example.com 'your password'

It prints each frame it receives. After three spins it disconnects, spins once more over
HTTP while away, reconnects with the last seq it saw and receives exactly what it missed.
"""

from __future__ import annotations

import asyncio
import json
import sys

import httpx
from websockets.asyncio.client import connect


async def follow(ws_url: str, token: str, after_seq: int, spins: int) -> int:
    """Subscribe to the player channel after ``after_seq``, spin, print; the last seq seen."""
    last_seq = after_seq
    async with connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        subscribe = {"type": "subscribe", "channel": "player", "after_seq": after_seq}
        await ws.send(json.dumps(subscribe))
        for i in range(spins):
            key = f"example-{after_seq}-{i}"  # the idempotency key: resend it after a drop
            spin = {"type": "round.start", "request_id": key, "game_id": "lotus-20", "stake": 100}
            await ws.send(json.dumps(spin))
        answers, until_seq = 2 + spins, None  # authenticated, subscribed, one result each
        while answers or until_seq is None or last_seq < until_seq:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if "request_id" not in frame:  # an event: seqs arrive in order, without gaps
                assert frame["seq"] == last_seq + 1, "a gap or a duplicate"
                last_seq = frame["seq"]
                print("event ", frame["seq"], frame["type"])
                continue
            answers -= 1
            if frame["type"] == "subscribed":  # each spin adds round.started, round.settled
                until_seq = frame["head_seq"] + 2 * spins
            print("answer", frame["type"])
    return last_seq


async def main(base: str, email: str, password: str) -> None:
    with httpx.Client(base_url=base) as http:
        session = http.post("/v1/sessions", json={"email": email, "password": password})
        session.raise_for_status()
        token = session.json()["token"]
        ws_url = base.replace("http", "ws", 1) + "/v1/ws"
        last_seq = await follow(ws_url, token, after_seq=0, spins=3)
        print("-- disconnected at seq", last_seq, "; one spin over HTTP meanwhile")
        http.post(
            "/v1/games/lotus-20/rounds",
            json={"stake": 100},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "example-away"},
        ).raise_for_status()
        print("-- resuming after seq", last_seq)
        await follow(ws_url, token, after_seq=last_seq, spins=0)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
