"""``aso edi export 835`` run as a command on a fresh SQLite database, after ``aso edi import``
of an 837 and ``aso claims adjudicate``: one 835 per payee written to ``--out``, valid for pyx12,
the summary on stdout (``--json``: alone), progress on stderr; a second run remits nothing; a
bad EIN or day exits 2, an employer not on file 1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from aso.bootstrap import App, make_engine, migrate
from aso.config import Settings
from aso.db.base import Base
from aso.edi.remittance_models import RemittanceRow, RemittedClaimRow
from tests.integration.claims_builders import ClaimsWorld, build_world
from tests.integration.providers_builders import import_samples
from tests.integration.x835_builders import Claim837, Line, professional_837
from tests.unit.x834_builders import pyx12_findings
from tests.unit.x835_reading import only_remittance

ASO = shutil.which("aso") or str(Path(sys.executable).with_name("aso"))
FEB = date(2026, 2, 2)


@pytest.fixture
def world(tmp_path: Path) -> tuple[dict[str, str], ClaimsWorld]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    key = Fernet.generate_key().decode()
    env = {
        **os.environ,
        "ASO_DATABASE_URL": url,
        "ASO_VAR_DIR": str(tmp_path / "var"),
        "ASO_SSN_KEY": key,
    }
    migrate(url)
    engine = make_engine(url)
    # The remittance tables until their migration lands (a no-op once it has).
    tables = [RemittanceRow.__table__, RemittedClaimRow.__table__]
    Base.metadata.create_all(engine, tables=tables)  # type: ignore[arg-type]
    app = App(settings=Settings(var_dir=tmp_path / "var", ssn_key=key), engine=engine)
    import_samples(app)
    built = build_world(app, app.uow())
    engine.dispose()
    return env, built


def run(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ASO, *map(str, args)], capture_output=True, text=True, timeout=120, check=False, env=env
    )


def test_export_writes_one_835_per_payee_and_never_twice(
    world: tuple[dict[str, str], ClaimsWorld], tmp_path: Path
) -> None:
    env, w = world
    claims = [
        Claim837("E2E-1", w.ann, (Line("99213", "180.00", FEB, ("25",), allowed="110.00"),)),
        Claim837("E2E-2", w.bo, (Line("99214", "240.00", FEB, allowed="150.00"),),
                 names=("LEE", "BO")),
        Claim837("E2E-3", w.dee, (Line("99213", "125.00", FEB, allowed="95.00"),),
                 npi="1234500001", names=("DIAZ", "DEE")),
    ]  # fmt: skip
    path = tmp_path / "claims.837"
    path.write_text(professional_837(claims, sent=date(2026, 3, 1)))
    imported = run(env, "edi", "import", path)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    adjudicated = run(env, "claims", "adjudicate", "--employer", w.ein)
    assert adjudicated.returncode == 0, adjudicated.stderr

    folder = tmp_path / "out"
    done = run(env, "edi", "export", "835", "--employer", w.ein, "--out", folder, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["payees"], summary["claims"], summary["reversals"]) == (2, 3, 0)
    assert "writing 835s" in done.stderr
    files = {f["payee_id"]: folder / f["filename"] for f in summary["files"]}
    assert set(files) == {"1234567893", w.dee}
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in files.values())
    total = Decimal(0)
    for payee, file in files.items():
        text = file.read_text()
        assert pyx12_findings(text, tmp_path, f"{payee}.835") == []
        read = only_remittance(text)
        total += read.amount
        assert read.payee[4] == payee
    assert f"{total:.2f}" == summary["total_paid"]
    assert {c.id for c in only_remittance(files["1234567893"].read_text()).claims} == {
        "E2E-1",
        "E2E-2",
    }

    again = run(env, "edi", "export", "835", "--employer", w.ein, "--out", folder)
    assert again.returncode == 0, again.stderr
    assert "nothing to remit" in again.stdout
    assert len(list(folder.iterdir())) == 2


def test_export_prints_a_summary_and_refuses_bad_input(
    world: tuple[dict[str, str], ClaimsWorld], tmp_path: Path
) -> None:
    env, w = world
    path = tmp_path / "claims.837"
    claim = Claim837("E2E-9", w.ann, (Line("99213", "180.00", FEB, allowed="110.00"),))
    path.write_text(professional_837([claim], sent=date(2026, 3, 1)))
    assert run(env, "edi", "import", path).returncode == 0
    assert run(env, "claims", "adjudicate").returncode == 0
    folder = tmp_path / "out"
    done = run(env, "edi", "export", "835", "--employer", w.ein, "--out", folder)
    assert done.returncode == 0, done.stderr
    assert "wrote 1 835 file(s)" in done.stdout and "1 claim(s)" in done.stdout
    assert "Ann Lee MD" in done.stdout

    assert run(env, "edi", "export", "835", "--employer", "nonsense").returncode == 2
    unknown = run(env, "edi", "export", "835", "--employer", "31-7654321")
    assert unknown.returncode == 1 and "no employer with EIN 31-7654321" in unknown.stderr
    bad_day = run(env, "edi", "export", "835", "--employer", w.ein, "--since", "March")
    assert bad_day.returncode == 2 and "--since" in bad_day.stderr
