"""The template catalogue: every template validates with no errors and no legal warnings, covers
its line the way DESIGN section 5 and issue 2 ask, and reads back from its YAML form."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from aso.cli.plans import design_yaml
from aso.errors import NotFound, ValidationFailed
from aso.plans import templates
from aso.plans.domain import CATEGORIES_BY_LINE, CostShare, Line, PlanDesign
from aso.plans.service import load_design_file
from aso.plans.templates import TemplateInfo, get_template, list_templates
from aso.plans.validation import validate_design
from aso.yamlio import load_document, load_yaml_text
from tests.conftest import shared_dir

TEMPLATE_DIR = Path(templates.__file__).parent / "template_files"
TEMPLATE_FILES = sorted(TEMPLATE_DIR.glob("*.yaml"))
IDS = [info.id for info in list_templates()]


def cost_share(design: PlanDesign, category: str, network: str = "in") -> CostShare:
    share = design.benefits[category].share(network)
    assert share is not None, f"{design.id} {category} {network}"
    return share


def test_at_least_ten_templates_covering_every_line() -> None:
    infos = list_templates()
    assert len(infos) >= 10
    assert {info.line for info in infos} == set(Line)
    assert all(isinstance(info, TemplateInfo) and info.name for info in infos)
    assert len(IDS) == len(set(IDS)) == len(TEMPLATE_FILES)


@pytest.mark.parametrize("file", TEMPLATE_FILES, ids=lambda f: f.stem)
def test_every_template_file_validates_clean(file: Path) -> None:
    check = load_design_file(file)
    assert check.errors == []
    assert check.warnings == []
    assert check.design is not None and check.design.id == file.stem
    assert check.design.period.start.isoformat() == "2026-01-01"
    assert check.design.period.end.isoformat() == "2026-12-31"


def test_get_template_and_unknown_ids() -> None:
    assert get_template("PPO1500").line is Line.MEDICAL
    assert get_template("PPO1500") is get_template("PPO1500")
    with pytest.raises(NotFound, match="no plan template 'PPO9999'; templates: DENTAL-PPO"):
        get_template("PPO9999")


def test_templates_are_listed_by_line() -> None:
    order = list(Line)
    lines = [order.index(info.line) for info in list_templates()]
    assert lines == sorted(lines)


@pytest.mark.parametrize("template_id", IDS)
def test_the_yaml_form_reads_back_to_the_same_design(template_id: str) -> None:
    design = get_template(template_id)
    text = design_yaml(design)
    assert "!!" not in text
    assert all(f'"{ndc}": ' in text for ndc in design.formulary)
    assert validate_design(load_yaml_text(text)).design == design


@pytest.mark.parametrize("template_id", IDS)
def test_the_json_form_reads_back_to_the_same_design(template_id: str) -> None:
    design = get_template(template_id)
    text = json.dumps(design.model_dump(mode="json", by_alias=True))
    assert validate_design(json.loads(text, parse_float=Decimal)).design == design


def test_ppo1500_is_the_design_of_design_section_5() -> None:
    ppo = get_template("PPO1500")
    assert ppo.deductible and ppo.deductible.in_ and ppo.deductible.out
    assert (ppo.deductible.in_.individual, ppo.deductible.in_.family) == (
        Decimal(1500),
        Decimal(3000),
    )
    assert (ppo.deductible.out.individual, ppo.deductible.out.family) == (
        Decimal(3000),
        Decimal(6000),
    )
    assert ppo.oop_max and ppo.oop_max.in_ and ppo.oop_max.in_.individual == 5000
    assert set(ppo.benefits) == set(CATEGORIES_BY_LINE[Line.MEDICAL])
    assert cost_share(ppo, "office_visit_pcp").copay == 25
    assert ppo.benefits["emergency_room"].out == "same_as_in"
    assert ppo.benefits["imaging_advanced"].prior_auth
    chiro = ppo.benefits["chiropractic"].limit
    assert chiro is not None and chiro.visits == 20
    wellness = ppo.benefits["wellness_program"].limit
    assert wellness is not None and wellness.dollars == 300
    assert not ppo.benefits["bariatric_surgery"].covered
    assert cost_share(ppo, "telemedicine").copay == 10
    assert ppo.pended_over == 25000


def test_ppo500_is_richer_than_ppo1500() -> None:
    rich, base = get_template("PPO500"), get_template("PPO1500")
    assert rich.deductible and base.deductible and rich.deductible.in_ and base.deductible.in_
    assert rich.deductible.in_.individual < base.deductible.in_.individual
    assert (
        cost_share(rich, "office_visit_specialist").copay
        < cost_share(base, "office_visit_specialist").copay
    )


def test_hdhp_is_hsa_qualified_with_after_deductible_copays() -> None:
    hdhp = get_template("HDHP3400")
    assert hdhp.hsa_qualified
    visit = cost_share(hdhp, "office_visit_pcp")
    assert visit.deductible and visit.copay_timing == "after_deductible" and visit.copay > 0
    assert not cost_share(hdhp, "preventive").deductible


def test_epo_has_no_out_of_network_cover_but_emergencies() -> None:
    epo = get_template("EPO2000")
    with_out = {c for c, b in epo.benefits.items() if b.out is not None}
    assert with_out == {"emergency_room", "ambulance"}
    assert all(epo.benefits[c].out == "same_as_in" for c in with_out)


def test_four_tier_pharmacy_plan() -> None:
    rx = get_template("RX-4TIER")
    assert set(rx.benefits) == set(CATEGORIES_BY_LINE[Line.PHARMACY])
    for tier in ("rx_non_preferred_brand", "rx_specialty"):
        share = cost_share(rx, tier)
        assert share.coinsurance > 0 and share.min_cost and share.max_cost
    assert set(rx.formulary.values()) == set(CATEGORIES_BY_LINE[Line.PHARMACY])
    assert all(len(ndc) == 11 and ndc.isdigit() for ndc in rx.formulary)
    assert rx.group == get_template("PPO1500").group


def test_hdhp_pharmacy_plan_shares_the_hdhp_accumulators_and_limits() -> None:
    rx, medical = get_template("HDHP-RX"), get_template("HDHP3400")
    assert rx.line is Line.PHARMACY and rx.hsa_qualified
    assert rx.accumulator_group == medical.accumulator_group
    assert rx.deductible and medical.deductible and rx.oop_max and medical.oop_max
    assert rx.deductible.in_ == medical.deductible.in_
    assert rx.oop_max.in_ == medical.oop_max.in_
    assert all(cost_share(rx, tier).deductible for tier in rx.benefits)


def test_dental_ppo() -> None:
    dental = get_template("DENTAL-PPO")
    assert dental.annual_max == 1500
    plan_pays = {c: 1 - cost_share(dental, c).coinsurance for c in dental.benefits}
    assert plan_pays["dental_preventive"] == 1
    assert plan_pays["dental_basic"] == Decimal("0.8")
    assert plan_pays["dental_major"] == Decimal("0.5")
    assert dental.benefits["dental_major"].waiting_months == 12
    ortho = dental.benefits["orthodontia"]
    assert ortho.max_age == 19 and ortho.limit and ortho.limit.lifetime and ortho.limit.dollars


def test_vision_plan() -> None:
    vision = get_template("VISION")
    assert cost_share(vision, "vision_exam").copay == 10
    for category, months in (("vision_frames", 24), ("vision_contacts", 12)):
        assert cost_share(vision, category).allowance
        limit = vision.benefits[category].limit
        assert limit is not None and (limit.count, limit.months) == (1, months)


def test_std_plan() -> None:
    std = get_template("STD60").disability
    assert std is not None
    assert std.benefit_percent == Decimal("0.6") and std.maximum.per == "week"
    assert (std.elimination.sickness_days, std.elimination.accident_days) == (7, 0)
    assert std.max_duration.weeks == 26 and std.offsets


def test_ltd_plan() -> None:
    ltd = get_template("LTD60").disability
    assert ltd is not None
    assert ltd.benefit_percent == Decimal("0.6") and ltd.maximum.per == "month"
    assert ltd.elimination.sickness_days == 90 and ltd.max_duration.to_age == 65
    assert ltd.mental_health_limit_months == 24 and ltd.own_occupation_months == 24
    assert ltd.offsets


def test_load_design_file_reads_json_too(tmp_path: Path) -> None:
    file = tmp_path / "ppo.json"
    file.write_text(json.dumps(get_template("PPO1500").model_dump(mode="json", by_alias=True)))
    check = load_design_file(file)
    assert check.ok and check.design == get_template("PPO1500")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.yaml", None, "cannot read"),
        ("broken.yaml", "id: [PPO\nname: x", "not a YAML or JSON document"),
        ("broken.json", '{"id": ', "not a YAML or JSON document"),
    ],
)
def test_load_design_file_refuses_unusable_files(
    tmp_path: Path, name: str, content: str | None, reason: str
) -> None:
    file = tmp_path / name
    if content is not None:
        file.write_text(content)
    with pytest.raises(ValidationFailed) as raised:
        load_design_file(file)
    [problem] = raised.value.problems
    assert problem.where == str(file) and problem.message.startswith(reason)


def test_load_design_file_reports_a_document_that_is_not_a_design(tmp_path: Path) -> None:
    file = tmp_path / "list.yaml"
    file.write_text("- PPO1500\n")
    check = load_design_file(file)
    assert not check.ok and check.errors[0].where == ""


def test_the_shared_scenario_plans_validate_without_errors() -> None:
    """The engine's scenario files (DESIGN section 7) use this schema: none may be rejected."""
    for file in sorted(shared_dir("scenarios").glob("*.yaml")):
        for plan in load_document(file)["plans"]:
            if isinstance(plan, str):
                assert plan in IDS, f"{file.name}: unknown template {plan}"
            else:
                assert validate_design(plan).errors == [], file.name
