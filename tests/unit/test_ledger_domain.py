"""The ledger's pure rules: entry checks that name the leg, reversing entries, the trial balance
and the account statement arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aso.errors import Problem, ValidationFailed
from aso.ledger.domain import (
    ACCOUNTS,
    CHART,
    AccountType,
    Entry,
    Leg,
    Movement,
    Side,
    account_statement,
    check_entry,
    credit,
    debit,
    entry_problems,
    reversing_entry,
    trial_balance,
)

MARCH = date(2026, 3, 1)


def entry(*legs: Leg, memo: str = "claims approved", kind: str = "claims_approved") -> Entry:
    return Entry(posted_on=MARCH, employer_id=1, memo=memo, kind=kind, legs=legs)


def test_the_chart_names_the_accounts_of_design_8() -> None:
    for code in (
        "claims_funding_bank",
        "claims_payable",
        "provider_payable",
        "member_payable",
        "admin_fees_receivable",
        "admin_fee_revenue",
        "stop_loss_receivable",
        "employer_deposits",
        "claims_expense",
    ):
        assert code in ACCOUNTS
    assert len({a.code for a in CHART}) == len(CHART)
    assert ACCOUNTS["claims_funding_bank"].normal_side is Side.DEBIT
    assert ACCOUNTS["claims_payable"].normal_side is Side.CREDIT
    assert ACCOUNTS["claims_expense"].type is AccountType.EXPENSE


def test_a_balanced_entry_passes() -> None:
    ok = entry(debit("claims_expense", "1250.40"), credit("claims_payable", "1250.40"))
    assert check_entry(ok) is ok
    assert ok.total_debit == ok.total_credit == Decimal("1250.40")


def test_an_unbalanced_entry_says_by_how_much() -> None:
    bad = entry(
        debit("claims_expense", "100.00"),
        credit("claims_payable", "60.00"),
        credit("provider_payable", "30.00"),
    )
    assert entry_problems(bad) == [
        Problem(
            "legs",
            "debits 100.00 and credits 90.00 differ by 10.00: an entry must balance",
        )
    ]


@pytest.mark.parametrize(
    ("leg", "message"),
    [
        (debit("claims_expense", "0"), "0 must be positive (a debit or a credit)"),
        (debit("claims_expense", "-5.00"), "-5.00 must be positive (a debit or a credit)"),
        (debit("claims_expense", "1.005"), "1.005 has fractions of a cent"),
        (debit("claims_expense", "1E+13"), "1E+13 is more than 999999999999.99"),
        (Leg("claims_expense", Side.DEBIT, 1.5), "1.5 is not a Decimal amount"),  # type: ignore[arg-type]
        (debit("claims_expense", "NaN"), "Decimal('NaN') is not a Decimal amount"),
    ],
)
def test_a_bad_amount_names_its_leg(leg: Leg, message: str) -> None:
    bad = entry(credit("claims_payable", "1.00"), leg)
    assert entry_problems(bad) == [Problem("legs[2].amount", message)]


def test_every_problem_is_named() -> None:
    bad = Entry(
        posted_on=MARCH,
        employer_id=1,
        memo=" ",
        kind="Claims Approved",
        reference="",
        legs=(debit("petty_cash", "5.00"),),
    )
    assert [p.where for p in entry_problems(bad)] == [
        "memo",
        "kind",
        "reference",
        "legs",
        "legs[1].account",
    ]
    with pytest.raises(ValidationFailed) as raised:
        check_entry(bad)
    assert "legs[1].account: no account 'petty_cash' in the chart" in str(raised.value)


def test_a_reversal_swaps_every_side_and_names_the_original() -> None:
    original = entry(
        debit("claims_payable", "300.00"),
        credit("provider_payable", "200.00"),
        credit("member_payable", "100.00"),
    )
    reversal = reversing_entry(original, original_id=7, posted_on=date(2026, 3, 5))
    assert reversal.legs == (
        credit("claims_payable", "300.00"),
        debit("provider_payable", "200.00"),
        debit("member_payable", "100.00"),
    )
    assert (reversal.reverses, reversal.employer_id, reversal.kind) == (7, 1, original.kind)
    assert reversal.memo == "Reversal of transaction 7: claims approved"
    assert check_entry(reversal) is reversal


def test_a_reversal_is_not_dated_before_its_original_nor_reversed_again() -> None:
    original = entry(debit("claims_expense", "1.00"), credit("claims_payable", "1.00"))
    with pytest.raises(ValidationFailed, match="before the entry it reverses"):
        reversing_entry(original, original_id=1, posted_on=date(2026, 2, 28))
    reversal = reversing_entry(original, original_id=1, posted_on=MARCH, memo="typo")
    assert reversal.memo == "typo"
    with pytest.raises(ValidationFailed, match="is itself a reversal"):
        reversing_entry(reversal, original_id=2, posted_on=MARCH)


def test_trial_balance_puts_each_net_in_its_column_in_chart_order() -> None:
    balance = trial_balance(
        {
            "claims_payable": Decimal("-700.00"),
            "claims_funding_bank": Decimal("5000.00"),
            "employer_deposits": Decimal("-5000.00"),
            "claims_expense": Decimal("700.00"),
            "provider_payable": Decimal("0.00"),
        }
    )
    assert [(line.account, line.debit, line.credit) for line in balance.lines] == [
        ("claims_funding_bank", Decimal("5000.00"), Decimal("0.00")),
        ("claims_payable", Decimal("0.00"), Decimal("700.00")),
        ("provider_payable", Decimal("0.00"), Decimal("0.00")),
        ("employer_deposits", Decimal("0.00"), Decimal("5000.00")),
        ("claims_expense", Decimal("700.00"), Decimal("0.00")),
    ]
    assert balance.total_debit == balance.total_credit == Decimal("5700.00")
    assert balance.net == Decimal("0.00")


def test_statement_runs_the_balance_on_the_normal_side() -> None:
    """claims_payable is a liability: credits raise it, debits lower it."""
    movements = [
        Movement(1, date(2026, 3, 2), "claims_approved", "approved", None, Decimal("-400.00")),
        Movement(2, date(2026, 3, 9), "payment", "cycle 1", "C1", Decimal("250.00")),
    ]
    result = account_statement(ACCOUNTS["claims_payable"], Decimal("-100.00"), movements)
    assert result.opening == Decimal("100.00")
    assert [(line.debit, line.credit, line.balance) for line in result.lines] == [
        (Decimal("0.00"), Decimal("400.00"), Decimal("500.00")),
        (Decimal("250.00"), Decimal("0.00"), Decimal("250.00")),
    ]
    assert (result.closing, result.total_debit, result.total_credit) == (
        Decimal("250.00"),
        Decimal("250.00"),
        Decimal("400.00"),
    )
    empty = account_statement(ACCOUNTS["claims_funding_bank"], Decimal("10.00"), [])
    assert empty.closing == empty.opening == Decimal("10.00")


CODES = st.sampled_from([a.code for a in CHART])


@st.composite
def signed_legs(draw: st.DrawFn) -> list[tuple[str, int]]:
    """Debits, then credits that split the same total (signed cents), perhaps one cent off."""
    debits = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=4))
    total = sum(debits)
    cuts = sorted(draw(st.sets(st.integers(1, total - 1), max_size=3)) if total > 1 else set())
    credits = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    signed = [*debits, *(-c for c in credits)]
    signed[-1] += draw(st.sampled_from([0, 0, 1, -1]))
    return [(draw(CODES), cents) for cents in signed if cents != 0]


@given(signed_legs())
def test_an_entry_passes_exactly_when_it_balances(legs: list[tuple[str, int]]) -> None:
    made = entry(
        *(
            Leg(code, Side.DEBIT if cents > 0 else Side.CREDIT, Decimal(abs(cents)) / 100)
            for code, cents in legs
        )
    )
    balances = len(legs) >= 2 and sum(cents for _, cents in legs) == 0
    assert (entry_problems(made) == []) == balances
    if balances:
        back = reversing_entry(made, original_id=1, posted_on=MARCH)
        assert sum(leg.signed for leg in made.legs + back.legs) == 0
