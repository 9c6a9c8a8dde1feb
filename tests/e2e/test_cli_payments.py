"""``aso payments`` and ``aso funding`` as commands on a fresh SQLite database: a funding account
and a payee's bank account set, a cycle run with its funding request written as PDF and CSV,
deposits, the funding status, releases writing the ACH file, positive pay, check register and
835s into a folder, a check reissued and another voided, a returns file applied; JSON alone on
stdout; bad input exits 2 naming the problem, a finding exits 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from cryptography.fernet import Fernet
from pypdf import PdfReader
from typer.testing import CliRunner

from aso.bootstrap import App, make_engine, migrate
from aso.cli import payments
from aso.config import Settings, get_settings
from aso.db.models import metadata
from aso.payments import models as _payments  # noqa: F401  (the tables, until aso.db.models has them)
from aso.payments.nacha_check import check_nacha
from tests.integration.claims_builders import ClaimsWorld, build_world
from tests.integration.payments_builders import NPI_ANN, NPI_UNKNOWN, adjudicated, visit
from tests.integration.providers_builders import import_samples
from tests.unit.x834_builders import pyx12_findings

ROOT = typer.Typer()
ROOT.add_typer(payments.app, name="payments")
ROOT.add_typer(payments.funding_app, name="funding")
EIN = "31-1234567"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ClaimsWorld]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ASO_DATABASE_URL", url)
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASO_SSN_KEY", key)
    get_settings.cache_clear()
    migrate(url)
    engine = make_engine(url)
    metadata.create_all(engine)  # the payments tables, until a migration makes them
    app = App(settings=Settings(var_dir=tmp_path / "var", ssn_key=key), engine=engine)
    import_samples(app)
    found = build_world(app, app.uow(), ein=EIN)
    adjudicated(
        app.uow(), visit("V-1", found.ann, 125), visit("V-2", found.bo, 75, npi=NPI_UNKNOWN)
    )
    yield found
    engine.dispose()
    get_settings.cache_clear()


def aso(*args: str | Path) -> Any:
    return CliRunner().invoke(ROOT, [str(a) for a in args], catch_exceptions=False)


def as_json(*args: str | Path) -> Any:
    result = aso(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_cycle_run_funded_released_voided_and_returned(
    tmp_path: Path, world: ClaimsWorld
) -> None:
    bad = aso(
        "funding",
        "account",
        "--employer",
        EIN,
        "--bank",
        "First Ohio",
        "--routing",
        "021000022",
        "--account",
        "5550001111",
    )
    assert bad.exit_code == 2 and "routing" in bad.stderr
    account = as_json(
        "funding",
        "account",
        "--employer",
        EIN,
        "--bank",
        "First Ohio",
        "--routing",
        "021000021",
        "--account",
        "5550001111",
        "--prefund-days",
        "0",
    )
    assert account["account"] == "******1111"
    bank = as_json(
        "payments",
        "bank-account",
        "--npi",
        NPI_ANN,
        "--routing",
        "011000015",
        "--account",
        "12345678",
        "--verified",
    )
    assert bank["status"] == "active"

    requests = tmp_path / "requests"
    cycle = as_json(
        "payments",
        "run",
        "--employer",
        EIN,
        "--through",
        "2026-12-31",
        "--date",
        "2026-06-01",
        "--out",
        requests,
    )
    number = cycle["number"]
    assert (cycle["requested"], cycle["payees"]) == ("150.00", 2)
    pdf = PdfReader(requests / f"{number}.pdf")
    assert "150.00" in "".join(page.extract_text() for page in pdf.pages)
    assert world.ann not in (requests / f"{number}.csv").read_text()
    assert aso("payments", "run", "--employer", EIN, "--through", "2026-12-31").exit_code == 1
    assert aso("payments", "run", "--employer", EIN, "--through", "June").exit_code == 2

    deposit = as_json(
        "funding",
        "deposit",
        "--employer",
        EIN,
        "--amount",
        "150",
        "--date",
        "2026-06-02",
        "--reference",
        number,
    )
    assert deposit["matched"] == [{"cycle": number, "amount": "150.00"}]
    status = as_json("funding", "status", "--employer", EIN)
    assert (status["bank_balance"], status["claims_payable"]) == ("150.00", "150.00")

    out = tmp_path / "release"
    released = as_json("payments", "release", number, "--date", "2026-06-03", "--out", out)
    assert (released["eft"], released["checks"], released["claims_paid"]) == (1, 1, 2)
    names = sorted(p.name for p in out.iterdir())
    assert [n for n in names if n.endswith(".ach")] == [f"{released['batch']}.ach"]
    assert check_nacha((out / f"{released['batch']}.ach").read_text()) == []
    for name in names:
        if name.endswith(".x12"):
            assert pyx12_findings((out / name).read_text(), tmp_path, name) == []
    assert any(n.endswith("positive-pay.txt") for n in names)
    shown = aso("payments", "show", number)
    assert shown.exit_code == 0 and NPI_ANN in shown.stdout

    by_method = {p["method"]: p for p in released["payments"]}
    check, eft = by_method["CHK"], by_method["EFT"]
    reissued = as_json("payments", "void", str(check["id"]), "--reissue", "--date", "2026-06-04")
    assert reissued["new_check"] == check["check_number"] + 1
    voided = as_json(
        "payments",
        "void",
        str(check["id"]),
        "--reason",
        "stale",
        "--date",
        "2026-06-05",
        "--out",
        tmp_path / "void",
    )
    assert voided["payment"]["status"] == "voided"
    assert any(p.name.endswith(".x12") for p in (tmp_path / "void").iterdir())
    assert aso("payments", "void", str(check["id"])).exit_code == 1

    returns = tmp_path / "returns.csv"
    returns.write_text(f"trace,code,corrected_data\n{eft['ach_trace']},R03,\n")
    applied = as_json("payments", "returns", returns)
    assert applied["applied"] == 1 and applied["notices"][0]["payment_id"] == eft["id"]
    missing = aso("payments", "returns", tmp_path / "nothing.csv")
    assert missing.exit_code == 2
    status = as_json("funding", "status", "--employer", EIN)
    assert (status["bank_balance"], status["claims_payable"]) == ("150.00", "0.00")
    assert aso("payments", "release", "PC-000000000-0001").exit_code == 1


def test_a_release_of_many_payments_shows_a_progress_bar(
    world: ClaimsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_json(
        "funding",
        "account",
        "--employer",
        EIN,
        "--bank",
        "First Ohio",
        "--routing",
        "021000021",
        "--account",
        "5550001111",
    )
    cycle = as_json("payments", "run", "--employer", EIN, "--through", "2026-12-31")
    as_json(
        "funding",
        "deposit",
        "--employer",
        EIN,
        "--amount",
        cycle["requested"],
        "--date",
        "2026-06-02",
    )
    monkeypatch.setattr(payments, "MANY", 1)
    result = aso("payments", "release", cycle["number"])
    assert result.exit_code == 0
    assert "writing 835s" in result.stderr
