"""What a table shows: the lobby line, the public table, and a player's own view of it."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from croupier.domain.poker import cash_rules
from croupier.services.poker.model import TableModel

__all__ = ["alias", "lobby_line", "public_view"]


@functools.lru_cache(maxsize=4096)
def alias(player_id: str) -> str:
    """The name other players see: stable per player, and not the account's id (so a
    player's id, which other requests take, is never shown to strangers). Cached: every
    view shows every seat's alias, and a busy table answers a view per action."""
    return "p" + hashlib.sha256(player_id.encode()).hexdigest()[:10]


def lobby_line(model: TableModel) -> dict[str, Any]:
    config = model.config
    low, high = cash_rules.buy_in_bounds_minor(config)
    return {
        "table_id": model.table_id,
        "game_id": model.game_id,
        "currency": model.currency,
        "stakes": {
            "small_blind_minor": config.small_blind_minor,
            "big_blind_minor": config.big_blind_minor,
            "ante_minor": config.ante_minor,
            "straddle_minor": config.straddle_minor,
            "betting_limit": config.betting_limit.value,
        },
        "rake": {
            "basis_points": config.rake_basis_points,
            "cap_minor": config.rake_cap_minor,
            "no_flop_no_drop": config.no_flop_no_drop,
        },
        "buy_in": {"min_minor": low, "max_minor": high},
        "seat_count": config.seat_count,
        "seats_taken": len(model.players),
        "wait_list": len(model.waiting),
        "hand_in_progress": model.info is not None,
    }


def public_view(
    model: TableModel, deadline_ms: int | None, viewer: str | None = None
) -> dict[str, Any]:
    """The table now; ``viewer``'s own seat, hole cards and choices when they are seated."""
    view = lobby_line(model)
    view["seats"] = [
        {
            "seat": seat,
            "name": alias(player_id),
            "stack_minor": _stack(model, seat),
            "sitting_out": model.table.seats[seat].sitting_out,
            "leaving": seat in model.leaving,
        }
        for seat, player_id in sorted(model.players.items())
    ]
    view["head_seq"] = model.head
    view["hand"] = _hand_view(model, deadline_ms)
    your_seat = model.seat_of(viewer) if viewer is not None else None
    view["your_seat"] = your_seat
    view["waiting"] = viewer is not None and any(p == viewer for p, _ in model.waiting)
    hand = model.hand
    if your_seat is not None and hand is not None and your_seat in hand.seats:
        view["your_cards"] = list(hand.hole_cards(your_seat))
        legal = hand.legal_actions()
        if legal is not None and legal.seat == your_seat:
            view["your_choices"] = {
                "can_fold": legal.can_fold,
                "call_minor": legal.call_minor,
                "min_raise_to_minor": legal.min_raise_to_minor,
                "max_raise_to_minor": legal.max_raise_to_minor,
            }
    return view


def _stack(model: TableModel, seat: int) -> int:
    """Chips behind: a seat in the hand has its bets and pots out of its stack."""
    hand = model.hand
    if hand is not None and seat in hand.seats:
        return hand.stacks_minor()[seat]
    return int(model.table.seats[seat].stack_minor)


def _hand_view(model: TableModel, deadline_ms: int | None) -> dict[str, Any] | None:
    info, hand = model.info, model.hand
    if info is None:
        return None
    view: dict[str, Any] = {
        "hand_id": info.hand_id,
        "hand_number": info.hand_number,
        "seats": list(info.seats),
        "server_seed_hash": info.server_seed_hash,
        "client_seed": info.client_seed,
        "nonce": info.nonce,
    }
    if hand is not None:
        view.update(
            button_seat=hand.button_seat,
            board=list(hand.board),
            bets_minor={str(s): b for s, b in hand.bets_minor().items()},
            pots_minor=list(hand.pots_minor()),
            to_act=hand.to_act,
            deadline_ms=deadline_ms,
        )
    return view
