"""Bulk reads and writes for the claims batch: the fastest path each database offers, inside the
session's transaction (so the unit of work still decides whether any of it is kept).

The ORM writes a few thousand rows a second and Core tens of thousands; a batch writes several
rows per claim line, so it goes through the driver: ``COPY ... FROM STDIN`` on PostgreSQL
(psycopg, binary format) and ``executemany`` on SQLite. Rows are plain tuples of database
values (integer cents, strings, dates), never Decimals or floats. Ids are allocated before the
rows are written (``allocate_ids``), so rows that refer to each other can be built in memory and
written in one pass. Large reads go through the driver too (``fetch``), skipping the per-value
processing of SQLAlchemy results; SQLite's dates come back as ISO text, parsed here once per
value.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect, Table, func, select, text
from sqlalchemy.orm import Session

from aso.db.base import UTCDateTime

Row = tuple[Any, ...]
SQLITE_CHUNK = 900
"""Ids per statement on SQLite (well under its limit on bound parameters)."""


class Bulk:
    """Reads and writes rows of one session's connection with the driver's bulk paths."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect
        self.postgres = self.dialect.name == "postgresql"
        self.day: Callable[[date], Any] = _same if self.postgres else _iso_day
        """A date as this database takes it."""
        self.date: Callable[[Any], date] = _same if self.postgres else _parse_day
        """A date as this database returns it, as a ``date``."""

    def _raw(self) -> Any:
        raw = self.session.connection().connection.driver_connection
        assert raw is not None
        return raw

    def fetch(self, sql: str, ids: Sequence[int]) -> list[Row]:
        """Rows of ``sql`` whose ``{ids}`` placeholder stands for the list of ids."""
        if not ids:
            return []
        raw = self._raw()
        if self.postgres:
            with raw.cursor() as cursor:
                cursor.execute(sql.replace("{ids}", "ANY(%s)"), (list(ids),))
                return list(cursor.fetchall())
        found: list[Row] = []
        for start in range(0, len(ids), SQLITE_CHUNK):
            batch = ids[start : start + SQLITE_CHUNK]
            marks = "(" + ", ".join("?" for _ in batch) + ")"
            found += raw.execute(sql.replace("= {ids}", f"IN {marks}"), batch).fetchall()
        return found

    def stamp(self, moment: datetime) -> Any:
        """A timestamp as this database stores a ``UTCDateTime`` column."""
        processor = UTCDateTime().dialect_impl(self.dialect).bind_processor(self.dialect)
        return moment if processor is None else processor(moment)

    def allocate_ids(self, table: Table, count: int) -> list[int]:
        """``count`` fresh ids for ``table`` (its ``id`` column).

        PostgreSQL takes them from the column's sequence, so concurrent writers never clash.
        SQLite has one writer at a time: the ids follow the largest in the table (a writer whose
        snapshot went stale fails to write rather than reuse an id).
        """
        if count <= 0:
            return []
        if self.postgres:
            sequence = self.session.scalar(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
            )
            ids = self.session.scalar(
                text(
                    "SELECT array_agg(nextval(CAST(:sequence AS regclass))) "
                    "FROM generate_series(1, :n)"
                ),
                {"sequence": sequence, "n": count},
            )
            return list(ids)
        top = self.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
        first = int(top or 0) + 1
        return list(range(first, first + count))

    def insert(
        self, table: Table, columns: Sequence[str], rows: Sequence[Row], into: str | None = None
    ) -> None:
        """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` (or into the
        table named ``into`` that has the same columns)."""
        if not rows:
            return
        raw = self._raw()
        names = ", ".join(columns)
        if self.postgres:
            sql = f"COPY {into or table.name} ({names}) FROM STDIN (FORMAT BINARY)"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                copy.set_types(_binary_types(table, tuple(columns), self.dialect))
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f"INSERT INTO {into or table.name} ({names}) VALUES ({marks})", rows)

    def update(
        self,
        table: Table,
        key: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Row],
    ) -> None:
        """Set ``columns`` (name, PostgreSQL type) of the rows whose ``key`` is given: each row
        is (key, *values). PostgreSQL takes them all in one statement (arrays unnested)."""
        if not rows:
            return
        raw = self._raw()
        names = [name for name, _ in columns]
        if self.postgres:
            arrays = ", ".join(f"%s::{kind}[]" for _, kind in (("", "bigint"), *columns))
            sets = ", ".join(f"{name} = v.{name}" for name in names)
            sql = (
                f"UPDATE {table.name} AS t SET {sets} "
                f"FROM unnest({arrays}) AS v({key}, {', '.join(names)}) "
                f"WHERE t.{key} = v.{key}"
            )
            with raw.cursor() as cursor:
                cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])
            return
        sets = ", ".join(f"{name} = ?" for name in names)
        raw.executemany(
            f"UPDATE {table.name} SET {sets} WHERE {key} = ?",
            [(*row[1:], row[0]) for row in rows],
        )


PG_BINARY = {
    "BIGINT": "int8",
    "INTEGER": "int4",
    "SMALLINT": "int2",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TEXT": "text",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


@lru_cache(maxsize=64)
def _binary_types(table: Table, columns: tuple[str, ...], dialect: Dialect) -> list[str]:
    """The PostgreSQL types a binary COPY sends the columns as (exactly the columns' own)."""
    found = []
    for name in columns:
        declared = table.c[name].type.compile(dialect=dialect)
        found.append("text" if declared.startswith("VARCHAR") else PG_BINARY[declared])
    return found


def _same(value: Any) -> Any:
    return value


@lru_cache(maxsize=8192)
def _parse_day(text: str) -> date:
    return date.fromisoformat(text)


@lru_cache(maxsize=8192)
def _iso_day(day: date) -> str:
    """SQLite keeps a ``Date`` as its ISO text, as SQLAlchemy writes and reads it."""
    return day.isoformat()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a bulk job holds many live objects (reference
    counting still frees everything it lets go of; the results hold no reference cycles):
    walking a chunk's million objects again and again would cost a quarter of the time. It
    runs again afterwards as it did before. Pauses the whole process: for commands and jobs,
    not inside a web server's request."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
