"""``aso ledger`` as commands on a fresh SQLite database: entries posted from a file (all or
none, a wrong leg named, exit 2), the trial balance as exact JSON, a statement as JSON and as a
table, a reversal, an unknown employer (exit 1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from aso.bootstrap import App, make_engine, migrate
from aso.cli import ledger
from aso.config import Settings, get_settings
from aso.db.models import metadata
from aso.ledger import models as _ledger  # noqa: F401  (the tables, until aso.db.models has them)
from tests.builders import add_employer

ROOT = typer.Typer()
ROOT.add_typer(ledger.app, name="ledger")
ALPHA, BETA = "31-1234567", "36-7654321"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ASO_DATABASE_URL", url)
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASO_SSN_KEY", key)
    get_settings.cache_clear()
    migrate(url)
    engine = make_engine(url)
    metadata.create_all(engine)  # the ledger's tables, until a migration makes them
    app = App(settings=Settings(var_dir=tmp_path / "var", ssn_key=key), engine=engine)
    add_employer(app, "Alpha Widgets", ALPHA)
    add_employer(app, "Beta Foods", BETA)
    engine.dispose()
    yield url
    get_settings.cache_clear()


def aso(*args: str | Path) -> Any:
    return CliRunner().invoke(ROOT, [str(a) for a in args], catch_exceptions=False)


def entries_file(tmp_path: Path, documents: list[dict[str, Any]]) -> Path:
    path = tmp_path / "entries.yaml"
    path.write_text(yaml.safe_dump(documents, sort_keys=False))
    return path


def entry(
    ein: str, day: str, memo: str, debits: str, credits: str, amount: str, credited: str = ""
) -> dict[str, Any]:
    """An entry debiting one account and crediting another (``credited`` when it differs)."""
    return {
        "employer": ein,
        "posted_on": day,
        "memo": memo,
        "kind": "manual",
        "legs": [
            {"account": debits, "debit": amount},
            {"account": credits, "credit": credited or amount},
        ],
    }


BANK, DEPOSITS = "claims_funding_bank", "employer_deposits"


def test_post_trial_balance_statement_and_reverse(tmp_path: Path, database: str) -> None:
    documents = [
        entry(ALPHA, "2026-03-01", "opening deposit", BANK, DEPOSITS, "5000.00"),
        entry(ALPHA, "2026-03-02", "claims approved", "claims_expense", "claims_payable", "812.35"),
        entry(BETA, "2026-03-02", "opening deposit", BANK, DEPOSITS, "900.00"),
    ]
    posted = aso("ledger", "post", entries_file(tmp_path, documents), "--json")
    assert posted.exit_code == 0, posted.stderr
    ids = [t["id"] for t in json.loads(posted.stdout)]
    assert len(ids) == 3

    everyone = aso("ledger", "trial-balance", "--json")
    assert everyone.exit_code == 0, everyone.stderr
    assert json.loads(everyone.stdout) == {
        "accounts": [
            {"account": "claims_funding_bank", "debit": "5900.00", "credit": "0.00"},
            {"account": "claims_payable", "debit": "0.00", "credit": "812.35"},
            {"account": "employer_deposits", "debit": "0.00", "credit": "5900.00"},
            {"account": "claims_expense", "debit": "812.35", "credit": "0.00"},
        ],
        "total_debit": "6712.35",
        "total_credit": "6712.35",
        "net": "0.00",
    }
    beta = json.loads(aso("ledger", "trial-balance", "--employer", BETA, "--json").stdout)
    assert (beta["total_debit"], beta["net"]) == ("900.00", "0.00")
    table = aso("ledger", "trial-balance", "--employer", ALPHA)
    assert "Trial balance, employer 31-1234567" in table.stdout
    assert "Claims funding bank" in table.stdout and "net 0.00" in table.stdout

    reversed_ = aso("ledger", "reverse", str(ids[1]), "--date", "2026-03-03", "--json")
    assert reversed_.exit_code == 0, reversed_.stderr
    assert json.loads(reversed_.stdout)["reverses"] == ids[1]
    assert aso("ledger", "reverse", str(ids[1]), "--date", "2026-03-03").exit_code == 1

    statement = aso(
        "ledger", "statement", "--employer", ALPHA, "--account", "claims_payable",
        "--since", "2026-03-02", "--until", "2026-03-31", "--json",
    )  # fmt: skip
    assert statement.exit_code == 0, statement.stderr
    [payable] = json.loads(statement.stdout)["accounts"]
    assert [(e["debit"], e["credit"], e["balance"]) for e in payable["entries"]] == [
        ("0.00", "812.35", "812.35"),
        ("812.35", "0.00", "0.00"),
    ]
    assert (payable["opening"], payable["closing"]) == ("0.00", "0.00")
    human = aso("ledger", "statement", "--employer", ALPHA)
    assert human.exit_code == 0, human.stderr
    assert "Alpha Widgets" in human.stdout and "opening balance" in human.stdout
    assert "Claims payable (claims_payable), credit balance" in human.stdout


def test_wrong_input_changes_nothing(tmp_path: Path, database: str) -> None:
    documents = [
        entry(ALPHA, "2026-03-01", "fine", BANK, DEPOSITS, "10.00"),
        entry(ALPHA, "2026-03-01", "lopsided", BANK, DEPOSITS, "10.00", "9.00"),
        entry(ALPHA, "2026-03-01", "no such account", "petty_cash", DEPOSITS, "1.00"),
    ]
    refused = aso("ledger", "post", entries_file(tmp_path, documents))
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert "entries[2].legs: debits 10.00 and credits 9.00 differ by 1.00" in refused.stderr
    assert "entries[3].legs[1].account: no account 'petty_cash' in the chart" in refused.stderr
    empty = json.loads(aso("ledger", "trial-balance", "--json").stdout)
    assert empty == {"accounts": [], "total_debit": "0.00", "total_credit": "0.00", "net": "0.00"}

    unknown = entries_file(tmp_path, [entry("35-1111111", "2026-03-01", "x", BANK, DEPOSITS, "1")])
    assert aso("ledger", "post", unknown).exit_code == 1
    assert aso("ledger", "trial-balance", "--employer", "35-1111111").exit_code == 1
    assert aso("ledger", "statement", "--employer", ALPHA, "--since", "March").exit_code == 2
    assert aso("ledger", "statement", "--employer", ALPHA, "--account", "cash").exit_code == 2
    accounts = json.loads(aso("ledger", "accounts", "--json").stdout)
    assert "stop_loss_receivable" in [a["code"] for a in accounts]
