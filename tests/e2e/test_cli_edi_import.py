"""``aso edi import FILE`` run as a command (issue 4 item 7): it detects the transaction,
processes it, writes the 999 (and the TA1 when one is due) beside the file or in ``--ack-dir``,
prints a summary (``--json``: the summary alone on stdout), and exits 0 when every set was
accepted, 1 when something was rejected or the file came before, 2 when it is not X12.

Each command runs the installed ``aso`` in a process of its own, on a fresh SQLite database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from aso.bootstrap import migrate
from tests.bench.edi import write_837p
from tests.unit.edi_builders import swap
from tests.unit.x834_builders import enrollment, family, interchange, pyx12_findings

ASO = shutil.which("aso") or str(Path(sys.executable).with_name("aso"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    found = {
        **os.environ,
        "ASO_DATABASE_URL": url,
        "ASO_VAR_DIR": str(tmp_path / "var"),
        "ASO_SSN_KEY": Fernet.generate_key().decode(),
    }
    migrate(url)
    for args in (
        [
            "employers",
            "create",
            "--name",
            "Acme Widgets",
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
        ],
        [
            "employers",
            "add-plan-year",
            "31-1234567",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
        ],
        ["employers", "offer", "31-1234567", "PPO1500"],
    ):
        done = run(found, *args)
        assert done.returncode == 0, done.stderr
    return found


def run(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ASO, *map(str, args)], capture_output=True, text=True, timeout=120, check=False, env=env
    )


def test_import_writes_the_999_beside_the_file_and_prints_a_summary(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "acme-enrollment.x12"
    path.write_text(interchange(enrollment(*family())))
    done = run(env, "edi", "import", path)
    assert done.returncode == 0, done.stderr
    assert f"{path}: interchange 000000101 from ZZ:BENADMIN: processed" in done.stdout
    assert (
        "set 834 0001 (005010X220A1): accepted, employer Acme Widgets (31-1234567), 3 member(s): "
        "3 added, 0 updated, 0 unchanged; coverages: 3 added, 0 changed, 0 unchanged"
    ) in done.stdout
    ack = tmp_path / "acme-enrollment.x12.999"
    assert f"acknowledgment written to {ack}" in done.stdout
    assert "IK5*A~" in ack.read_text()
    assert pyx12_findings(ack.read_text(), tmp_path) == []


def test_import_json_and_a_duplicate(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "enrollment.x12"
    path.write_text(interchange(enrollment(*family())))
    acks = tmp_path / "acks"
    first = run(env, "edi", "import", path, "--json", "--ack-dir", acks)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["status"] == "processed"
    assert summary["transactions"][0]["enrollment"]["members_added"] == 3
    assert summary["acknowledgment_files"] == [str(acks / "enrollment.x12.999")]
    second = run(env, "edi", "import", path, "--json", "--ack-dir", acks)
    assert second.returncode == 1
    again = json.loads(second.stdout)
    assert (again["status"], again["duplicate_of"]["id"]) == ("duplicate", summary["id"])
    ta1 = (acks / "enrollment.x12.ta1").read_text()
    assert "TA1*000000101*260510*1200*R*025~" in ta1
    assert pyx12_findings(ta1, tmp_path) == []


def test_a_broken_file_gets_its_ta1_and_exits_1(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "broken.x12"
    path.write_text(swap(interchange(enrollment(*family())), "IEA*1*000000101", "IEA*1*9"))
    done = run(env, "edi", "import", path)
    assert done.returncode == 1
    assert "rejected" in done.stdout
    assert "IEA02 '9' is not the interchange control number" in done.stdout
    assert "*R*001~" in (tmp_path / "broken.x12.ta1").read_text()
    assert not (tmp_path / "broken.x12.999").exists()


def test_a_file_that_is_not_x12_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "census.csv"
    path.write_text("employee_number,first_name\nE100,Ana\n")
    done = run(env, "edi", "import", path, "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["status"] == "unreadable"
    missing = run(env, "edi", "import", tmp_path / "nothing.x12")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_import_with_adjudicate_adjudicates_every_claim_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``--adjudicate``: a second process follows the import set by set (three sets here);
    every claim is adjudicated exactly once (members unknown here: denied CARC 31)."""
    path = tmp_path / "claims.x12"
    with path.open("w", encoding="ascii") as out:
        write_837p(out, 30, claims_per_set=10)
    done = run(env, "edi", "import", path, "--adjudicate", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [t["claims"]["stored"] for t in report["transactions"]] == [10, 10, 10]
    assert report["adjudicated"]["claims"] == 30
    assert report["adjudicated"]["claim_statuses"] == {"denied": 30}
    again = run(env, "claims", "adjudicate", "--json")
    assert json.loads(again.stdout)["claims"] == 0
