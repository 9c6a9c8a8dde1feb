"""``pricing_reference`` on both databases: the engine's providers and fee schedules, loaded in
a few queries, price claims as the contracts say (every figure worked out by hand below)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from aso.bootstrap import App
from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Claim,
    ClaimLine,
    ClaimType,
    Coverage,
    LineResult,
    Member,
    Network,
    Provider,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import adjudicate_claim, build_context
from aso.plans.domain import PlanDesign, Tier
from aso.providers.domain import npi_check_digit
from aso.providers.service import pricing_reference
from tests.integration.providers_builders import import_samples, import_text, sample

ON = date(2026, 3, 1)
LEE, HOSPITAL, PHARMACY, RAY = "1234567893", "9876543213", "5550001114", "1000000004"

PPO = PlanDesign.model_validate(
    {
        "id": "PPO",
        "name": "Test PPO",
        "line": "medical",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "accumulator_group": "med-rx",
        "benefits": {
            "office_visit_pcp": {"in": {"copay": 25}, "out": {"coinsurance": "0.4"}},
            "lab": {"in": {"coinsurance": "0.2"}, "out": {"coinsurance": "0.4"}},
            "emergency_room": {"in": {"copay": 200}, "out": "same_as_in"},
        },
    }
)
RX = PlanDesign.model_validate(
    {
        "id": "RX",
        "name": "Test Rx",
        "line": "pharmacy",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "accumulator_group": "med-rx",
        "formulary": {"00093714656": "rx_generic", "00378180010": "rx_preferred_brand"},
        "benefits": {
            "rx_generic": {"in": {"copay": 10}},
            "rx_preferred_brand": {"in": {"copay": 40}},
        },
    }
)


def adjudicate(app: App, claims: list[tuple[str, ClaimType, dict[str, Any]]]) -> list[LineResult]:
    """One line per claim (the Nth on March N), from the provider with that NPI, priced by
    the reference on ``ON``."""
    reference = pricing_reference(uow=app.uow(), on=ON)
    context = build_context(
        plans=[PPO, RX],
        members=[Member("S1", "S1")],
        coverage=[
            Coverage("S1", "PPO", Tier.EMPLOYEE, ON),
            Coverage("S1", "RX", Tier.EMPLOYEE, ON),
        ],
        fee_schedules=reference.fee_schedules,
    )
    state, history = AccumulatorState(), ClaimHistory()
    results = []
    for number, (npi, claim_type, line) in enumerate(claims, start=1):
        claim = Claim(
            id=f"C{number}",
            member="S1",
            provider=reference.provider(npi),
            received=date(2026, 3, 10),
            lines=(ClaimLine(number=1, date=date(2026, 3, number), **line),),
            type=claim_type,
            type_of_bill="131" if claim_type is ClaimType.INSTITUTIONAL else None,
        )
        result = adjudicate_claim(claim, context=context, state=state, history=history)
        results.append(result.lines[0])
    return results


def test_the_reference_knows_each_providers_network_on_the_date(app: App) -> None:
    import_samples(app)
    march = pricing_reference(uow=app.uow(), on=ON)
    assert march.providers[LEE] == Provider(Network.IN, LEE, "207Q00000X", "professional")
    assert march.providers[HOSPITAL].network is Network.IN
    assert march.providers[PHARMACY] == Provider(Network.IN, PHARMACY, "3336C0003X", "pharmacy")
    assert march.providers[RAY].network is Network.OUT
    assert [(s.id, s.npi, s.network) for s in march.fee_schedules] == [
        ("MED-2026", LEE, Network.IN),
        ("MED-2026", HOSPITAL, Network.IN),
        ("RX-2026", PHARMACY, Network.IN),
        ("OON", None, Network.OUT),
    ]
    assert march.fee_schedules[0].rates is march.fee_schedules[1].rates  # loaded once
    july = pricing_reference(uow=app.uow(), on=date(2026, 7, 1))  # the hospital's ended 06-30
    assert july.providers[HOSPITAL].network is Network.OUT
    assert [s.npi for s in july.fee_schedules] == [LEE, PHARMACY, None]
    december_2025 = pricing_reference(uow=app.uow(), on=date(2025, 12, 31))
    assert {p.network for p in december_2025.providers.values()} == {Network.OUT}


def test_the_engine_prices_claims_by_the_stored_contracts(app: App) -> None:
    import_samples(app)
    d = Decimal
    lines = adjudicate(
        app,
        [
            # 1. MED-2026 rate for 99213: 95.00; office_visit_pcp (taxonomy 207Q): copay 25.00.
            (LEE, ClaimType.PROFESSIONAL, {"procedure": "99213", "charge": d("180.00")}),
            # 2. the rate with modifier 25: 100.00.
            (
                LEE,
                ClaimType.PROFESSIONAL,
                {"procedure": "99213", "modifiers": ("25",), "charge": d("180.00")},
            ),
            # 3. no rate for 99214: 120% of the Medicare-style fee, RVU 1.92 + 1.63 + 0.14 = 3.69
            #    x 33.4009 = 123.249321 x 1.2 = 147.8991852 -> 147.90; copay 25.00.
            (LEE, ClaimType.PROFESSIONAL, {"procedure": "99214", "charge": d("200.00")}),
            # 4. lab 80053 at 14.50; coinsurance 20% = 2.90.
            (LEE, ClaimType.PROFESSIONAL, {"procedure": "80053", "charge": d("40.00")}),
            # 5. out of network: OON, 150% of the Medicare-style fee, RVU 1.30 + 1.27 + 0.10 =
            #    2.67 x 33.4009 = 89.180403 x 1.5 = 133.7706045 -> 133.77; coinsurance 40% =
            #    53.508 -> 53.51; balance bill 180.00 - 133.77 = 46.23.
            (RAY, ClaimType.PROFESSIONAL, {"procedure": "99213", "charge": d("180.00")}),
            # 6. generic x30: AWP 0.5234 x 30 = 15.702 x 0.82 = 12.87564 -> 12.88 + 1.75 = 14.63;
            #    MAC 0.08 x 30 = 2.40 + 1.75 = 4.15; U&C 25.00 -> 4.15; copay min(10, 4.15).
            (
                PHARMACY,
                ClaimType.PHARMACY,
                {"ndc": "00093714656", "units": d(30), "charge": d("25.00")},
            ),
            # 7. brand x60: AWP 1.25 x 60 = 75.00 x 0.82 = 61.50 + 1.75 = 63.25 (no MAC for a
            #    brand); U&C 80.00 -> 63.25; copay 40.00.
            (
                PHARMACY,
                ClaimType.PHARMACY,
                {"ndc": "00378180010", "units": d(60), "charge": d("80.00")},
            ),
            # 8. hospital, type of bill 131, revenue code 0450 (emergency room): case rate
            #    1,500.00 for the line; copay 200.00.
            (
                HOSPITAL,
                ClaimType.INSTITUTIONAL,
                {"revenue_code": "0450", "units": d(2), "charge": d("4000.00")},
            ),
        ],
    )
    got = [
        (line.status.value, line.category, line.allowed, line.copay, line.coinsurance,
         line.balance_bill, line.plan_paid)
        for line in lines
    ]  # fmt: skip
    assert got == [
        ("paid", "office_visit_pcp", d("95.00"), d("25.00"), d("0.00"), d("0.00"), d("70.00")),
        ("paid", "office_visit_pcp", d("100.00"), d("25.00"), d("0.00"), d("0.00"), d("75.00")),
        ("paid", "office_visit_pcp", d("147.90"), d("25.00"), d("0.00"), d("0.00"), d("122.90")),
        ("paid", "lab", d("14.50"), d("0.00"), d("2.90"), d("0.00"), d("11.60")),
        ("paid", "office_visit_pcp", d("133.77"), d("0.00"), d("53.51"), d("46.23"), d("80.26")),
        ("paid", "rx_generic", d("4.15"), d("4.15"), d("0.00"), d("0.00"), d("0.00")),
        ("paid", "rx_preferred_brand", d("63.25"), d("40.00"), d("0.00"), d("0.00"), d("23.25")),
        ("paid", "emergency_room", d("1500.00"), d("200.00"), d("0.00"), d("0.00"), d("1300.00")),
    ]


@contextmanager
def selects(app: App) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(app.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(app.engine, "before_cursor_execute", count)


def test_the_reference_costs_the_same_few_queries_however_many_providers(app: App) -> None:
    import_samples(app)
    with selects(app) as few:
        pricing_reference(uow=app.uow(), on=ON)
    header = sample("providers.csv").splitlines()[0]
    rows = [header]
    for n in range(200_000_000, 200_000_000 + 60):
        npi = f"{n}{npi_check_digit(str(n))}"
        rows.append(
            f"{npi},31-1234567,Doctor {n},207Q00000X,professional,1 A St,Akron,OH,44301,"
            "PPO-OH,2026-01-01,,MED-2026,"
        )
    import_text(app, "\n".join(rows) + "\n")
    with selects(app) as many:
        reference = pricing_reference(uow=app.uow(), on=ON)
    assert len(reference.providers) == 64 and len(reference.fee_schedules) == 64
    assert len(few) == len(many) <= 4
