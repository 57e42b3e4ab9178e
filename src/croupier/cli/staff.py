"""``croupier staff …``: bootstrap and list the back office's staff (docs/backoffice.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import typer

from croupier.cli.common import DATABASE_URL_OPTION, print_json, run, settings_for
from croupier.config import Settings
from croupier.domain.errors import SchemaNotReady
from croupier.domain.staff import Role
from croupier.services.staff import StaffService

app = typer.Typer(help="Staff of the back office: create, list.", no_args_is_help=True)


@asynccontextmanager
async def _staff_service(settings: Settings) -> AsyncIterator[StaffService]:
    """The staff service on the configured database, migrated first if no server ever ran
    there (so the first admin can be made before the first start)."""
    from croupier.adapters.login_limiter import MemoryLoginLimiter
    from croupier.adapters.passwords import Argon2PasswordHasher
    from croupier.bootstrap import make_staff_service, make_staff_store, make_store, open_vault
    from croupier.services.audit.logged import LoggedAuditTrail

    ledger = make_store(settings.database_url)
    try:
        await ledger.open(writer=False)
    except SchemaNotReady:  # a new database: migrate it as the writer would, then let go
        await ledger.open(writer=True)
    await ledger.close()
    # The vault seals the TOTP secrets (and seals on open those a migration left in clear).
    store = make_staff_store(settings.database_url, await open_vault(settings))
    hasher = Argon2PasswordHasher()
    await store.open()
    try:
        yield make_staff_service(
            store, hasher, MemoryLoginLimiter(settings.accounts), LoggedAuditTrail()
        )
    finally:
        await store.close()
        hasher.close()


@app.command()
def create(
    username: str = typer.Option(..., "--username", help="3 to 64 of a-z 0-9 . _ @ + -"),
    role: Role = typer.Option(..., "--role", help="support, payments, risk, compliance, admin"),
    password_file: Path | None = typer.Option(
        None,
        "--password-file",
        exists=True,
        dir_okay=False,
        help="Read the first password from this file (its first line); else it is asked for.",
    ),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Create a staff member (the first admin, typically). They log in with this password
    alone once, enrol a TOTP, and from then on need both."""
    settings = settings_for(database_url)
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def go() -> None:
        async with _staff_service(settings) as staff:
            member = await staff.create(
                username=username, password=password, role=role, actor="system", source_ip=None
            )
        admin = settings.admin
        typer.echo(
            f"Created {member.role} {member.username} (id {member.staff_id}), enrolling.\n"
            f"Next: log in with the password alone at POST http://{admin.host}:{admin.port}"
            "/admin/v1/login, then POST /admin/v1/mfa/enrol and /admin/v1/mfa/confirm to set "
            "up the TOTP (docs/backoffice.md)."
        )

    run(go())


@app.command(name="list")
def list_staff(
    database_url: str | None = DATABASE_URL_OPTION,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Every staff member: id, username, role, status (never a secret)."""
    settings = settings_for(database_url)

    async def go() -> None:
        async with _staff_service(settings) as staff:
            members = await staff.list()
        for member in members:
            if as_json:
                print_json(
                    {
                        "staff_id": member.staff_id,
                        "username": member.username,
                        "role": str(member.role),
                        "status": str(member.status),
                        "created_at": member.created_at.astimezone(UTC).isoformat(),
                    }
                )
            else:
                typer.echo(
                    f"{member.staff_id}  {member.username:<24} {member.role:<10} "
                    f"{member.status:<9} {_date(member.created_at)}"
                )
        if not members and not as_json:
            typer.echo("no staff yet: croupier staff create --role admin --username NAME", err=True)

    run(go())


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
