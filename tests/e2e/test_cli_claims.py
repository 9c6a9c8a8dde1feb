"""``aso claims``, ``aso accumulators`` and ``aso authorizations`` as commands on a fresh SQLite
database: JSON alone on stdout with ``--json``, structural errors on stderr with exit 2,
``rebuild --verify`` exits 1 on a difference."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import text
from typer.testing import CliRunner

from aso.bootstrap import App, make_engine, migrate
from aso.cli.main import app as main_app
from aso.config import Settings, get_settings
from tests.integration.claims_builders import ClaimsWorld, build_world

ROOT = main_app


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, ClaimsWorld]]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ASO_DATABASE_URL", url)
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASO_SSN_KEY", key)
    get_settings.cache_clear()
    migrate(url)
    engine = make_engine(url)
    app = App(settings=Settings(var_dir=tmp_path / "var", ssn_key=key), engine=engine)
    built = build_world(app, app.uow())
    engine.dispose()
    yield url, built
    get_settings.cache_clear()


def aso(*args: str | Path) -> Any:
    return CliRunner().invoke(ROOT, [str(a) for a in args], catch_exceptions=False)


def claims_file(tmp_path: Path, documents: list[dict[str, Any]]) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(documents, sort_keys=False))
    return path


def test_submit_adjudicate_show_and_accumulators(
    tmp_path: Path, world: tuple[str, ClaimsWorld]
) -> None:
    url, w = world
    documents = [
        {"id": "C1", "member": w.bo, "network": "in", "received": "2026-03-01",
         "lines": [{"date": "2026-02-01", "category": "lab", "charge": "900.00",
                    "allowed": "800.00"}]},
        {"id": "C2", "member": w.dee, "network": "in", "received": "2026-03-01",
         "lines": [{"date": "2026-02-01", "procedure": "72148", "pos": "22",
                    "charge": "1200.00", "allowed": "700.00", "prior_auth": "PA1"}]},
    ]  # fmt: skip
    path = claims_file(tmp_path, documents)
    submitted = aso("claims", "submit", path, "--json")
    assert submitted.exit_code == 0, submitted.stderr
    assert [r["stored"] for r in json.loads(submitted.stdout)] == [True, True]
    again = aso("claims", "submit", path)
    assert again.exit_code == 0 and "0 claim(s) stored, 2 already on file" in again.stdout

    authorized = aso(
        "authorizations", "add", "--number", "PA1", "--member", w.dee, "--start", "2026-01-01",
        "--end", "2026-06-30", "--category", "imaging_advanced", "--json",
    )  # fmt: skip
    assert authorized.exit_code == 0, authorized.stderr
    assert json.loads(aso("authorizations", "list", "--json").stdout)[0]["number"] == "PA1"

    batch = aso("claims", "adjudicate", "--employer", w.ein, "--json")
    assert batch.exit_code == 0, batch.stderr
    summary = json.loads(batch.stdout)
    assert (summary["claims"], summary["lines"], summary["claim_statuses"]) == (
        2,
        2,
        {"approved": 2},
    )
    assert "adjudicating" in batch.stderr
    assert "nothing to adjudicate" in aso("claims", "adjudicate").stdout

    shown = json.loads(aso("claims", "show", "C1", "--json").stdout)
    assert shown["versions"][0]["lines"][0]["deductible"] == "800.00"
    assert "version 1 approved" in aso("claims", "show", "C2").stdout
    assert aso("claims", "show", "C9").exit_code == 1

    listed = json.loads(aso("claims", "list", w.bo, "--json").stdout)
    assert [(c["id"], c["charge"], c["member_responsibility"]) for c in listed] == [
        ("C1", "900.00", "800.00")
    ]
    assert "C1" in aso("claims", "list", w.bo).stdout
    assert aso("claims", "list", "M000000000").exit_code == 1
    pdf = tmp_path / "c1.pdf"
    written = aso("claims", "eob", "C1", "--out", pdf)
    assert written.exit_code == 0, written.stderr
    assert pdf.read_bytes().startswith(b"%PDF-") and f"-> {pdf}" in written.stderr
    priced = aso("claims", "estimate", w.bo, "--category", "lab", "--charge", "200", "--json")
    assert priced.exit_code == 0, priced.stderr
    guess = json.loads(priced.stdout)  # Bo's family has met 800 of its 3,000 deductible
    assert (guess["allowed"], guess["deductible"], guess["you_pay"]) == (
        "200.00",
        "200.00",
        "200.00",
    )
    shown = aso("claims", "estimate", w.bo, "--category", "lab", "--charge", "200")
    assert "member pays" in shown.stdout and "An estimate, not a promise" in shown.stderr
    assert aso("claims", "estimate", w.bo, "--charge", "200").exit_code == 2
    assert aso("claims", "estimate", w.bo, "--category", "lab", "--charge", "-5").exit_code == 2
    today = date.today().isoformat()
    run = aso("claims", "eobs", "--employer", w.ein, "--since", today, "--until", today,
              "--out", tmp_path / "eobs")  # fmt: skip
    assert run.exit_code == 0, run.stderr
    index = list(csv.DictReader((tmp_path / "eobs" / "index.csv").open()))
    assert sorted(row["claim"] for row in index) == ["C1", "C2"]
    assert all((tmp_path / "eobs" / row["file"]).read_bytes()[:5] == b"%PDF-" for row in index)
    assert "2 EOB(s)" in run.stderr
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    none = aso("claims", "eobs", "--employer", w.ein, "--since", yesterday, "--until", yesterday,
               "--out", tmp_path / "none")  # fmt: skip
    assert none.exit_code == 0 and "0 EOB(s)" in none.stderr
    eob = json.loads(aso("claims", "eob", "C1", "--json").stdout)
    assert (eob["plan_paid"], eob["member_responsibility"], eob["savings"]) == (
        "0.00",
        "800.00",
        "100.00",
    )

    balances = json.loads(aso("accumulators", "show", w.bo, "--json").stdout)["balances"]
    family_in = next(b for b in balances if b["scope"] == "family" and b["network"] == "in")
    assert (family_in["member_id"], family_in["deductible"]) == (w.ann, "800.00")

    adjusted = aso(
        "accumulators", "adjust", w.dee, "--kind", "deductible", "--amount", "100",
        "--reason", "met with prior carrier", "--date", "2026-03-01",
    )  # fmt: skip
    assert adjusted.exit_code == 0, adjusted.stderr
    listed = json.loads(aso("accumulators", "adjustments", w.dee, "--json").stdout)
    assert [(a["reason"], a["amount"]) for a in listed] == [("met with prior carrier", "100.00")]
    no_reason = aso("accumulators", "adjust", w.dee, "--kind", "deductible", "--amount", "1")
    assert no_reason.exit_code == 2

    verified = aso("accumulators", "rebuild", "--verify")
    assert verified.exit_code == 0 and "all agree" in verified.stdout
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE accumulator_entries SET amount_cents = amount_cents + 1"))
    engine.dispose()
    found = aso("accumulators", "rebuild", "--verify", "--json")
    assert found.exit_code == 1
    assert len(json.loads(found.stdout)["differences"]) >= 2
    repaired = aso("accumulators", "rebuild", "--employer", w.ein)
    assert repaired.exit_code == 0 and "repaired" in repaired.stdout
    assert aso("accumulators", "rebuild", "--verify").exit_code == 0


def test_a_structural_error_names_claim_line_and_field_and_exits_2(
    tmp_path: Path, world: tuple[str, ClaimsWorld]
) -> None:
    _, w = world
    path = claims_file(
        tmp_path,
        [{"id": "C1", "member": w.ann, "network": "in", "received": "2026-03-01",
          "lines": [{"date": "2026-02-01", "category": "massage", "charge": "-1"}]}],
    )  # fmt: skip
    result = aso("claims", "submit", path, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "claims[C1].lines[1].category: unknown category 'massage'" in result.stderr
    assert "claims[C1].lines[1].charge: must be >= 0" in result.stderr
    assert aso("claims", "submit", tmp_path / "missing.yaml").exit_code == 2


def test_examiner_commands_pend_queue_release_override_deny_reprocess(
    tmp_path: Path, world: tuple[str, ClaimsWorld]
) -> None:
    _, w = world
    documents = [
        {"id": "P1", "member": w.dee, "network": "in", "received": "2026-03-05",
         "lines": [{"date": "2026-03-01", "category": "lab", "charge": "60000.00",
                    "allowed": "40000.00"}]},
        {"id": "L1", "member": w.ann, "network": "in", "received": "2026-02-05",
         "lines": [{"date": "2026-02-01", "category": "lab", "charge": "800.00",
                    "allowed": "700.00"}]},
        {"id": "L2", "member": w.ann, "network": "in", "received": "2026-03-05",
         "lines": [{"date": "2026-03-01", "category": "lab", "charge": "1600.00",
                    "allowed": "1500.00"}]},
    ]  # fmt: skip
    assert aso("claims", "submit", claims_file(tmp_path, documents)).exit_code == 0
    assert aso("claims", "adjudicate").exit_code == 0

    queue = aso("claims", "pended", "--reason", "high_dollar", "--employer", w.ein, "--json")
    assert queue.exit_code == 0, queue.stderr
    assert [c["id"] for c in json.loads(queue.stdout)] == ["P1"]
    assert "P1" in aso("claims", "pended").stdout

    released = aso("claims", "release", "P1", "--note", "reviewed", "--json")
    assert released.exit_code == 0, released.stderr
    assert json.loads(released.stdout)["claim"]["status"] == "approved"

    no_reason = aso("claims", "override", "L1", "--line", "1", "--allowed", "100", "--reason", " ")
    assert no_reason.exit_code == 2 and "reason" in no_reason.stderr
    overridden = aso(
        "claims", "override", "L1", "--line", "1", "--allowed", "100.00", "--reason", "audit"
    )
    assert overridden.exit_code == 0, overridden.stderr
    assert "listed for reprocessing (their cost share changes): L2" in overridden.stdout
    listed = aso("claims", "reprocess", "--list", "--json")
    assert [row["id"] for row in json.loads(listed.stdout)] == ["L2"]
    done = aso("claims", "reprocess", "--json")
    assert json.loads(done.stdout)["claims_written"] == ["L2"]
    assert aso("accumulators", "rebuild", "--verify").exit_code == 0

    unknown = aso("claims", "deny", "L2", "--carc", "ZZ9", "--reason", "x")
    assert unknown.exit_code == 2 and "not a known CARC" in unknown.stderr
    denied = aso("claims", "deny", "L2", "--carc", "50", "--reason", "not necessary", "--json")
    assert denied.exit_code == 0, denied.stderr
    assert json.loads(denied.stdout)["claim"]["status"] == "denied"
