"""``aso edi answer FILE`` (``aso.cli.edi_answer.answer``) run as a command in a process of its
own on a fresh SQLite database: the answer alone on stdout (or in ``--output``), exit 0 when the
request is answered, 1 when it is rejected (999, TA1), 2 when it is not a real-time inquiry.

The function is mounted on a Typer app of its own here: ``aso.cli.edi`` registers it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from aso.bootstrap import migrate
from tests.integration.realtime_builders import inquiry_270, segments
from tests.unit.edi_builders import swap

RUN = (
    "import typer; from aso.cli.edi_answer import answer; "
    "app = typer.Typer(); app.command()(answer); app()"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'aso.db'}"
    migrate(url)
    return {
        **os.environ,
        "ASO_DATABASE_URL": url,
        "ASO_VAR_DIR": str(tmp_path / "var"),
        "ASO_SSN_KEY": Fernet.generate_key().decode(),
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_270_is_answered_on_stdout_or_in_a_file(tmp_path: Path, env: dict[str, str]) -> None:
    request = tmp_path / "inquiry.x12"
    request.write_text(inquiry_270("M000000018"))
    done = run(env, str(request))
    assert done.returncode == 0, done.stderr
    found = segments(done.stdout)
    assert found[0].startswith("ISA*") and found[-1].startswith("IEA*1*")
    assert "AAA*Y**75*C" in found
    output = tmp_path / "answer.x12"
    again = run(env, str(request), "--output", str(output))
    assert again.returncode == 0 and again.stdout == ""
    assert "AAA*Y**75*C" in segments(output.read_text())


def test_a_rejected_request_exits_1_and_what_is_no_inquiry_exits_2(
    tmp_path: Path, env: dict[str, str]
) -> None:
    broken = tmp_path / "broken.x12"
    broken.write_text(swap(inquiry_270("M000000018"), "IEA*1*", "IEA*3*"))
    done = run(env, str(broken))
    assert done.returncode == 1
    assert any(
        s.startswith("TA1*000000101*") and s.endswith("*R*021") for s in segments(done.stdout)
    )
    junk = tmp_path / "junk.x12"
    junk.write_text("hello")
    refused = run(env, str(junk))
    assert refused.returncode == 2 and refused.stdout == ""
    assert "not an X12 interchange" in refused.stderr
    missing = run(env, str(tmp_path / "nowhere.x12"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
