"""``aso ledger``: the chart of accounts, trial balances, account statements, and entries posted
or reversed by hand.

Register with ``app.add_typer(ledger.app, name="ledger")``.

JSON alone on stdout with ``--json``; messages on stderr. Exit 2 for input that cannot be used
(a problem names the entry, leg and field), 1 for a finding (an employer or transaction not
found, a transaction already reversed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from aso.cli.common import application, out, print_json, report_error, use_case
from aso.db.uow import UnitOfWork
from aso.employers.service import find_employer
from aso.errors import AsoError, Problem, ValidationFailed
from aso.ledger import service
from aso.ledger.domain import ACCOUNTS, Entry
from aso.ledger.schemas import (
    AccountStatementRead,
    TransactionCreate,
    TransactionRead,
    TrialBalanceRead,
)
from aso.money import fmt
from aso.security.domain import cli_principal
from aso.yamlio import load_document

app = typer.Typer(
    help="The ledger: trial balance, account statements, entries.", no_args_is_help=True
)

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")


@app.command("accounts")
def accounts(as_json: bool = JSON_OPTION) -> None:
    """The chart of accounts of every employer's books."""
    chart = service.chart_of_accounts()
    if as_json:
        print_json([a.model_dump(mode="json") for a in chart])
        return
    table = Table("account", "name", "type", "normal balance", title="Chart of accounts")
    for a in chart:
        table.add_row(a.code, a.name, a.type, a.normal_balance)
    out.print(table)


@app.command("trial-balance")
def trial_balance(
    ein: str | None = typer.Option(None, "--employer", help="one employer (EIN); else all"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Every account's balance in the debit or credit column; the two totals are equal."""
    with application() as aso:
        try:
            employer_id = _employer_id(aso.uow(), ein) if ein else None
            balance = service.trial_balance(
                uow=aso.uow(), actor=cli_principal(), employer_id=employer_id
            )
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(balance.model_dump(mode="json"))
        return
    _print_trial_balance(balance, f"employer {ein}" if ein else "all employers")


@app.command("statement")
def statement(
    ein: str = typer.Option(..., "--employer", help="the employer (EIN)"),
    account: str | None = typer.Option(None, "--account", help="one account; else every one"),
    since: str | None = typer.Option(None, "--since", help="first day, YYYY-MM-DD"),
    until: str | None = typer.Option(None, "--until", help="last day, YYYY-MM-DD"),
    as_json: bool = JSON_OPTION,
) -> None:
    """An employer's account statement: opening balance, entries, running and closing
    balance."""
    first, last = _day(since, "since"), _day(until, "until")
    result = use_case(
        lambda uow: service.statement(
            uow=uow,
            actor=cli_principal(),
            employer_id=_employer_id(uow, ein),
            account=account,
            since=first,
            until=last,
        )
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    period = f"{result.since or 'the first entry'} to {result.until or 'the latest'}"
    out.print(f"[bold]{escape(result.employer)}[/bold]  EIN {result.ein}  {period}")
    if not result.accounts:
        out.print("no entries")
    for item in result.accounts:
        _print_statement(item)


@app.command("post")
def post(
    path: Path = typer.Argument(..., help="YAML or JSON: one entry or a list of entries"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Post entries by hand (all or none). Each entry: employer (EIN), posted_on, memo, kind
    (default manual), reference, and legs of ``{account, debit}`` or ``{account, credit}``."""
    try:
        document = load_document(path)
    except (OSError, ValueError) as exc:
        report_error(ValidationFailed([Problem(str(path), str(exc))]), 2)
    items = document if isinstance(document, list) else [document]
    with application() as aso:
        try:
            entries = _entries(aso.uow, items)
            posted = service.post_all(uow=aso.uow(), actor=cli_principal(), entries=entries)
        except ValidationFailed as exc:
            report_error(exc, 2)
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json([t.model_dump(mode="json") for t in posted])
        return
    for transaction in posted:
        _print_transaction(transaction, "posted")


@app.command("reverse")
def reverse(
    transaction_id: int = typer.Argument(..., metavar="ID", help="the transaction to reverse"),
    on: str | None = typer.Option(None, "--date", help="date of the reversal (default today)"),
    memo: str | None = typer.Option(None, "--memo", help="why (default: names the original)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Cancel a posted transaction with a reversing entry (entries are never edited)."""
    posted_on = _day(on, "date") or date.today()
    reversal = use_case(
        lambda uow: service.reverse(
            uow=uow,
            actor=cli_principal(),
            transaction_id=transaction_id,
            posted_on=posted_on,
            memo=memo,
        )
    )
    if as_json:
        print_json(reversal.model_dump(mode="json"))
        return
    _print_transaction(reversal, "posted reversal")


def _entries(make_uow: Callable[[], UnitOfWork], items: list[Any]) -> list[Entry]:
    """The entries a file describes, each employer found by its EIN; every problem named."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    for number, item in enumerate(items, start=1):
        where = f"entries[{number}]" if len(items) > 1 else ""
        try:
            entries.append(_entry(make_uow, item))
        except ValidationFailed as exc:
            problems.extend(Problem(_join(where, p.where), p.message) for p in exc.problems)
    if problems:
        raise ValidationFailed(problems)
    return entries


def _entry(make_uow: Callable[[], UnitOfWork], item: Any) -> Entry:
    if not isinstance(item, dict) or not isinstance(item.get("employer"), str):
        raise ValidationFailed([Problem("employer", "each entry names its employer's EIN")])
    fields = {key: value for key, value in item.items() if key != "employer"}
    try:
        data = TransactionCreate.model_validate(
            {**fields, "employer_id": _employer_id(make_uow(), item["employer"])}
        )
    except ValidationError as exc:
        raise ValidationFailed(
            [Problem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        ) from exc
    return service.entry_from(data)


def _employer_id(uow: UnitOfWork, ein: str) -> int:
    return find_employer(uow=uow, actor=cli_principal(), ein=ein).id


def _join(prefix: str, where: str) -> str:
    return f"{prefix}.{where}" if prefix and where else prefix or where


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        report_error(ValidationFailed([Problem(field, f"{text!r} is not a date (YYYY-MM-DD)")]))


def _name(code: str) -> str:
    account = ACCOUNTS.get(code)
    return account.name if account else code


def _print_trial_balance(balance: TrialBalanceRead, scope: str) -> None:
    table = Table("account", "name", title=f"Trial balance, {scope}")
    _amount_columns(table, "debit", "credit")
    for line in balance.accounts:
        table.add_row(line.account, _name(line.account), fmt(line.debit), fmt(line.credit))
    table.add_section()
    table.add_row("total", "", fmt(balance.total_debit), fmt(balance.total_credit))
    out.print(table)
    out.print(f"net {fmt(balance.net)}")


def _print_statement(item: AccountStatementRead) -> None:
    title = f"{item.name} ({item.account}), {item.normal_balance} balance"
    table = Table("date", "txn", "kind", "memo", title=title)
    _amount_columns(table, "debit", "credit", "balance")
    table.add_row("", "", "", "opening balance", "", "", fmt(item.opening))
    for line in item.entries:
        table.add_row(
            str(line.posted_on),
            str(line.transaction_id),
            line.kind,
            escape(line.memo),
            fmt(line.debit) if line.debit else "",
            fmt(line.credit) if line.credit else "",
            fmt(line.balance),
        )
    table.add_section()
    table.add_row(
        "", "", "", "closing balance", fmt(item.total_debit), fmt(item.total_credit),
        fmt(item.closing),
    )  # fmt: skip
    out.print(table)


def _amount_columns(table: Table, *names: str) -> None:
    for name in names:
        table.add_column(name, justify="right")


def _print_transaction(transaction: TransactionRead, what: str) -> None:
    out.print(
        f"{what} transaction {transaction.id} on {transaction.posted_on}: "
        f"{transaction.memo} ({fmt(transaction.total)})",
        markup=False,
    )
