"""Accumulators as entries (DESIGN 3, 6.4 step 4): totals are sums of entries and rebuild."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aso.claims.accumulators import AccumulatorState, add_months
from aso.claims.domain import AccumulatorEntry, Kind, Network
from aso.plans.domain import Line

START, END = date(2026, 1, 1), date(2026, 12, 31)


def entry(
    kind: Kind, amount: str, member: str = "S1", claim: str = "C1", **fields: object
) -> AccumulatorEntry:
    values: dict[str, object] = {
        "claim": claim,
        "line": 1,
        "member": member,
        "family": "S1",
        "kind": kind,
        "amount": Decimal(amount),
        "service_date": date(2026, 3, 1),
        "period_start": START,
        "period_end": END,
        "plan": "PPO",
        "coverage": Line.MEDICAL,
        "group": "med",
        "network": Network.IN,
    }
    values.update(fields)
    return AccumulatorEntry(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 15), 24, date(2027, 3, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_member_and_family_totals() -> None:
    state = AccumulatorState.from_entries(
        [
            entry(Kind.DEDUCTIBLE, "300.00"),
            entry(Kind.DEDUCTIBLE, "200.00", member="D1", claim="C2"),
            entry(Kind.OUT_OF_POCKET, "500.00"),
        ]
    )
    assert state.member_total(Kind.DEDUCTIBLE, "S1", "med", Network.IN, START, END) == Decimal(300)
    assert state.family_total(Kind.DEDUCTIBLE, "S1", "med", Network.IN, START, END) == Decimal(500)
    assert state.member_total(Kind.DEDUCTIBLE, "S1", "med", Network.OUT, START, END) == 0
    assert state.family_total(Kind.OUT_OF_POCKET, "S1", "med", Network.IN, START, END) == 500


def test_reversing_a_claim_negates_its_entries_once() -> None:
    state = AccumulatorState.from_entries(
        [entry(Kind.DEDUCTIBLE, "300.00"), entry(Kind.VISITS, "1", category="chiropractic")]
    )
    reversals = state.reverse_claim("C1", by="C1R")
    assert [r.amount for r in reversals] == [Decimal("-300.00"), Decimal("-1")]
    assert all(r.reversed_by == "C1R" for r in reversals)
    assert state.reverse_claim("C1", by="C1V") == []
    assert state.totals() == {}
    assert state.service_dates("S1", "chiropractic") == {date(2026, 3, 1): 0}


def test_a_state_rebuilt_from_stored_entries_matches() -> None:
    running = AccumulatorState()
    stored = [
        entry(Kind.DEDUCTIBLE, "300.00"),
        entry(Kind.BENEFIT_DOLLARS, "80.00", category="wellness_program"),
        entry(Kind.PLAN_PAID, "900.00"),
        entry(Kind.DEDUCTIBLE, "100.00", claim="C2"),
    ]
    running.apply_all(stored)
    stored += running.reverse_claim("C2", by="C3")
    rebuilt = AccumulatorState.from_entries(reversed(stored))
    assert rebuilt.totals() == running.totals()
    assert rebuilt.entries_of("C2") == ()
    assert rebuilt.benefit_dollars("S1", "wellness_program", START, END, lifetime=True) == 80
    assert rebuilt.plan_paid("S1", "PPO", START, END) == rebuilt.lifetime_paid("S1", Line.MEDICAL)
