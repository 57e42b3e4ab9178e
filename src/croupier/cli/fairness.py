"""``croupier fairness …``: recompute provably-fair outcomes (croupier-pf-1)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Recompute and verify provably-fair outcomes (croupier-pf-1).",
                  no_args_is_help=True)
