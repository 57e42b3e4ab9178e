"""``croupier fairness …``: recompute and verify provably-fair outcomes (croupier-pf-1).

Every command prints one JSON object on stdout. Bad input prints ``error: …`` on stderr and
exits with code 2; ``verify`` exits 1 when a revealed seed does not match its commitment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer

from croupier.cli.common import DATABASE_URL_OPTION
from croupier.domain.errors import CroupierError
from croupier.domain.fairness import (
    SCHEME,
    ProvablyFairSource,
    dice_roll,
    roulette_pocket,
    server_seed_hash,
    shuffled_shoe,
    verify_commitment,
)

__all__ = ["app"]

app = typer.Typer(
    help="Recompute and verify provably-fair outcomes (croupier-pf-1).", no_args_is_help=True
)

T = TypeVar("T")

_SERVER_SEED = typer.Option(..., "--server-seed", help="The revealed server seed (64 hex).")
_CLIENT_SEED = typer.Option(..., "--client-seed", help="The client seed of the round.")
_NONCE = typer.Option(..., "--nonce", help="The round's nonce (0 for the first round).")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _checked(action: Callable[[], T]) -> T:
    """Run ``action``; turn a Croupier refusal into ``error: …`` and exit code 2."""
    try:
        return action()
    except CroupierError as error:
        _fail(str(error))


def _emit(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload))


def _round(
    server_seed: str, client_seed: str, nonce: int
) -> tuple[ProvablyFairSource, dict[str, Any]]:
    source = _checked(lambda: ProvablyFairSource(server_seed, client_seed, nonce))
    header = {
        "scheme": SCHEME,
        "server_seed_hash": server_seed_hash(server_seed),
        "client_seed": client_seed,
        "nonce": nonce,
    }
    return source, header


@app.command()
def commit(server_seed: str = _SERVER_SEED) -> None:
    """The commitment for a server seed: SHA-256 of its ASCII bytes."""
    seed_hash = _checked(lambda: server_seed_hash(server_seed))
    _emit({"scheme": SCHEME, "server_seed_hash": seed_hash})


@app.command()
def verify(
    server_seed: str = _SERVER_SEED,
    seed_hash: str = typer.Option(
        ..., "--server-seed-hash", help="The commitment published before play."
    ),
) -> None:
    """Check a revealed server seed against its published hash (exit 1 on mismatch)."""
    matches = _checked(lambda: verify_commitment(server_seed, seed_hash))
    _emit(
        {
            "scheme": SCHEME,
            "valid": matches,
            "server_seed_hash": seed_hash,
            "computed_hash": server_seed_hash(server_seed),
        }
    )
    if not matches:
        raise typer.Exit(1)


@app.command()
def roulette(
    server_seed: str = _SERVER_SEED, client_seed: str = _CLIENT_SEED, nonce: int = _NONCE
) -> None:
    """European roulette pocket: uniform(37)."""
    source, header = _round(server_seed, client_seed, nonce)
    _emit({"pocket": roulette_pocket(source), **header})


@app.command()
def dice(
    server_seed: str = _SERVER_SEED, client_seed: str = _CLIENT_SEED, nonce: int = _NONCE
) -> None:
    """Dice roll 0.00-99.99: uniform(10000) / 100."""
    source, header = _round(server_seed, client_seed, nonce)
    roll = dice_roll(source)
    # Every k/100 (k < 10000) prints back exactly as two decimals from its nearest double.
    _emit({"roll": float(roll), "roll_text": f"{roll:.2f}", **header})


@app.command()
def shuffle(
    server_seed: str = _SERVER_SEED,
    client_seed: str = _CLIENT_SEED,
    nonce: int = _NONCE,
    decks: int = typer.Option(1, "--decks", help="Decks in the shoe (1 to 8)."),
    seed_hash: str | None = typer.Option(
        None,
        "--server-seed-hash",
        help="The commitment published before the deal (a poker hand's hand.started): "
        "checked against the server seed.",
    ),
    hand: Path | None = typer.Option(
        None,
        "--hand",
        help="A poker hand history, JSON (GET /v1/poker/hands/{id}): its board and the hole "
        "cards it shows are checked against the deck, dealt as docs/poker.md describes.",
    ),
) -> None:
    """The shuffled shoe, dealt from the first card listed. Exit 1 if the commitment or the
    hand does not match."""
    source, header = _round(server_seed, client_seed, nonce)
    cards = _checked(lambda: shuffled_shoe(source, decks))
    payload: dict[str, Any] = {"cards": cards, "decks": decks, **header}
    valid = True
    if seed_hash is not None:
        payload["commitment_valid"] = _checked(lambda: verify_commitment(server_seed, seed_hash))
        valid = payload["commitment_valid"]
    if hand is not None:
        mismatches = _hand_mismatches(cards, _read_hand(hand))
        payload["hand_matches"], payload["mismatches"] = not mismatches, mismatches
        valid = valid and not mismatches
    _emit(payload)
    if not valid:
        raise typer.Exit(1)


def _read_hand(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        _fail(f"cannot read the hand history {path}: {error}")
    if not isinstance(data, dict) or data.get("format") != "croupier-hand-history-1":
        _fail(f"{path} is not a croupier-hand-history-1 JSON hand history")
    return data


def _hand_mismatches(deck: list[str], hand: dict[str, Any]) -> list[str]:
    """Where the hand's board or shown hole cards differ from ``deck`` dealt in deal order
    (the seat left of the button first, the button last)."""
    seats = sorted(int(entry["seat"]) for entry in hand["seats"])
    button = int(hand["button_seat"])
    after = [seat for seat in seats if seat > button]
    order = after + [seat for seat in seats if seat <= button]
    players = len(order)
    problems = []
    for seat_text, shown in sorted(hand.get("hole_cards", {}).items()):
        position = order.index(int(seat_text))
        dealt = [deck[position], deck[players + position]]
        if list(shown) != dealt:
            problems.append(f"seat {seat_text}: shows {shown}, the deck dealt {dealt}")
    board_positions = [2 * players + offset for offset in (1, 2, 3, 5, 7)]
    for card, position in zip(hand.get("board", []), board_positions, strict=False):
        if card != deck[position]:
            problems.append(f"board card {card} is not the deck's {deck[position]}")
    return problems


@app.command()
def slots(
    game: str = typer.Option(
        ..., "--game", help="Slot game id (shipped, or in CROUPIER_GAMES_DIR)."
    ),
    server_seed: str = _SERVER_SEED,
    client_seed: str = _CLIENT_SEED,
    nonce: int = _NONCE,
) -> None:
    """A slot round: reel stops, the visible window and the win as a multiple of the stake."""
    source, header = _round(server_seed, client_seed, nonce)
    try:
        from croupier.domain.games.slots import SlotGame
    except ImportError:
        _fail("the slots engine (croupier.domain.games.slots) is not installed")
    from croupier.adapters.game_files import load_game_data

    slot_game = _checked(lambda: SlotGame.from_data(load_game_data(game)))
    played = _checked(lambda: slot_game.play_round(source))
    multiplier = Fraction(played.win_multiplier)
    _emit(
        {
            "game": game,
            "stops": list(played.stops),
            "window": [list(row) for row in played.window],
            "win_multiplier": float(multiplier),
            "win_multiplier_exact": str(multiplier),
            "free_spins": len(getattr(played, "free_spins", ())),
            "jackpot_hit": bool(getattr(played, "jackpot_hit", False)),
            **header,
        }
    )


@app.command("new-pair")
def new_pair(
    client_seed: str | None = typer.Option(
        None, "--client-seed", help="Your client seed (default: a random one)."
    ),
) -> None:
    """A fresh seed pair from the OS CSPRNG (keep the server seed secret until rotation)."""
    from croupier.adapters.seeds import new_seed_pair

    pair = _checked(lambda: new_seed_pair(client_seed))
    _emit(
        {
            "scheme": SCHEME,
            "server_seed": pair.server_seed,
            "server_seed_hash": pair.server_seed_hash,
            "client_seed": pair.client_seed,
            "nonce": pair.nonce,
        }
    )


@app.command("rotate-all")
def rotate_all(database_url: str | None = DATABASE_URL_OPTION) -> None:
    """After a point-in-time restore, before players come back: reveal every active seed pair
    and commit to a new one (docs/operations.md). Prints {rotated, open_rounds}; exits 1 when
    a player has a round open (left as it is: its outcome would show). Run it while no writer
    or server uses the database: it writes the ledger itself, and leaves the events in the
    outbox for the next writer's relay."""
    from croupier.bootstrap import open_platform
    from croupier.cli.common import print_json, run, settings_for
    from croupier.services.rounds.rotate_all import rotate_every_pair

    settings = settings_for(database_url)
    settings = replace(settings, realtime=replace(settings.realtime, stream_url="memory://"))

    async def go() -> None:
        platform = await open_platform(settings)
        try:
            done = await rotate_every_pair(platform.rounds, platform.players, platform.seed_pairs)
        finally:
            await platform.close()
        print_json({"rotated": done.rotated, "open_rounds": done.open_rounds})
        if done.open_rounds:
            raise typer.Exit(1)

    run(go())
