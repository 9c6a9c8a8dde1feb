"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, inspect, text

from aso.bootstrap import make_engine, migrate
from aso.db.models import metadata
from tests.conftest import _worker, create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"aso_migrations_{_worker()}"
    url = create_pg_database(name)
    yield url
    drop_pg_database(name)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_agree_with_models(fresh_url: str) -> None:
    """(Expression indexes cannot be compared by Alembic: ``test_expression_indexes_exist``.)"""
    migrate(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert set(metadata.tables) <= tables


def test_migrating_twice_is_harmless(fresh_url: str) -> None:
    migrate(fresh_url)
    migrate(fresh_url)


EXPRESSION_INDEXES = {"ix_members_name": "members"}


def test_expression_indexes_exist(fresh_url: str) -> None:
    migrate(fresh_url)
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                query = "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"
            else:
                query = "SELECT indexname, tablename FROM pg_indexes"
            found = {name: table for name, table in conn.execute(text(query))}
    finally:
        engine.dispose()
    assert {name: found.get(name) for name in EXPRESSION_INDEXES} == EXPRESSION_INDEXES
    declared = {
        index.name
        for table in metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(e, Column) for e in index.expressions)
    }
    assert declared == set(EXPRESSION_INDEXES)
