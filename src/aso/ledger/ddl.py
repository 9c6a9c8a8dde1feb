"""The triggers by which the database itself keeps the ledger balanced and immutable, for SQLite
and PostgreSQL, in one place: ``aso.ledger.models`` runs them after ``create_all`` and an
Alembic migration runs the same statements::

    from aso.ledger import ddl

    def upgrade() -> None:
        ...  # create ledger_transactions and ledger_legs
        for statement in ddl.create_statements(op.get_bind().dialect.name):
            op.execute(statement)

    def downgrade() -> None:
        for statement in ddl.drop_statements(op.get_bind().dialect.name):
            op.execute(statement)
        ...  # drop the tables

How they hold (the pattern is the same on both databases; SQLite has no deferred triggers):

- A transaction's legs are written first. Each refers to its transaction's ``key`` by a foreign
  key declared ``DEFERRABLE INITIALLY DEFERRED`` (SQLite checks those at commit when
  ``PRAGMA foreign_keys=ON``, as ``aso.bootstrap`` sets on every connection).
- The transaction row is written last: a BEFORE INSERT trigger refuses it unless at least two
  legs name its key and they sum to zero (debits, stored positive, equal credits, stored
  negative).
- A BEFORE INSERT trigger on legs refuses a leg for a key whose transaction is already there.
- At commit the deferred foreign key refuses any leg whose transaction was never written.
- BEFORE UPDATE and BEFORE DELETE triggers on both tables (and BEFORE TRUNCATE on PostgreSQL)
  refuse every change: a correction is a reversing entry.

Keys are random UUIDs made by the poster, unknown to anyone else until its transaction commits,
so a leg cannot slip into another poster's transaction between its header check and its commit.
On SQLite an ``INSERT OR REPLACE`` deletes the row it replaces without firing delete triggers
(unless ``recursive_triggers`` is on), so the insert triggers also refuse a row whose id or key
is already there. An Alembic batch operation on SQLite rebuilds a table and drops its triggers:
a later migration that alters these tables must run ``create_statements`` again. Migration
0005 runs these statements as they are: a change to them needs a new migration that drops and
creates them again.
"""

from __future__ import annotations

TABLES = ("ledger_transactions", "ledger_legs")
_REFUSE = "entries are immutable: post a reversing entry"

_SQLITE_IMMUTABLE = tuple(
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'ledger: {op} of {table} refused: {_REFUSE}'); END"
    for table in TABLES
    for op in ("UPDATE", "DELETE")
)

SQLITE: tuple[str, ...] = (
    """CREATE TRIGGER ledger_transactions_new BEFORE INSERT ON ledger_transactions
WHEN EXISTS (SELECT 1 FROM ledger_transactions WHERE id = NEW.id OR key = NEW.key)
BEGIN SELECT RAISE(ABORT, 'ledger: this transaction is already posted'); END""",
    """CREATE TRIGGER ledger_transactions_two_legs BEFORE INSERT ON ledger_transactions
WHEN (SELECT count(*) FROM ledger_legs WHERE transaction_key = NEW.key) < 2
BEGIN SELECT RAISE(ABORT,
    'ledger: a transaction needs at least two legs, written before it'); END""",
    """CREATE TRIGGER ledger_transactions_balanced BEFORE INSERT ON ledger_transactions
WHEN (SELECT coalesce(sum(amount_cents), 0) FROM ledger_legs
      WHERE transaction_key = NEW.key) <> 0
BEGIN SELECT RAISE(ABORT,
    'ledger: the legs of a transaction must balance (debits equal credits)'); END""",
    """CREATE TRIGGER ledger_legs_unposted BEFORE INSERT ON ledger_legs
WHEN EXISTS (SELECT 1 FROM ledger_transactions WHERE key = NEW.transaction_key)
  OR EXISTS (SELECT 1 FROM ledger_legs WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT,
    'ledger: a leg cannot be added to a posted transaction nor replace a leg'); END""",
    *_SQLITE_IMMUTABLE,
)

POSTGRESQL: tuple[str, ...] = (
    f"""CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % of % refused: {_REFUSE}', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$""",
    """CREATE FUNCTION ledger_check_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    leg_count bigint;
    net numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount_cents), 0) INTO leg_count, net
        FROM ledger_legs WHERE transaction_key = NEW.key;
    IF leg_count < 2 THEN
        RAISE EXCEPTION 'ledger: transaction % has % leg(s), it needs two or more', NEW.key,
            leg_count USING ERRCODE = 'check_violation';
    END IF;
    IF net <> 0 THEN
        RAISE EXCEPTION 'ledger: transaction % does not balance (debits - credits = % cents)',
            NEW.key, net USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$""",
    """CREATE FUNCTION ledger_check_leg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_transactions WHERE key = NEW.transaction_key) THEN
        RAISE EXCEPTION 'ledger: transaction % is posted, a leg cannot be added',
            NEW.transaction_key USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$""",
    """CREATE TRIGGER ledger_transactions_balanced BEFORE INSERT ON ledger_transactions
FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction()""",
    """CREATE TRIGGER ledger_legs_unposted BEFORE INSERT ON ledger_legs
FOR EACH ROW EXECUTE FUNCTION ledger_check_leg()""",
    *(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        for table in TABLES
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
        for table in TABLES
    ),
)

_SQLITE_TRIGGERS = (
    "ledger_transactions_new",
    "ledger_transactions_two_legs",
    "ledger_transactions_balanced",
    "ledger_legs_unposted",
    *(f"{table}_no_{op}" for table in TABLES for op in ("update", "delete")),
)
_PG_TRIGGERS = (
    ("ledger_transactions_balanced", "ledger_transactions"),
    ("ledger_legs_unposted", "ledger_legs"),
    *((f"{table}_{what}", table) for table in TABLES for what in ("immutable", "no_truncate")),
)
_PG_FUNCTIONS = ("ledger_check_transaction", "ledger_check_leg", "ledger_refuse_change")


def create_statements(dialect: str) -> tuple[str, ...]:
    """The statements that install the triggers, after both tables exist."""
    if dialect == "sqlite":
        return SQLITE
    if dialect == "postgresql":
        return POSTGRESQL
    raise ValueError(f"the ledger's triggers exist for sqlite and postgresql, not {dialect}")


def drop_statements(dialect: str) -> tuple[str, ...]:
    """The statements that remove them (before the tables are dropped)."""
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS)
    if dialect == "postgresql":
        triggers = tuple(f"DROP TRIGGER IF EXISTS {name} ON {on}" for name, on in _PG_TRIGGERS)
        return triggers + tuple(f"DROP FUNCTION IF EXISTS {name}()" for name in _PG_FUNCTIONS)
    raise ValueError(f"the ledger's triggers exist for sqlite and postgresql, not {dialect}")
