"""``aso invoices`` as commands on a fresh SQLite database: an agreement set from a file (a wrong
field named, exit 2), a month run twice (billed once), the invoice shown as JSON, written as PDF
and CSV, listed; a retroactive termination corrected on the next month's invoice; a progress bar
when many employers are invoiced; unknown invoices and bad months."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from cryptography.fernet import Fernet
from pypdf import PdfReader
from typer.testing import CliRunner

from aso.adminfees import models as _adminfees  # noqa: F401  (the tables, until aso.db.models has them)
from aso.bootstrap import App, make_engine, migrate
from aso.cli import invoices
from aso.config import Settings, get_settings
from aso.db.models import metadata
from aso.members.service import change_coverage_end
from aso.plans.domain import Line
from aso.security.domain import SYSTEM
from tests.builders import add_employer, add_family

ROOT = typer.Typer()
ROOT.add_typer(invoices.app, name="invoices")
ALPHA = "31-1234567"
OTHERS = ("36-7654321", "37-1111111", "38-2222222", "39-3333333")
TERMS = {
    "effective": "2026-01-01",
    "count_rule": "first_of_month",
    "pepm": {"medical": "40.00"},
    "monthly_minimum": "50.00",
    "stop_loss": [{"name": "Specific stop-loss premium", "pepm_by_tier": {"family": "180.00"}}],
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ASO_DATABASE_URL", url)
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASO_SSN_KEY", key)
    get_settings.cache_clear()
    migrate(url)
    engine = make_engine(url)
    metadata.create_all(engine)  # the admin fee and ledger tables, until a migration makes them
    app = App(settings=Settings(var_dir=tmp_path / "var", ssn_key=key), engine=engine)
    alpha = add_employer(app, "Alpha Widgets", ALPHA)
    add_family(app, alpha, "E001", "Alvarez")
    add_family(app, alpha, "E002", "Baker")
    yield app
    engine.dispose()
    get_settings.cache_clear()


def aso(*args: str | Path) -> Any:
    return CliRunner().invoke(ROOT, [str(a) for a in args], catch_exceptions=False)


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_agreement_run_twice_show_pdf_csv_and_list(tmp_path: Path, database: App) -> None:
    wrong = write(tmp_path, "wrong.yaml", {**TERMS, "count_rule": "on_the_1st"})
    refused = aso("invoices", "agreement", "set", "--employer", ALPHA, wrong)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("count_rule: ")

    terms = write(tmp_path, "terms.yaml", TERMS)
    made = aso("invoices", "agreement", "set", "--employer", ALPHA, terms, "--json")
    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout)["terms"]["monthly_minimum"] == "50.00"
    shown = aso("invoices", "agreement", "show", "--employer", ALPHA, "--json")
    assert [a["effective"] for a in json.loads(shown.stdout)] == ["2026-01-01"]

    first = aso("invoices", "run", "--month", "2026-02", "--date", "2026-02-02", "--json")
    assert first.exit_code == 0, first.stderr
    [item] = json.loads(first.stdout)["invoices"]
    # two families on the medical plan: 2 x 40.00 = 80.00; 2 x 180.00 = 360.00 passed through
    assert (item["outcome"], item["total"]) == ("issued", "440.00")
    again = aso("invoices", "run", "--month", "2026-02", "--employer", ALPHA, "--json")
    assert [(i["outcome"], i["number"]) for i in json.loads(again.stdout)["invoices"]] == [
        ("existing", item["number"])
    ]

    # entered in March: the Baker family's coverage ended January 31
    baker = _subscriber(database, "Baker")
    change_coverage_end(
        uow=database.uow(),
        actor=SYSTEM,
        member_id=baker,
        line=Line.MEDICAL,
        end=date(2026, 1, 31),
        today=date(2026, 3, 4),
    )
    march = json.loads(aso("invoices", "run", "--month", "2026-03", "--json").stdout)
    number = march["invoices"][0]["number"]
    pdf, table = tmp_path / "invoice.pdf", tmp_path / "invoice.csv"
    shown = aso("invoices", "show", number, "--json", "--pdf", pdf, "--csv", table)
    assert shown.exit_code == 0, shown.stderr
    invoice = json.loads(shown.stdout)
    assert [(line["description"], line["amount"]) for line in invoice["lines"]] == [
        ("Medical PEPM", "40.00"),
        ("Monthly minimum top-up", "10.00"),
        ("Specific stop-loss premium, family", "180.00"),
        ("Medical PEPM, February 2026 correction: -1 employee", "-40.00"),
        ("Monthly minimum top-up, February 2026 correction", "10.00"),
        ("Specific stop-loss premium, family, February 2026 correction: -1 employee", "-180.00"),
    ]
    assert invoice["total"] == "20.00"
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Medical PEPM, February 2026 correction: -1 employee" in text and "$20.00" in text
    rows = list(csv.DictReader(io.StringIO(table.read_text())))
    assert [r["amount"] for r in rows] == [line["amount"] for line in invoice["lines"]]
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("20.00")

    human = aso("invoices", "show", number)
    assert human.exit_code == 0 and "February 2026 correction" in human.stdout
    listed = aso("invoices", "list", "--employer", ALPHA, "--json")
    assert [i["month"] for i in json.loads(listed.stdout)] == ["2026-03", "2026-02"]

    assert aso("invoices", "show", "INV-NOPE").exit_code == 1
    assert aso("invoices", "run", "--month", "2026-13").exit_code == 2
    assert aso("invoices", "list", "--employer", "99-9999999").exit_code == 1


def test_many_employers_show_a_progress_bar(tmp_path: Path, database: App) -> None:
    terms = write(tmp_path, "terms.yaml", TERMS)
    for number, ein in enumerate(OTHERS):
        add_employer(database, f"Other {number}", ein)
    for ein in (ALPHA, *OTHERS):
        assert aso("invoices", "agreement", "set", "--employer", ein, terms).exit_code == 0
    result = aso("invoices", "run", "--month", "2026-04", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["issued"], summary["existing"], summary["skipped"]) == (5, 0, 0)
    assert "invoicing 2026-04" in result.stderr and "5/5" in result.stderr
    # the others have no one enrolled: the minimum alone
    assert sorted(i["total"] for i in summary["invoices"]) == ["440.00"] + ["50.00"] * 4
    human = aso("invoices", "run", "--month", "2026-04")
    assert "0 issued, 5 already invoiced, 0 skipped" in human.stdout


def _subscriber(app: App, last_name: str) -> str:
    from sqlalchemy import select

    from aso.members.models import Member

    with app.uow() as uow:
        return uow.session.scalars(
            select(Member.member_number).where(
                Member.last_name == last_name, Member.relationship == "subscriber"
            )
        ).one()
