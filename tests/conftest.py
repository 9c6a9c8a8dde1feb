"""Fixtures shared by every tier.

Integration tests take the ``app`` (or ``uow``) fixture and run once on SQLite and once on
PostgreSQL. Each test runs inside an outer transaction that is rolled back afterwards, so a
use case's ``uow.commit()`` commits only a savepoint. PostgreSQL is the server on
127.0.0.1:5432 (override with ``ASO_TEST_PG_URL``); when it is unreachable its tests skip,
except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from aso.bootstrap import App, make_engine
from aso.config import Settings
from aso.db.models import metadata
from aso.db.uow import UnitOfWork

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "ASO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared, read in place; skips when absent, fails under CI=true."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if CI:
            pytest.fail(f"{path} is missing (CI needs ../shared beside the checkout)")
        pytest.skip(f"{path} is absent")
    return path


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def create_pg_database(name: str) -> str:
    """Create (afresh) a PostgreSQL database for tests and return its URL."""
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {exc.orig}"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(var_dir=var, ssn_key=Fernet.generate_key().decode(), database_url="")


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("sqlite") / "test.db"
    engine = make_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    name = f"aso_test_{_worker()}"
    engine = make_engine(create_pg_database(name))
    metadata.create_all(engine)
    yield engine
    engine.dispose()
    drop_pg_database(name)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_engine(request: pytest.FixtureRequest) -> Engine:
    fixture = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(fixture)
    return engine


@pytest.fixture
def app(db_engine: Engine, test_settings: Settings) -> Iterator[App]:
    """An App whose every session joins one outer transaction, rolled back after the test."""
    connection = db_engine.connect()
    outer = connection.begin()
    application = App(settings=test_settings, engine=db_engine)
    application.session_factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    try:
        yield application
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def uow(app: App) -> UnitOfWork:
    return app.uow()
