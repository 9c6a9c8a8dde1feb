"""``aso invoices``: admin fee agreements and the monthly invoices to employers (``aso fees`` is
the providers' fee schedules).

Register with ``app.add_typer(invoices.app, name="invoices")``.

JSON alone on stdout with ``--json``; messages and progress on stderr. Exit 2 for input that
cannot be used (an agreement file's problems name each field), 1 for a finding (an employer or
invoice not found, an employer named with no agreement in effect).
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from aso.adminfees import months, service
from aso.adminfees.documents import invoice_csv_text, invoice_pdf_bytes
from aso.adminfees.domain import parse_agreement
from aso.adminfees.schemas import InvoiceRead, InvoiceRunRead
from aso.cli.common import err, out, print_json, progress, report_error, use_case
from aso.db.uow import UnitOfWork
from aso.employers.service import find_employer
from aso.errors import Problem, ValidationFailed
from aso.money import fmt
from aso.security.domain import cli_principal
from aso.yamlio import load_document

app = typer.Typer(
    help="Admin fee agreements and monthly invoices to employers.", no_args_is_help=True
)
agreement_app = typer.Typer(help="An employer's admin fee agreement.", no_args_is_help=True)
app.add_typer(agreement_app, name="agreement")

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")
EMPLOYER_OPTION = typer.Option(..., "--employer", help="the employer's EIN")
MANY = 5
"""A run over this many employers or more shows a progress bar."""


def _employer_id(uow: UnitOfWork, ein: str) -> int:
    return find_employer(uow=uow, actor=cli_principal(), ein=ein).id


@agreement_app.command("set")
def agreement_set(
    path: Path = typer.Argument(..., metavar="FILE", help="the agreement, YAML or JSON"),
    ein: str = EMPLOYER_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Set the employer's fee agreement from its ``effective`` month (the same month again
    replaces it). Fields: effective, count_rule (first_of_month | mid_month | any_day), pepm,
    percent_of_paid (fractions), per_claim (by line), monthly_minimum, stop_loss (name and
    pepm_by_tier or monthly), lookback_months, payment_terms_days."""
    try:
        terms = parse_agreement(load_document(path))
    except (OSError, ValueError) as exc:
        report_error(ValidationFailed([Problem(str(path), str(exc))]), 2)
    except ValidationFailed as exc:
        report_error(exc, 2)
    result = use_case(
        lambda uow: service.set_agreement(
            uow=uow, actor=cli_principal(), employer_id=_employer_id(uow, ein), terms=terms
        )
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    err.print(
        f"fee agreement of {result.ein} set from {months.code(result.effective)}",
        highlight=False,
        markup=False,
    )


@agreement_app.command("show")
def agreement_show(ein: str = EMPLOYER_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The employer's fee agreements, by effective month."""
    result = use_case(
        lambda uow: service.list_agreements(
            uow=uow, actor=cli_principal(), employer_id=_employer_id(uow, ein)
        )
    )
    if as_json:
        print_json([a.model_dump(mode="json") for a in result])
        return
    if not result:
        err.print(f"{ein} has no fee agreement", highlight=False, markup=False)
    for agreement in result:
        out.print(f"[bold]from {months.code(agreement.effective)}[/bold]")
        for name, value in agreement.terms.items():
            if name != "effective" and value not in ({}, [], None):
                out.print(f"  {name}: {escape(str(value))}")


@app.command("run")
def run(
    month: str = typer.Option(..., "--month", help="the month to invoice, YYYY-MM"),
    ein: str | None = typer.Option(None, "--employer", help="one employer (EIN); else all"),
    issued: str | None = typer.Option(None, "--date", help="issue date (default today)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Invoice a month: each employer with an agreement in effect (or the one named) gets one
    invoice, with adjustments for earlier months; a month already invoiced is reported, never
    billed twice."""
    try:
        period = months.parse_month(month, "--month")
        issued_on = date.fromisoformat(issued) if issued else None
    except ValueError:
        report_error(ValidationFailed([Problem("--date", f"{issued!r} is not YYYY-MM-DD")]), 2)
    except ValidationFailed as exc:
        report_error(exc, 2)

    with ExitStack() as stack:
        bar: list[tuple[Progress, TaskID]] = []

        def advance(done: int, total: int) -> None:
            if not bar and total >= MANY:
                shown = stack.enter_context(progress())
                bar.append((shown, shown.add_task(f"invoicing {months.code(period)}", total=total)))
            if bar:
                bar[0][0].update(bar[0][1], completed=done)

        result = use_case(
            lambda uow: service.run_invoices(
                uow=uow,
                actor=cli_principal(),
                month=period,
                employer_id=_employer_id(uow, ein) if ein else None,
                issued_on=issued_on,
                progress=advance,
            )
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_run(result)
    if ein and result.skipped:
        raise typer.Exit(1)


@app.command("show")
def show(
    number: str = typer.Argument(..., metavar="NUMBER", help="the invoice number"),
    pdf: Path | None = typer.Option(None, "--pdf", help="write the invoice as PDF here"),
    csv: Path | None = typer.Option(None, "--csv", help="write its lines as CSV here"),
    as_json: bool = JSON_OPTION,
) -> None:
    """An invoice: its lines, adjustments (with the month each corrects) and totals."""
    invoice = use_case(
        lambda uow: service.get_invoice(uow=uow, actor=cli_principal(), number=number)
    )
    if pdf is not None:
        pdf.write_bytes(invoice_pdf_bytes(invoice))
        err.print(f"wrote {pdf}", highlight=False, markup=False)
    if csv is not None:
        csv.write_text(invoice_csv_text(invoice), encoding="utf-8")
        err.print(f"wrote {csv}", highlight=False, markup=False)
    if as_json:
        print_json(invoice.model_dump(mode="json"))
    elif pdf is None and csv is None:
        _print_invoice(invoice)


@app.command("list")
def list_(ein: str = EMPLOYER_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The employer's invoices, latest month first."""
    result = use_case(
        lambda uow: service.list_invoices(
            uow=uow, actor=cli_principal(), employer_id=_employer_id(uow, ein)
        )
    )
    if as_json:
        print_json([i.model_dump(mode="json") for i in result])
        return
    table = Table("number", "month", "status", "issued", "due", title=f"Invoices of {ein}")
    table.add_column("total", justify="right")
    for i in result:
        table.add_row(
            i.number, months.code(i.month), i.status, str(i.issued_on), str(i.due_on), fmt(i.total)
        )
    out.print(table)


@app.command("void")
def void(
    number: str = typer.Argument(..., metavar="NUMBER", help="the invoice number"),
    reason: str = typer.Option(..., "--reason", help="why"),
    on: str | None = typer.Option(None, "--date", help="date of the reversal (default today)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Void the employer's latest invoice (its ledger entry is reversed; the month can be
    invoiced again)."""
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        report_error(ValidationFailed([Problem("--date", f"{on!r} is not YYYY-MM-DD")]), 2)
    invoice = use_case(
        lambda uow: service.void_invoice(
            uow=uow, actor=cli_principal(), number=number, reason=reason, on=day
        )
    )
    if as_json:
        print_json(invoice.model_dump(mode="json"))
        return
    err.print(f"voided invoice {invoice.number}", highlight=False, markup=False)


def _print_run(result: InvoiceRunRead) -> None:
    table = Table(
        "employer", "EIN", "outcome", "invoice", title=f"Invoices {months.code(result.month)}"
    )
    table.add_column("total", justify="right")
    table.add_column("adjustments", justify="right")
    for item in result.invoices:
        table.add_row(
            escape(item.employer),
            item.ein,
            item.outcome if item.message is None else f"{item.outcome}: {item.message}",
            item.number or "",
            fmt(item.total) if item.total is not None else "",
            str(item.adjustment_lines) if item.outcome == "issued" else "",
        )
    out.print(table)
    out.print(
        f"{result.issued} issued, {result.existing} already invoiced, {result.skipped} skipped"
    )


def _print_invoice(invoice: InvoiceRead) -> None:
    out.print(
        f"[bold]Invoice {invoice.number}[/bold] ({invoice.status}) {escape(invoice.employer)} "
        f"EIN {invoice.ein}, {months.label(invoice.month)}; issued {invoice.issued_on}, "
        f"due {invoice.due_on}"
    )
    table = Table("#", "corrects", "description", "quantity", "rate")
    table.add_column("amount", justify="right")
    for line in invoice.lines:
        table.add_row(
            str(line.seq),
            months.code(line.month_corrected) if line.month_corrected else "",
            escape(line.description),
            line.quantity or "",
            line.rate or "",
            fmt(line.amount),
        )
    out.print(table)
    out.print(
        f"month {fmt(invoice.current)}  adjustments {fmt(invoice.adjustments)}  "
        f"[bold]total {fmt(invoice.total)}[/bold]  (fees {fmt(invoice.fees)}, "
        f"stop-loss pass-through {fmt(invoice.pass_through)})"
    )
