"""croupier-pf-1, the provably-fair draw scheme (``docs/specs/fairness-v1.md``).

A round's randomness is the byte stream ``block(0) ‖ block(1) ‖ …`` where
``block(i) = HMAC-SHA256(server_seed, "{client_seed}:{nonce}:{i}")``, read 4 bytes at a time
as big-endian words and rejection-sampled into ``uniform(n)``. :class:`ProvablyFairSource`
is an :class:`~croupier.domain.rng.RngSource`, so every game engine runs on it unchanged and a
player can recompute any round from the revealed seeds.

>>> source = ProvablyFairSource("00" * 32, "player", 0)
>>> roulette_pocket(source)
31
>>> server_seed_hash("00" * 32)[:16]
'60e05bd1b195af2f'

The seed-pair lifecycle (commit, play, rotate) lives in :mod:`croupier.domain.seed_pair`.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from croupier.domain.cards import canonical_shoe
from croupier.domain.errors import (
    FairnessError,
    InvalidClientSeed,
    InvalidInput,
    InvalidNonce,
    InvalidServerSeed,
)
from croupier.domain.rng import RngSource, shuffle

__all__ = [
    "CLIENT_SEED_LENGTH_MAX",
    "NONCE_MAX",
    "SCHEME",
    "SERVER_SEED_LENGTH",
    "FairnessError",
    "InvalidClientSeed",
    "InvalidNonce",
    "InvalidServerSeed",
    "ProvablyFairSource",
    "block",
    "dice_roll",
    "dice_roll_hundredths",
    "roulette_pocket",
    "server_seed_hash",
    "shuffled_shoe",
    "slot_stops",
    "slot_window",
    "validate_client_seed",
    "validate_nonce",
    "validate_server_seed",
    "validate_server_seed_hash",
    "verify_commitment",
]

SCHEME: Final = "croupier-pf-1"
SERVER_SEED_LENGTH: Final = 64
CLIENT_SEED_LENGTH_MAX: Final = 64
#: The spec allows any nonce >= 0; we stop at the largest signed 64-bit integer so a nonce
#: always fits a BIGINT column (at one round a nanosecond that is ~292 years of play).
NONCE_MAX: Final = 2**63 - 1

_UNIFORM_MAX: Final = 2**32
_HEX_DIGITS: Final = frozenset("0123456789abcdef")
_WORDS_PER_BLOCK: Final = 8
_BLOCK_WORDS: Final = struct.Struct(">8I")
_ROULETTE_POCKETS: Final = 37
_DICE_OUTCOMES: Final = 10_000
_SLOT_REEL_LENGTH_MAX: Final = _UNIFORM_MAX


def _is_lower_hex(text: str, length: int) -> bool:
    return len(text) == length and set(text) <= _HEX_DIGITS


def validate_server_seed(server_seed: object) -> str:
    """Return ``server_seed`` if it is 64 lowercase hex characters, else raise InvalidServerSeed."""
    if not isinstance(server_seed, str) or not _is_lower_hex(server_seed, SERVER_SEED_LENGTH):
        raise InvalidServerSeed("server seed must be 64 lowercase hexadecimal characters")
    return server_seed


def validate_server_seed_hash(seed_hash: object) -> str:
    """Return ``seed_hash`` if it looks like a SHA-256 hex digest (64 lowercase hex)."""
    if not isinstance(seed_hash, str) or not _is_lower_hex(seed_hash, 64):
        raise InvalidServerSeed("server seed hash must be 64 lowercase hexadecimal characters")
    return seed_hash


def validate_client_seed(client_seed: object) -> str:
    """Return ``client_seed`` if it is 1–64 printable ASCII characters, else InvalidClientSeed."""
    if not isinstance(client_seed, str) or not 1 <= len(client_seed) <= CLIENT_SEED_LENGTH_MAX:
        raise InvalidClientSeed("client seed must be 1 to 64 printable ASCII characters")
    if not all(0x21 <= ord(char) <= 0x7E for char in client_seed):
        raise InvalidClientSeed(
            "client seed may use only printable ASCII 0x21-0x7E (no spaces or control characters)"
        )
    return client_seed


def validate_nonce(nonce: object) -> int:
    """Return ``nonce`` if it is an integer in ``[0, NONCE_MAX]`` (not bool), else InvalidNonce."""
    if isinstance(nonce, bool) or not isinstance(nonce, int) or not 0 <= nonce <= NONCE_MAX:
        raise InvalidNonce(f"nonce must be an integer from 0 to {NONCE_MAX}, got {nonce!r}")
    return nonce


def server_seed_hash(server_seed: str) -> str:
    """The public commitment: lowercase hex SHA-256 of the server seed's ASCII bytes."""
    key = validate_server_seed(server_seed).encode("ascii")
    return hashlib.sha256(key).hexdigest()


def verify_commitment(server_seed: str, seed_hash: str) -> bool:
    """True when the revealed ``server_seed`` hashes to the published ``seed_hash``."""
    expected = validate_server_seed_hash(seed_hash)
    return hmac.compare_digest(server_seed_hash(server_seed), expected)


def block(server_seed: str, client_seed: str, nonce: int, index: int) -> bytes:
    """``block(index)`` of a round: 32 bytes of HMAC-SHA256 keyed by the server seed."""
    key = validate_server_seed(server_seed).encode("ascii")
    prefix = _message_prefix(validate_client_seed(client_seed), validate_nonce(nonce))
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise FairnessError(f"block index must be an integer >= 0, got {index!r}")
    return hmac.digest(key, prefix + str(index).encode("ascii"), "sha256")


def _message_prefix(client_seed: str, nonce: int) -> bytes:
    # Client seeds are ASCII, so UTF-8 and ASCII agree byte for byte.
    return f"{client_seed}:{nonce}:".encode()


class ProvablyFairSource:
    """The croupier-pf-1 stream of one round, as an :class:`~croupier.domain.rng.RngSource`.

    Each instance is one round (one nonce) and is consumed by every draw of that round, in
    order. It is deliberately stateful (a cursor into the stream) and not shareable between
    rounds: make a new one per nonce.
    """

    __slots__ = ("_block_index", "_key", "_position", "_prefix", "_rejected", "_words")

    def __init__(self, server_seed: str, client_seed: str, nonce: int) -> None:
        self._key = validate_server_seed(server_seed).encode("ascii")
        self._prefix = _message_prefix(validate_client_seed(client_seed), validate_nonce(nonce))
        self._block_index = 0
        self._words: tuple[int, ...] = ()
        self._position = 0
        self._rejected = 0

    @property
    def words_used(self) -> int:
        """How many 4-byte words this round has consumed, rejected ones included."""
        return (self._block_index - 1) * _WORDS_PER_BLOCK + self._position if self._words else 0

    @property
    def words_rejected(self) -> int:
        """How many words :meth:`uniform` discarded because they were ``>= limit``."""
        return self._rejected

    def next_word(self) -> int:
        """The next 4 bytes of the stream as a big-endian unsigned integer."""
        if self._position == len(self._words):
            message = self._prefix + str(self._block_index).encode("ascii")
            self._words = _BLOCK_WORDS.unpack(hmac.digest(self._key, message, "sha256"))
            self._block_index += 1
            self._position = 0
        word = self._words[self._position]
        self._position += 1
        return word

    def uniform(self, n: int) -> int:
        """An integer uniform in ``[0, n)`` for ``1 <= n <= 2**32``, by rejection sampling."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= _UNIFORM_MAX:
            raise InvalidInput(f"uniform(n) needs an integer 1 <= n <= 2**32, got {n!r}")
        limit = _UNIFORM_MAX - _UNIFORM_MAX % n
        word = self.next_word()
        # Each rejection has probability < 1/2, so this loop ends after a handful of words.
        while word >= limit:
            self._rejected += 1
            word = self.next_word()
        return word % n


def roulette_pocket(rng: RngSource) -> int:
    """European roulette: ``pocket = uniform(37)``, 0 to 36."""
    return rng.uniform(_ROULETTE_POCKETS)


def dice_roll_hundredths(rng: RngSource) -> int:
    """Dice as an integer of hundredths, 0 to 9999 (``4217`` shows as ``42.17``)."""
    return rng.uniform(_DICE_OUTCOMES)


def dice_roll(rng: RngSource) -> Decimal:
    """Dice ``roll = uniform(10000) / 100`` as an exact Decimal with two places (``42.17``)."""
    return Decimal(dice_roll_hundredths(rng)).scaleb(-2)


def shuffled_shoe(rng: RngSource, decks: int = 1) -> list[str]:
    """``decks`` canonical decks shuffled by croupier-pf-1 Fisher–Yates; deal from index 0."""
    try:
        cards = canonical_shoe(decks)
    except ValueError as error:
        raise FairnessError(str(error)) from None
    shuffle(rng, cards)
    return cards


def slot_stops(rng: RngSource, strip_lengths: Sequence[int]) -> tuple[int, ...]:
    """One stop per reel, left to right: ``stop = uniform(len(strip))``."""
    for length in strip_lengths:
        if isinstance(length, bool) or not isinstance(length, int):
            raise FairnessError(f"reel strip length must be an integer, got {length!r}")
        if not 1 <= length <= _SLOT_REEL_LENGTH_MAX:
            raise FairnessError(f"reel strip length must be 1 to 2**32, got {length}")
    return tuple(rng.uniform(length) for length in strip_lengths)


def slot_window(
    strips: Sequence[Sequence[str]], stops: Sequence[int], rows: int
) -> list[list[str]]:
    """The visible window, rows top to bottom: reel ``k`` shows ``strip[(stop + r) mod len]``."""
    if len(strips) != len(stops):
        raise FairnessError(f"{len(strips)} reel strips but {len(stops)} stops")
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise FairnessError(f"rows must be a positive integer, got {rows!r}")
    return [
        [strip[(stop + row) % len(strip)] for strip, stop in zip(strips, stops, strict=True)]
        for row in range(rows)
    ]
