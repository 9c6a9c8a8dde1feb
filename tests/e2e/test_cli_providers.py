"""``aso providers`` and ``aso fees`` as commands on a fresh SQLite database: JSON alone on
stdout with ``--json``, every bad row on stderr with exit 1, exit 2 for a file that cannot be
read or bad options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aso.bootstrap import migrate
from aso.cli.main import app as main_app
from aso.config import get_settings

DATA = Path(__file__).resolve().parent.parent / "data" / "providers"


ROOT = main_app


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    monkeypatch.setenv("ASO_DATABASE_URL", url)
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    migrate(url)
    yield url
    get_settings.cache_clear()


def aso(*args: str | Path) -> Any:
    return CliRunner().invoke(ROOT, [str(a) for a in args], catch_exceptions=False)


def import_fees() -> None:
    for args in (
        ("MED-2026", "med-2026.csv", "--network", "in", "--percent-of-medicare", "120%"),
        ("RX-2026", "rx-2026-drugs.csv", "--network", "in", "--claim-types", "pharmacy"),
        ("OON", "oon-reference.csv", "--network", "out", "--percent-of-medicare", "1.5"),
    ):
        code, file, *options = args
        result = aso("fees", "import", DATA / file, "--schedule", code, *options)
        assert result.exit_code == 0, result.stderr


def test_import_show_and_list(database: str) -> None:
    import_fees()
    imported = aso("providers", "import", DATA / "providers.csv", "--json")
    assert imported.exit_code == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert (summary["providers_added"], summary["contracts_added"]) == (4, 3)
    assert summary["networks_added"] == ["PPO-OH", "RX-NET"]

    again = aso("providers", "import", DATA / "providers.csv")
    assert again.exit_code == 0 and "unchanged" in again.stdout

    shown = aso("providers", "show", "1234567893", "--date", "2026-03-01", "--json")
    assert shown.exit_code == 0
    lee = json.loads(shown.stdout)
    assert (lee["name"], lee["network_status"], lee["contracts"][0]["network"]) == (
        "Ann Lee MD",
        "in",
        "PPO-OH",
    )
    text = aso("providers", "show", "1234567893", "--date", "2026-03-01")
    assert "Ann Lee MD" in text.stdout and "in network on 2026-03-01" in text.stdout

    listed = aso("providers", "list", "--network", "rx-net", "--date", "2026-03-01", "--json")
    assert [p["npi"] for p in json.loads(listed.stdout)] == ["5550001114"]
    assert "5550001114" in aso("providers", "list").stdout

    fees = aso("fees", "show", "MED-2026", "--json")
    assert fees.exit_code == 0
    assert json.loads(fees.stdout)["percent_of_medicare"] == "1.2"
    assert "1500.00" in aso("fees", "show", "med-2026").stdout
    listed_fees = json.loads(aso("fees", "list", "--json").stdout)
    assert [(s["code"], s["contracts"]) for s in listed_fees] == [
        ("MED-2026", 2),
        ("OON", 0),
        ("RX-2026", 1),
    ]


def test_a_rejected_file_lists_every_row_and_imports_nothing(database: str, tmp_path: Path) -> None:
    import_fees()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        (DATA / "providers.csv")
        .read_text()
        .replace("1234567893", "1234567890")
        .replace("RX-2026", "RX-2025")
    )
    rejected = aso("providers", "import", bad)
    assert rejected.exit_code == 1
    assert rejected.stdout == ""
    assert rejected.stderr.splitlines() == [
        "row 2, npi: 1234567890 fails the NPI check digit (the last digit would be 3)",
        "row 4, fee_schedule: no fee schedule RX-2025 (import it first: aso fees import)",
        "bad.csv: rejected with 2 problem(s); nothing was imported",
    ]
    as_json = aso("providers", "import", bad, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["accepted"] is False
    assert report["errors"] == rejected.stderr.splitlines()[:2]
    assert json.loads(aso("providers", "list", "--json").stdout) == []

    bad_rates = tmp_path / "rates.csv"
    bad_rates.write_text("procedure,amount\n99213,95\n99213,96\n")
    fees = aso("fees", "import", bad_rates, "--schedule", "MED-2026", "--network", "in")
    assert fees.exit_code == 1
    assert fees.stderr.splitlines()[0] == "row 3, procedure: 99213 is already priced on row 2"
    med = json.loads(aso("fees", "show", "MED-2026", "--json").stdout)
    assert len(med["rates"]) == 5 and med["percent_of_medicare"] == "1.2"


def test_unreadable_files_and_bad_options_exit_2(database: str, tmp_path: Path) -> None:
    missing = aso("providers", "import", tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00npi")
    not_text = aso("providers", "import", binary, "--json")
    assert not_text.exit_code == 2 and "not UTF-8 text" in not_text.stderr
    assert not_text.stdout == ""
    options = aso(
        "fees",
        "import",
        DATA / "med-2026.csv",
        "--schedule",
        "MED",
        "--network",
        "in",
        "--percent-of-medicare",
        "lots",
    )
    assert options.exit_code == 2
    assert "percent_of_medicare: not a share (e.g. 0.6 or 60%)" in options.stderr
    assert aso("fees", "import", DATA / "med-2026.csv", "--schedule", "MED").exit_code == 2


def test_show_what_is_not_there(database: str) -> None:
    unknown = aso("providers", "show", "1000000004")
    assert unknown.exit_code == 1 and "no provider with NPI 1000000004" in unknown.stderr
    malformed = aso("providers", "show", "1000000005")
    assert malformed.exit_code == 2 and "fails the NPI check digit" in malformed.stderr
    assert aso("fees", "show", "NOPE").exit_code == 1
