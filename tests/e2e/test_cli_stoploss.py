"""``aso stoploss`` as commands on a fresh SQLite database: a contract added from a YAML file
(a wrong one refused naming the field, exit 2), the report as JSON and as a table, tracking,
a request with its claims, a reimbursement received, and the ledger's trial balance still
netting to zero."""

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
from aso.cli import ledger, stoploss
from aso.config import Settings, get_settings
from aso.db.models import metadata
from aso.stoploss import models as _stoploss  # noqa: F401  (the tables, until aso.db.models has them)
from tests.integration.claims_builders import ClaimsWorld
from tests.integration.stoploss_builders import Paid, contract_document, pay, world

ROOT = typer.Typer()
ROOT.add_typer(stoploss.app, name="stoploss")
ROOT.add_typer(ledger.app, name="ledger")
EIN = "31-1234567"


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ClaimsWorld]:
    """A migrated database with Acme's world and four claims paid (Bo $340,000 over two
    claims, Ann $60,000, Cy $5,000)."""
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ASO_DATABASE_URL", url)
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASO_SSN_KEY", key)
    get_settings.cache_clear()
    migrate(url)
    engine = make_engine(url)
    metadata.create_all(engine)  # the stop-loss tables, until a migration makes them
    app = App(settings=Settings(var_dir=tmp_path / "var", ssn_key=key), engine=engine)
    built = world(app, app.uow(), ein=EIN)
    pay(
        app.uow(),
        Paid("BO-1", built.bo, "200000", "2026-02-10", "2026-03-05"),
        Paid("BO-2", built.bo, "140000", "2026-04-01", "2026-05-07"),
        Paid("ANN-1", built.ann, "60000", "2026-05-20", "2026-06-11"),
        Paid("CY-1", built.cy, "5000", "2026-05-02", "2026-06-11"),
    )
    engine.dispose()
    yield built
    get_settings.cache_clear()


def aso(*args: str | Path) -> Any:
    return CliRunner().invoke(ROOT, [str(a) for a in args], catch_exceptions=False)


def contract_file(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump({"employer": EIN, **document}, sort_keys=False))
    return path


def test_contract_report_track_request_receive(tmp_path: Path, acme: ClaimsWorld) -> None:
    wrong = aso("stoploss", "contract", "add", contract_file(tmp_path, {"basis": "12/15"}))
    assert wrong.exit_code == 2
    assert "period: Field required" in wrong.stderr and "specific: Field required" in wrong.stderr
    document = contract_document(acme.dee)
    laser = {**document["specific"], "lasers": [{"member": "M000000000", "deductible": 1}]}
    refused = aso(
        "stoploss", "contract", "add", contract_file(tmp_path, {**document, "specific": laser})
    )
    assert refused.exit_code == 2
    assert "specific.lasers[1].member: no member M000000000 of this employer" in refused.stderr

    added = aso("stoploss", "contract", "add", contract_file(tmp_path, document), "--json")
    assert added.exit_code == 0, added.stderr
    contract = json.loads(added.stdout)
    assert (contract["basis"], contract["lasers"]) == (
        "12/15",
        [{"member_id": acme.dee, "deductible": "250000.00"}],
    )
    listed = aso("stoploss", "contract", "list", "--employer", EIN)
    assert "2026-01-01..2026-12-31 12/15 (paid to 2027-03-31)" in listed.stdout

    report = aso("stoploss", "report", "--employer", EIN, "--as-of", "2026-06-30", "--json")
    assert report.exit_code == 0, report.stderr
    [position] = json.loads(report.stdout)["contracts"]
    assert [(c["label"], c["member_id"], c["excess"]) for c in position["claimants"]] == [
        ("Claimant 1", acme.bo, "240000.00"),
        ("Claimant 2", acme.ann, "0.00"),
    ]
    assert position["other_members"] == {
        "members": 1,
        "paid": "5000.00",
        "toward_aggregate": "5000.00",
    }
    table = aso("stoploss", "report", "--employer", EIN, "--as-of", "2026-06-30")
    assert "Specific: large claimants" in table.stdout and "Bo Lee" in table.stdout
    assert "aggregate: eligible 165000.00, attachment 400000.00" in table.stdout

    tracked = aso("stoploss", "track", "--employer", EIN, "--as-of", "2026-06-30")
    assert tracked.exit_code == 0, tracked.stderr
    assert tracked.stdout.count("large-case notification") == 2
    again = aso("stoploss", "track", "--employer", EIN, "--as-of", "2026-06-30")
    assert "no new large-case notification" in again.stdout

    made = aso("stoploss", "request", "--employer", EIN, "--as-of", "2026-06-30", "--json")
    assert made.exit_code == 0, made.stderr
    [request] = json.loads(made.stdout)
    assert (request["amount"], [c["claim_id"] for c in request["claims"]]) == (
        "240000.00",
        ["BO-1", "BO-2"],
    )
    none = aso("stoploss", "request", "--employer", EIN, "--as-of", "2026-06-30")
    assert (none.exit_code, none.stdout) == (0, "")
    assert "nothing to request" in none.stderr

    too_much = aso("stoploss", "receive", str(request["id"]), "--amount", "240000.01")
    assert too_much.exit_code == 2 and "outstanding" in too_much.stderr
    received = aso(
        "stoploss", "receive", str(request["id"]), "--amount", "240000", "--date", "2026-07-20",
        "--reference", "EFT 88123",
    )  # fmt: skip
    assert received.exit_code == 0, received.stderr
    assert "request paid, outstanding 0.00" in received.stdout
    assert aso("stoploss", "receive", str(request["id"]), "--amount", "1").exit_code == 1
    assert aso("stoploss", "receive", "999", "--amount", "1").exit_code == 1

    balance = json.loads(aso("ledger", "trial-balance", "--employer", EIN, "--json").stdout)
    assert balance["net"] == "0.00"
    assert {line["account"]: line["debit"] for line in balance["accounts"]} == {
        "claims_funding_bank": "240000.00",
        "stop_loss_receivable": "0.00",
        "stop_loss_recoveries": "0.00",
    }
    assert aso("stoploss", "report", "--employer", "36-7654321").exit_code == 1
