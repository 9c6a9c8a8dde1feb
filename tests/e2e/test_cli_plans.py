"""``aso plans`` through the installed command: output on stdout, messages on stderr, exit codes
(0 valid, warnings included; 1 errors; 2 unusable input), and ``--json`` printing JSON alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from aso.cli.plans import document_yaml
from aso.plans.templates import list_templates
from aso.plans.validation import validate_design
from aso.yamlio import load_yaml_text

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "src" / "aso" / "plans" / "template_files"


def aso_command() -> str:
    beside_python = Path(sys.executable).parent / "aso"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("aso")
    if found is None:
        pytest.fail("the aso command is not installed (pip install -e .)")
    return found


def aso(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [aso_command(), "plans", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_design(folder: Path, name: str, changes: dict[str, object]) -> Path:
    """PPO 1500's template with top-level or nested changes, as a YAML file."""
    doc = load_yaml_text((TEMPLATE_DIR / "PPO1500.yaml").read_text())
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = doc
        for key in parents:
            node = node[key]
        node[last] = value
    file = folder / name
    file.write_text(document_yaml(doc))
    return file


def test_templates_lists_id_line_and_name_a_row() -> None:
    result = aso("templates")
    assert result.returncode == 0, result.stderr
    for info in list_templates():
        [row] = [line for line in result.stdout.splitlines() if f" {info.id} " in line]
        assert info.line.value in row and info.name in row


def test_templates_json_is_json_alone() -> None:
    result = aso("templates", "--json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert rows == [{"id": t.id, "line": t.line.value, "name": t.name} for t in list_templates()]


def test_show_prints_the_design_as_yaml_that_validates() -> None:
    result = aso("show", "PPO1500")
    assert result.returncode == 0, result.stderr
    check = validate_design(load_yaml_text(result.stdout))
    assert check.ok and check.warnings == []
    assert check.design is not None and check.design.id == "PPO1500"


def test_show_json_is_json_alone() -> None:
    result = aso("show", "RX-4TIER", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["id"] == "RX-4TIER" and data["benefits"]["rx_generic"]["in"]["copay"] == "10"
    assert validate_design(data).ok


def test_show_an_unknown_template() -> None:
    result = aso("show", "NOPE")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no plan template 'NOPE'" in result.stderr


@pytest.mark.parametrize("file", sorted(TEMPLATE_DIR.glob("*.yaml")), ids=lambda f: f.stem)
def test_validate_accepts_every_template(file: Path) -> None:
    result = aso("validate", file)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith(
        f"valid {_line(file)} plan {file.stem}, no legal warnings"
    )
    assert "warning:" not in result.stdout


def _line(file: Path) -> str:
    return str(load_yaml_text(file.read_text())["line"])


def test_validate_rejects_a_broken_design_with_the_path_of_each_bad_field(tmp_path: Path) -> None:
    file = write_design(
        tmp_path,
        "broken.yaml",
        {
            "benefits.chiropractic.limit.visits": 0,
            "deductible.in.family": 1000,
            "benefits.foo": {"in": {"copay": 5}},
        },
    )
    result = aso("validate", file)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "deductible.in.family: must be at least individual",
        "benefits.chiropractic.limit.visits: must be a whole number > 0",
        "benefits.foo: unknown service category for a medical plan",
    ]


def test_validate_rejects_cross_field_errors(tmp_path: Path) -> None:
    file = write_design(tmp_path, "rx.yaml", {"formulary": {"00093715301": "rx_generic"}})
    result = aso("validate", file)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["formulary: only a pharmacy plan has a formulary"]


def test_validate_warns_on_the_2026_figures_and_exits_0(tmp_path: Path) -> None:
    file = write_design(
        tmp_path,
        "over.yaml",
        {
            "oop_max.in.individual": 10601,
            "oop_max.in.family": 21201,
            "benefits.preventive.in.copay": 20,
        },
    )
    result = aso("validate", file)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("warning: oop_max.in.individual: $10,601 is above the ACA")
    assert lines[0].endswith("(2026 figure)")
    assert lines[1].startswith("warning: oop_max.in.family: $21,201 is above the ACA")
    assert lines[1].endswith("(2026 figure)")
    assert lines[2].startswith("warning: benefits.preventive.in.copay: a $20 copay;")
    assert lines[3] == f"{file}: valid medical plan PPO1500, 3 legal warning(s)"


def test_validate_json_is_json_alone_with_errors_and_warnings(tmp_path: Path) -> None:
    broken = write_design(tmp_path, "broken.yaml", {"line": "life"})
    result = aso("validate", broken, "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "file": str(broken),
        "valid": False,
        "id": None,
        "line": None,
        "errors": [
            {
                "where": "line",
                "message": "must be one of medical, pharmacy, dental, vision, std, ltd",
            }
        ],
        "warnings": [],
    }
    warned = write_design(
        tmp_path, "warned.yaml", {"oop_max.in.individual": 10601, "oop_max.in.family": 21200}
    )
    result = aso("validate", warned, "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert (data["valid"], data["id"], data["line"], data["errors"]) == (
        True,
        "PPO1500",
        "medical",
        [],
    )
    assert [(w["where"], w["year"]) for w in data["warnings"]] == [("oop_max.in.individual", 2026)]
    assert data["warnings"][0]["message"].startswith("$10,601 is above the ACA")


@pytest.mark.parametrize(
    ("name", "content"),
    [("missing.yaml", None), ("bad.yaml", "id: [PPO\n"), ("bad.json", "{")],
)
def test_validate_an_unreadable_file_exits_2(
    tmp_path: Path, name: str, content: str | None
) -> None:
    file = tmp_path / name
    if content is not None:
        file.write_text(content)
    result = aso("validate", file)
    assert result.returncode == 2
    assert result.stdout == ""
    assert str(file) in result.stderr.replace("\n", "")
    assert aso("validate", file, "--json").stdout == ""


def test_validate_a_document_that_is_not_a_design_exits_1(tmp_path: Path) -> None:
    file = tmp_path / "list.yaml"
    file.write_text("- one\n- two\n")
    result = aso("validate", file)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "a plan design must be a mapping of fields (id, name, line, period, ...)"
    ]
