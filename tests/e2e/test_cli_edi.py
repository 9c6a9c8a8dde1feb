"""``aso edi parse`` and ``aso edi validate`` run as commands (issue 4, item 7): JSON alone on
stdout, exit 0 when every set parsed, 1 when something has errors, 2 when the file is unreadable;
pyx12's findings one per line, exit 1 on findings.

Each test runs the installed ``aso`` command in a process of its own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.unit.edi_builders import DATA, DENTAL, PROFESSIONAL, data, swap

ASO = shutil.which("aso") or str(Path(sys.executable).with_name("aso"))


def edi(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ASO, "edi", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_parse_prints_the_claims_as_json() -> None:
    done = edi("parse", DATA / PROFESSIONAL, "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    (transaction,) = document["transactions"]
    assert (transaction["set"], transaction["guide"], transaction["status"]) == (
        "837",
        "005010X222A1",
        "accepted",
    )
    assert [claim["id"] for claim in transaction["claims"]] == ["PCN-1001", "PCN-1002"]
    assert transaction["claims"][0]["lines"][0]["charge"] == "125.00"
    assert transaction["members"] == [] and transaction["errors"] == []


def test_parse_without_json_prints_a_summary() -> None:
    done = edi("parse", DATA / DENTAL)
    assert done.returncode == 0, done.stderr
    assert "set 837 0042 (005010X224A2): accepted, 1 claim(s)" in done.stdout


def test_a_set_with_errors_exits_1_and_names_them(tmp_path: Path) -> None:
    path = tmp_path / "bad-count.x12"
    path.write_text(swap(data(PROFESSIONAL), "SE*56*0001", "SE*55*0001"))
    done = edi("parse", path, "--json")
    assert done.returncode == 1
    (transaction,) = json.loads(done.stdout)["transactions"]
    assert transaction["status"] == "rejected"
    assert transaction["errors"][0]["element"] == "SE01"
    assert edi("parse", path).returncode == 1


def test_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "not.x12"
    path.write_text("hello")
    done = edi("parse", path, "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert "not an X12 interchange" in done.stderr
    assert edi("parse", tmp_path / "missing.x12").returncode == 2


def test_validate_passes_a_sound_file_and_lists_findings(tmp_path: Path) -> None:
    done = edi("validate", DATA / PROFESSIONAL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout
    path = tmp_path / "bad-code.x12"
    path.write_text(swap(data(PROFESSIONAL), "DMG*D8*19800302*F", "DMG*D8*19800302*Q"))
    done = edi("validate", path)
    assert done.returncode == 1
    assert "segment 19 (DMG, segment 17 of set 0001), element DMG03:" in done.stdout
    assert edi("validate", DATA / DENTAL).returncode == 2
