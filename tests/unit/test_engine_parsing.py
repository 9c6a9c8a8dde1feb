"""Structure edits (DESIGN 6.1 step 1): a broken request is rejected whole, every problem named
by claim, line and field; nothing is adjudicated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aso.claims.parsing import npi_valid, parse_claim
from aso.claims.scenario import load_scenario, run_scenario
from aso.errors import ValidationFailed
from aso.plans.templates import list_templates
from tests.unit.engine_builders import ppo_document


def scenario(**claim_fields: Any) -> dict[str, Any]:
    line = {"date": "2026-03-01", "category": "lab", "charge": Decimal("100.00")}
    line.update(claim_fields.pop("line", {}))
    claim = {"id": "C1", "member": "S1", "network": "in", "received": "2026-03-10"}
    claim.update(claim_fields)
    claim.setdefault("lines", [{"date": "2026-02-01", "category": "lab", "charge": 50}, line])
    return {
        "name": "structure",
        "plans": [ppo_document()],
        "members": [{"id": "S1", "relationship": "subscriber", "dob": "1980-01-01"}],
        "coverage": [{"member": "S1", "plan": "PPO", "tier": "employee", "start": "2026-01-01"}],
        "claims": [claim],
    }


def problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        run_scenario(document)
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_document_loads() -> None:
    loaded = load_scenario(scenario())
    assert loaded.claims[0].lines[1].charge == Decimal("100.00")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"charge": -1}, "claims[C1].lines[2].charge: must be >= 0"),
        ({"charge": None}, "claims[C1].lines[2].charge: is required"),
        ({"charge": 1.5}, "claims[C1].lines[2].charge: 1.5 is not a decimal amount"),
        ({"charge": "12.345"}, "claims[C1].lines[2].charge: at most 2 decimal places"),
        ({"units": 0}, "claims[C1].lines[2].units: must be > 0"),
        ({"date": "2026-02-30"}, "claims[C1].lines[2].date: '2026-02-30' is not a date"),
        ({"category": "massage"}, "claims[C1].lines[2].category: unknown category 'massage'"),
        ({"pos": 11}, 'claims[C1].lines[2].pos: must be a string (quote it: pos: "11")'),
        ({"procedure": "9921"}, "claims[C1].lines[2].procedure: '9921' is not a valid procedure"),
        ({"ndc": "123"}, "claims[C1].lines[2].ndc: '123' is not a valid NDC"),
        ({"modifiers": ["255"]}, "claims[C1].lines[2].modifiers[0]: '255' is not a modifier"),
        ({"alowed": 5}, "claims[C1].lines[2].alowed: unknown field"),
        ({"release": ["tired"]}, "claims[C1].lines[2].release: unknown pend reason 'tired'"),
    ],
)
def test_a_line_error_names_claim_line_and_field(line: dict[str, Any], message: str) -> None:
    found = problems(scenario(line=line))
    assert any(p.startswith(message) for p in found), found


def test_a_line_needs_a_category_or_a_code() -> None:
    document = scenario(line={"category": None})
    assert problems(document) == [
        "claims[C1].lines[2]: needs a category or a code (procedure, revenue_code or ndc)"
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"received": "yesterday"}, "claims[C1].received: 'yesterday' is not a date"),
        ({"diagnoses": ["Q"]}, "claims[C1].diagnoses[0]: 'Q' is not an ICD-10-CM code"),
        ({"diagnoses": [250]}, "claims[C1].diagnoses[0]: must be a string"),
        ({"type": "disability"}, "claims[C1].type: 'disability' is not one of the allowed"),
        ({"network": "maybe"}, "claims[C1].network: 'maybe' is not one of the allowed"),
        ({"provider": {"npi": "1234567890", "network": "in"}}, "claims[C1].provider.npi: "),
        ({"frequency": 7}, "claims[C1].replaces: a replacement or void names the claim"),
        ({"frequency": 7, "replaces": "C0"}, "claims[C1].replaces: no earlier claim C0"),
        ({"lines": []}, "claims[C1].lines: a claim needs at least one line"),
        ({"type_of_bill": 111}, "claims[C1].type_of_bill: must be a string"),
    ],
)
def test_a_claim_error_names_claim_and_field(fields: dict[str, Any], message: str) -> None:
    found = problems(scenario(**fields))
    assert any(p.startswith(message) for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    document = scenario(received="never", line={"charge": -1, "units": -2})
    assert len(problems(document)) == 3


def test_coverage_naming_no_known_plan_is_rejected() -> None:
    document = scenario()
    document["coverage"][0]["plan"] = "HMO9"
    assert problems(document) == ["coverage[0].plan: no plan HMO9"]


def test_a_bad_plan_is_rejected_with_its_path() -> None:
    document = scenario()
    document["plans"][0]["deductible"]["in"]["individual"] = -5
    found = problems(document)
    assert any(p.startswith("plans[0].deductible.in.individual") for p in found), found


def test_an_unknown_template_is_rejected() -> None:
    document = scenario()
    document["plans"] = ["NO-SUCH-TEMPLATE"]
    found = problems(document)
    assert found[0].startswith("plans[0]"), found


def test_duplicate_claim_ids_are_rejected() -> None:
    document = scenario()
    document["claims"].append(dict(document["claims"][0]))
    assert "claims[C1].id: claim C1 appears twice" in problems(document)


def test_a_dependent_names_a_known_subscriber() -> None:
    document = scenario()
    document["members"].append({"id": "D1", "relationship": "child"})
    document["members"].append({"id": "D2", "relationship": "child", "subscriber": "S9"})
    assert problems(document) == [
        "members[1].subscriber: a dependent names its subscriber",
        "members[2].subscriber: no member S9",
    ]


def test_a_scenario_is_a_mapping() -> None:
    with pytest.raises(ValidationFailed):
        run_scenario([])  # type: ignore[arg-type]


def test_codes_are_normalised() -> None:
    loaded = load_scenario(
        scenario(
            type="institutional",
            type_of_bill="0111",
            diagnoses=["F10.20"],
            line={"category": None, "revenue_code": "450", "ndc": "00093-7153-01"},
        )
    )
    claim = loaded.claims[0]
    assert claim.type_of_bill == "111"
    assert claim.diagnoses == ("F1020",)
    assert claim.lines[1].revenue_code == "0450"
    assert claim.lines[1].ndc == "00093715301"


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1654321094", True), ("1234567890", False), ("123456789", False)],
)
def test_npi_check_digit(npi: str, valid: bool) -> None:
    assert npi_valid(npi) is valid


def test_a_plan_may_be_a_template_id() -> None:
    medical = next(t for t in list_templates() if t.line == "medical")
    document = scenario()
    document["plans"] = [medical.id]
    document["coverage"][0]["plan"] = medical.id
    document["claims"][0]["lines"] = [
        {"date": "2026-03-01", "category": "lab", "charge": 100, "allowed": 60}
    ]
    output = run_scenario(document)
    assert output["claims"][0]["lines"][0]["status"] in {"paid", "denied"}


def test_one_claim_parses_alone() -> None:
    raw = scenario()["claims"][0]
    assert parse_claim(raw).lines[0].category == "lab"
    raw["lines"][0]["units"] = 0
    with pytest.raises(ValidationFailed) as caught:
        parse_claim(raw)
    assert [str(p) for p in caught.value.problems] == ["claims[C1].lines[1].units: must be > 0"]
