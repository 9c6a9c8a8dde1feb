"""Cost sharing of one line (DESIGN 6.4 steps 1-2) as plain arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aso.claims.cost_sharing import cap, member_cost_share
from aso.claims.plan_rules import Share

D = Decimal


def share(
    copay: str = "0",
    coinsurance: str = "0",
    deductible: bool = False,
    after: bool = False,
    min_cost: str | None = None,
    max_cost: str | None = None,
) -> Share:
    return Share(
        copay=D(copay),
        coinsurance=D(coinsurance),
        deductible=deductible,
        after_deductible=after,
        allowance=None,
        min_cost=None if min_cost is None else D(min_cost),
        max_cost=None if max_cost is None else D(max_cost),
    )


def parts(*values: str) -> tuple[Decimal, ...]:
    return tuple(D(v) for v in values)


def test_copay_then_deductible_then_coinsurance() -> None:
    # A 2000: copay 150 ; deductible min(1850, 1000) ; coinsurance 0.2 x 850
    got = member_cost_share(
        D("2000.00"), share("150", "0.2", True), remaining_deductible=D(1000), remaining_oop=None
    )
    assert got == parts("150", "1000", "170.00")


def test_deductible_then_copay_after_deductible() -> None:
    # A 150, 50 of deductible left: deductible 50 ; copay min(30, 100) ; coinsurance on 70
    got = member_cost_share(
        D("150.00"),
        share("30", "0.1", True, after=True),
        remaining_deductible=D(50),
        remaining_oop=None,
    )
    assert got == parts("30", "50", "7.00")


def test_each_part_is_bounded_by_what_is_left_of_the_allowed_amount() -> None:
    got = member_cost_share(
        D("20.00"), share("25", "0.2", True), remaining_deductible=D(500), remaining_oop=None
    )
    assert got == parts("20.00", "0", "0")


def test_the_cap_cuts_parts_in_the_order_computed() -> None:
    before = member_cost_share(
        D("1000.00"), share("30", "0.2", True), remaining_deductible=D(500), remaining_oop=D(100)
    )
    after = member_cost_share(
        D("1000.00"),
        share("30", "0.2", True, after=True),
        remaining_deductible=D(500),
        remaining_oop=D(100),
    )
    assert before == parts("30", "70", "0")  # copay first, then what is left to the deductible
    assert after == parts("0", "100", "0")  # the deductible first


def test_a_met_maximum_makes_copays_zero() -> None:
    got = member_cost_share(D("100.00"), share("25"), remaining_deductible=None, remaining_oop=D(0))
    assert got == parts("0", "0", "0")


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [("100.00", "50.00"), ("400.00", "120.00"), ("1000.00", "150.00"), ("30.00", "30.00")],
)
def test_pharmacy_bounds(allowed: str, expected: str) -> None:
    got = member_cost_share(
        D(allowed),
        share(coinsurance="0.3", min_cost="50", max_cost="150"),
        remaining_deductible=None,
        remaining_oop=None,
    )
    assert got[2] == D(expected)


def test_coinsurance_rounds_half_up() -> None:
    got = member_cost_share(
        D("6.10"), share(coinsurance="0.25"), remaining_deductible=None, remaining_oop=None
    )
    assert str(got[2]) == "1.53"


def test_cap_of_a_plan_share() -> None:
    assert cap(D(100), D(40)) == (D(40), D(60))
    assert cap(D(100), D(-5)) == (D(0), D(100))
    assert cap(D(30), D(40)) == (D(30), D(0))
