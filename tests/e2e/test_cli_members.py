"""``aso employers``, ``aso census``, ``aso eligibility`` and ``aso members`` as commands: JSON
alone on stdout with ``--json``, every bad census row on stderr with exit 1, eligibility's exit
status (0 covered, 1 not), on a fresh SQLite database that the command migrates itself."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from aso.bootstrap import make_engine
from aso.cli.main import app as root
from aso.config import get_settings
from aso.members.census import CENSUS_COLUMNS
from aso.members.models import Member
from aso.plans.templates import get_template

EIN = "31-1234567"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    monkeypatch.setenv("ASO_DATABASE_URL", url)
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASO_SSN_KEY", "")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def aso(*args: str | Path) -> Any:
    return CliRunner().invoke(root, [str(a) for a in args], catch_exceptions=False)


def census_file(folder: Path, name: str, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CENSUS_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / name
    path.write_text(buffer.getvalue())
    return path


ANN = {
    "employee_number": "E001",
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
    "annual_earnings": "52000",
    "employment_class": "salaried",
    "medical_plan": "PPO1500",
    "medical_tier": "employee_spouse",
    "vision_plan": "VISION",
    "vision_tier": "employee",
    "coverage_start": "2026-01-01",
}
BO = {
    "employee_number": "E001",
    "relationship": "spouse",
    "first_name": "Bo",
    "last_name": "Lee",
    "dob": "1981-07-19",
    "sex": "M",
    "medical_plan": "PPO1500",
    "medical_tier": "employee_spouse",
    "coverage_start": "2026-01-01",
}


def set_up_employer(tmp_path: Path) -> None:
    created = aso(
        "employers",
        "create",
        "--name",
        "Acme Tools",
        "--ein",
        "311234567",
        "--address1",
        "1 Main St",
        "--city",
        "Columbus",
        "--state",
        "OH",
        "--zip",
        "43215",
        "--json",
    )
    assert created.exit_code == 0, created.stderr
    assert json.loads(created.stdout)["ein"] == EIN
    year = aso("employers", "add-plan-year", EIN, "--start", "2026-01-01", "--end", "2026-12-31")
    assert year.exit_code == 0, year.stderr
    assert "run-out to 2027-03-31" in year.stderr and year.stdout == ""
    assert aso("employers", "offer", EIN, "PPO1500").exit_code == 0
    vision = tmp_path / "vision.json"
    vision.write_text(get_template("VISION").model_dump_json(by_alias=True))
    offered = aso("employers", "offer", EIN, vision, "--json")
    assert offered.exit_code == 0, offered.stderr
    assert json.loads(offered.stdout)["plan_id"] == "VISION"


def test_employers_create_list_and_refuse_a_bad_ein(database: str, tmp_path: Path) -> None:
    set_up_employer(tmp_path)
    listed = aso("employers", "list", "--json")
    assert listed.exit_code == 0
    (acme,) = json.loads(listed.stdout)
    assert [p["plan_id"] for p in acme["plan_years"][0]["plans"]] == ["PPO1500", "VISION"]
    bad = aso(
        "employers",
        "create",
        "--name",
        "Bad",
        "--ein",
        "07-1234567",
        "--address1",
        "x",
        "--city",
        "y",
        "--state",
        "OH",
        "--zip",
        "43215",
    )
    assert bad.exit_code == 1
    assert "ein: 07 is not an EIN prefix the IRS issues" in bad.stderr
    assert bad.stdout == ""
    twice = aso("employers", "offer", EIN, "PPO1500")
    assert twice.exit_code == 1 and "already offered" in twice.stderr


def test_census_import_rejects_every_bad_row_then_accepts_a_good_file_once(
    database: str, tmp_path: Path
) -> None:
    set_up_employer(tmp_path)
    bad = census_file(
        tmp_path,
        "bad.csv",
        [
            ANN | {"dob": "03/02/1980"},
            BO | {"medical_tier": "employee"},
            ANN | {"employee_number": "E002", "first_name": "Cy", "vision_plan": "GLASSES"},
            BO | {"employee_number": "E003", "relationship": "cousin"},
        ],
    )
    rejected = aso("census", "import", bad, "--employer", EIN)
    assert rejected.exit_code == 1
    assert rejected.stdout == ""
    assert rejected.stderr.splitlines() == [
        "row 2, dob: not a date (use YYYY-MM-DD)",
        "row 3, medical_tier: a spouse cannot be on tier employee",
        "row 4, vision_plan: GLASSES is not a plan this employer offers",
        "row 5, relationship: 'cousin' is not one of subscriber, spouse, domestic_partner, child",
        "bad.csv: rejected with 4 problem(s); nothing was imported",
    ]
    as_json = aso("census", "import", bad, "--employer", EIN, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert (report["filename"], report["accepted"], report["rows"]) == ("bad.csv", False, 4)
    assert report["errors"] == rejected.stderr.splitlines()[:4]
    assert report["members_added"] == 0
    engine = make_engine(database)
    with engine.connect() as conn:
        assert conn.execute(select(Member.id)).all() == []
    good = census_file(tmp_path, "good.csv", [ANN, BO])
    imported = aso("census", "import", good, "--employer", EIN, "--json")
    assert imported.exit_code == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert (summary["members_added"], summary["coverages_added"]) == (2, 3)
    again = aso("census", "import", good, "--employer", "311234567")
    assert again.exit_code == 0
    assert "nothing changed" in again.stdout
    with engine.connect() as conn:
        assert len(conn.execute(select(Member.id)).all()) == 2
    engine.dispose()


def test_eligibility_check_and_a_retroactive_termination(database: str, tmp_path: Path) -> None:
    set_up_employer(tmp_path)
    assert (
        aso(
            "census", "import", census_file(tmp_path, "c.csv", [ANN, BO]), "--employer", EIN
        ).exit_code
        == 0
    )
    by_name = aso(
        "eligibility",
        "check",
        "--subscriber",
        "E001",
        "--first",
        "Bo",
        "--last",
        "Lee",
        "--dob",
        "1981-07-19",
        "--date",
        "2026-03-01",
        "--line",
        "medical",
        "--json",
    )
    assert by_name.exit_code == 0, by_name.stderr
    bo = json.loads(by_name.stdout)
    assert (bo["covered"], bo["plan_id"], bo["tier"]) == (True, "PPO1500", "employee_spouse")
    no_vision = aso(
        "eligibility",
        "check",
        "--member",
        bo["member_id"],
        "--date",
        "2026-03-01",
        "--line",
        "vision",
    )
    assert no_vision.exit_code == 1
    assert "why: no vision coverage (CARC 109)" in no_vision.stdout

    ann_id = json.loads(
        aso(
            "eligibility",
            "check",
            "--subscriber",
            "E001",
            "--first",
            "Ann",
            "--last",
            "Lee",
            "--dob",
            "1980-03-02",
            "--date",
            "2026-03-01",
            "--line",
            "medical",
            "--json",
        ).stdout
    )["member_id"]
    shown = aso("members", "show", ann_id, "--json")
    assert json.loads(shown.stdout)["ssn_masked"] == "***-**-6789"
    assert "123-45-6789" not in shown.stdout and "123456789" not in shown.stdout
    card = tmp_path / "card.pdf"
    printed = aso("members", "id-card", ann_id, "--date", "2026-02-01", "--out", card)
    assert printed.exit_code == 0, printed.stderr
    assert card.read_bytes().startswith(b"%PDF-") and "medical PPO 1500" in printed.stderr
    as_json = json.loads(aso("members", "id-card", ann_id, "--date", "2026-02-01", "--json").stdout)
    assert as_json["coverages"][0]["benefits"][0] == {"label": "Primary care", "value": "$25 copay"}
    assert aso("members", "id-card", ann_id, "--date", "2025-01-01").exit_code == 1
    assert aso("members", "id-card", ann_id, "--date", "soon").exit_code == 2
    ended = aso("members", "end-coverage", ann_id, "--line", "medical", "--end", "2026-02-28")
    assert ended.exit_code == 0, ended.stderr
    assert "end open -> 2026-02-28 (retroactive termination)" in ended.stdout
    assert bo["member_id"] in ended.stdout  # the spouse's coverage ended with hers
    after = aso(
        "eligibility",
        "check",
        "--member",
        bo["member_id"],
        "--date",
        "2026-03-01",
        "--line",
        "medical",
        "--json",
    )
    assert after.exit_code == 1
    assert json.loads(after.stdout)["message"] == "medical coverage ended on 2026-02-28"


def test_eligibility_check_needs_one_way_to_name_the_member(database: str) -> None:
    both = aso("eligibility", "check", "--member", "M1", "--subscriber", "E1", "--line", "medical")
    assert both.exit_code == 2 and "give --member" in both.stderr
    partial = aso("eligibility", "check", "--subscriber", "E1", "--line", "medical")
    assert partial.exit_code == 2 and "--first, --last and --dob" in partial.stderr
