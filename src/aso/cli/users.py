"""``aso users``: accounts for TPA staff, employer users, members, providers and auditors."""

from __future__ import annotations

import sys

import typer

from aso.bootstrap import App
from aso.cli.common import application, err, report_error
from aso.errors import AsoError
from aso.security.domain import Role
from aso.security.service import create_user

app = typer.Typer(help="Users and their roles.", no_args_is_help=True)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="login name"),
    role: Role = typer.Option(..., "--role", help="what the user may see (DESIGN section 1)"),
    employer: str | None = typer.Option(None, "--employer", help="EIN, for an employer user"),
    member: str | None = typer.Option(None, "--member", help="member id, for a member user"),
    npi: list[str] = typer.Option(
        [], "--npi", help="an NPI a provider user acts for (repeat for several)"
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from standard input"
    ),
) -> None:
    """Create a user; the password is asked for (or read from stdin), never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with application() as aso:
        try:
            employer_id = _employer_id(aso, employer) if employer else None
            member_id = _member_id(aso, member) if member else None
            user_id = create_user(
                uow=aso.uow(),
                username=username,
                password=password,
                role=role,
                employer_id=employer_id,
                member_id=member_id,
                npis=npi,
            )
        except AsoError as exc:
            report_error(exc, code=1)
    err.print(f"created user {username!r} ({role.value}), id {user_id}")


def _employer_id(aso: App, ein: str) -> int:
    from aso.employers.service import employer_id_by_ein

    return employer_id_by_ein(uow=aso.uow(), ein=ein)


def _member_id(aso: App, public_id: str) -> int:
    from aso.members.service import member_pk_by_public_id

    return member_pk_by_public_id(uow=aso.uow(), member_id=public_id)
