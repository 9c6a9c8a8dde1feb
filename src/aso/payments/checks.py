"""Checks as a payment method: the check register and the positive pay issue file.

A payee without bank details is paid by a check drawn on the employer's claims funding account.
The **check register** lists every check with its number, issue date, payee, amount and status
(issued or voided): what the account's reconciliation and the 835's TRN02 refer to. The
**positive pay** issue file tells the bank which checks it may honour: a check presented for
payment is paid only when its account, number and amount (and, with payee positive pay, the
payee's name) match an issued record; a check listed with the void indicator is refused. It is
the standard defence against altered and counterfeit checks on a disbursement account.

No standard governs positive pay files: each bank publishes its own layout. The layouts here are
data (``Layout``), and a bank that wants another gets another ``Layout`` value, not new code:

- ``POSITIVE_PAY_FIXED``: an 80-column fixed-width issue record of the shape most banks'
  positive-pay guides describe: account number (1-12) and check number (13-22) right-justified
  and zero-filled, issue date MMDDYYYY (23-30), amount in cents with an implied decimal point,
  zero-filled (31-40), issue/void code ``I``/``V`` (41), payee name left-justified and
  blank-filled (42-80).
- ``POSITIVE_PAY_CSV``: the same fields as comma-separated values in the same order, no header
  row, the date MM/DD/YYYY, the amount with its decimal point (``1234.56``).

Amounts are ``Decimal`` and never float; an amount with a fraction of a cent is refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from aso.errors import Problem, ValidationFailed
from aso.money import CENT, fmt

PRINTABLE = re.compile(r"[\x20-\x7e]+")
ACCOUNT = re.compile(r"[0-9]{1,17}")
MAX_CHECK_NUMBER = 10**10 - 1


class CheckStatus(StrEnum):
    ISSUED = "issued"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class Check:
    number: int
    issued_on: date
    payee: str
    amount: Decimal
    status: CheckStatus = CheckStatus.ISSUED
    voided_on: date | None = None
    payee_id: str = ""


class Source(StrEnum):
    """What a positive pay column carries."""

    ACCOUNT = "account"
    CHECK_NUMBER = "check_number"
    ISSUE_DATE = "issue_date"
    AMOUNT = "amount"
    CODE = "code"
    """The issue/void indicator."""
    PAYEE = "payee"


@dataclass(frozen=True, slots=True)
class Column:
    source: Source
    width: int
    """Positions in a fixed-width record; the longest value in a delimited one."""
    zero_filled: bool = False
    """Right-justified and zero-filled; otherwise left-justified and blank-filled (fixed width)."""


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    columns: tuple[Column, ...]
    delimited: bool
    date_format: str
    implied_decimal: bool
    """The amount as cents without a decimal point (``123456`` for 1,234.56)."""
    issue_code: str = "I"
    void_code: str = "V"
    newline: str = "\r\n"

    @property
    def record_length(self) -> int:
        return sum(column.width for column in self.columns)


POSITIVE_PAY_FIXED = Layout(
    name="fixed-width 80",
    columns=(
        Column(Source.ACCOUNT, 12, zero_filled=True),
        Column(Source.CHECK_NUMBER, 10, zero_filled=True),
        Column(Source.ISSUE_DATE, 8),
        Column(Source.AMOUNT, 10, zero_filled=True),
        Column(Source.CODE, 1),
        Column(Source.PAYEE, 39),
    ),
    delimited=False,
    date_format="%m%d%Y",
    implied_decimal=True,
)
POSITIVE_PAY_CSV = Layout(
    name="csv",
    columns=(
        Column(Source.ACCOUNT, 17),
        Column(Source.CHECK_NUMBER, 10),
        Column(Source.ISSUE_DATE, 10),
        Column(Source.AMOUNT, 14),
        Column(Source.CODE, 1),
        Column(Source.PAYEE, 50),
    ),
    delimited=True,
    date_format="%m/%d/%Y",
    implied_decimal=False,
)
REGISTER_COLUMNS = (
    "check_number",
    "issue_date",
    "payee_id",
    "payee",
    "amount",
    "status",
    "voided_on",
)


# --- validation -----------------------------------------------------------------------------


def _amount_problems(where: str, amount: object) -> list[Problem]:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return [Problem(where, f"{amount!r} is not a Decimal amount")]
    if amount != amount.quantize(CENT):
        return [Problem(where, f"{amount} has fractions of a cent")]
    if amount <= 0:
        return [Problem(where, f"{amount} must be positive")]
    return []


def _status_problems(where: str, check: Check) -> list[Problem]:
    if check.status is CheckStatus.VOIDED and check.voided_on is None:
        return [Problem(f"{where}.voided_on", "a voided check says when it was voided")]
    if check.status is CheckStatus.ISSUED and check.voided_on is not None:
        return [Problem(f"{where}.voided_on", "an issued check has no void date")]
    if check.voided_on is not None and check.voided_on < check.issued_on:
        return [Problem(f"{where}.voided_on", "a check is voided after it is issued")]
    return []


def check_problems(where: str, check: Check) -> list[Problem]:
    """What is wrong with one check, each problem naming the check and the field."""
    where = f"{where} (check {check.number})"
    found = []
    if not isinstance(check.number, int) or not 0 < check.number <= MAX_CHECK_NUMBER:
        found.append(Problem(f"{where}.number", "a check number is 1 to 10 digits"))
    if not isinstance(check.payee, str) or not PRINTABLE.fullmatch(check.payee):
        found.append(Problem(f"{where}.payee", f"{check.payee!r}: a name in printable ASCII"))
    if not isinstance(check.payee_id, str) or not PRINTABLE.fullmatch(check.payee_id or " "):
        found.append(Problem(f"{where}.payee_id", f"{check.payee_id!r}: printable ASCII"))
    found += _amount_problems(f"{where}.amount", check.amount)
    found += _status_problems(where, check)
    return found


def checks_problems(checks: Sequence[Check]) -> list[Problem]:
    found = [p for i, check in enumerate(checks) for p in check_problems(f"checks[{i}]", check)]
    repeated = sorted(n for n, count in Counter(c.number for c in checks).items() if count > 1)
    if repeated:
        found.append(Problem("checks", f"check numbers listed twice: {repeated}"))
    return found


def _raise_if(found: list[Problem], summary: str) -> None:
    if found:
        raise ValidationFailed(found, summary)


# --- the check register ---------------------------------------------------------------------


def check_register_csv(checks: Sequence[Check]) -> str:
    """The register as CSV with a header row, in check number order: ISO dates, amounts as
    decimal strings (``1234.56``), the void date on voided checks."""
    _raise_if(checks_problems(checks), "the check register cannot be written")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REGISTER_COLUMNS)
    for check in sorted(checks, key=lambda c: c.number):
        voided = check.voided_on.isoformat() if check.voided_on else ""
        row = (check.number, check.issued_on.isoformat(), check.payee_id, check.payee)
        writer.writerow((*row, fmt(check.amount), check.status.value, voided))
    return buffer.getvalue()


# --- positive pay ---------------------------------------------------------------------------


def _value(column: Column, check: Check, account: str, layout: Layout) -> str:
    if column.source is Source.ACCOUNT:
        return account
    if column.source is Source.CHECK_NUMBER:
        return str(check.number)
    if column.source is Source.ISSUE_DATE:
        return check.issued_on.strftime(layout.date_format)
    if column.source is Source.AMOUNT:
        return str(int(check.amount * 100)) if layout.implied_decimal else fmt(check.amount)
    if column.source is Source.CODE:
        return layout.void_code if check.status is CheckStatus.VOIDED else layout.issue_code
    return check.payee[: column.width]


def _fill(column: Column, value: str) -> str:
    return value.rjust(column.width, "0") if column.zero_filled else value.ljust(column.width)


def _fit_problems(where: str, check: Check, account: str, layout: Layout) -> list[Problem]:
    """Values too long for their column (names are cut instead)."""
    found = []
    for column in layout.columns:
        value = _value(column, check, account, layout)
        if len(value) > column.width:
            field = "account" if column.source is Source.ACCOUNT else column.source.value
            message = f"{value} does not fit the {column.width} positions of {layout.name}"
            found.append(Problem(f"{where}.{field}", message))
    return found


def positive_pay_problems(
    *, account: str, checks: Sequence[Check], layout: Layout
) -> list[Problem]:
    found = []
    if not isinstance(account, str) or not ACCOUNT.fullmatch(account):
        found.append(Problem("account", f"{account!r}: the account number, digits only"))
    if not checks:
        found.append(Problem("checks", "a positive pay file lists at least one check"))
    found += checks_problems(checks)
    if found:
        return found
    for i, check in enumerate(checks):
        found += _fit_problems(f"checks[{i}] (check {check.number})", check, account, layout)
    return found


def positive_pay(
    *, account: str, checks: Sequence[Check], layout: Layout = POSITIVE_PAY_FIXED
) -> str:
    """The positive pay issue file for ``checks`` drawn on ``account``, one record a check in
    check number order: issued checks with the issue code, voided ones with the void code."""
    found = positive_pay_problems(account=account, checks=checks, layout=layout)
    _raise_if(found, "the positive pay file cannot be written")
    ordered = sorted(checks, key=lambda c: c.number)
    rows = [[_value(c, check, account, layout) for c in layout.columns] for check in ordered]
    if layout.delimited:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=layout.newline).writerows(rows)
        return buffer.getvalue()
    lines = ["".join(_fill(c, v) for c, v in zip(layout.columns, row, strict=True)) for row in rows]
    return "".join(line + layout.newline for line in lines)
