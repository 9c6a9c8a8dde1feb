"""``aso simulate`` through the installed command (DESIGN 7): JSON alone on stdout, exit 0 when
adjudicated, 1 when --check finds a difference (named on stderr), 2 on a structural error or an
unreadable file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SAMPLE = ("e06-exact-duplicate", "p08-no-surprises-act", "s09-medical-pharmacy-group", "r02-void")


def aso_command() -> str:
    beside_python = Path(sys.executable).parent / "aso"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("aso")
    if found is None:
        pytest.fail("the aso command is not installed (pip install -e .)")
    return found


def simulate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [aso_command(), "simulate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("name", SAMPLE)
def test_check_passes(name: str) -> None:
    done = simulate(SCENARIOS / f"{name}.yaml", "--check")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert [claim["id"] for claim in output["claims"]]
    assert output["accumulators"]


def test_explain_adds_traces() -> None:
    done = simulate(SCENARIOS / "s02-copay-after-deductible.yaml", "--explain")
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)["claims"][3]["lines"][0]
    assert any(step.startswith("Deductible 50.00") for step in line["trace"])


def test_a_difference_exits_1_and_names_claim_line_and_field(tmp_path: Path) -> None:
    document = yaml.safe_load((SCENARIOS / "e01-unknown-member.yaml").read_text())
    document["expected"]["C2"][0]["plan_paid"] = 70
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(document))
    done = simulate(path, "--check")
    assert done.returncode == 1
    assert "C2 line 1 plan_paid: expected 70.00, got 75.00" in done.stderr
    json.loads(done.stdout)  # the results are still printed, alone


def test_a_structural_error_exits_2_naming_claim_line_and_field(tmp_path: Path) -> None:
    document = yaml.safe_load((SCENARIOS / "e01-unknown-member.yaml").read_text())
    document["claims"][1]["lines"][0]["charge"] = -5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document))
    done = simulate(path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "claims[C2].lines[1].charge: must be >= 0" in done.stderr


def test_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    assert simulate(tmp_path / "missing.yaml").returncode == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("claims: [unclosed\n")
    done = simulate(broken)
    assert done.returncode == 2
    assert done.stdout == ""
