"""The ``croupier`` command line. Each command family lives in its own module."""

from __future__ import annotations

import typer

from croupier.cli import (
    aml,
    audit,
    bench,
    bonus,
    chaos,
    cluster,
    demo,
    export,
    fairness,
    keys,
    ledger,
    loadtest,
    payments,
    recommend,
    report,
    rtp,
    serve,
    staff,
    writer,
)

app = typer.Typer(
    name="croupier",
    help="Croupier: a casino game backend. A double-entry ledger, fair games, real time.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(ledger.app, name="ledger")
app.add_typer(audit.app, name="audit")
app.add_typer(bench.app, name="bench")
app.add_typer(fairness.app, name="fairness")
app.add_typer(cluster.app, name="cluster")
app.add_typer(report.app, name="report")
app.add_typer(staff.app, name="staff")
app.add_typer(keys.app, name="keys")
app.add_typer(aml.app, name="aml")
app.add_typer(export.app, name="export")
app.add_typer(payments.app, name="payments")
app.add_typer(recommend.app, name="recommend")
app.add_typer(bonus.app, name="bonus")
app.command(name="rtp")(rtp.rtp)
app.command(name="demo")(demo.demo)
app.command(name="serve")(serve.serve)
app.command(name="writer")(writer.writer)
app.command(name="loadtest")(loadtest.loadtest)
app.command(name="chaos")(chaos.chaos)


def main() -> None:
    app()
