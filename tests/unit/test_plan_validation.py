"""Schema errors of a plan design: the dotted path of each bad field and a plain reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aso.errors import Problem, ValidationFailed
from aso.plans.domain import PlanDesign
from aso.plans.validation import DesignCheck, parse_design, validate_design
from tests.unit.plan_builders import DROP, document


def errors(doc: Any) -> list[str]:
    return [str(p) for p in validate_design(doc).errors]


@pytest.mark.parametrize("visits", [0, -3, Decimal("2.5"), "twenty", True])
def test_a_visit_limit_must_be_a_whole_number_above_zero(visits: object) -> None:
    doc = document("PPO1500", ("benefits.chiropractic.limit.visits", visits))
    assert errors(doc) == ["benefits.chiropractic.limit.visits: must be a whole number > 0"]


def test_family_amount_below_individual_names_the_family_field_under_in() -> None:
    doc = document("PPO1500", ("deductible.in.family", 1000))
    assert errors(doc) == ["deductible.in.family: must be at least individual"]


def test_an_unknown_line_lists_the_lines() -> None:
    doc = document("PPO1500", ("line", "life"))
    assert errors(doc) == ["line: must be one of medical, pharmacy, dental, vision, std, ltd"]


def test_a_missing_required_field() -> None:
    doc = document("PPO1500", ("period", DROP))
    assert errors(doc) == ["period: is required"]


def test_an_unknown_field_lists_the_fields_of_its_block() -> None:
    doc = document("PPO1500", ("benefits.chiropractic.in.copy", 35))
    assert errors(doc) == [
        "benefits.chiropractic.in.copy: unknown field (expected one of copay, coinsurance, "
        "deductible, copay_timing, allowance, min_cost, max_cost)"
    ]


def test_money_amounts() -> None:
    doc = document(
        "PPO1500",
        ("benefits.office_visit_pcp.in.copay", Decimal("-25")),
        ("oop_max.in.individual", Decimal("5000.125")),
    )
    assert errors(doc) == [
        "oop_max.in.individual: must be a dollar amount >= 0 with at most 2 decimal places",
        "benefits.office_visit_pcp.in.copay: must be a dollar amount >= 0 with at most 2 "
        "decimal places",
    ]


def test_coinsurance_is_a_share() -> None:
    doc = document("PPO1500", ("benefits.lab.in.coinsurance", 20))
    assert errors(doc) == ["benefits.lab.in.coinsurance: must be a share from 0 to 1 (0.2 = 20%)"]


def test_flags_and_dates() -> None:
    doc = document(
        "PPO1500",
        ("hsa_qualified", "maybe"),
        ("period.start", "2026-13-01"),
        ("benefits.lab.in.deductible", "sometimes"),
    )
    assert errors(doc) == [
        "period.start: must be a date (YYYY-MM-DD)",
        "hsa_qualified: must be true or false",
        "benefits.lab.in.deductible: must be true or false",
    ]


def test_period_end_before_start() -> None:
    doc = document("PPO1500", ("period.end", "2025-12-31"))
    assert errors(doc) == ["period.end: must not be before start"]


def test_plan_id_shape() -> None:
    assert errors(document("PPO1500", ("id", "PPO 1500"))) == [
        "id: must be letters, digits, '.', '_' or '-', 1 to 40 characters"
    ]


def test_out_is_a_cost_share_block_or_same_as_in() -> None:
    doc = document("PPO1500", ("benefits.emergency_room.out", "same"))
    assert errors(doc) == [
        "benefits.emergency_room.out: must be a mapping (with copay, coinsurance, deductible, "
        "copay_timing, allowance, min_cost, max_cost) or same_as_in"
    ]


def test_errors_inside_an_out_block_name_the_field_not_the_union() -> None:
    doc = document("PPO1500", ("benefits.lab.out.coinsurance", Decimal("1.4")))
    assert errors(doc) == ["benefits.lab.out.coinsurance: must be a share from 0 to 1 (0.2 = 20%)"]


def test_a_benefit_must_be_a_mapping() -> None:
    doc = document("PPO1500", ("benefits.lab", 20))
    assert errors(doc) == [
        "benefits.lab: must be a mapping (with covered, prior_auth, in, out, limit, "
        "waiting_months, max_age)"
    ]


def test_limit_rules_of_the_schema() -> None:
    doc = document(
        "PPO1500",
        ("benefits.chiropractic.limit", {"months": 12}),
        ("benefits.physical_therapy.limit", {"visits": 10, "months": 12}),
    )
    assert errors(doc) == [
        "benefits.physical_therapy.limit.months: goes with count (a frequency such as once "
        "every 24 months)",
        "benefits.chiropractic.limit.months: goes with count (a frequency such as once every "
        "24 months)",
    ]
    doc = document("PPO1500", ("benefits.chiropractic.limit", {"lifetime": True}))
    assert errors(doc) == ["benefits.chiropractic.limit: needs visits, dollars or count"]


def test_pharmacy_cost_bounds_in_order() -> None:
    doc = document(
        "RX-4TIER",
        ("benefits.rx_specialty.in.min_cost", 400),
        ("benefits.rx_specialty.in.max_cost", 350),
    )
    assert errors(doc) == ["benefits.rx_specialty.in.max_cost: must be at least min_cost"]


def test_formulary_keys_are_ndcs_and_values_tiers() -> None:
    doc = document(
        "RX-4TIER",
        ("formulary.0009371530", "rx_generic"),
        ("formulary.00093715302", "rx_cheap"),
    )
    doc["formulary"][12345678901] = "rx_generic"
    assert errors(doc) == [
        "formulary.0009371530: must be an NDC of 11 digits (quote it in YAML)",
        "formulary.00093715302: must be one of rx_generic, rx_preferred_brand, "
        "rx_non_preferred_brand, rx_specialty",
        "formulary.12345678901: must be an NDC of 11 digits (quote it in YAML)",
    ]


def test_list_items_by_index_and_disability_blocks() -> None:
    doc = document(
        "LTD60",
        ("disability.offsets", ["social_security", "lottery"]),
        ("disability.max_duration", {"months": 24, "to_age": 65}),
        ("disability.maximum.per", "day"),
        ("disability.benefit_percent", Decimal("1.2")),
    )
    assert errors(doc) == [
        "disability.benefit_percent: must be a share > 0 and <= 1 (0.2 = 20%)",
        "disability.maximum.per: must be one of week, month",
        "disability.max_duration: needs exactly one of weeks, months or to_age",
        "disability.offsets.1: must be one of social_security, workers_compensation, "
        "state_disability, pension, other_employer_plan, std, salary_continuation",
    ]


def test_a_document_that_is_not_a_mapping() -> None:
    check = validate_design(["id", "PPO1500"])  # type: ignore[arg-type]
    assert check.design is None
    assert [str(p) for p in check.errors] == [
        "a plan design must be a mapping of fields (id, name, line, period, ...)"
    ]


def test_every_error_is_reported_at_once() -> None:
    doc = document(
        "PPO1500",
        ("name", ""),
        ("timely_filing_days", 0),
        ("benefits.chiropractic.limit.visits", 0),
        ("benefits.urgent_care.in.copay", "x"),
    )
    assert [p.where for p in validate_design(doc).errors] == [
        "name",
        "timely_filing_days",
        "benefits.urgent_care.in.copay",
        "benefits.chiropractic.limit.visits",
    ]


def test_unknown_categories_are_reported_with_schema_errors() -> None:
    doc = document("PPO1500", ("benefits.foo", {"in": {"copay": 10}}), ("name", ""))
    assert errors(doc) == [
        "name: must be text, 1 to 200 characters",
        "benefits.foo: unknown service category for a medical plan",
    ]


BROKEN_VALUES: list[tuple[str, object]] = [
    ("id", 7),
    ("name", None),
    ("line", 3),
    ("period", "2026"),
    ("period.start", None),
    ("accumulator_group", 5),
    ("timely_filing_days", Decimal("3.5")),
    ("deductible", []),
    ("deductible.embedded", "perhaps"),
    ("oop_max.out.family", "lots"),
    ("benefits", "all"),
    ("benefits.lab.covered", 2),
    ("benefits.lab.limit.count", -1),
    ("benefits.lab.max_age", "old"),
    ("benefits.lab.in.copay_timing", "later"),
    ("pended_over", "big"),
    ("formulary", ["x"]),
    ("disability", 5),
    ("extra", 1),
]


@pytest.mark.parametrize(("dotted", "value"), BROKEN_VALUES)
def test_messages_never_leak_pydantic_wording(dotted: str, value: object) -> None:
    check = validate_design(document("PPO1500", (dotted, value)))
    assert check.errors
    for problem in check.errors:
        assert problem.where.split(".")[0] == dotted.split(".")[0]
        for leak in ("Input should", "https://", "Value error", "pydantic", "[key]", "literal["):
            assert leak not in str(problem)


def test_in_is_shown_as_written_even_when_given_as_in_() -> None:
    doc = document("PPO1500")
    doc["deductible"] = {"in_": {"individual": 1500, "family": 1000}}
    assert errors(doc) == ["deductible.in.family: must be at least individual"]


def test_parse_design_returns_the_design_or_raises_with_every_problem() -> None:
    assert isinstance(parse_design(document("PPO1500")), PlanDesign)
    with pytest.raises(ValidationFailed) as raised:
        parse_design(document("PPO1500", ("line", "life"), ("benefits.lab.in.copay", -1)))
    assert raised.value.problems == [
        Problem("line", "must be one of medical, pharmacy, dental, vision, std, ltd"),
        Problem(
            "benefits.lab.in.copay", "must be a dollar amount >= 0 with at most 2 decimal places"
        ),
    ]


def test_a_valid_design_has_no_errors_and_its_warnings() -> None:
    check = validate_design(
        document("PPO1500", ("oop_max.in.individual", 10700), ("oop_max.in.family", 21200))
    )
    assert isinstance(check, DesignCheck)
    assert check.ok and check.design is not None and check.design.id == "PPO1500"
    assert [w.where for w in check.warnings] == ["oop_max.in.individual"]


def test_an_invalid_design_has_no_design_and_no_warnings() -> None:
    check = validate_design(document("PPO1500", ("oop_max.in.individual", -1)))
    assert not check.ok and check.design is None and check.warnings == []
