"""The pure census check: every bad row is reported with its row (file line) and field, and
families are checked across rows. No database."""

from __future__ import annotations

import csv
import io
from datetime import date

from aso.members.census import CENSUS_COLUMNS, OfferedPlanRef, parse_census
from aso.members.domain import Relationship
from aso.plans.domain import Line, Tier

TODAY = date(2026, 11, 26)
Y26 = (date(2026, 1, 1), date(2026, 12, 31))
OFFERED = [
    OfferedPlanRef(1, "PPO1500", Line.MEDICAL, *Y26, *Y26),
    OfferedPlanRef(2, "RX4", Line.PHARMACY, *Y26, *Y26),
    OfferedPlanRef(3, "DENTAL", Line.DENTAL, *Y26, *Y26),
    OfferedPlanRef(4, "STD60", Line.STD, *Y26, *Y26),
    OfferedPlanRef(
        5,
        "PPO1500",
        Line.MEDICAL,
        date(2027, 1, 1),
        date(2027, 12, 31),
        date(2027, 1, 1),
        date(2027, 12, 31),
    ),
]


def subscriber(number: str = "E001", **fields: str) -> dict[str, str]:
    row = {
        "employee_number": number,
        "relationship": "subscriber",
        "first_name": "Ann",
        "last_name": "Lee",
        "dob": "1980-03-02",
        "sex": "F",
        "ssn": "123-45-6789",
        "address1": "1 Main St",
        "city": "Columbus",
        "state": "OH",
        "zip": "43215",
        "hire_date": "2015-06-01",
        "annual_earnings": "52000.00",
        "employment_class": "salaried",
        "medical_plan": "PPO1500",
        "medical_tier": "family",
        "coverage_start": "2026-01-01",
    }
    return row | fields


def dependent(relationship: str, first: str, dob: str, **fields: str) -> dict[str, str]:
    row = {
        "employee_number": "E001",
        "relationship": relationship,
        "first_name": first,
        "last_name": "Lee",
        "dob": dob,
        "sex": "M",
        "medical_plan": "PPO1500",
        "medical_tier": "family",
        "coverage_start": "2026-01-01",
    }
    return row | fields


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CENSUS_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def check(rows: list[dict[str, str]]) -> list[str]:
    return [str(p) for p in parse_census(to_csv(rows), OFFERED, TODAY).problems]


FAMILY = [
    subscriber(pharmacy_plan="RX4", pharmacy_tier="family", std_plan="STD60"),
    dependent("spouse", "Bo", "1981-07-19", pharmacy_plan="RX4", pharmacy_tier="family"),
    dependent("child", "Cy", "2012-01-05", pharmacy_plan="RX4", pharmacy_tier="family"),
]


def test_a_good_family_reads_into_rows_with_elections() -> None:
    parsed = parse_census(to_csv(FAMILY), OFFERED, TODAY)
    assert parsed.problems == []
    assert parsed.row_count == 3
    head, spouse, child = parsed.rows
    assert [r.row for r in parsed.rows] == [2, 3, 4]
    assert head.ssn == "123456789"
    assert head.annual_earnings is not None and str(head.annual_earnings) == "52000.00"
    assert [(e.line, e.plan.plan_id, e.tier) for e in head.elections] == [
        (Line.MEDICAL, 1, Tier.FAMILY),
        (Line.PHARMACY, 2, Tier.FAMILY),
        (Line.STD, 4, Tier.EMPLOYEE),
    ]
    assert spouse.relationship is Relationship.SPOUSE and spouse.address is None
    assert child.coverage_start == date(2026, 1, 1) and child.coverage_end is None


def test_the_plan_is_the_one_offered_in_the_plan_year_of_the_coverage_start() -> None:
    rows = [subscriber(medical_tier="employee", coverage_start="2027-01-01")]
    parsed = parse_census(to_csv(rows), OFFERED, TODAY)
    assert parsed.rows[0].elections[0].plan.plan_id == 5


def test_every_bad_row_is_reported_with_row_and_field() -> None:
    rows = [
        subscriber(),  # row 2: fine, but its family waits for row 3's fix
        dependent("child", "Cy", "2012-13-05"),  # row 3
        subscriber("E002", dob="02/03/1980", medical_tier="employee"),  # row 4
        subscriber("E003", sex="X", ssn="000-12-3456", medical_tier="employee"),  # row 5
        subscriber("E004", medical_plan="NOPE", medical_tier="employee"),  # row 6
        subscriber("E005", state="ZZ", zip="123", medical_tier="employee"),  # row 7
        subscriber("E006", relationship="cousin"),  # row 8
        subscriber("E007", hire_date="", annual_earnings="lots", medical_tier="employee"),  # row 9
    ]
    problems = check(rows)
    assert problems == [
        "row 3, dob: not a date (use YYYY-MM-DD)",
        "row 4, dob: not a date (use YYYY-MM-DD)",
        "row 5, sex: 'X' is not one of M, F, U",
        "row 5, ssn: 000 is not an SSN area number",
        "row 6, medical_plan: NOPE is not a plan this employer offers",
        "row 7, state: 'ZZ' is not a US state code",
        "row 7, zip: a ZIP code is 5 digits or ZIP+4 (NNNNN-NNNN)",
        "row 8, relationship: 'cousin' is not one of subscriber, spouse, domestic_partner, child",
        "row 9, hire_date: required (YYYY-MM-DD)",
        "row 9, annual_earnings: not an amount (e.g. 52000.00)",
    ]


def test_the_row_number_is_the_file_line_even_after_blank_lines() -> None:
    text = (
        to_csv([subscriber(medical_tier="employee")])
        + "\n"
        + to_csv([subscriber("E002", dob="1980-02-30", medical_tier="employee")]).split("\n", 1)[1]
    )
    problems = [str(p) for p in parse_census(text, OFFERED, TODAY).problems]
    assert problems == ["row 4, dob: not a date (use YYYY-MM-DD)"]


def test_a_missing_or_unknown_column_is_a_header_problem() -> None:
    text = to_csv([subscriber()]).replace("employment_class", "class", 1)
    problems = [str(p) for p in parse_census(text, OFFERED, TODAY).problems]
    assert problems == ["row 1: missing column employment_class", "row 1: unknown column class"]


def test_an_empty_file_and_a_short_row() -> None:
    assert [str(p) for p in parse_census("", OFFERED, TODAY).problems] == [
        "row 1: the file is empty"
    ]
    text = to_csv([subscriber(medical_tier="employee")]) + "E009,subscriber,Al\n"
    assert [str(p) for p in parse_census(text, OFFERED, TODAY).problems] == [
        "row 3: has 3 fields, the header 26"
    ]


def test_subscriber_only_fields_on_a_dependent_row() -> None:
    rows = [
        subscriber(),
        dependent("spouse", "Bo", "1981-07-19", hire_date="2020-01-01", std_plan="STD60"),
    ]
    assert check(rows) == [
        "row 3, hire_date: only on subscriber rows",
        "row 3, std_plan: only on subscriber rows",
    ]


def test_a_dependent_cannot_be_on_tier_employee() -> None:
    rows = [subscriber(), dependent("child", "Cy", "2012-01-05", medical_tier="employee")]
    assert check(rows) == ["row 3, medical_tier: a child cannot be on tier employee"]


def test_a_dependent_shares_its_subscribers_plan_and_tier() -> None:
    rows = [
        subscriber(dental_plan="DENTAL", dental_tier="employee_spouse"),
        dependent(
            "spouse",
            "Bo",
            "1981-07-19",
            medical_tier="employee_spouse",
            dental_plan="DENTAL",
            dental_tier="employee_spouse",
        ),
        dependent("child", "Cy", "2012-01-05", pharmacy_plan="RX4", pharmacy_tier="family"),
    ]
    assert check(rows) == [
        "row 3, medical_tier: must be the subscriber's tier family (row 2)",
        "row 4, pharmacy_plan: the subscriber (row 2) is not enrolled in RX4",
    ]


def test_disability_needs_earnings_and_is_for_the_employee() -> None:
    rows = [subscriber(medical_tier="employee", std_plan="STD60", annual_earnings="")]
    assert check(rows) == [
        "row 2, annual_earnings: required with std or ltd (they pay a share of it)"
    ]


def test_plan_columns_need_their_tier_and_a_coverage_start() -> None:
    rows = [
        subscriber(medical_tier=""),
        subscriber("E002", medical_plan="", medical_tier="employee"),
        subscriber("E003", medical_tier="employee", coverage_start=""),
        subscriber("E004", medical_plan="DENTAL", medical_tier="employee"),
        subscriber("E005", medical_tier="employee", coverage_start="2025-06-01"),
        subscriber("E006", medical_tier="employee", coverage_end="2025-12-31"),
    ]
    assert check(rows) == [
        "row 2, medical_tier: required with medical_plan",
        "row 3, medical_tier: given without a medical_plan",
        "row 4, coverage_start: required when medical_plan is given",
        "row 5, medical_plan: DENTAL is a dental plan",
        "row 6, medical_plan: PPO1500 is not offered in the plan year containing 2025-06-01",
        "row 7, coverage_end: before coverage_start",
    ]


def test_the_same_member_twice_and_two_subscribers_for_one_employee_number() -> None:
    rows = [
        *FAMILY,
        dependent("child", "cy", "2012-01-05", pharmacy_plan="RX4", pharmacy_tier="family"),
        subscriber(first_name="Zed", dob="1970-01-01", medical_tier="employee"),
    ]
    assert check(rows) == [
        "row 5: the same member as row 4",
        "row 6, employee_number: E001 already has a subscriber on row 2",
    ]


def test_one_spouse_or_partner_per_family() -> None:
    rows = [
        *FAMILY[:2],
        dependent(
            "domestic_partner", "Di", "1985-01-01", pharmacy_plan="RX4", pharmacy_tier="family"
        ),
    ]
    assert check(rows) == ["row 4, relationship: one spouse or domestic partner per family (row 3)"]


def test_a_child_who_turns_26_in_the_year_is_cut_at_the_end_of_that_month() -> None:
    rows = [subscriber(), dependent("child", "Cy", "2000-06-15")]
    parsed = parse_census(to_csv(rows), OFFERED, TODAY)
    assert parsed.problems == []
    assert parsed.rows[1].coverage_end == date(2026, 6, 30)
    assert parsed.notes == [
        "row 3: end open cut to 2026-06-30: a child is covered to the end of the month it turns 26"
    ]


def test_a_child_already_over_26_cannot_be_enrolled() -> None:
    rows = [subscriber(), dependent("child", "Cy", "1999-06-15")]
    assert check(rows)[0] == (
        "row 3, coverage_start: the child turned 26 on 2025-06-15 and can be covered only to "
        "2025-06-30"
    )


def test_dependents_end_with_their_subscriber() -> None:
    rows = [subscriber(coverage_end="2026-03-31"), dependent("spouse", "Bo", "1981-07-19")]
    parsed = parse_census(to_csv(rows), OFFERED, TODAY)
    assert parsed.problems == []
    assert parsed.rows[1].coverage_end == date(2026, 3, 31)
    assert parsed.notes == ["row 3: coverage ends with the subscriber's on 2026-03-31"]


def test_a_dependent_cannot_start_before_its_subscriber() -> None:
    rows = [subscriber(coverage_start="2026-03-01"), dependent("spouse", "Bo", "1981-07-19")]
    assert check(rows) == [
        "row 3, coverage_start: before the subscriber's coverage_start 2026-03-01"
    ]


def test_a_byte_order_mark_and_crlf_line_ends_are_fine() -> None:
    text = "\ufeff" + to_csv(FAMILY).replace("\n", "\r\n")
    assert parse_census(text, OFFERED, TODAY).problems == []
