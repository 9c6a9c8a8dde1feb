"""The one place that wires settings to engines, sessions and the schema.

Nothing connects at import: callers ask for an engine or a unit of work when they need one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from aso.config import Settings, get_settings
from aso.db.uow import UnitOfWork

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; let SQLAlchemy
    # emit BEGIN itself (see _sqlite_begin) so transactions and savepoints behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


SQLITE_BUSY_MS = 60_000
"""How long a SQLite transaction waits for another process's write transaction to end."""


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE: a transaction takes SQLite's one write lock when it begins, waiting its turn
    # (busy_timeout). A deferred one that read first and wrote later would fail at once with
    # "database is locked" whenever another process had written in between; with IMMEDIATE,
    # writers (a claims batch and an EDI import running side by side) simply take turns.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` through the Alembic migrations."""
    command.upgrade(alembic_config(url), revision)


class App:
    """Engine, session factory and settings for one process."""

    def __init__(self, settings: Settings | None = None, engine: Engine | None = None) -> None:
        self.settings = settings or get_settings()
        self.engine = engine or make_engine(self.settings.resolved_database_url())
        self.session_factory = make_session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def migrate(self) -> None:
        migrate(self.engine.url.render_as_string(hide_password=False))
