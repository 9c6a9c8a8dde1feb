"""``aso payments`` and ``aso funding``: payment cycles and their funding requests, releases (ACH
file, checks, positive pay, 835s), voids and reissues, ACH returns and notifications of change,
payees' bank accounts; employers' funding accounts, deposits and funding status.

Register with ``app.add_typer(payments.app, name="payments")`` and
``app.add_typer(payments.funding_app, name="funding")``.

JSON alone on stdout with ``--json``; messages and progress on stderr. Exit 2 for input that
cannot be used (each problem named), 1 for a finding (an employer, cycle or payment not found,
nothing to pay, a check already void).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

import typer
from pydantic import BaseModel
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from aso.bootstrap import App
from aso.cli.common import application, err, out, print_json, progress, report_error
from aso.employers.service import find_employer
from aso.errors import AsoError, Problem, ValidationFailed
from aso.members.crypto import SsnCipher
from aso.money import fmt
from aso.payments import files, service
from aso.payments.cycles import run_cycle
from aso.payments.documents import request_csv_text, request_pdf_bytes
from aso.payments.release import release_cycle
from aso.payments.returns import apply_notices
from aso.payments.schemas import (
    BankAccountSet,
    CycleRead,
    DepositCreate,
    FundingAccountSet,
    FundingRequestRead,
    FundingStatusRead,
    PaymentRead,
    ReleaseRead,
    ReturnsRead,
    VoidRead,
)
from aso.payments.voids import void_payment
from aso.security.domain import cli_principal

T = TypeVar("T")

app = typer.Typer(
    help="Payment cycles, releases, voids, ACH returns and payees' bank accounts.",
    no_args_is_help=True,
)
funding_app = typer.Typer(
    help="Employers' claims funding: accounts, deposits, funding status.", no_args_is_help=True
)

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")
EMPLOYER_OPTION = typer.Option(..., "--employer", help="the employer's EIN")
OUT_OPTION = typer.Option(None, "--out", help="write the files into this folder")
DATE_HELP = "YYYY-MM-DD (default today)"
MANY = 20
"""A release of this many payments or more shows a progress bar."""


def _run(call: Callable[[App], T]) -> T:
    """One use case against the wired application (exit 2 for unusable input, 1 otherwise)."""
    with application() as aso:
        try:
            return call(aso)
        except ValidationFailed as exc:
            report_error(exc, 2)
        except AsoError as exc:
            report_error(exc, 1)


def _cipher(aso: App) -> SsnCipher:
    return SsnCipher(aso.settings.resolved_ssn_key())


def _employer_id(aso: App, ein: str) -> int:
    return find_employer(uow=aso.uow(), actor=cli_principal(), ein=ein).id


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        report_error(ValidationFailed([Problem(option, f"{text!r} is not YYYY-MM-DD")]), 2)


def _emit(result: BaseModel, as_json: bool, show: Callable[[], None]) -> None:
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        show()


def _write(aso: App, batch: str | None, folder: Path | None) -> None:
    if batch is None or folder is None:
        return
    found = service.batch_files(uow=aso.uow(), actor=cli_principal(), batch=batch)
    for path in files.write_all(folder, found):
        err.print(f"wrote {path}", highlight=False, markup=False)


# --- aso payments -----------------------------------------------------------------------


@app.command("run")
def run(
    ein: str = EMPLOYER_OPTION,
    through: str = typer.Option(..., "--through", help="claims adjudicated up to this day"),
    on: str | None = typer.Option(None, "--date", help=f"the cycle's date, {DATE_HELP}"),
    folder: Path | None = typer.Option(None, "--out", help="write the funding request here"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the employer's payment cycle (one payment per payee) and its funding request."""
    through_day = _day(through, "--through")
    assert through_day is not None
    run_on = _day(on, "--date")

    def call(aso: App) -> CycleRead:
        cycle = run_cycle(
            uow=aso.uow(),
            actor=cli_principal(),
            employer_id=_employer_id(aso, ein),
            through=through_day,
            run_on=run_on,
        )
        if folder is not None:
            _request_files(
                aso, cycle.number, folder / f"{cycle.number}.pdf", folder / f"{cycle.number}.csv"
            )
        return cycle

    cycle = _run(call)
    _emit(cycle, as_json, lambda: _print_cycle(cycle))


@app.command("request")
def request(
    number: str = typer.Argument(..., metavar="CYCLE", help="the cycle number"),
    pdf: Path | None = typer.Option(None, "--pdf", help="write the request as PDF here"),
    csv: Path | None = typer.Option(None, "--csv", help="write its claims as CSV here"),
    as_json: bool = JSON_OPTION,
) -> None:
    """A cycle's funding request (de-identified): JSON, PDF or CSV."""
    found = _run(lambda aso: _request_files(aso, number, pdf, csv))
    if as_json:
        print_json(found.model_dump(mode="json"))
    elif pdf is None and csv is None:
        out.print(
            f"[bold]{found.number}[/bold] requested {fmt(found.requested)}, "
            f"deposited {fmt(found.deposited)}; {len(found.lines)} claims"
        )


def _request_files(aso: App, number: str, pdf: Path | None, csv: Path | None) -> FundingRequestRead:
    found = service.get_funding_request(uow=aso.uow(), actor=cli_principal(), number=number)
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(request_pdf_bytes(found))
        err.print(f"wrote {pdf}", highlight=False, markup=False)
    if csv is not None:
        csv.parent.mkdir(parents=True, exist_ok=True)
        csv.write_text(request_csv_text(found), encoding="utf-8")
        err.print(f"wrote {csv}", highlight=False, markup=False)
    return found


@app.command("show")
def show(
    number: str = typer.Argument(..., metavar="CYCLE", help="the cycle number"),
    as_json: bool = JSON_OPTION,
) -> None:
    """A cycle and its payments."""

    def call(aso: App) -> tuple[CycleRead, list[PaymentRead]]:
        actor = cli_principal()
        cycle = service.get_cycle(uow=aso.uow(), actor=actor, number=number)
        return cycle, service.cycle_payments(uow=aso.uow(), actor=actor, number=number)

    cycle, payments = _run(call)
    if as_json:
        print_json(
            {
                **cycle.model_dump(mode="json"),
                "payments": [p.model_dump(mode="json") for p in payments],
            }
        )
        return
    _print_cycle(cycle)
    _print_payments(payments)


@app.command("release")
def release(
    number: str = typer.Argument(..., metavar="CYCLE", help="the cycle number"),
    on: str | None = typer.Option(None, "--date", help=f"the release day, {DATE_HELP}"),
    folder: Path | None = OUT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Release the cycle's pending payments as far as the funds go: ACH file, checks with
    positive pay and register, one 835 per payment; claims become paid."""
    day = _day(on, "--date")
    with ExitStack() as stack:
        bar: list[tuple[Progress, TaskID]] = []

        def advance(done: int, total: int) -> None:
            if not bar and total >= MANY:
                shown = stack.enter_context(progress())
                bar.append((shown, shown.add_task(f"writing 835s of {number}", total=total)))
            if bar:
                bar[0][0].update(bar[0][1], completed=done)

        def call(aso: App) -> ReleaseRead:
            result = release_cycle(
                uow=aso.uow(),
                actor=cli_principal(),
                number=number,
                cipher=_cipher(aso),
                released_on=day,
                progress=advance,
            )
            _write(aso, result.batch, folder)
            return result

        result = _run(call)
    _emit(result, as_json, lambda: _print_release(result))


@app.command("void")
def void(
    payment_id: int = typer.Argument(..., metavar="PAYMENT", help="the payment id"),
    reissue: bool = typer.Option(False, "--reissue", help="issue a new check for it"),
    reason: str | None = typer.Option(None, "--reason", help="why (kept in the audit log)"),
    on: str | None = typer.Option(None, "--date", help=f"the void's day, {DATE_HELP}"),
    folder: Path | None = OUT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Void a payment's check: reissue it, or undo the payment (its claims are paid again by a
    later cycle; an 835 reverses its 835)."""
    day = _day(on, "--date")
    why = reason or ("check reissued" if reissue else "check voided")

    def call(aso: App) -> VoidRead:
        result = void_payment(
            uow=aso.uow(),
            actor=cli_principal(),
            payment_id=payment_id,
            reason=why,
            reissue=reissue,
            on=day,
        )
        _write(aso, result.batch, folder)
        return result

    result = _run(call)

    def shown() -> None:
        message = f"check {result.voided_check} voided"
        if result.new_check:
            message += f"; reissued as check {result.new_check}"
        else:
            message += f"; payment {result.payment.id} undone, its claims unpaid again"
        out.print(message)

    _emit(result, as_json, shown)


@app.command("returns")
def returns(
    path: Path = typer.Argument(..., metavar="FILE", help="CSV: trace, code, corrected_data"),
    folder: Path | None = OUT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Apply the bank's ACH returns (Rnn: the payment is undone, the account taken out of use)
    and notifications of change (Cnn: the account corrected)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        report_error(ValidationFailed([Problem(str(path), str(exc))]), 2)

    def call(aso: App) -> ReturnsRead:
        result = apply_notices(uow=aso.uow(), actor=cli_principal(), text=text, cipher=_cipher(aso))
        for batch in result.batches:
            _write(aso, batch, folder)
        return result

    result = _run(call)

    def shown() -> None:
        table = Table("line", "trace", "code", "outcome", title="ACH returns and NOCs")
        for notice in result.notices:
            table.add_row(str(notice.line), notice.trace, notice.code, escape(notice.outcome))
        out.print(table)
        out.print(f"{result.applied} applied, {result.skipped} not applied")

    _emit(result, as_json, shown)


@app.command("bank-account")
def bank_account(
    npi: str | None = typer.Option(None, "--npi", help="a provider's NPI"),
    member: str | None = typer.Option(None, "--member", help="a subscriber's member id"),
    routing: str = typer.Option(..., "--routing", help="ABA routing number"),
    account: str = typer.Option(..., "--account", help="the account number"),
    savings: bool = typer.Option(False, "--savings", help="a savings account"),
    verified: bool = typer.Option(False, "--verified", help="confirmed by the bank: no prenote"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Register a payee's EFT account (it replaces the one in use)."""
    data = BankAccountSet(
        npi=npi,
        member=member,
        routing=routing,
        account_number=account,
        account_type="savings" if savings else "checking",
        verified=verified,
    )
    result = _run(
        lambda aso: service.set_bank_account(
            uow=aso.uow(), actor=cli_principal(), data=data, cipher=_cipher(aso)
        )
    )
    _emit(
        result,
        as_json,
        lambda: out.print(
            f"{result.payee_qualifier} {result.payee_id}: {result.routing} {result.account} "
            f"({result.account_type}), {result.status}"
        ),
    )


# --- aso funding ------------------------------------------------------------------------


@funding_app.command("account")
def funding_account(
    ein: str = EMPLOYER_OPTION,
    bank: str = typer.Option(..., "--bank", help="the bank's name"),
    routing: str = typer.Option(..., "--routing", help="ABA routing number"),
    account: str = typer.Option(..., "--account", help="the account number (digits)"),
    savings: bool = typer.Option(False, "--savings", help="a savings account"),
    prefund_days: int = typer.Option(0, "--prefund-days", help="days of claims to keep"),
    first_check: int | None = typer.Option(None, "--first-check", help="next check number"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Set the employer's claims funding account, prefunding and check numbers."""
    data = FundingAccountSet(
        bank_name=bank,
        routing=routing,
        account_number=account,
        account_type="savings" if savings else "checking",
        prefund_days=prefund_days,
        first_check_number=first_check,
    )
    result = _run(
        lambda aso: service.set_funding_account(
            uow=aso.uow(), actor=cli_principal(), employer_id=_employer_id(aso, ein), data=data
        )
    )
    _emit(
        result,
        as_json,
        lambda: out.print(
            f"{result.ein}: {escape(result.bank_name)} {result.routing} {result.account}, prefund "
            f"{result.prefund_days} days, next check {result.next_check_number}"
        ),
    )


@funding_app.command("deposit")
def deposit(
    ein: str = EMPLOYER_OPTION,
    amount: str = typer.Option(..., "--amount", help="the amount deposited"),
    on: str = typer.Option(..., "--date", help="the day it was received, YYYY-MM-DD"),
    reference: str | None = typer.Option(None, "--reference", help="e.g. the cycle it pays"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the employer's deposit; it pays its open funding requests, the rest prefunds."""
    day = _day(on, "--date")
    try:
        value = Decimal(amount.replace(",", ""))
    except InvalidOperation:
        report_error(ValidationFailed([Problem("--amount", f"{amount!r} is not an amount")]), 2)
    if not value.is_finite() or value <= 0:
        report_error(ValidationFailed([Problem("--amount", f"{amount!r} is not positive")]), 2)
    assert day is not None
    data = DepositCreate(amount=value, received_on=day, reference=reference)
    result = _run(
        lambda aso: service.record_deposit(
            uow=aso.uow(), actor=cli_principal(), employer_id=_employer_id(aso, ein), data=data
        )
    )

    def shown() -> None:
        matched = ", ".join(f"{m.cycle} {fmt(m.amount)}" for m in result.matched) or "none"
        out.print(
            f"deposit {result.id}: {fmt(result.amount)} on {result.received_on}; "
            f"requests paid: {matched}; prefunding {fmt(result.prefunding)}"
        )

    _emit(result, as_json, shown)


@funding_app.command("status")
def status(ein: str = EMPLOYER_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The employer's claims money per the ledger, prefunding, requests and deposits."""
    result = _run(
        lambda aso: service.funding_status(
            uow=aso.uow(), actor=cli_principal(), employer_id=_employer_id(aso, ein)
        )
    )
    _emit(result, as_json, lambda: _print_status(result))


# --- printing ---------------------------------------------------------------------------


def _print_cycle(cycle: CycleRead) -> None:
    out.print(
        f"[bold]{cycle.number}[/bold] ({cycle.status}) {cycle.ein}, claims through "
        f"{cycle.through}: {cycle.claims} claims, {cycle.payees} payees; claims "
        f"{fmt(cycle.claims_amount)}, overpayments to recover {fmt(cycle.overpaid)}; "
        f"[bold]requested {fmt(cycle.requested)}[/bold] (prefund target "
        f"{fmt(cycle.prefund_target)}, deposited {fmt(cycle.deposited)})"
    )
    if cycle.remitted_elsewhere:
        err.print(
            f"{cycle.remitted_elsewhere} claims were remitted by an 835 export and are "
            "not paid here",
            highlight=False,
            markup=False,
        )


def _print_payments(payments: list[PaymentRead]) -> None:
    table = Table("id", "payee", "status", "method", "trace", title="Payments")
    table.add_column("amount", justify="right")
    for p in payments:
        table.add_row(
            str(p.id),
            f"{p.payee_qualifier} {p.payee_id}",
            p.status,
            p.method or "",
            p.trace or "",
            fmt(p.amount),
        )
    out.print(table)


def _print_release(result: ReleaseRead) -> None:
    out.print(
        f"[bold]{result.cycle}[/bold] released {result.released} payments, "
        f"{fmt(result.released_amount)} (EFT {result.eft}: {fmt(result.eft_amount)}, checks "
        f"{result.checks}: {fmt(result.checks_amount)}, no payment {result.no_payment}); "
        f"{result.claims_paid} claims paid; cycle {result.cycle_status}"
    )
    if result.pending:
        out.print(
            f"{result.pending} payments ({fmt(result.pending_amount)}) wait for funds: "
            f"shortfall {fmt(result.shortfall)}"
        )
    if result.changed_claims:
        out.print(
            f"{result.changed_claims} claims changed since the cycle ran: left to a later cycle"
        )
    for file in result.files:
        err.print(f"{file.kind}: {file.name}", highlight=False, markup=False)


def _print_status(result: FundingStatusRead) -> None:
    table = Table("", title=f"Claims funding of {result.ein}")
    table.add_column("amount", justify="right")
    for name, amount in (
        ("bank balance", result.bank_balance),
        ("funding requested, not deposited", result.funding_requested),
        ("claims payable", result.claims_payable),
        ("overpayments receivable", result.overpayments_receivable),
        ("available to pay", result.available),
        ("kept beyond approved claims", result.uncommitted),
        (f"prefund target ({result.prefund_days} days)", result.prefund_target),
    ):
        table.add_row(name, fmt(amount))
    out.print(table)
    requests = Table("cycle", "run", "status", title="Funding requests")
    for column in ("requested", "deposited", "outstanding"):
        requests.add_column(column, justify="right")
    for r in result.requests:
        requests.add_row(
            r.cycle,
            str(r.run_on),
            r.cycle_status,
            fmt(r.requested),
            fmt(r.deposited),
            fmt(r.outstanding),
        )
    out.print(requests)
