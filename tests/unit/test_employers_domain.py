"""Employer rules: the EIN check, plan years and which plan designs fit in them."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from aso.employers.domain import (
    IRS_CAMPUS_PREFIXES,
    Address,
    PlanYear,
    add_months,
    address_problems,
    design_problems,
    normalize_ein,
    plan_year_problems,
)
from aso.employers.schemas import EmployerCreate
from aso.plans.domain import PlanDesign


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12-3456789", "12-3456789"), ("123456789", "12-3456789"), (" 27-0000001 ", "27-0000001")],
)
def test_a_valid_ein_is_written_nn_nnnnnnn(text: str, expected: str) -> None:
    assert normalize_ein(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12-345678", "9 digits"),
        ("12-34567890", "9 digits"),
        ("1-23456789", "9 digits"),
        ("AB-3456789", "9 digits"),
        ("00-1234567", "00 is not an EIN prefix"),
        ("07-1234567", "07 is not an EIN prefix"),
        ("89-1234567", "89 is not an EIN prefix"),
        ("96-1234567", "96 is not an EIN prefix"),
        ("12-0000000", "all zeros"),
        ("00-0000000", "not an EIN prefix"),
    ],
)
def test_an_invalid_ein_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        normalize_ein(text)


def test_the_irs_prefix_table_leaves_out_exactly_the_unissued_prefixes() -> None:
    never = {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78",
             "79", "89", "96", "97"}  # fmt: skip
    assert {f"{n:02d}" for n in range(100)} - never == IRS_CAMPUS_PREFIXES


def test_employer_create_checks_and_normalizes_the_ein() -> None:
    data = dict(name="Acme", address1="1 Main St", city="Columbus", state="oh", zip="43215")
    assert EmployerCreate(ein="311234567", **data).ein == "31-1234567"
    assert EmployerCreate(ein="311234567", **data).state == "OH"
    with pytest.raises(ValidationError, match="not an EIN prefix"):
        EmployerCreate(ein="08-1234567", **data)


def test_address_problems_name_each_bad_field() -> None:
    problems = address_problems(Address("", "", "XX", "4321"))
    assert [p.where for p in problems] == ["address1", "city", "state", "zip"]
    assert address_problems(Address("1 Main St", "Columbus", "OH", "43215-1234")) == []


YEAR = PlanYear(date(2026, 1, 1), date(2026, 12, 31), 3)


def test_a_plan_year_runs_out_months_after_its_end() -> None:
    assert YEAR.runout_end == date(2027, 3, 31)
    assert PlanYear(date(2025, 7, 1), date(2026, 6, 30), 3).runout_end == date(2026, 9, 30)
    assert PlanYear(date(2025, 12, 1), date(2026, 11, 30), 3).runout_end == date(2027, 2, 28)


def test_plan_year_problems() -> None:
    assert plan_year_problems(YEAR, []) == []
    backwards = PlanYear(date(2026, 12, 31), date(2026, 1, 1), 3)
    assert [p.where for p in plan_year_problems(backwards, [])] == ["end"]
    too_long = PlanYear(date(2026, 1, 1), date(2027, 1, 1), 3)
    assert "at most 12 months" in str(plan_year_problems(too_long, [])[0])
    short_first_year = PlanYear(date(2026, 4, 1), date(2026, 12, 31), 0)
    assert plan_year_problems(short_first_year, []) == []
    assert [p.where for p in plan_year_problems(PlanYear(YEAR.start, YEAR.end, 37), [])] == [
        "runout_months"
    ]
    overlapping = PlanYear(date(2026, 7, 1), date(2027, 6, 30), 3)
    assert "overlaps the plan year 2026-01-01..2026-12-31" in str(
        plan_year_problems(overlapping, [YEAR])[0]
    )
    next_year = PlanYear(date(2027, 1, 1), date(2027, 12, 31), 3)
    assert plan_year_problems(next_year, [YEAR]) == []


def _design(start: str, end: str) -> PlanDesign:
    return PlanDesign.model_validate(
        {"id": "PPO", "name": "PPO", "line": "medical", "period": {"start": start, "end": end}}
    )


def test_a_design_must_fall_inside_its_plan_year() -> None:
    assert design_problems(_design("2026-01-01", "2026-12-31"), YEAR) == []
    assert design_problems(_design("2026-04-01", "2026-12-31"), YEAR) == []
    (problem,) = design_problems(_design("2026-07-01", "2027-06-30"), YEAR)
    assert problem.where == "period"
    assert "does not fall in the plan year 2026-01-01..2026-12-31" in problem.message
    assert design_problems(_design("2025-12-31", "2026-12-30"), YEAR)


def test_add_months_keeps_the_day_or_takes_the_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
