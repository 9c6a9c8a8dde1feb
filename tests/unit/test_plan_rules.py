"""Cross-field rules of a plan design (``aso.plans.rules``): one test per rule, each with the
design that breaks it and, where there is a boundary, the design just inside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aso.plans.validation import validate_design
from tests.unit.plan_builders import DROP, document


def errors(doc: Any) -> list[str]:
    return [str(p) for p in validate_design(doc).errors]


# -- period -----------------------------------------------------------------------------------


def test_a_plan_period_is_at_most_one_plan_year() -> None:
    assert errors(document("PPO1500", ("period.end", "2027-01-01"))) == [
        "period.end: must be less than 12 months after start (one plan year)"
    ]
    assert errors(document("PPO1500", ("period", {"start": "2026-07-01", "end": "2027-07-01"})))
    assert not errors(document("PPO1500", ("period", {"start": "2026-07-01", "end": "2027-06-30"})))


def test_a_short_plan_year_is_fine_and_29_february_has_an_anniversary() -> None:
    assert not errors(document("PPO1500", ("period", {"start": "2026-04-01", "end": "2026-12-31"})))
    leap = {"start": "2028-02-29", "end": "2029-02-28"}
    assert not errors(document("PPO1500", ("period", leap)))
    assert errors(document("PPO1500", ("period", {**leap, "end": "2029-03-01"})))


# -- categories and lines ---------------------------------------------------------------------


def test_categories_must_belong_to_the_line() -> None:
    doc = document(
        "PPO1500", ("benefits.foo", {"in": {"copay": 5}}), ("benefits.rx_generic", {"in": {}})
    )
    assert errors(doc) == [
        "benefits.foo: unknown service category for a medical plan",
        "benefits.rx_generic: is a pharmacy category, not one for a medical plan",
    ]
    doc = document("DENTAL-PPO", ("benefits.vision_exam", {"in": {"copay": 10}}))
    assert errors(doc) == ["benefits.vision_exam: is a vision category, not one for a dental plan"]


def test_a_disability_plan_needs_its_disability_block() -> None:
    assert errors(document("STD60", ("disability", DROP))) == [
        "disability: is required for an std plan"
    ]
    assert errors(document("LTD60", ("disability", DROP))) == [
        "disability: is required for an ltd plan"
    ]


def test_a_disability_plan_takes_no_medical_fields() -> None:
    doc = document(
        "STD60",
        ("benefits", {"office_visit_pcp": {"in": {"copay": 20}}}),
        ("deductible", {"in": {"individual": 100, "family": 200}}),
        ("oop_max", {"in": {"individual": 100, "family": 200}}),
        ("formulary", {"00093715301": "rx_generic"}),
        ("annual_max", 1000),
        ("lifetime_max", 5000),
        ("hsa_qualified", True),
    )
    used_by = "not used by an std plan: its benefit is set under disability"
    assert errors(doc) == [
        f"{name}: {used_by}"
        for name in (
            "benefits",
            "deductible",
            "oop_max",
            "formulary",
            "annual_max",
            "lifetime_max",
            "hsa_qualified",
        )
    ]


def test_only_disability_plans_have_a_disability_block() -> None:
    disability = document("STD60")["disability"]
    assert errors(document("PPO1500", ("disability", disability))) == [
        "disability: only std and ltd plans have a disability benefit"
    ]


def test_a_plan_of_services_needs_a_benefit() -> None:
    assert errors(document("VISION", ("benefits", {}))) == [
        "benefits: a vision plan needs at least one service category"
    ]


def test_only_pharmacy_plans_have_a_formulary() -> None:
    assert errors(document("PPO1500", ("formulary", {"00093715301": "rx_generic"}))) == [
        "formulary: only a pharmacy plan has a formulary"
    ]


def test_every_formulary_tier_has_a_benefit() -> None:
    doc = document("RX-4TIER", ("benefits.rx_specialty", DROP))
    assert errors(doc) == [
        "formulary.00074433902: rx_specialty has no benefit in this plan",
        "formulary.55513071001: rx_specialty has no benefit in this plan",
    ]


def test_only_medical_and_pharmacy_plans_are_hsa_qualified() -> None:
    assert errors(document("DENTAL-PPO", ("hsa_qualified", True))) == [
        "hsa_qualified: only a medical or pharmacy plan can be an HSA-qualified HDHP"
    ]
    assert not errors(document("HDHP-RX"))


# -- plan amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["annual_max", "lifetime_max", "pended_over"])
def test_plan_maximums_are_more_than_zero(name: str) -> None:
    assert errors(document("DENTAL-PPO", (name, 0))) == [
        f"{name}: must be more than 0 (leave it out for no limit)"
    ]
    assert not errors(document("DENTAL-PPO", (name, Decimal("0.01"))))


def test_an_accumulation_block_needs_amounts() -> None:
    assert errors(document("PPO1500", ("deductible", {"embedded": False}))) == [
        "deductible: needs in or out amounts",
        # the benefits that apply a deductible now have none to apply
        *[
            f"benefits.{category}.{network}.deductible: the plan has no "
            f"{'in-network' if network == 'in' else 'out-of-network'} deductible amounts"
            for category, network in _deductible_blocks("PPO1500")
        ],
    ]


def _deductible_blocks(template_id: str) -> list[tuple[str, str]]:
    doc = document(template_id)
    return [
        (category, network)
        for category, benefit in doc["benefits"].items()
        for network in ("in", "out")
        if isinstance(benefit.get(network), dict) and benefit[network].get("deductible")
    ]


def test_the_out_of_pocket_maximum_is_at_least_the_deductible() -> None:
    doc = document(
        "PPO1500", ("oop_max.in.individual", 1499), ("oop_max.out", {"individual": 3000})
    )
    doc["oop_max"]["out"]["family"] = 5999
    assert errors(doc) == [
        "oop_max.in.individual: must be at least the deductible (1500)",
        "oop_max.out.family: must be at least the deductible (6000)",
    ]
    assert not errors(document("PPO1500", ("oop_max.in.individual", 1500)))


# -- benefits ---------------------------------------------------------------------------------


def test_a_category_that_is_not_covered_takes_no_cost_share() -> None:
    doc = document(
        "PPO1500",
        ("benefits.bariatric_surgery.in", {"coinsurance": Decimal("0.2")}),
        ("benefits.bariatric_surgery.prior_auth", True),
        ("benefits.bariatric_surgery.limit", {"visits": 1}),
    )
    assert errors(doc) == [
        "benefits.bariatric_surgery: is not covered, so it takes no in, limit, prior_auth"
    ]


def test_a_covered_category_needs_its_in_network_block() -> None:
    doc = document("PPO1500", ("benefits.lab.in", DROP))
    assert errors(doc) == ["benefits.lab.in: is required for a covered category"]


def test_the_deductible_flag_needs_deductible_amounts_for_that_network() -> None:
    doc = document(
        "EPO2000", ("benefits.lab.out", {"coinsurance": Decimal("0.5"), "deductible": True})
    )
    assert errors(doc) == [
        "benefits.lab.out.deductible: the plan has no out-of-network deductible amounts"
    ]
    doc = document("VISION", ("benefits.vision_exam.in.deductible", True))
    assert errors(doc) == [
        "benefits.vision_exam.in.deductible: the plan has no in-network deductible amounts"
    ]


def test_after_deductible_copays_need_the_deductible() -> None:
    doc = document("HDHP3400", ("benefits.office_visit_pcp.in.deductible", False))
    assert "benefits.office_visit_pcp.in.copay_timing: after_deductible needs deductible: true" in (
        errors(doc)
    )


def test_min_and_max_cost_are_pharmacy_only_and_bound_a_coinsurance() -> None:
    doc = document("PPO1500", ("benefits.lab.in.min_cost", 10), ("benefits.lab.in.max_cost", 50))
    assert errors(doc) == [
        "benefits.lab.in.min_cost: only pharmacy tiers have min_cost",
        "benefits.lab.in.max_cost: only pharmacy tiers have max_cost",
    ]
    doc = document("RX-4TIER", ("benefits.rx_generic.in.min_cost", 5))
    assert errors(doc) == [
        "benefits.rx_generic.in.min_cost: bounds the coinsurance, so needs a coinsurance above 0"
    ]


def test_allowances() -> None:
    doc = document("RX-4TIER", ("benefits.rx_generic.in.allowance", 20))
    assert errors(doc) == [
        "benefits.rx_generic.in.allowance: pharmacy tiers bound coinsurance with min_cost/max_cost"
    ]
    doc = document("VISION", ("benefits.vision_frames.in.allowance", 0))
    assert errors(doc) == [
        "benefits.vision_frames.in.allowance: must be more than 0 (or use covered: false)"
    ]


def test_limits() -> None:
    doc = document(
        "PPO1500",
        ("benefits.wellness_program.limit.dollars", 0),
        ("benefits.chiropractic.limit", {"count": 1, "months": 12, "lifetime": True}),
    )
    assert errors(doc) == [
        "benefits.chiropractic.limit.lifetime: a frequency (count + months) is a rolling window, "
        "not lifetime",
        "benefits.wellness_program.limit.dollars: must be more than 0 (or use covered: false)",
    ]


def test_waiting_periods_are_dental_only() -> None:
    assert errors(document("PPO1500", ("benefits.lab.waiting_months", 6))) == [
        "benefits.lab.waiting_months: only dental classes have waiting periods"
    ]
    assert not errors(document("DENTAL-PPO", ("benefits.dental_basic.waiting_months", 6)))


# -- disability -------------------------------------------------------------------------------


def test_std_pays_per_week_and_ltd_per_month() -> None:
    assert errors(
        document("STD60", ("disability.maximum.per", "month"), ("disability.minimum", DROP))
    ) == ["disability.maximum.per: an std plan states its maximum per week"]
    assert errors(
        document("LTD60", ("disability.maximum.per", "week"), ("disability.minimum", DROP))
    ) == ["disability.maximum.per: an ltd plan states its maximum per month"]


def test_disability_minimum_and_maximum() -> None:
    doc = document(
        "LTD60",
        ("disability.maximum.amount", 0),
        ("disability.minimum", {"amount": 100, "per": "week"}),
    )
    assert errors(doc) == [
        "disability.maximum.amount: must be more than 0",
        "disability.minimum.per: must match the maximum's per",
        "disability.minimum.amount: must not exceed the maximum",
    ]


def test_elimination_periods_are_at_most_a_year() -> None:
    assert errors(document("LTD60", ("disability.elimination.sickness_days", 366))) == [
        "disability.elimination.sickness_days: must be at most 365"
    ]
    assert not errors(document("LTD60", ("disability.elimination.sickness_days", 365)))


def test_std_durations() -> None:
    assert errors(document("STD60", ("disability.max_duration", {"to_age": 65}))) == [
        "disability.max_duration.to_age: an std benefit lasts weeks, not to an age"
    ]
    assert errors(document("STD60", ("disability.max_duration", {"weeks": 53}))) == [
        "disability.max_duration.weeks: must be at most 52"
    ]
    assert not errors(document("STD60", ("disability.max_duration", {"weeks": 52})))
    assert errors(document("STD60", ("disability.max_duration", {"months": 13}))) == [
        "disability.max_duration.months: must be at most 12"
    ]
    assert not errors(document("STD60", ("disability.max_duration", {"months": 12})))


def test_only_ltd_has_mental_health_and_own_occupation_limits() -> None:
    doc = document(
        "STD60",
        ("disability.mental_health_limit_months", 24),
        ("disability.own_occupation_months", 24),
    )
    assert errors(doc) == [
        "disability.mental_health_limit_months: only an ltd plan has this limit",
        "disability.own_occupation_months: only an ltd plan has this limit",
    ]


def test_ltd_durations() -> None:
    assert errors(document("LTD60", ("disability.max_duration", {"weeks": 104}))) == [
        "disability.max_duration.weeks: an ltd benefit lasts months or to an age"
    ]
    doc = document("LTD60", ("disability.max_duration", {"months": 12}))
    assert errors(doc) == [
        "disability.mental_health_limit_months: must not exceed max_duration.months (12)",
        "disability.own_occupation_months: must not exceed max_duration.months (12)",
    ]
    assert not errors(document("LTD60", ("disability.max_duration", {"months": 24})))


def test_offsets() -> None:
    doc = document("STD60", ("disability.offsets", ["social_security", "std", "social_security"]))
    assert errors(doc) == [
        "disability.offsets.1: an std plan cannot offset its own benefit",
        "disability.offsets.2: repeats social_security",
    ]
    assert not errors(document("LTD60", ("disability.offsets", ["std", "social_security"])))
