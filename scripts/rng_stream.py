"""Write an endless stream of 32-bit words from one of Croupier's RNG sources to stdout.

Used by ``scripts/rng-report.sh`` to feed ``dieharder -g 200`` (stdin_input_raw), which reads
unsigned 32-bit integers in the machine's byte order; each word is written that way so
dieharder sees exactly the integers our code draws.

    python scripts/rng_stream.py csprng           # CsprngSource().uniform(2**32), word by word
    python scripts/rng_stream.py provably-fair    # croupier-pf-1 words, fixed seeds, nonces 0, 1, …

The provably-fair stream uses the spec's worked seeds (server seed "00" * 32, client seed
"player") and walks nonces 0, 1, 2, …, taking ``BLOCKS_PER_NONCE`` blocks (64 words) from each
round, about what a single-deck shuffle reads. ``uniform(2**32)`` accepts every word
(limit = 2**32), so these are exactly the words ProvablyFairSource hands out; the stream is
computed with ``hmac.digest`` in bulk for speed and checked against ProvablyFairSource first.

On exit (dieharder closes the pipe) it prints ``bytes_written=N`` on stderr.
"""

from __future__ import annotations

import hmac
import os
import sys
from collections.abc import Iterator
from itertools import repeat
from typing import Any

import numpy as np

from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.rng import CsprngSource

SERVER_SEED = "00" * 32
CLIENT_SEED = "player"
BLOCKS_PER_NONCE = 8
NONCES_PER_CHUNK = 2048
CSPRNG_WORDS_PER_CHUNK = 1 << 16
FULL_RANGE = 2**32


def csprng_chunks() -> Iterator[bytes]:
    """Words from CsprngSource().uniform(2**32), the path every game draw takes in production."""
    draw = CsprngSource().uniform
    while True:
        words = np.fromiter(
            map(draw, repeat(FULL_RANGE, CSPRNG_WORDS_PER_CHUNK)),
            dtype=np.uint32,
            count=CSPRNG_WORDS_PER_CHUNK,
        )
        yield words.tobytes()


def provably_fair_words(first_nonce: int, nonces: int) -> np.ndarray[Any, np.dtype[np.uint32]]:
    """The first BLOCKS_PER_NONCE blocks of each nonce, as integers (big-endian words)."""
    key = SERVER_SEED.encode("ascii")
    suffixes = [str(index).encode("ascii") for index in range(BLOCKS_PER_NONCE)]
    parts: list[bytes] = []
    for nonce in range(first_nonce, first_nonce + nonces):
        prefix = f"{CLIENT_SEED}:{nonce}:".encode()
        parts.extend(hmac.digest(key, prefix + suffix, "sha256") for suffix in suffixes)
    return np.frombuffer(b"".join(parts), dtype=">u4").astype(np.uint32)


def check_against_source() -> None:
    """The bulk path must equal ProvablyFairSource.uniform(2**32) word for word."""
    words_per_nonce = BLOCKS_PER_NONCE * 8
    bulk = provably_fair_words(0, 3)
    for nonce in range(3):
        source = ProvablyFairSource(SERVER_SEED, CLIENT_SEED, nonce)
        expected = [source.uniform(FULL_RANGE) for _ in range(words_per_nonce)]
        got = bulk[nonce * words_per_nonce : (nonce + 1) * words_per_nonce].tolist()
        if got != expected or source.words_rejected:
            raise SystemExit("rng_stream: bulk provably-fair words differ from the source")


def provably_fair_chunks() -> Iterator[bytes]:
    check_against_source()
    nonce = 0
    while True:
        yield provably_fair_words(nonce, NONCES_PER_CHUNK).tobytes()
        nonce += NONCES_PER_CHUNK


def main() -> int:
    sources = {"csprng": csprng_chunks, "provably-fair": provably_fair_chunks}
    if len(sys.argv) != 2 or sys.argv[1] not in sources:
        print(f"usage: rng_stream.py {{{'|'.join(sources)}}}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    written = 0
    try:
        for chunk in sources[sys.argv[1]]():
            out.write(chunk)
            written += len(chunk)
    except BrokenPipeError:
        pass
    finally:
        print(f"bytes_written={written}", file=sys.stderr)
    # The reader is gone: point stdout at /dev/null so the exit-time flush cannot fail again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
