"""``aso stoploss``: contracts, positions (a report; tracking that makes large-case
notifications), reimbursement requests and reimbursements received.

Register with ``app.add_typer(stoploss.app, name="stoploss")``.

Commands act as a TPA administrator (``cli_principal``), so reports name members. JSON alone on
stdout with ``--json``; messages on stderr. Exit 2 for input that cannot be used (a problem names
the field), 1 for a finding (an employer, contract or request not found, a request closed).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from aso.cli.common import err, out, print_json, report_error, use_case
from aso.db.uow import UnitOfWork
from aso.employers.service import find_employer
from aso.errors import Problem, ValidationFailed
from aso.money import ZERO, fmt
from aso.security.domain import cli_principal
from aso.stoploss import service
from aso.stoploss.domain import Kind
from aso.stoploss.schemas import (
    ClaimantRead,
    ContractCreate,
    ContractPositionRead,
    ContractRead,
    ReceiptRead,
    RequestRead,
    StopLossReportRead,
)
from aso.yamlio import load_document

app = typer.Typer(
    help="Stop-loss: contracts, positions, reimbursement requests and receipts.",
    no_args_is_help=True,
)
contract_app = typer.Typer(help="Stop-loss contracts.", no_args_is_help=True)
app.add_typer(contract_app, name="contract")

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")
EMPLOYER_OPTION = typer.Option(..., "--employer", help="the employer (EIN)")
AS_OF_OPTION = typer.Option(None, "--as-of", help="the day, YYYY-MM-DD (default today)")
CONTRACT_OPTION = typer.Option(None, "--contract", help="one contract (id); default: by date")


@contract_app.command("add")
def add_contract(
    path: Path = typer.Argument(..., help="YAML or JSON contract, with employer: EIN"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Set up a contract: period, basis (e.g. 12/15), specific deductible, lasers, aggregate
    attachment factors by tier and minimum attachment, reimbursement percents."""
    ein, data = _contract_file(path)
    created = use_case(
        lambda uow: service.create_contract(
            uow=uow, actor=cli_principal(), employer_id=_employer_id(uow, ein), data=data
        )
    )
    if as_json:
        print_json(created.model_dump(mode="json"))
        return
    out.print(f"stop-loss contract {created.id}: {_contract_line(created)}", markup=False)


@contract_app.command("list")
def list_contracts(ein: str = EMPLOYER_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The employer's contracts."""
    found = use_case(
        lambda uow: service.contracts(
            uow=uow, actor=cli_principal(), employer_id=_employer_id(uow, ein)
        )
    )
    if as_json:
        print_json([c.model_dump(mode="json") for c in found])
        return
    if not found:
        out.print("no stop-loss contract")
    for contract in found:
        out.print(f"{contract.id}: {_contract_line(contract)}", markup=False)


@app.command("report")
def report(
    ein: str = EMPLOYER_OPTION,
    as_of: str | None = AS_OF_OPTION,
    contract: int | None = CONTRACT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Positions from the claims paid by the day: large claimants, the aggregate, requests."""
    day = _day(as_of, "as_of")
    result = use_case(
        lambda uow: service.report(
            uow=uow,
            actor=cli_principal(),
            employer_id=_employer_id(uow, ein),
            as_of=day,
            contract_id=contract,
        )
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_report(result)


@app.command("track")
def track(
    ein: str = EMPLOYER_OPTION,
    as_of: str | None = AS_OF_OPTION,
    contract: int | None = CONTRACT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Track the contracts in force and make the large-case notifications now due (once per
    member per contract)."""
    day = _day(as_of, "as_of")
    result = use_case(
        lambda uow: service.track(
            uow=uow,
            actor=cli_principal(),
            employer_id=_employer_id(uow, ein),
            as_of=day,
            contract_id=contract,
        )
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    for note in result.notifications:
        out.print(
            f"large-case notification: contract {note.contract_id}, {note.claimant} "
            f"({note.member_id} {note.name}), paid {fmt(note.paid)} reached "
            f"{fmt(note.threshold)} on {note.reached_on}",
            markup=False,
        )
    if not result.notifications:
        out.print("no new large-case notification")
    _print_report(result.report)


@app.command("request")
def request(
    ein: str = EMPLOYER_OPTION,
    as_of: str | None = AS_OF_OPTION,
    aggregate: bool = typer.Option(
        False, "--aggregate", help="the aggregate excess (after the paid window closed)"
    ),
    contract: int | None = CONTRACT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Request what is reimbursable and not yet requested: each member's specific excess
    (default) or the aggregate; each request lists its claims and posts its receivable."""
    day = _day(as_of, "as_of")
    kind = Kind.AGGREGATE if aggregate else Kind.SPECIFIC
    made = use_case(
        lambda uow: service.request_reimbursement(
            uow=uow,
            actor=cli_principal(),
            employer_id=_employer_id(uow, ein),
            as_of=day,
            kind=kind,
            contract_id=contract,
        )
    )
    if as_json:
        print_json([r.model_dump(mode="json") for r in made])
        return
    if not made:
        err.print(f"nothing to request ({kind.value})", highlight=False)
    for item in made:
        _print_request(item)


@app.command("receive")
def receive(
    request_id: int = typer.Argument(..., metavar="REQUEST", help="the request paid"),
    amount: str = typer.Option(..., "--amount", help="dollars received, e.g. 240000.00"),
    on: str | None = typer.Option(None, "--date", help="day received (default today)"),
    reference: str | None = typer.Option(None, "--reference", help="the carrier's EFT/check"),
    final: bool = typer.Option(
        False, "--final", help="settle the request: write off what is not paid"
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a reimbursement from the carrier (into the claims account, in the ledger)."""
    received = _amount(amount)
    day = _day(on, "date")
    result = use_case(
        lambda uow: service.record_reimbursement(
            uow=uow,
            actor=cli_principal(),
            request_id=request_id,
            amount=received,
            received_on=day,
            reference=reference,
            final=final,
        )
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_receipt(result)


# --- input -----------------------------------------------------------------------------------


def _contract_file(path: Path) -> tuple[str, ContractCreate]:
    try:
        document = load_document(path)
    except (OSError, ValueError) as exc:
        report_error(ValidationFailed([Problem(str(path), str(exc))]), 2)
    if not isinstance(document, dict) or not isinstance(document.get("employer"), str):
        report_error(ValidationFailed([Problem("employer", "name the employer's EIN")]), 2)
    fields: dict[str, Any] = {k: v for k, v in document.items() if k != "employer"}
    try:
        return document["employer"], ContractCreate.model_validate(fields)
    except ValidationError as exc:
        problems = [Problem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        report_error(ValidationFailed(problems), 2)


def _employer_id(uow: UnitOfWork, ein: str) -> int:
    return find_employer(uow=uow, actor=cli_principal(), ein=ein).id


def _day(text: str | None, field: str) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        report_error(ValidationFailed([Problem(field, f"{text!r} is not a date (YYYY-MM-DD)")]))


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        report_error(ValidationFailed([Problem("amount", f"{text!r} is not an amount")]))


# --- output ----------------------------------------------------------------------------------


def _contract_line(c: ContractRead) -> str:
    aggregate = f", aggregate minimum {fmt(c.aggregate.minimum_attachment)}" if c.aggregate else ""
    return (
        f"{c.period_start}..{c.period_end} {c.basis} (paid to {c.paid_to}), specific "
        f"{fmt(c.specific_deductible)} at {c.specific_reimbursement:.0%}, "
        f"{c.laser_count} laser(s){aggregate}"
    )


def _print_report(result: StopLossReportRead) -> None:
    view = " (de-identified)" if result.deidentified else ""
    out.print(
        f"[bold]{escape(result.employer)}[/bold]  EIN {result.ein}  stop-loss as of "
        f"{result.as_of}{view}"
    )
    if not result.contracts:
        out.print("no stop-loss contract in force")
    for position in result.contracts:
        _print_position(position)


def _print_position(p: ContractPositionRead) -> None:
    closed = ", paid window closed" if p.settled else ""
    out.print(f"contract {p.contract.id}: {_contract_line(p.contract)}{closed}", markup=False)
    table = Table("claimant", title="Specific: large claimants")
    _amount_columns(table, "paid", "excess", "reimbursable", "requested", "received")
    for c in p.claimants:
        table.add_row(
            _claimant_cell(c), fmt(c.paid), fmt(c.excess), fmt(c.reimbursable),
            fmt(c.requested), fmt(c.received),
        )  # fmt: skip
    others = p.other_members
    table.add_row(f"{others.members} other member(s)", fmt(others.paid), "", "", "", "")
    table.add_section()
    table.add_row(
        "total", fmt(p.paid), fmt(p.specific_excess), fmt(p.specific_reimbursable),
        fmt(sum((c.requested for c in p.claimants), ZERO)),
        fmt(sum((c.received for c in p.claimants), ZERO)),
    )  # fmt: skip
    out.print(table)
    if p.aggregate:
        a = p.aggregate
        state = "final" if a.final else f"{len(a.months)} month(s) so far"
        out.print(
            f"aggregate: eligible {fmt(a.eligible)}, attachment {fmt(a.attachment)} "
            f"(enrollment {fmt(a.from_enrollment)}, minimum {fmt(a.minimum_attachment)}, "
            f"{state}), excess {fmt(a.excess)}, reimbursable {fmt(a.reimbursable)}",
            markup=False,
        )
    out.print(
        f"requested {fmt(p.requested)}, received {fmt(p.received)}, "
        f"outstanding {fmt(p.outstanding)}",
        markup=False,
    )
    if p.requests:
        _print_requests(p.requests)


def _claimant_cell(c: ClaimantRead) -> str:
    """The label, who (in a view that names members), the deductible and the notification."""
    lines = [c.label]
    if c.member_id:
        lines += [c.member_id, escape(c.name or "")]
    laser = " (laser)" if c.lasered else ""
    lines.append(f"deductible {fmt(c.deductible)}{laser}")
    if c.notified:
        lines.append(f"notified {c.notified_on or ''}".strip())
    return "\n".join(lines)


def _print_requests(requests: list[RequestRead]) -> None:
    table = Table("request", "kind", "claimant", "requested on", "status", title="Requests")
    _amount_columns(table, "amount", "received", "outstanding")
    for r in requests:
        table.add_row(
            str(r.id), r.kind.value, r.claimant or "", str(r.requested_on), r.status,
            fmt(r.amount), fmt(r.received), fmt(r.outstanding),
        )  # fmt: skip
    out.print(table)


def _print_request(r: RequestRead) -> None:
    who = f"{r.claimant} ({r.member_id})" if r.member_id else "aggregate"
    out.print(
        f"request {r.id} ({r.kind.value}, contract {r.contract_id}, {who}): "
        f"{fmt(r.amount)} on {r.requested_on}, ledger transaction {r.ledger_transaction_id}",
        markup=False,
    )
    table = Table("claim", title=f"Claims behind request {r.id}")
    _amount_columns(table, "paid", "counted")
    for c in r.claims or []:
        table.add_row(escape(c.claim_id), fmt(c.paid), fmt(c.counted))
    out.print(table)


def _print_receipt(r: ReceiptRead) -> None:
    written_off = f", written off {fmt(r.written_off)}" if r.written_off else ""
    out.print(
        f"receipt {r.id}: {fmt(r.amount)} on request {r.request_id} on {r.received_on}"
        f"{written_off}; request {r.request.status}, outstanding {fmt(r.request.outstanding)}",
        markup=False,
    )


def _amount_columns(table: Table, *names: str) -> None:
    for name in names:
        table.add_column(name, justify="right")
