"""What the lobby and a tournament's page show: the line per tournament, and one tournament
(its level, tables, and results) as a player sees it. Players appear by alias."""

from __future__ import annotations

from typing import Any

from croupier.domain.poker.tournament import TournamentStatus
from croupier.services.poker.tournaments.live import LiveTournament, table_id_of
from croupier.services.poker.views import alias

__all__ = ["tournament_line", "tournament_view"]


def tournament_line(live: LiveTournament) -> dict[str, Any]:
    model = live.model
    tournament = model.tournament
    structure = tournament.structure
    return {
        "tournament_id": model.tournament_id,
        "structure_id": structure.id,
        "name": structure.name,
        "kind": structure.kind.value,
        "currency": structure.currency,
        "status": tournament.status.value,
        "buy_in_minor": structure.buy_in_minor,
        "fee_minor": structure.fee_minor,
        "guarantee_minor": structure.guarantee_minor,
        "entries": tournament.entries + len(model.pending_late),
        "entries_min": structure.entries_min,
        "entries_max": structure.entries_max,
        "scheduled_start_s": tournament.scheduled_start_s,
        "level": tournament.level,
        "players_remaining": tournament.players_remaining(),
        "prize_pool_minor": tournament.prize_pool_minor(),
    }


def tournament_view(live: LiveTournament, viewer: str | None = None) -> dict[str, Any]:
    """One tournament: the lobby line, the level, its tables, and the results so far;
    ``head_seq`` is where to resume its ``tournament`` channel (``after_seq``)."""
    model = live.model
    tournament = model.tournament
    view = tournament_line(live)
    view["head_seq"] = model.head
    if tournament.level:
        level = tournament.structure.level(tournament.level)
        view["blinds"] = {
            "small_blind": level.small_blind,
            "big_blind": level.big_blind,
            "ante": level.ante,
            "big_blind_ante": level.big_blind_ante,
        }
    view["next_change_s"] = model.next_change_s()
    stacks = tournament.stacks()
    view["tables"] = [
        {
            "table_id": table_id_of(model.tournament_id, seating.table_id),
            "players": [
                {"seat": seat, "name": alias(player), "stack": stacks.get(player, 0)}
                for seat, player in sorted(seating.players.items())
            ],
        }
        for seating in tournament.tables
    ]
    prizes: dict[str, int] = {}
    if tournament.status is TournamentStatus.FINISHED:
        prizes = {p.entrant_id: p.amount_minor for p in tournament.payouts()}
    view["results"] = sorted(
        (
            {
                "name": alias(player),
                "place": best,
                "tied_to_place": worst,
                "prize_minor": prizes.get(player, 0),
            }
            for player, (best, worst) in tournament.ranking().items()
        ),
        key=lambda item: (item["place"], item["name"]),
    )
    if viewer is not None:
        view["registered"] = live.is_entered(viewer)
        table = live.table_of(viewer)
        view["your_table_id"] = None if table is None else table.table_id
        view["your_stack"] = stacks.get(viewer)
    return view
