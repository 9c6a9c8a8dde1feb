"""A bad setting stops every command before it does anything, naming the variable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aso.cli.main import app as root
from aso.config import get_settings


@pytest.fixture
def fresh_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_a_bad_setting_is_named_and_nothing_runs(
    fresh_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASO_TPA_ACH_ORIGIN", "12")
    monkeypatch.setenv("ASO_TPA_INTERCHANGE_QUALIFIER", "XX")
    done = CliRunner().invoke(root, ["claims", "pended"])
    assert done.exit_code == 2
    assert "configuration: ASO_TPA_ACH_ORIGIN: 10 digits (e.g. '1' and the TPA's EIN)" in (
        done.output
    )
    assert "configuration: ASO_TPA_INTERCHANGE_QUALIFIER: 'XX' is not an ISA id qualifier" in (
        done.output
    )
    assert not fresh_settings.exists()
