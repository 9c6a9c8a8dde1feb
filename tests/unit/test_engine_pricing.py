"""Pricing (DESIGN 6.3) through the Pricer: schedules chosen per claim, methods in order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aso.claims.domain import ClaimType, Network, Provider
from aso.claims.pricing import (
    DrugPrice,
    FeeSchedule,
    Pricer,
    Rate,
    RateBasis,
    default_medicare_fee,
)
from tests.unit.engine_builders import claim, line

D = Decimal
IN_SCHEDULE = FeeSchedule(
    id="IN",
    network=Network.IN,
    rates=(
        Rate(D("95.00"), procedure="99213"),
        Rate(D("85.00"), procedure="99213", modifier="25"),
        Rate(D("1800.00"), RateBasis.PER_DIEM, revenue_code="0120"),
        Rate(D("3500.00"), RateBasis.CASE, revenue_code="0360"),
        Rate(D("25.00"), category="lab"),
    ),
    percent_of_medicare=D("1.2"),
)


def price(
    pricer: Pricer,
    category: str = "other_medical",
    *,
    charge: str,
    kind: ClaimType = ClaimType.PROFESSIONAL,
    network: Network = Network.IN,
    npi: str | None = None,
    **fields: Any,
) -> Decimal | None:
    built = claim(
        "C1", "S1", line(charge=charge, **fields), kind=kind, provider=Provider(network, npi)
    )
    return pricer.price(built, built.lines[0], category)


def test_relative_values_are_data() -> None:
    fee = default_medicare_fee()
    assert fee.conversion_factor == D("33.4009")
    assert fee.relative_values[("99213", "")] == D("2.67")


def test_rates_by_modifier_code_revenue_and_category() -> None:
    pricer = Pricer([IN_SCHEDULE])
    assert price(pricer, procedure="99213", charge="500.00") == D("95.00")
    assert price(pricer, procedure="99213", modifiers=("25",), charge="500.00") == D("85.00")
    assert price(pricer, revenue_code="0120", units=D(3), charge="9000.00") == D("5400.00")
    assert price(pricer, revenue_code="0360", units=D(2), charge="9000.00") == D("3500.00")
    assert price(pricer, "lab", procedure="80053", units=D(2), charge="90.00") == D("50.00")


def test_percent_of_medicare_then_no_price() -> None:
    pricer = Pricer([IN_SCHEDULE])
    # 99214: 3.69 RVU x 33.4009 x 1.2 = 147.8991852 -> 147.90
    assert price(pricer, procedure="99214", charge="500.00") == D("147.90")
    assert price(pricer, procedure="20610", charge="500.00") is None


def test_never_above_the_charge_and_pre_priced_lines() -> None:
    pricer = Pricer([IN_SCHEDULE])
    assert price(pricer, procedure="99213", charge="60.00") == D("60.00")
    assert price(pricer, procedure="99213", charge="60.00", allowed="75.00") == D("60.00")
    assert price(Pricer([]), charge="60.00", allowed="45.00") == D("45.00")


def test_the_most_specific_schedule_wins() -> None:
    general = FeeSchedule(id="GEN", network=Network.IN, percent_of_charge=D("0.5"))
    own = FeeSchedule(id="OWN", network=Network.IN, npi="1234567893", percent_of_charge=D("0.7"))
    pricer = Pricer([general, own])
    assert price(pricer, charge="100.00", npi="1234567893") == D("70.00")
    assert price(pricer, charge="100.00", npi="1654321094") == D("50.00")
    assert price(pricer, charge="100.00", network=Network.OUT) is None


def test_pharmacy_lesser_of() -> None:
    schedule = FeeSchedule(
        id="RX",
        network=Network.IN,
        claim_types=frozenset({ClaimType.PHARMACY}),
        awp_discount=D("0.15"),
        dispensing_fee=D("2.00"),
        drugs=(DrugPrice("00093715301", awp=D("1.20"), mac=D("0.30")),),
    )
    pricer = Pricer([schedule])
    rx = ClaimType.PHARMACY
    ndc, units = "00093715301", D(30)
    # AWP 36.00 x 0.85 + 2.00 = 32.60 ; MAC 9.00 + 2.00 = 11.00 (generics only) ; U&C = charge
    assert price(pricer, "rx_generic", charge="25.00", kind=rx, ndc=ndc, units=units) == D("11.00")
    brand = "rx_preferred_brand"
    assert price(pricer, brand, charge="25.00", kind=rx, ndc=ndc, units=units) == D("25.00")
    assert price(pricer, brand, charge="40.00", kind=rx, ndc=ndc, units=units) == D("32.60")
