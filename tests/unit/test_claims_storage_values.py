"""Values between the engine and the claims tables (no database): integer cents and units both
ways, line results to rows and back, engine plan ids unique per employer, the provider the
directory knows, and member balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aso.claims.balances import PlanLimits, balances
from aso.claims.domain import Adjustment, Group, LineResult, LineStatus, Network, Provider
from aso.claims.models import units_e4, units_from_e4
from aso.claims.plan_rules import Maximum
from aso.claims.reference_data import Pricing, engine_plan_ids
from aso.claims.stored import adjustment, cents, line_result, money, result_rows


def test_cents_are_exact_and_refuse_fractions_of_a_cent() -> None:
    assert cents(Decimal("25.00")) == 2500
    assert cents(Decimal("-0.01")) == -1
    assert money(2500) == Decimal("25.00")
    assert str(money(-1)) == "-0.01"
    with pytest.raises(ValueError, match="whole number of cents"):
        cents(Decimal("0.005"))


def test_units_keep_four_places() -> None:
    assert units_e4(Decimal("2.5")) == 25_000
    assert units_from_e4(25_000) == Decimal("2.5")
    assert str(units_from_e4(300_000)) == "30"
    with pytest.raises(ValueError):
        units_e4(Decimal("0.00001"))
    with pytest.raises(TypeError):
        units_e4(1.5)  # type: ignore[arg-type]


def test_a_line_result_survives_the_round_trip_through_rows() -> None:
    paid = LineResult(
        line=2,
        status=LineStatus.PAID,
        category="lab",
        charge=Decimal("900.00"),
        allowed=Decimal("800.00"),
        deductible=Decimal("500.00"),
        coinsurance=Decimal("60.00"),
        plan_paid=Decimal("240.00"),
        adjustments=(
            Adjustment(Group.CONTRACTUAL, "45", Decimal("100.00")),
            Adjustment(Group.PATIENT, "1", Decimal("500.00")),
            Adjustment(Group.PATIENT, "2", Decimal("60.00")),
        ),
        remarks=("N130",),
        plan="PPO1500",
        network=Network.IN,
    )
    results: list[tuple[object, ...]] = []
    adjustments: list[tuple[object, ...]] = []
    result_rows(7, [paid], {"PPO1500": 3}, results, adjustments)
    amounts = (90000, 80000, 0, 50000, 6000, 0, 0, 24000, 56000)
    assert results == [(7, 2, "paid", "lab", None, 3, "in", *amounts, "N130")]
    assert [row[3:] for row in adjustments] == [("CO", "45", 10000), ("PR", "1", 50000),
                                                ("PR", "2", 6000)]  # fmt: skip
    back = line_result(
        results[0][1:], [adjustment(g, c, a) for _, _, _, g, c, a in adjustments], {3: "PPO1500"}
    )
    assert back == paid


def test_engine_plan_ids_are_namespaced_only_when_a_design_id_repeats() -> None:
    rows = [
        (1, "PPO1500", date(2026, 1, 1)),
        (2, "RX-4TIER", date(2026, 1, 1)),
        (3, "PPO1500", date(2027, 1, 1)),
        (4, "HDHP", date(2026, 1, 1)),
        (5, "HDHP", date(2026, 7, 1)),
    ]
    assert engine_plan_ids(rows) == {
        1: "PPO1500@2026",
        2: "RX-4TIER",
        3: "PPO1500@2027",
        4: "HDHP@2026-01-01",
        5: "HDHP@2026-07-01",
    }


def test_the_directory_fills_in_taxonomy_and_kind_never_the_network() -> None:
    known = Provider(Network.IN, "1234567893", "207Q00000X", "professional")
    pricing = Pricing(providers={"1234567893": known})
    stated = Provider(Network.OUT, "1234567893")
    assert pricing.provider(stated) == Provider(
        Network.OUT, "1234567893", "207Q00000X", "professional"
    )
    complete = Provider(Network.IN, "1234567893", "207X00000X", "professional")
    assert pricing.provider(complete) is complete
    unknown = Provider(Network.IN, "1654321094")
    assert pricing.provider(unknown) is unknown


def test_balances_show_what_is_met_and_what_remains() -> None:
    ded = Maximum(Decimal(1500), Decimal(3000), Decimal(3000), Decimal(6000), True, False)
    oop = Maximum(Decimal(5000), Decimal(10000), None, None, True, False)
    period = (date(2026, 1, 1), date(2026, 12, 31))
    plans = [PlanLimits("med", *period, ded, oop, family_tier=True)]
    totals = {
        ("member", "deductible", "med", "in", *period): Decimal("1600.00"),
        ("family", "deductible", "med", "in", *period): Decimal("2000.00"),
        ("family", "out_of_pocket", "med", "in", *period): Decimal("2100.00"),
    }
    rows = {(b.scope, b.network): b for b in balances("M1", "M0", plans, totals)}
    assert set(rows) == {("member", "in"), ("member", "out"), ("family", "in"), ("family", "out")}
    member_in = rows[("member", "in")]
    assert (member_in.deductible_remaining, member_in.out_of_pocket_remaining) == (
        Decimal("0.00"),
        Decimal("5000"),
    )
    family_in = rows[("family", "in")]
    assert (family_in.member_id, family_in.deductible_remaining) == ("M0", Decimal("1000.00"))
    assert rows[("member", "out")].out_of_pocket_limit is None
    alone = balances("M1", "M1", [PlanLimits("med", *period, ded, None, family_tier=False)], {})
    assert {(b.scope, b.network) for b in alone} == {("member", "in"), ("member", "out")}
