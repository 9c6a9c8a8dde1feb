"""The ledger's rules as plain values: the chart of accounts, journal entries and their checks,
reversing entries, and the arithmetic of a trial balance and an account statement.

Double entry: every movement of money is one journal entry whose legs debit and credit accounts
of one employer's books; debits equal credits to the cent, so the books as a whole always net
to zero. Entries are never edited: a correction is a reversing entry (every debit becomes a
credit of the same amount and the other way round), then the right entry (DESIGN 8).

Nothing here touches a database: ``aso.ledger.service`` loads and saves, and the database
checks the same invariants once more (``aso.ledger.ddl``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from aso.errors import Problem, ValidationFailed
from aso.money import CENT, ZERO, fmt

MAX_AMOUNT = Decimal("999999999999.99")
"""The largest amount of one leg (under a trillion dollars): sums of many legs stay far inside
the 64-bit integer cents both databases add up."""
MEMO_LENGTH = 200
REFERENCE_LENGTH = 80
KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
"""What kind of movement an entry records (``claims_approved``, ``deposit``, ``payment``,
``manual``, ...): a short snake_case word chosen by the use case that posts it."""


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"

    def opposite(self) -> Side:
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


NORMAL_SIDE = {
    AccountType.ASSET: Side.DEBIT,
    AccountType.EXPENSE: Side.DEBIT,
    AccountType.LIABILITY: Side.CREDIT,
    AccountType.EQUITY: Side.CREDIT,
    AccountType.REVENUE: Side.CREDIT,
}
"""The side on which an account's balance normally sits (assets and expenses are debits)."""


@dataclass(frozen=True, slots=True)
class Account:
    code: str
    name: str
    type: AccountType
    description: str

    @property
    def normal_side(self) -> Side:
        return NORMAL_SIDE[self.type]


CHART: tuple[Account, ...] = (
    Account(
        "claims_funding_bank",
        "Claims funding bank",
        AccountType.ASSET,
        "The employer's claims account the TPA pays claims from: deposits in, payments out.",
    ),
    Account(
        "funding_receivable",
        "Funding requested",
        AccountType.ASSET,
        "Funding requests issued to the employer and not yet deposited.",
    ),
    Account(
        "admin_fees_receivable",
        "Admin fees receivable",
        AccountType.ASSET,
        "Admin fee invoices (with stop-loss premiums passed through) not yet paid.",
    ),
    Account(
        "stop_loss_receivable",
        "Stop-loss receivable",
        AccountType.ASSET,
        "Specific and aggregate reimbursements requested from the stop-loss carrier.",
    ),
    Account(
        "overpayment_receivable",
        "Provider overpayments receivable",
        AccountType.ASSET,
        "Overpaid amounts to recover from providers by offset against later payments.",
    ),
    Account(
        "claims_payable",
        "Claims payable",
        AccountType.LIABILITY,
        "Approved claims not yet paid.",
    ),
    Account(
        "provider_payable",
        "Provider payments outstanding",
        AccountType.LIABILITY,
        "Payments released to providers (EFT or check) not yet settled from the bank.",
    ),
    Account(
        "member_payable",
        "Member reimbursements outstanding",
        AccountType.LIABILITY,
        "Reimbursements released to members not yet settled from the bank.",
    ),
    Account(
        "stop_loss_premium_payable",
        "Stop-loss premiums payable",
        AccountType.LIABILITY,
        "Premiums billed to the employer, owed to the stop-loss carrier.",
    ),
    Account(
        "employer_deposits",
        "Employer deposits and prefunding",
        AccountType.EQUITY,
        "What the employer has put into its plan, including a prefunded balance.",
    ),
    Account(
        "claims_expense",
        "Claims expense",
        AccountType.EXPENSE,
        "The plan's cost of approved claims.",
    ),
    Account(
        "stop_loss_recoveries",
        "Stop-loss recoveries",
        AccountType.REVENUE,
        "Reimbursements due from the stop-loss carrier (they lower the plan's net cost).",
    ),
    Account(
        "admin_fee_revenue",
        "Admin fee revenue",
        AccountType.REVENUE,
        "The TPA's admin fees billed to the employer.",
    ),
)
"""The chart of accounts of every employer's books (DESIGN 8): the same accounts for each
employer, each employer's balances apart. Adding an account is one line here."""

ACCOUNTS: Mapping[str, Account] = {account.code: account for account in CHART}
_ORDER = {account.code: index for index, account in enumerate(CHART)}


def account_order(code: str) -> tuple[int, str]:
    """Chart order, then accounts no longer in the chart by name."""
    return (_ORDER.get(code, len(_ORDER)), code)


@dataclass(frozen=True, slots=True)
class Leg:
    """One line of a journal entry: an amount (positive, in cents) debited or credited."""

    account: str
    side: Side
    amount: Decimal

    @property
    def signed(self) -> Decimal:
        """Debits positive, credits negative: how the database stores a leg."""
        return self.amount if self.side is Side.DEBIT else -self.amount


def debit(account: str, amount: Decimal | str) -> Leg:
    return Leg(account, Side.DEBIT, Decimal(amount))


def credit(account: str, amount: Decimal | str) -> Leg:
    return Leg(account, Side.CREDIT, Decimal(amount))


@dataclass(frozen=True, slots=True)
class Entry:
    """A journal transaction: on a date, in one employer's books, what happened (``kind`` and
    an optional ``reference`` to its source: a payment, a cycle, a deposit) and its legs."""

    posted_on: date
    employer_id: int
    memo: str
    kind: str
    legs: tuple[Leg, ...]
    reference: str | None = None
    reverses: int | None = None
    """The id of the transaction this one reverses."""

    @property
    def total_debit(self) -> Decimal:
        return sum((leg.amount for leg in self.legs if leg.side is Side.DEBIT), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((leg.amount for leg in self.legs if leg.side is Side.CREDIT), ZERO)


def entry_problems(entry: Entry) -> list[Problem]:
    """Everything wrong with an entry, each naming the field or the leg (``legs[2].amount``)."""
    problems = _header_problems(entry)
    if len(entry.legs) < 2:
        problems.append(
            Problem("legs", f"an entry needs at least two legs, it has {len(entry.legs)}")
        )
    for number, leg in enumerate(entry.legs, start=1):
        problems.extend(_leg_problems(f"legs[{number}]", leg))
    if not problems:
        problems.extend(_balance_problems(entry.total_debit, entry.total_credit))
    return problems


def _balance_problems(debits: Decimal, credits: Decimal) -> list[Problem]:
    if debits == credits:
        return []
    difference = fmt(abs(debits - credits))
    message = f"debits {fmt(debits)} and credits {fmt(credits)} differ by {difference}"
    return [Problem("legs", f"{message}: an entry must balance")]


def check_entry(entry: Entry) -> Entry:
    """The entry, or ``ValidationFailed`` naming every problem."""
    problems = entry_problems(entry)
    if problems:
        raise ValidationFailed(problems, "the entry cannot be posted")
    return entry


def _header_problems(entry: Entry) -> list[Problem]:
    problems: list[Problem] = []
    if not entry.memo.strip():
        problems.append(Problem("memo", "say what the entry records"))
    elif len(entry.memo) > MEMO_LENGTH:
        problems.append(Problem("memo", f"at most {MEMO_LENGTH} characters"))
    if not KIND.match(entry.kind):
        problems.append(
            Problem("kind", f"{entry.kind!r} is not a kind: a snake_case word such as 'deposit'")
        )
    if entry.reference is not None and not 0 < len(entry.reference) <= REFERENCE_LENGTH:
        problems.append(Problem("reference", f"1 to {REFERENCE_LENGTH} characters, or none"))
    return problems


def _leg_problems(where: str, leg: Leg) -> list[Problem]:
    problems: list[Problem] = []
    if leg.account not in ACCOUNTS:
        problems.append(Problem(f"{where}.account", f"no account {leg.account!r} in the chart"))
    amount = leg.amount
    if not isinstance(amount, Decimal) or not amount.is_finite():
        problems.append(Problem(f"{where}.amount", f"{amount!r} is not a Decimal amount"))
    elif amount <= 0:
        problems.append(
            Problem(f"{where}.amount", f"{amount} must be positive (a debit or a credit)")
        )
    elif amount != amount.quantize(CENT):
        problems.append(Problem(f"{where}.amount", f"{amount} has fractions of a cent"))
    elif amount > MAX_AMOUNT:
        problems.append(Problem(f"{where}.amount", f"{amount} is more than {MAX_AMOUNT}"))
    return problems


def reversing_entry(
    original: Entry, *, original_id: int, posted_on: date, memo: str | None = None
) -> Entry:
    """The entry that cancels ``original``: the same legs on the opposite sides, in the same
    employer's books, on a date no earlier than the original's."""
    if original.reverses is not None:
        raise ValidationFailed(
            [
                Problem(
                    "transaction",
                    f"transaction {original_id} is itself a reversal: post the entry again",
                )
            ]
        )
    if posted_on < original.posted_on:
        raise ValidationFailed(
            [
                Problem(
                    "posted_on",
                    f"{posted_on} is before the entry it reverses ({original.posted_on})",
                )
            ]
        )
    text = memo or f"Reversal of transaction {original_id}: {original.memo}"
    return replace(
        original,
        posted_on=posted_on,
        memo=text[:MEMO_LENGTH],
        legs=tuple(Leg(leg.account, leg.side.opposite(), leg.amount) for leg in original.legs),
        reverses=original_id,
    )


# --- trial balance -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrialBalanceLine:
    """An account's balance, in the debit or the credit column."""

    account: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True, slots=True)
class TrialBalance:
    lines: tuple[TrialBalanceLine, ...]

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def net(self) -> Decimal:
        """Zero whenever every entry balanced."""
        return self.total_debit - self.total_credit


def trial_balance(net_by_account: Mapping[str, Decimal]) -> TrialBalance:
    """Each account's net (debits minus credits) in the column it falls on, in chart order.
    An account with movements that net to zero is listed with zero in both columns."""
    lines = tuple(
        TrialBalanceLine(
            account=code,
            debit=net if net > 0 else ZERO,
            credit=-net if net < 0 else ZERO,
        )
        for code, net in sorted(net_by_account.items(), key=lambda item: account_order(item[0]))
    )
    return TrialBalance(lines)


# --- account statement ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Movement:
    """One leg on an account, with what its transaction says."""

    transaction_id: int
    posted_on: date
    kind: str
    memo: str
    reference: str | None
    amount: Decimal
    """Debits positive, credits negative."""
    reverses: int | None = None


@dataclass(frozen=True, slots=True)
class StatementLine:
    movement: Movement
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class AccountStatement:
    """An account's movements over a period. Balances are on the account's normal side: a
    positive balance of ``claims_payable`` (a liability) is money owed."""

    account: Account
    opening: Decimal
    lines: tuple[StatementLine, ...] = field(default_factory=tuple)

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def normal_balance(account: Account, net: Decimal) -> Decimal:
    """A net of debits minus credits, turned to the account's normal side."""
    return net if account.normal_side is Side.DEBIT else -net


def account_statement(
    account: Account, opening_net: Decimal, movements: Iterable[Movement]
) -> AccountStatement:
    """The opening balance (net of everything before the period), each movement with the
    running balance after it, and so the closing balance."""
    opening = normal_balance(account, opening_net)
    running = opening
    lines: list[StatementLine] = []
    for movement in movements:
        running += normal_balance(account, movement.amount)
        lines.append(
            StatementLine(
                movement=movement,
                debit=movement.amount if movement.amount > 0 else ZERO,
                credit=-movement.amount if movement.amount < 0 else ZERO,
                balance=running,
            )
        )
    return AccountStatement(account=account, opening=opening, lines=tuple(lines))


def chart_account(code: str) -> Account:
    """The account, or one made up for a code no longer in the chart (so old entries still
    read back)."""
    return ACCOUNTS.get(code) or Account(code, code, AccountType.ASSET, "not in the chart")


def statement_accounts(codes: Sequence[str]) -> list[Account]:
    return [chart_account(code) for code in sorted(set(codes), key=account_order)]
