"""Delete a bench script's JetStream stream (NATS at 127.0.0.1:4222): its clean-up."""

import asyncio
import sys

import nats


async def drop(name: str) -> None:
    connection = await nats.connect("nats://127.0.0.1:4222", connect_timeout=5)
    try:
        await connection.jetstream().delete_stream(name)
    except nats.js.errors.NotFoundError:
        pass  # never created: the script failed before
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(drop(sys.argv[1]))
