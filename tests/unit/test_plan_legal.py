"""Legal warnings (``aso.plans.legal``): each fires on a design past the 2026 figure and not on
one exactly at it. Figures: ACA out-of-pocket maximum $10,600 / $21,200 (90 FR 27074); HSA-qualified
HDHP minimum deductible $1,700 / $3,400 and out-of-pocket maximum $8,500 / $17,000
(Rev. Proc. 2025-19); 2025: $9,200 / $18,400 and Rev. Proc. 2024-25."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aso.plans.figures import figures_for, legal_limits
from aso.plans.legal import LegalWarning
from aso.plans.validation import validate_design
from tests.unit.plan_builders import DROP, document

CENT = Decimal("0.01")


def warnings(doc: Any) -> list[LegalWarning]:
    check = validate_design(doc)
    assert check.errors == [], check.errors
    return check.warnings


def where(doc: Any) -> list[str]:
    return [w.where for w in warnings(doc)]


# -- the table --------------------------------------------------------------------------------


def test_the_table_holds_the_published_figures() -> None:
    years = legal_limits().years
    assert (years[2025].aca_oop_max.self_only, years[2025].aca_oop_max.family) == (
        Decimal(9200),
        Decimal(18400),
    )
    assert (years[2026].aca_oop_max.self_only, years[2026].aca_oop_max.family) == (
        Decimal(10600),
        Decimal(21200),
    )
    hdhp25, hdhp26 = years[2025].hdhp, years[2026].hdhp
    assert (hdhp25.min_deductible.self_only, hdhp25.min_deductible.family) == (
        Decimal(1650),
        Decimal(3300),
    )
    assert (hdhp25.max_oop.self_only, hdhp25.max_oop.family) == (Decimal(8300), Decimal(16600))
    assert (hdhp26.min_deductible.self_only, hdhp26.min_deductible.family) == (
        Decimal(1700),
        Decimal(3400),
    )
    assert (hdhp26.max_oop.self_only, hdhp26.max_oop.family) == (Decimal(8500), Decimal(17000))


def test_a_year_after_the_table_uses_the_latest_and_one_before_the_earliest() -> None:
    latest, earliest = max(legal_limits().years), min(legal_limits().years)
    assert figures_for(2026).year == 2026 and not figures_for(2026).substituted
    assert figures_for(latest + 1).year == latest and figures_for(latest + 1).substituted
    assert figures_for(earliest - 1).year == earliest


def test_a_plan_year_not_in_the_table_says_which_year_it_used() -> None:
    doc = document("PPO1500", ("period", {"start": "2031-01-01", "end": "2031-12-31"}))
    latest = max(legal_limits().years)
    assert warnings(doc) == [
        LegalWarning(
            "period.start",
            f"no legal figures for 2031 yet; checked against the {latest} ones",
            latest,
        )
    ]


def test_the_plan_year_chooses_the_figures() -> None:
    year_2025 = ("period", {"start": "2025-01-01", "end": "2025-12-31"})
    at_limit = document("PPO1500", year_2025, ("oop_max.in.individual", 9200))
    assert warnings(at_limit) == []
    over = document("PPO1500", year_2025, ("oop_max.in.individual", Decimal("9200.01")))
    [warning] = warnings(over)
    assert (warning.where, warning.year) == ("oop_max.in.individual", 2025)
    assert "$9,200.01 is above the ACA out-of-pocket maximum of $9,200" in warning.message


# -- ACA out-of-pocket maximum ----------------------------------------------------------------


def test_aca_self_only_maximum() -> None:
    family = ("oop_max.in.family", 21200)
    assert where(document("PPO1500", family, ("oop_max.in.individual", 10600))) == []
    over = document("PPO1500", family, ("oop_max.in.individual", Decimal("10600.01")))
    [warning] = warnings(over)
    assert warning.where == "oop_max.in.individual" and warning.year == 2026
    assert warning.message.startswith(
        "$10,600.01 is above the ACA out-of-pocket maximum of $10,600 for self-only coverage"
    )
    assert str(warning).endswith("(2026 figure)")


def test_aca_family_maximum() -> None:
    assert where(document("PPO1500", ("oop_max.in.family", 21200))) == []
    [warning] = warnings(document("PPO1500", ("oop_max.in.family", 21201)))
    assert warning.where == "oop_max.in.family" and warning.year == 2026
    assert "$21,201 is above the ACA out-of-pocket maximum of $21,200" in warning.message


def test_aggregate_family_maximum_above_the_self_only_cap() -> None:
    """In family coverage no one pays more than the self-only maximum (embedded self-only cap)."""
    aggregate = ("oop_max.embedded", False)
    assert where(document("PPO1500", aggregate, ("oop_max.in.family", 10600))) == []
    [warning] = warnings(document("PPO1500", aggregate, ("oop_max.in.family", 10601)))
    assert warning.where == "oop_max.in.family" and warning.year == 2026
    assert "aggregate (embedded: false) family maximum of $10,601" in warning.message
    assert "ACA self-only maximum of $10,600" in warning.message


def test_embedded_individual_above_the_self_only_cap_in_family_coverage() -> None:
    doc = document("PPO1500", ("oop_max.in.individual", 12000), ("oop_max.in.family", 20000))
    assert where(doc) == ["oop_max.in.individual"]


def test_a_medical_plan_without_an_in_network_maximum() -> None:
    [warning] = warnings(document("PPO1500", ("oop_max", DROP)))
    assert warning.where == "oop_max" and warning.year == 2026
    assert "$10,600 self-only / $21,200 family" in warning.message
    [warning] = warnings(document("PPO1500", ("oop_max.in", DROP)))
    assert warning.where == "oop_max.in"


def test_a_pharmacy_plan_is_checked_when_it_has_a_maximum() -> None:
    doc = document("RX-4TIER", ("oop_max.in.individual", 10601), ("oop_max.in.family", 21200))
    assert where(doc) == ["oop_max.in.individual"]
    assert where(document("RX-4TIER", ("oop_max", DROP))) == []


# -- preventive care at $0 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dotted", "value", "expected"),
    [
        ("benefits.preventive.in.copay", 20, "benefits.preventive.in.copay"),
        (
            "benefits.preventive.in.coinsurance",
            Decimal("0.1"),
            "benefits.preventive.in.coinsurance",
        ),
        ("benefits.preventive.in.deductible", True, "benefits.preventive.in.deductible"),
        ("benefits.preventive", DROP, "benefits.preventive"),
        ("benefits.preventive", {"covered": False}, "benefits.preventive.covered"),
    ],
)
def test_preventive_care_costs_nothing_in_network(
    dotted: str, value: object, expected: str
) -> None:
    [warning] = warnings(document("PPO1500", (dotted, value)))
    assert warning.where == expected and warning.year is None
    assert "in-network preventive care must be covered at $0 (PHS Act 2713" in warning.message


def test_out_of_network_preventive_cost_sharing_is_allowed() -> None:
    doc = document("PPO1500", ("benefits.preventive.out", {"coinsurance": Decimal("0.5")}))
    assert where(doc) == []


# -- HSA-qualified HDHP -----------------------------------------------------------------------


def hdhp(*changes: tuple[str, Any]) -> dict[str, Any]:
    """HDHP 3400 with an aggregate deductible, so the self-only and family minimums are apart."""
    return document("HDHP3400", ("deductible.embedded", False), *changes)


def test_hdhp_minimum_self_only_deductible() -> None:
    at = hdhp(("deductible.in.individual", 1700), ("deductible.in.family", 3400))
    assert where(at) == []
    [warning] = warnings(hdhp(("deductible.in.individual", Decimal("1699.99"))))
    assert warning.where == "deductible.in.individual" and warning.year == 2026
    assert "below the HDHP minimum deductible of $1,700 for self-only" in warning.message


def test_hdhp_minimum_family_deductible() -> None:
    doc = hdhp(("deductible.in.individual", 1700), ("deductible.in.family", 3399))
    [warning] = warnings(doc)
    assert warning.where == "deductible.in.family" and warning.year == 2026
    assert "$3,399 is below the HDHP minimum deductible of $3,400 for family" in warning.message


def test_hdhp_embedded_individual_deductible_at_least_the_family_minimum() -> None:
    embedded = ("deductible.embedded", True)
    assert where(document("HDHP3400", embedded, ("deductible.in.individual", 3400))) == []
    [warning] = warnings(document("HDHP3400", embedded, ("deductible.in.individual", 3399)))
    assert warning.where == "deductible.in.individual" and warning.year == 2026
    assert "embedded individual deductible of $3,399" in warning.message
    assert "HDHP family minimum of $3,400" in warning.message


def test_hdhp_needs_a_deductible() -> None:
    doc = document("HDHP3400", ("deductible", DROP))
    for benefit in doc["benefits"].values():
        for network in ("in", "out"):
            if isinstance(benefit.get(network), dict):
                benefit[network].pop("deductible", None)
                benefit[network].pop("copay_timing", None)
    found = warnings(doc)
    assert found[0].where == "deductible" and found[0].year == 2026
    assert "at least $1,700 self-only / $3,400 family" in found[0].message


def test_hdhp_out_of_pocket_maximum() -> None:
    assert where(hdhp(("oop_max.in.individual", 8500), ("oop_max.in.family", 17000))) == []
    doc = hdhp(("oop_max.in.individual", 8501), ("oop_max.in.family", 17001))
    found = warnings(doc)
    assert [(w.where, w.year) for w in found] == [
        ("oop_max.in.individual", 2026),
        ("oop_max.in.family", 2026),
    ]
    assert "above the HDHP out-of-pocket maximum of $8,500 for self-only" in found[0].message
    assert "above the HDHP out-of-pocket maximum of $17,000 for family" in found[1].message


def test_hdhp_needs_an_out_of_pocket_maximum() -> None:
    found = warnings(hdhp(("oop_max", DROP)))
    assert [w.where for w in found] == ["oop_max", "oop_max"]
    assert "HSA-qualified HDHP caps in-network out-of-pocket costs at $8,500" in found[1].message


def test_hdhp_pays_nothing_before_the_deductible_but_preventive_and_telehealth() -> None:
    doc = hdhp(
        ("benefits.lab.in", {"coinsurance": Decimal("0.2")}),
        ("benefits.office_visit_pcp.in", {"copay": 30}),
    )
    found = warnings(doc)
    assert [w.where for w in found] == [
        "benefits.office_visit_pcp.in.deductible",
        "benefits.lab.in.deductible",
    ]
    assert all(w.year is None for w in found)
    assert "except preventive care and telehealth" in found[0].message
    assert where(hdhp(("benefits.telemedicine.in", {"copay": 0}))) == []


def test_hdhp_benefit_the_member_pays_in_full_is_not_a_plan_payment() -> None:
    assert where(hdhp(("benefits.lab.in", {"coinsurance": 1}))) == []


def test_hdhp_pharmacy_plan_is_checked_too() -> None:
    doc = document("HDHP-RX", ("benefits.rx_generic.in", {"copay": 10}))
    assert where(doc) == ["benefits.rx_generic.in.deductible"]


def test_hdhp_checks_apply_only_to_declared_hsa_plans() -> None:
    assert where(document("PPO500", ("deductible.in.individual", 500))) == []


# -- mental health parity ---------------------------------------------------------------------


def test_parity_cost_sharing_more_than_the_medical_counterpart() -> None:
    assert where(document("PPO1500", ("benefits.mental_health_outpatient.in.copay", 50))) == []
    doc = document(
        "PPO1500",
        ("benefits.mental_health_outpatient.in.copay", 51),
        ("benefits.substance_use_inpatient.in.coinsurance", Decimal("0.3")),
        ("benefits.substance_use_outpatient.in.deductible", True),
    )
    found = warnings(doc)
    assert [w.where for w in found] == [
        "benefits.mental_health_outpatient.in.copay",
        "benefits.substance_use_outpatient.in.deductible",
        "benefits.substance_use_inpatient.in.coinsurance",
    ]
    assert found[0].message.startswith(
        "a $51 copay, more than office_visit_specialist's $50 (mental health parity, "
        "29 CFR 2590.712"
    )
    assert "more than inpatient_hospital's 0.2" in found[2].message


def test_parity_treatment_limits() -> None:
    doc = document("PPO1500", ("benefits.mental_health_outpatient.limit", {"visits": 20}))
    [warning] = warnings(doc)
    assert warning.where == "benefits.mental_health_outpatient.limit.visits"
    same_as_medical = document(
        "PPO1500",
        ("benefits.office_visit_specialist.limit", {"visits": 20}),
        ("benefits.mental_health_outpatient.limit", {"visits": 20}),
    )
    assert where(same_as_medical) == []


def test_parity_prior_authorization() -> None:
    doc = document("PPO1500", ("benefits.mental_health_outpatient.prior_auth", True))
    assert where(doc) == ["benefits.mental_health_outpatient.prior_auth"]
    assert where(document("PPO1500", ("benefits.mental_health_inpatient.prior_auth", True))) == []


def test_parity_coverage() -> None:
    doc = document("PPO1500", ("benefits.substance_use_inpatient", {"covered": False}))
    assert where(doc) == ["benefits.substance_use_inpatient.covered"]
    doc = document("PPO1500", ("benefits.mental_health_outpatient.out", DROP))
    assert where(doc) == ["benefits.mental_health_outpatient.out"]


# -- other federal rules ----------------------------------------------------------------------


def test_no_dollar_limits_on_essential_health_benefits() -> None:
    doc = document(
        "PPO1500", ("lifetime_max", 2_000_000), ("benefits.chiropractic.limit", {"dollars": 1000})
    )
    assert where(doc) == ["lifetime_max", "benefits.chiropractic.limit.dollars"]
    assert where(document("PPO1500", ("benefits.wellness_program.limit.dollars", 900))) == []


def test_emergency_care_rules_of_the_no_surprises_act() -> None:
    doc = document(
        "PPO1500",
        ("benefits.emergency_room.prior_auth", True),
        ("benefits.emergency_room.out", {"coinsurance": Decimal("0.4"), "deductible": True}),
    )
    assert where(doc) == ["benefits.emergency_room.prior_auth", "benefits.emergency_room.out"]


def test_dental_vision_and_disability_plans_have_no_health_plan_warnings() -> None:
    later = ("period", {"start": "2031-01-01", "end": "2031-12-31"})
    assert where(document("DENTAL-PPO", later, ("annual_max", 500))) == []
    assert where(document("VISION", ("benefits.vision_exam.limit", {"dollars": 100}))) == []
    assert where(document("LTD60")) == []
