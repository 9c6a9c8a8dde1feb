"""Provider identifiers, amounts and shares, contract spans and the pricing reference's
assembly: pure rules, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aso.claims.domain import ClaimType, Network, Provider
from aso.claims.parsing import npi_valid
from aso.claims.pricing import FeeSchedule, Rate
from aso.providers.domain import (
    ContractInEffect,
    ProviderKind,
    Span,
    build_reference,
    normalize_kind,
    normalize_ndc,
    normalize_network_code,
    normalize_npi,
    normalize_schedule_code,
    normalize_taxonomy,
    normalize_tin,
    npi_check_digit,
    parse_amount,
    parse_day,
    parse_share,
)

# NPI check digits, by hand (CMS, "Requirements for NPI check digit"): Luhn over 80840 + the
# first nine digits, which is the same as Luhn over the nine digits plus the constant 24 that
# the prefix 80840 contributes.
#
# 1234567893: nine digits 1 2 3 4 5 6 7 8 9. From the right, double 9, 7, 5, 3, 1:
#   18 -> 1+8 = 9, 14 -> 1+4 = 5, 10 -> 1+0 = 1, 6, 2: sum 23. Undoubled 8+6+4+2 = 20.
#   23 + 20 + 24 = 67; the next multiple of 10 is 70: check digit 3.
# 1000000004: the only non-zero digit, 1, is doubled (9th from the right): 2. 2 + 24 = 26;
#   the next multiple of 10 is 30: check digit 4.
# 9876543213: nine digits 9 8 7 6 5 4 3 2 1. Double 1, 3, 5, 7, 9: 2, 6, 10 -> 1, 14 -> 5,
#   18 -> 9: sum 23. Undoubled 2+4+6+8 = 20. 23 + 20 + 24 = 67: check digit 3.
VALID_NPIS = ["1234567893", "1000000004", "9876543213"]


@pytest.mark.parametrize("npi", VALID_NPIS)
def test_valid_npis_computed_by_hand(npi: str) -> None:
    assert npi_check_digit(npi[:9]) == int(npi[9])
    assert normalize_npi(f" {npi} ") == npi


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1234567890", "1234567890 fails the NPI check digit (the last digit would be 3)"),
        ("1000000005", "fails the NPI check digit (the last digit would be 4)"),
        ("123456789", "an NPI is 10 digits"),
        ("12345678901", "an NPI is 10 digits"),
        ("12345A7893", "an NPI is 10 digits"),
        ("", "an NPI is 10 digits"),
    ],
)
def test_invalid_npis_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalize_npi(text)


def test_the_check_digit_agrees_with_the_engines_structural_edit() -> None:
    for n in range(100_000_000, 100_000_000 + 3_000, 7):
        npi = f"{n}{npi_check_digit(str(n))}"
        assert npi_valid(npi)
        wrong = f"{n}{(int(npi[9]) + 1) % 10}"
        assert not npi_valid(wrong)


def test_tin_is_the_ein_written_with_its_hyphen() -> None:
    assert normalize_tin("311234567") == "31-1234567"
    assert normalize_tin("31-1234567") == "31-1234567"
    with pytest.raises(ValueError, match="a TIN is the 9-digit EIN written NN-NNNNNNN"):
        normalize_tin("31-123456")
    with pytest.raises(ValueError, match="07 is not an EIN prefix the IRS issues"):
        normalize_tin("07-1234567")
    with pytest.raises(ValueError, match="cannot be all zeros"):
        normalize_tin("31-0000000")


def test_taxonomy_kind_and_codes() -> None:
    assert normalize_taxonomy("207q00000x") == "207Q00000X"
    assert normalize_taxonomy("3336C0003X") == "3336C0003X"
    for bad in ("207Q0000X", "207Q000000", "207Q00000X1", "207Q-0000X"):
        with pytest.raises(ValueError, match="10 letters or digits ending in X"):
            normalize_taxonomy(bad)
    assert normalize_kind(" Facility ") is ProviderKind.FACILITY
    with pytest.raises(ValueError, match="'clinic' is not one of professional, facility"):
        normalize_kind("clinic")
    assert normalize_network_code("ppo-oh") == "PPO-OH"
    with pytest.raises(ValueError, match="network code"):
        normalize_network_code("PPO OH")
    assert normalize_schedule_code("med-2026") == "MED-2026"
    with pytest.raises(ValueError, match="fee schedule code"):
        normalize_schedule_code("-MED")


@pytest.mark.parametrize(
    ("text", "ndc"),
    [
        ("00093714656", "00093714656"),
        ("00093-7146-56", "00093714656"),  # 5-4-2 as is
        ("0378-1800-10", "00378180010"),  # 4-4-2: a zero before the labeler
        ("12345-678-90", "12345067890"),  # 5-3-2: a zero before the product
        ("12345-6789-1", "12345678901"),  # 5-4-1: a zero before the package
    ],
)
def test_ndc_forms_become_eleven_digits(text: str, ndc: str) -> None:
    assert normalize_ndc(text) == ndc


@pytest.mark.parametrize("text", ["0009371465", "123-4567-89", "12345-6789-1a", "1234567890123"])
def test_bad_ndcs(text: str) -> None:
    with pytest.raises(ValueError, match="an NDC is 11 digits"):
        normalize_ndc(text)


def test_amounts_are_exact_decimals() -> None:
    assert parse_amount("$1,200.50", places=2) == Decimal("1200.50")
    assert parse_amount("95", places=2) == Decimal("95")
    assert parse_amount("0.52340", places=5) == Decimal("0.5234")
    assert parse_amount(".5", places=2) == Decimal("0.5")
    with pytest.raises(ValueError, match="at most 2 decimal places"):
        parse_amount("95.005", places=2)
    for bad in ("-5", "1e3", "1,20.00", "abc", "NaN", "12.3.4"):
        with pytest.raises(ValueError, match="not an amount"):
            parse_amount(bad, places=2)


def test_shares_as_decimals_or_percents() -> None:
    assert parse_share("1.5") == Decimal("1.5")
    assert parse_share("150%") == Decimal("1.5")
    assert parse_share("17.5 %") == Decimal("0.175")
    assert parse_share("0.0001") == Decimal("0.0001")
    with pytest.raises(ValueError, match="at most 4 decimal places"):
        parse_share("0.12345")
    with pytest.raises(ValueError, match="must not be negative"):
        parse_share("-0.1")
    with pytest.raises(ValueError, match="at most 100"):
        parse_share("150")
    for bad in ("abc", "NaN", "%"):
        with pytest.raises(ValueError, match="not a share"):
            parse_share(bad)


def test_days() -> None:
    assert parse_day("2026-02-28") == date(2026, 2, 28)
    for bad in ("2026-02-30", "02/28/2026", "2026-2-28"):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            parse_day(bad)


def test_spans_end_on_their_last_day() -> None:
    year = Span(date(2026, 1, 1), date(2026, 12, 31))
    assert year.contains(date(2026, 12, 31)) and not year.contains(date(2027, 1, 1))
    assert year.overlaps(Span(date(2026, 12, 31)))
    assert not year.overlaps(Span(date(2027, 1, 1)))
    assert Span(date(2025, 1, 1)).overlaps(Span(date(2030, 1, 1)))
    assert not Span(date(2027, 1, 1)).overlaps(Span(date(2025, 1, 1), date(2026, 12, 31)))
    assert year.describe() == "2026-01-01..2026-12-31"
    assert Span(date(2026, 1, 1)).describe() == "2026-01-01..open"


def _schedule(code: str, network: Network, **kw: object) -> FeeSchedule:
    rates = (Rate(Decimal("95.00"), procedure="99213"),)
    return FeeSchedule(id=code, network=network, rates=rates, **kw)  # type: ignore[arg-type]


def test_the_reference_narrows_contract_schedules_to_their_providers() -> None:
    schedules = {
        "MED": _schedule("MED", Network.IN),
        "RX": _schedule("RX", Network.IN, claim_types=frozenset({ClaimType.PHARMACY})),
        "OON": _schedule("OON", Network.OUT, percent_of_medicare=Decimal("1.5")),
        "UNUSED": _schedule("UNUSED", Network.IN),
    }
    reference = build_reference(
        on=date(2026, 3, 1),
        providers=[
            ("1234567893", "207Q00000X", "professional"),
            ("5550001114", "3336C0003X", "pharmacy"),
            ("1000000004", "207R00000X", "professional"),
        ],
        contracts=[
            ContractInEffect("1234567893", "MED"),
            ContractInEffect("1234567893", "MED"),  # a second network on the same schedule
            ContractInEffect("5550001114", "RX"),
        ],
        schedules=schedules,
    )
    assert reference.providers["1234567893"] == Provider(
        Network.IN, "1234567893", "207Q00000X", "professional"
    )
    assert reference.providers["1000000004"].network is Network.OUT
    assert [(s.id, s.npi) for s in reference.fee_schedules] == [
        ("MED", "1234567893"),
        ("RX", "5550001114"),
        ("OON", None),
    ]
    assert reference.fee_schedules[0].rates is schedules["MED"].rates  # shared, not copied
    assert reference.fee_schedules[1].claim_types == frozenset({ClaimType.PHARMACY})
    assert reference.provider("1999999995") == Provider(Network.OUT, "1999999995")
    assert reference.provider(None) == Provider(Network.OUT)
    assert reference.provider("1234567893").network is Network.IN
