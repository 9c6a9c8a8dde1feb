"""``aso employers``: set employers up, with their plan years and the plans they offer.

Register with ``app.add_typer(employers.app, name="employers")``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from aso.cli.common import application, err, out, print_json, report_error
from aso.employers import service
from aso.employers.schemas import EmployerCreate, EmployerRead, PlanYearCreate
from aso.errors import AsoError, NotFound, Problem, ValidationFailed
from aso.plans.domain import PlanDesign
from aso.plans.service import load_design_file
from aso.plans.templates import get_template
from aso.security.domain import cli_principal

app = typer.Typer(
    help="Employers, their plan years and the plans they offer.", no_args_is_help=True
)

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")
EIN_ARGUMENT = typer.Argument(..., metavar="EIN", help="the employer's EIN (NN-NNNNNNN)")


@app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="the employer's legal name"),
    ein: str = typer.Option(..., "--ein", help="employer identification number, NN-NNNNNNN"),
    address1: str = typer.Option(..., "--address1", help="street address"),
    address2: str | None = typer.Option(None, "--address2"),
    city: str = typer.Option(..., "--city"),
    state: str = typer.Option(..., "--state", help="two-letter USPS code"),
    zip_code: str = typer.Option(..., "--zip", help="ZIP or ZIP+4"),
    contact_name: str | None = typer.Option(None, "--contact-name"),
    contact_email: str | None = typer.Option(None, "--contact-email"),
    contact_phone: str | None = typer.Option(None, "--contact-phone"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an employer (the EIN is checked)."""
    try:
        data = EmployerCreate(
            name=name,
            ein=ein,
            address1=address1,
            address2=address2,
            city=city,
            state=state,
            zip=zip_code,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
        )
    except ValueError as exc:
        report_error(_from_pydantic(exc), 1)
    with application() as aso:
        try:
            employer = service.create_employer(uow=aso.uow(), actor=cli_principal(), data=data)
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(employer.model_dump(mode="json"))
    else:
        err.print(
            f"created employer {employer.name} ({employer.ein})", highlight=False, markup=False
        )


@app.command("list")
def list_(as_json: bool = JSON_OPTION) -> None:
    """List the employers with their plan years and plans."""
    with application() as aso:
        employers = service.list_employers(uow=aso.uow(), actor=cli_principal())
    if as_json:
        print_json([e.model_dump(mode="json") for e in employers])
        return
    table = Table("EIN", "name", "city", "plan years", "plans", title="Employers")
    for e in employers:
        years = ", ".join(f"{y.start}..{y.end}" for y in e.plan_years)
        plans = ", ".join(p.plan_id for y in e.plan_years for p in y.plans)
        table.add_row(e.ein, escape(e.name), escape(f"{e.city}, {e.state}"), years, plans)
    out.print(table)


@app.command("show")
def show(ein: str = EIN_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """One employer: address, contact, plan years (with run-out) and plans offered."""
    with application() as aso:
        try:
            employer = service.find_employer(uow=aso.uow(), actor=cli_principal(), ein=ein)
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(employer.model_dump(mode="json"))
        return
    _print_employer(employer)


@app.command("add-plan-year")
def add_plan_year(
    ein: str = EIN_ARGUMENT,
    start: str = typer.Option(..., "--start", help="first day, YYYY-MM-DD"),
    end: str = typer.Option(..., "--end", help="last day, YYYY-MM-DD"),
    runout_months: int = typer.Option(3, "--runout-months", help="months to pay claims after"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a plan year to an employer."""
    try:
        data = PlanYearCreate(
            start=_day(start, "start"), end=_day(end, "end"), runout_months=runout_months
        )
    except ValueError as exc:
        report_error(_from_pydantic(exc), 1)
    with application() as aso:
        try:
            employer = service.find_employer(uow=aso.uow(), actor=cli_principal(), ein=ein)
            year = service.add_plan_year(
                uow=aso.uow(), actor=cli_principal(), employer_id=employer.id, data=data
            )
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(year.model_dump(mode="json"))
    else:
        err.print(f"added plan year {year.start}..{year.end}, run-out to {year.runout_end}")


@app.command("offer")
def offer(
    ein: str = EIN_ARGUMENT,
    source: str = typer.Argument(
        ..., metavar="FILE|TEMPLATE", help="a plan-design file, or a template id"
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Offer a plan in the plan year that contains its period."""
    design = _design(source)
    with application() as aso:
        try:
            employer = service.find_employer(uow=aso.uow(), actor=cli_principal(), ein=ein)
            plan = service.offer_plan(
                uow=aso.uow(), actor=cli_principal(), employer_id=employer.id, design=design
            )
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(plan.model_dump(mode="json"))
    else:
        err.print(
            f"{employer.name} offers {plan.plan_id} ({plan.line}) "
            f"{plan.period_start}..{plan.period_end}",
            highlight=False,
            markup=False,
        )


def _design(source: str) -> PlanDesign:
    path = Path(source)
    if not path.exists():
        try:
            return get_template(source)
        except NotFound as exc:
            report_error(NotFound(f"{source}: no such file, and {exc}"), 2)
    try:
        check = load_design_file(path)
    except ValidationFailed as exc:
        report_error(exc, 2)
    for warning in check.warnings:
        err.print(f"warning: {warning}", highlight=False, markup=False)
    if check.design is None:
        report_error(ValidationFailed(check.errors), 1)
    return check.design


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        report_error(ValidationFailed([Problem(field, "not a date (use YYYY-MM-DD)")]), 2)


def _from_pydantic(exc: ValueError) -> ValidationFailed:
    """Pydantic's errors as ``field: message`` problems, like every other input error."""
    if not isinstance(exc, ValidationError):
        return ValidationFailed([Problem("", str(exc))])
    return ValidationFailed(
        [
            Problem(".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, "))
            for e in exc.errors()
        ]
    )


def _print_employer(employer: EmployerRead) -> None:
    out.print(f"[bold]{escape(employer.name)}[/bold]  EIN {employer.ein}")
    out.print(
        f"{employer.address1}, {employer.city}, {employer.state} {employer.zip}", markup=False
    )
    if employer.contact_name or employer.contact_email:
        contact = f"contact: {employer.contact_name or ''} {employer.contact_email or ''}"
        out.print(contact, markup=False)
    table = Table("plan year", "run-out to", "plan", "line", "name")
    for year in employer.plan_years:
        span = f"{year.start}..{year.end}"
        if not year.plans:
            table.add_row(span, str(year.runout_end), "", "", "")
        for plan in year.plans:
            table.add_row(span, str(year.runout_end), plan.plan_id, plan.line, escape(plan.name))
    out.print(table)
