"""``aso census``, ``aso eligibility`` and ``aso members``: the employer's census import, the
eligibility check, and reading members and ending their coverage.

Register with::

    app.add_typer(members.census_app, name="census")
    app.add_typer(members.eligibility_app, name="eligibility")
    app.add_typer(members.members_app, name="members")
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from aso.bootstrap import App
from aso.cli.common import application, err, fail, out, print_json, report_error, use_case
from aso.employers.service import find_employer
from aso.errors import AsoError, Problem, ValidationFailed
from aso.members import service
from aso.members.census import CENSUS_COLUMNS, CensusRejected, import_census
from aso.members.crypto import SsnCipher
from aso.members.id_card import id_card
from aso.members.id_card_pdf import id_card_pdf_bytes
from aso.members.schemas import CensusSummary, EligibilityRead, MemberRead
from aso.plans.domain import Line
from aso.security.domain import cli_principal

census_app = typer.Typer(
    help="The employer's census file of employees, dependents and elections.", no_args_is_help=True
)
eligibility_app = typer.Typer(help="Is a member covered on a date?", no_args_is_help=True)
members_app = typer.Typer(help="Members and their coverage.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")


def _cipher(aso: App) -> SsnCipher:
    return SsnCipher(aso.settings.resolved_ssn_key())


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        report_error(ValidationFailed([Problem(field, "not a date (use YYYY-MM-DD)")]), 2)


# census -------------------------------------------------------------------------------------

CENSUS_HELP = (
    "Import a census: every bad row is listed and nothing is written (exit 1), or all of it is."
    " Importing the same file again changes nothing; an edited file updates members and"
    " coverages (a new coverage_end terminates, retroactively when in the past).\n\n"
    "Columns: " + ", ".join(CENSUS_COLUMNS) + ". Dates are YYYY-MM-DD; relationship is"
    " subscriber, spouse, domestic_partner or child; a plan is a plan id the employer offers in"
    " the plan year of coverage_start; a blank plan is no enrollment in that line."
)


@census_app.command("import", help=CENSUS_HELP)
def census_import(
    file: Path = typer.Argument(..., help="census CSV (header line, then one row per member)"),
    employer: str = typer.Option(..., "--employer", help="the employer's EIN"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import a census (see ``CENSUS_HELP``)."""
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    with application() as aso:
        try:
            found = find_employer(uow=aso.uow(), actor=cli_principal(), ein=employer)
            summary = import_census(
                uow=aso.uow(),
                actor=cli_principal(),
                employer_id=found.id,
                text=text,
                filename=file.name,
                cipher=_cipher(aso),
            )
        except CensusRejected as exc:
            _rejected(exc, as_json)
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(summary.model_dump(mode="json"))
    else:
        _print_summary(summary)


def _rejected(exc: CensusRejected, as_json: bool) -> NoReturn:
    report = exc.report
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        for line in report.errors:
            err.print(line, highlight=False, markup=False, soft_wrap=True)
        err.print(
            f"{report.filename}: rejected with {len(report.errors)} problem(s); "
            "nothing was imported",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    raise typer.Exit(1)


def _print_summary(summary: CensusSummary) -> None:
    if summary.already_imported:
        for note in summary.notes:
            out.print(note, markup=False)
        return
    table = Table("", "added", "updated", "unchanged", title=f"{summary.filename}: imported")
    table.add_row(
        "members",
        str(summary.members_added),
        str(summary.members_updated),
        str(summary.members_unchanged),
    )
    table.add_row(
        "coverages",
        str(summary.coverages_added),
        str(summary.coverages_changed),
        str(summary.coverages_unchanged),
    )
    out.print(table)
    for line in summary.changes + summary.notes:
        out.print(line, markup=False)


# eligibility --------------------------------------------------------------------------------


@eligibility_app.command("check")
def eligibility_check(
    line: Line = typer.Option(..., "--line", help="line of coverage"),
    on: str | None = typer.Option(None, "--date", help="date of service, YYYY-MM-DD (today)"),
    member: str | None = typer.Option(None, "--member", help="the member id"),
    subscriber: str | None = typer.Option(
        None, "--subscriber", help="the subscriber's member id or employee number"
    ),
    first: str | None = typer.Option(None, "--first", help="first name (with --subscriber)"),
    last: str | None = typer.Option(None, "--last", help="last name (with --subscriber)"),
    dob: str | None = typer.Option(None, "--dob", help="birth date (with --subscriber)"),
    employer: str | None = typer.Option(
        None, "--employer", help="EIN, when an employee number is not unique"
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Is the member covered in this line on this date? Exit 0 when covered, 1 when not."""
    if bool(member) == bool(subscriber):
        fail("give --member MID, or --subscriber ID with --first, --last and --dob")
    if subscriber and not (first and last and dob):
        fail("--subscriber needs --first, --last and --dob")
    day = _day(on, "date") if on else date.today()
    birth = _day(dob, "dob") if dob else None
    with application() as aso:
        try:
            result = service.check_eligibility(
                uow=aso.uow(),
                actor=cli_principal(),
                line=line,
                on=day,
                member_id=member,
                subscriber=subscriber,
                first_name=first,
                last_name=last,
                birth_date=birth,
                employer_ein=employer,
            )
        except AsoError as exc:
            report_error(exc, 2)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_eligibility(result)
    raise typer.Exit(0 if result.covered else 1)


def _print_eligibility(result: EligibilityRead) -> None:
    who = result.member_id or "member"
    verdict = "[green]covered[/green]" if result.covered else "[red]not covered[/red]"
    out.print(f"{who}: {verdict} in {result.line.value} on {result.date}")
    if result.plan_id:
        end = result.coverage_end or "open"
        out.print(
            f"plan {result.plan_id} ({result.plan_name}), tier {result.tier}, "
            f"coverage {result.coverage_start}..{end}, covered through {result.covered_through}",
            markup=False,
        )
    if not result.covered:
        out.print(f"why: {result.message} (CARC {result.carc})", markup=False)


# members ------------------------------------------------------------------------------------


@members_app.command("show")
def show(
    member_id: str = typer.Argument(..., metavar="MEMBER_ID"),
    as_json: bool = JSON_OPTION,
) -> None:
    """A member with its coverages (the SSN masked). The read is audit-logged."""
    member = use_case(
        lambda uow: service.get_member(uow=uow, actor=cli_principal(), member_id=member_id)
    )
    if as_json:
        print_json(member.model_dump(mode="json"))
        return
    _print_member(member)


@members_app.command("id-card")
def id_card_command(
    member_id: str = typer.Argument(..., metavar="MEMBER_ID"),
    on: str | None = typer.Option(None, "--date", help="coverage in force on (default: today)"),
    output: Path | None = typer.Option(
        None, "--out", help="where to write the PDF (default: id-card-MEMBER_ID.pdf here)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the card as JSON, write no PDF"),
) -> None:
    """The member's ID card as a card-sized PDF (front and back), to print or send."""
    day = _day(on, "--date") if on else None
    card = use_case(
        lambda uow: id_card(uow=uow, actor=cli_principal(), member_id=member_id, on=day)
    )
    if as_json:
        print_json(card.model_dump(mode="json"))
        return
    target = output or Path(f"id-card-{card.member_id}.pdf")
    target.write_bytes(id_card_pdf_bytes(card))
    plans = ", ".join(f"{c.line.value} {c.plan}" for c in card.coverages)
    err.print(f"ID card of {card.member_id} ({plans}) -> {target}", markup=False, soft_wrap=True)


@members_app.command("end-coverage")
def end_coverage(
    member_id: str = typer.Argument(..., metavar="MEMBER_ID"),
    line: Line = typer.Option(..., "--line"),
    end: str | None = typer.Option(None, "--end", help="last covered day (may be in the past)"),
    reinstate: bool = typer.Option(False, "--reinstate", help="remove the end date instead"),
    start: str | None = typer.Option(None, "--start", help="which coverage (default: latest)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """End a coverage (retroactively when the date is past); a subscriber's dependents' end too."""
    if bool(end) == reinstate:
        fail("give --end DATE or --reinstate")
    new_end = _day(end, "end") if end else None
    first = _day(start, "start") if start else None
    with application() as aso:
        try:
            changes = service.change_coverage_end(
                uow=aso.uow(),
                actor=cli_principal(),
                member_id=member_id,
                line=line,
                end=new_end,
                start=first,
            )
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json([c.model_dump(mode="json") for c in changes])
        return
    for change in changes:
        out.print(change.description, markup=False)


def _print_member(member: MemberRead) -> None:
    name = escape(f"{member.first_name} {member.last_name}")
    out.print(
        f"[bold]{name}[/bold]  {member.member_id}  "
        f"{member.relationship.value}  born {member.birth_date}  SSN {member.ssn_masked or '-'}"
    )
    table = Table("line", "plan", "tier", "start", "end", "covered through")
    for c in member.coverages:
        table.add_row(
            c.line.value,
            c.plan_id,
            c.tier.value,
            str(c.start),
            str(c.end or "open"),
            str(c.covered_through),
        )
    out.print(table)
