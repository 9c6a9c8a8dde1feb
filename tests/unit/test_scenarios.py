"""Every scenario file passes its hand-computed expectations (DESIGN 7): the project's own under
tests/scenarios and the shared ones, read in place from ../shared/scenarios."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aso.claims.reasons import carc_codes, rarc_codes
from aso.claims.scenario import check_expected, run_scenario
from aso.yamlio import load_document
from tests.conftest import shared_dir

OWN = Path(__file__).resolve().parents[1] / "scenarios"
OWN_FILES = sorted(OWN.glob("*.yaml"))


def check_file(path: Path) -> dict[str, Any]:
    document = load_document(path)
    output = run_scenario(document)
    differences = check_expected(document, output)
    assert differences == [], f"{path.name}:\n" + "\n".join(differences)
    assert "expected" in document, f"{path.name} checks nothing"
    return output


def assert_lines_balance(output: dict[str, Any]) -> None:
    """DESIGN 7: plan paid + adjustments = charge; PR adjustments = member + balance bill."""
    for claim in output["claims"]:
        for line in claim["lines"]:
            if line["status"] == "pended":
                assert line["adjustments"] == []
                continue
            adjustments = [Decimal(a["amount"]) for a in line["adjustments"]]
            patient = [Decimal(a["amount"]) for a in line["adjustments"] if a["group"] == "PR"]
            where = f"{claim['id']} line {line['line']}"
            assert Decimal(line["plan_paid"]) + sum(adjustments) == Decimal(line["charge"]), where
            owed = Decimal(line["member_responsibility"]) + Decimal(line["balance_bill"])
            assert sum(patient) == owed, where


def test_there_are_at_least_sixty_own_scenarios() -> None:
    assert len(OWN_FILES) >= 60


def assert_codes_described(output: dict[str, Any]) -> None:
    """Every CARC and RARC on a result has its description in aso/codes."""
    for claim in output["claims"]:
        for line in claim["lines"]:
            assert {a["carc"] for a in line["adjustments"]} <= carc_codes(), line
            assert set(line["remarks"]) <= rarc_codes(), line


@pytest.mark.parametrize("path", OWN_FILES, ids=[p.stem for p in OWN_FILES])
def test_own_scenario(path: Path) -> None:
    output = check_file(path)
    assert_lines_balance(output)
    assert_codes_described(output)


def test_shared_scenarios() -> None:
    files = sorted(shared_dir("scenarios").glob("*.y*ml"))
    assert files, "../shared/scenarios holds no scenario"
    for path in files:
        assert_lines_balance(check_file(path))


def test_a_difference_names_claim_line_and_field() -> None:
    document = load_document(OWN / "e01-unknown-member.yaml")
    document["expected"]["C2"][0]["plan_paid"] = "74.00"
    differences = check_expected(document, run_scenario(document))
    assert differences == ["C2 line 1 plan_paid: expected 74.00, got 75.00"]


def test_explain_adds_a_trace_to_every_line() -> None:
    document = load_document(OWN / "s01-copay-deductible-coinsurance.yaml")
    output = run_scenario(document, explain=True)
    trace = output["claims"][0]["lines"][0]["trace"]
    assert trace[0].startswith("Eligibility: S1 is covered")
    assert "Deductible 1000.00 (remaining: deductible 1000.00 -> 0.00" in " ".join(trace)
    assert trace[-1] == "Paid: the plan pays 680.00; the member owes 1320.00."
    assert "trace" not in run_scenario(document)["claims"][0]["lines"][0]
