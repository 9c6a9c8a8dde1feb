"""The providers, rates and drug prices CSV files: every kind of problem, named by row (the
file line; the header is line 1) and column, and found all at once. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aso.claims.domain import ClaimType, Network
from aso.claims.pricing import RateBasis
from aso.errors import ValidationFailed
from aso.providers.domain import DrugTerms, RateKey, RateTerms, Span
from aso.providers.fee_csv import ScheduleFile, parse_schedule_file, read_settings
from aso.providers.provider_csv import (
    ALL_COLUMNS,
    ContractOnFile,
    file_problems,
    parse_providers,
)

HEADER = ",".join(ALL_COLUMNS)
LEE = {
    "npi": "1234567893",
    "tin": "31-1234567",
    "name": "Ann Lee MD",
    "taxonomy": "207Q00000X",
    "kind": "professional",
    "address1": "10 Elm St",
    "city": "Columbus",
    "state": "OH",
    "zip": "43215",
    "network": "PPO-OH",
    "contract_start": "2026-01-01",
    "contract_end": "",
    "fee_schedule": "MED-2026",
    "address2": "",
    "network_name": "",
}


def row(**changes: str) -> str:
    values = {**LEE, **changes}
    return ",".join(values[c] for c in ALL_COLUMNS)


def providers_file(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_providers(text).problems]


# providers file -----------------------------------------------------------------------------


def test_a_good_file() -> None:
    parsed = parse_providers(
        providers_file(
            row(network_name="Ohio PPO"),
            row(network="RX-NET", fee_schedule="rx-2026"),
            row(npi="1000000004", network="", contract_start="", fee_schedule="", state="oh"),
        )
    )
    assert parsed.problems == []
    assert parsed.row_count == 3
    assert sorted(parsed.providers) == ["1000000004", "1234567893"]
    assert parsed.providers["1000000004"].address.state == "OH"
    assert [(c.row, c.network, c.schedule, c.span) for c in parsed.contracts] == [
        (2, "PPO-OH", "MED-2026", Span(date(2026, 1, 1))),
        (3, "RX-NET", "RX-2026", Span(date(2026, 1, 1))),
    ]
    assert parsed.network_names == {"PPO-OH": "Ohio PPO"}


def test_a_file_without_contract_columns() -> None:
    header = "npi,tin,name,taxonomy,kind,address1,city,state,zip"
    text = f"{header}\n1234567893,31-1234567,Ann Lee,207Q00000X,professional,1 A St,X,OH,43215\n"
    parsed = parse_providers(text)
    assert parsed.problems == [] and parsed.contracts == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["row 1: the file is empty (it needs a header line)"]),
        ("\n\n", ["row 1: the file is empty (it needs a header line)"]),
        (
            "npi,tin,name,taxonomy,kind,address1,city,state,zip,color\n",
            ["row 1: unknown column 'color'"],
        ),
        (
            "npi,tin,name,taxonomy,kind,address1,city,state\n",
            ["row 1: missing column zip"],
        ),
        (
            "npi,tin,name,taxonomy,kind,address1,city,state,zip,NPI\n",
            ["row 1: column npi is named twice"],
        ),
    ],
)
def test_header_problems(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_every_field_problem_is_named_by_row_and_column() -> None:
    text = providers_file(
        row(npi="1234567890"),
        row(npi="12345", tin="07-1234567"),
        row(npi="1000000004", name="", taxonomy="207Q0000X", kind="clinic"),
        row(npi="9876543213", state="ZZ", zip="4321", address1="", city=""),
        row(npi="5550001114", network="", contract_start="2026-01-01", fee_schedule="X"),
        row(npi="2468135795", contract_start="", fee_schedule=""),
        row(npi="1357924681", contract_start="2026-02-30", contract_end="2025-01-01"),
        row(npi="1112223338", contract_start="2026-03-01", contract_end="2026-02-01"),
        row(npi="1112223338", network="PPO OH", fee_schedule="-X"),
        row(npi="1234567893") + ",extra",
    )
    assert problems(text) == [
        "row 2, npi: 1234567890 fails the NPI check digit (the last digit would be 3)",
        "row 3, npi: an NPI is 10 digits",
        "row 3, tin: a TIN is the 9-digit EIN written NN-NNNNNNN: "
        "07 is not an EIN prefix the IRS issues",
        "row 4, name: required",
        "row 4, taxonomy: a taxonomy code is 10 letters or digits ending in X, e.g. 207Q00000X",
        "row 4, kind: 'clinic' is not one of professional, facility, pharmacy, dental, vision",
        "row 5, address1: required",
        "row 5, city: required",
        "row 5, state: 'ZZ' is not a US state code",
        "row 5, zip: a ZIP code is 5 digits or ZIP+4 (NNNNN-NNNN)",
        "row 6, contract_start: given without a network",
        "row 6, fee_schedule: given without a network",
        "row 7, contract_start: required",
        "row 7, fee_schedule: required",
        "row 8, contract_start: not a date (use YYYY-MM-DD)",
        "row 9, contract_end: before contract_start 2026-03-01",
        "row 10, network: a network code is up to 20 letters, digits, '.', '_' or '-'",
        "row 10, fee_schedule: a fee schedule code is up to 40 letters, digits, '.', '_' or '-'",
        "row 11: has 16 fields, the header 15",
    ]


def test_rows_across_the_file() -> None:
    text = providers_file(
        row(contract_end="2026-06-30", network_name="Ohio PPO"),
        row(name="Ann Lee", taxonomy="207R00000X", contract_start="2026-07-01"),
        row(contract_start="2026-07-01", contract_end="2026-12-31"),
        row(contract_start="2026-03-01", network_name="PPO of Ohio"),
    )
    assert problems(text) == [
        "row 3, name: differs from row 2 for the same NPI ('Ann Lee MD')",
        "row 3, taxonomy: differs from row 2 for the same NPI ('207Q00000X')",
        "row 4, contract_start: the same contract as row 3",
        "row 5, network_name: PPO-OH is named 'Ohio PPO' above",
        "row 5, contract_start: overlaps the contract on row 2 (PPO-OH 2026-01-01..2026-06-30)",
    ]


def test_a_quoted_value_over_two_lines_counts_from_its_first_line() -> None:
    text = providers_file(row(name='"Ann\nLee"'), row(npi="1234567890"))
    assert problems(text) == [
        "row 4, npi: 1234567890 fails the NPI check digit (the last digit would be 3)"
    ]


def test_checks_against_what_is_on_file() -> None:
    parsed = parse_providers(
        providers_file(
            row(),
            row(npi="1000000004", fee_schedule="NOPE"),
            row(npi="9876543213", fee_schedule="OON"),
            row(npi="5550001114", contract_start="2026-06-01"),
            row(npi="1234567890", fee_schedule="NOPE"),  # a bad row still gets this check
        )
    )
    on_file = [
        # the same contract (same start): an update, not an overlap
        ContractOnFile("1234567893", "PPO-OH", Span(date(2026, 1, 1), date(2026, 3, 1)), "MED"),
        ContractOnFile("5550001114", "PPO-OH", Span(date(2025, 1, 1)), "MED-2026"),
        ContractOnFile("5550001114", "RX-NET", Span(date(2025, 1, 1)), "RX"),  # another network
    ]
    found = file_problems(
        parsed,
        schedules={"MED-2026": Network.IN, "OON": Network.OUT},
        on_file=on_file,
    )
    assert [str(p) for p in found] == [
        "row 3, fee_schedule: no fee schedule NOPE (import it first: aso fees import)",
        "row 4, fee_schedule: OON is an out-of-network reference schedule, not a contract's",
        "row 6, fee_schedule: no fee schedule NOPE (import it first: aso fees import)",
        "row 5, contract_start: overlaps the contract on file with PPO-OH (2025-01-01..open, "
        "MED-2026): end that one first (its row with a contract_end)",
    ]


# rates and drug prices ----------------------------------------------------------------------

RATES = "procedure,modifier,revenue_code,category,basis,amount"


def test_rates_parse_exactly() -> None:
    text = (
        f'{RATES}\n99213,,,,amount,95.00\n99213,25,,,,100\n,,450,,CASE_RATE,"$1,500"\n'
        ",,,Inpatient_Hospital,per_diem,2200.5\n"
    )
    parsed = parse_schedule_file(text)
    assert parsed.kind is ScheduleFile.RATES and parsed.problems == []
    assert parsed.rates == {
        RateKey(procedure="99213"): RateTerms(RateBasis.UNIT, Decimal("95.00")),
        RateKey(procedure="99213", modifier="25"): RateTerms(RateBasis.UNIT, Decimal("100")),
        RateKey(revenue_code="0450"): RateTerms(RateBasis.CASE, Decimal("1500")),
        RateKey(category="inpatient_hospital"): RateTerms(RateBasis.PER_DIEM, Decimal("2200.5")),
    }


def test_a_rates_file_may_leave_columns_out() -> None:
    parsed = parse_schedule_file("procedure,amount\n80053,14.50\n")
    assert parsed.problems == []
    assert parsed.rates == {RateKey(procedure="80053"): RateTerms(RateBasis.UNIT, Decimal("14.50"))}


def test_every_rate_problem() -> None:
    text = "\n".join(
        [
            RATES,
            "9921,,,,,95",
            "99213,2,,,,95",
            ",,45,,,95",
            ",,,surgery,,95",
            "99214,,,,hourly,95",
            "99215,,,,,",
            "99215,,,,,95.005",
            "99215,,,,,-1",
            ",,,,,95",
            "99202,,0450,lab,,95",
            ",25,0450,,,95",
            "99213,,,,,95",
            "99213,,,,amount,96",
        ]
    )
    assert [str(p) for p in parse_schedule_file(text).problems] == [
        "row 2, procedure: not a procedure code (e.g. 99213)",
        "row 3, modifier: not a modifier (2 letters or digits)",
        "row 4, revenue_code: a revenue code is 3 or 4 digits, e.g. 0450",
        "row 5, category: 'surgery' is not a service category (DESIGN 6.2)",
        "row 6, basis: 'hourly' is not one of amount, per_diem, case_rate",
        "row 7, amount: required",
        "row 8, amount: at most 2 decimal places",
        "row 9, amount: not an amount (e.g. 95.00)",
        "row 10, procedure: required (or a revenue_code or a category)",
        "row 11, revenue_code: give one of procedure, revenue_code or category (procedure is)",
        "row 11, category: give one of procedure, revenue_code or category (procedure is)",
        "row 12, modifier: only with a procedure",
        "row 14, procedure: 99213 is already priced on row 13",
    ]


def test_rates_header_problems() -> None:
    assert [str(p) for p in parse_schedule_file("modifier,amount\n25,1\n").problems] == [
        "row 1: missing column procedure (or revenue_code or category)"
    ]
    assert [str(p) for p in parse_schedule_file("procedure\n99213\n").problems] == [
        "row 1: missing column amount"
    ]


def test_drug_prices() -> None:
    text = "ndc,awp,mac\n00093-7146-56,0.52340,0.08\n0378-1800-10,1.25,\n"
    parsed = parse_schedule_file(text)
    assert parsed.kind is ScheduleFile.DRUGS and parsed.problems == []
    assert parsed.drugs == {
        "00093714656": DrugTerms(Decimal("0.5234"), Decimal("0.08")),
        "00378180010": DrugTerms(Decimal("1.25"), None),
    }


def test_every_drug_price_problem() -> None:
    text = "\n".join(
        [
            "NDC,AWP,MAC",
            "1234,1,1",
            "12345-6789-01,,",
            "12345-6789-02,0.123456,x",
            "12345678901,1,",
            "12345-6789-01,2,",
        ]
    )
    assert [str(p) for p in parse_schedule_file(text).problems] == [
        "row 2, ndc: an NDC is 11 digits, or hyphenated 5-4-2, 4-4-2, 5-3-2 or 5-4-1",
        "row 3, awp: give an awp or a mac unit price (or both)",
        "row 4, awp: at most 5 decimal places",
        "row 4, mac: not a unit price (e.g. 95.00)",
        "row 6, ndc: 12345678901 is already priced on row 5",
    ]


# settings -----------------------------------------------------------------------------------


def test_settings() -> None:
    settings = read_settings(
        network="IN",
        name=" Medical 2026 ",
        claim_types="professional, institutional",
        percent_of_charge="60%",
        percent_of_medicare="1.2",
        conversion_factor="33.4009",
        awp_discount="18%",
        dispensing_fee="1.75",
    )
    assert settings.network is Network.IN
    assert settings.name == "Medical 2026"
    assert settings.claim_types == frozenset({ClaimType.PROFESSIONAL, ClaimType.INSTITUTIONAL})
    assert (settings.percent_of_charge, settings.percent_of_medicare) == (
        Decimal("0.6"),
        Decimal("1.2"),
    )
    assert settings.conversion_factor == Decimal("33.4009")
    assert settings.awp_discount == Decimal("0.18")
    assert settings.dispensing_fee == Decimal("1.75")
    assert read_settings(network="out").dispensing_fee == Decimal("0.00")


def test_every_bad_setting_is_reported() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_settings(
            network="maybe",
            claim_types="professional,disability",
            percent_of_charge="0",
            percent_of_medicare="lots",
            conversion_factor="0",
            awp_discount="1.5",
            dispensing_fee="-1",
        )
    assert [str(p) for p in caught.value.problems] == [
        "network: 'maybe' is not in or out",
        "percent_of_medicare: not a share (e.g. 0.6 or 60%)",
        "dispensing_fee: not an amount (e.g. 95.00)",
        "percent_of_charge: must be more than 0 (leave it out to not use it)",
        "conversion_factor: must be more than 0",
        "awp_discount: a share between 0 and 1 (e.g. 0.18 or 18%)",
        "claim_types: 'disability' is not one of professional, institutional, dental, "
        "pharmacy, vision",
    ]
    with pytest.raises(ValidationFailed, match="network: required: in or out"):
        read_settings(network=None)
