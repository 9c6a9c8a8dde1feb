"""``aso users create``: the password from stdin, never an argument; roles and scope checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aso.bootstrap import App
from aso.cli.main import app as root
from aso.config import get_settings
from aso.security.service import sign_in


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ASO_DATABASE_URL", f"sqlite:///{tmp_path / 'aso.db'}")
    monkeypatch.setenv("ASO_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_create_a_user_who_can_then_sign_in(database: None) -> None:
    done = CliRunner().invoke(
        root,
        ["users", "create", "alice", "--role", "examiner", "--password-stdin"],
        input="a long enough password\n",
    )
    assert done.exit_code == 0, done.output
    app = App()
    issued = sign_in(
        uow=app.uow(), username="alice", password="a long enough password", ttl_minutes=5
    )
    assert issued.principal.role.value == "examiner"
    app.engine.dispose()


def test_bad_users_are_refused_with_the_field_named(database: None) -> None:
    short = CliRunner().invoke(
        root, ["users", "create", "bob", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1
    assert "password: must be at least 10 characters" in short.output
    orphan = CliRunner().invoke(
        root,
        ["users", "create", "carol", "--role", "employer", "--password-stdin"],
        input="a long enough password\n",
    )
    assert orphan.exit_code == 1
    assert "employer: an employer user needs its employer" in orphan.output
    unknown = CliRunner().invoke(
        root,
        ["users", "create", "dave", "--role", "employer", "--employer", "31-1234567",
         "--password-stdin"],
        input="a long enough password\n",
    )  # fmt: skip
    assert unknown.exit_code == 1


def test_a_provider_user_acts_for_the_npis_it_is_given(database: None) -> None:
    def create(name: str, role: str, *options: str) -> tuple[int, str]:
        done = CliRunner().invoke(
            root,
            ["users", "create", name, "--role", role, *options, "--password-stdin"],
            input="a long enough password\n",
        )
        return done.exit_code, done.output

    code, output = create("office", "provider")
    assert code == 1 and "npi: a provider user needs the NPIs it acts for" in output
    code, output = create("office", "provider", "--npi", "1234567893", "--npi", "1234567890")
    assert code == 1
    assert "npi[1]: 1234567890 fails the NPI check digit (the last digit would be 3)" in output
    code, output = create("clerk", "examiner", "--npi", "1234567893")
    assert (
        code == 1 and "npi: only provider users act for providers; examiner users do not" in output
    )
    code, output = create("office", "provider", "--npi", "1234567893", "--npi", "1245319599")
    assert code == 0, output
    app = App()
    issued = sign_in(
        uow=app.uow(), username="office", password="a long enough password", ttl_minutes=5
    )
    assert issued.principal.npis == frozenset({"1234567893", "1245319599"})
    app.engine.dispose()
