"""The ledger: a double-entry journal of every money movement, per employer (DESIGN 8).

- ``domain``: the chart of accounts (the same accounts in every employer's books), journal
  entries and their checks (two legs or more, positive amounts in cents, debits equal credits),
  reversing entries, and the arithmetic of trial balances and account statements. Pure.
- ``models`` and ``ddl``: the two tables and the triggers by which the database itself refuses
  an unbalanced transaction, a leg added to a posted one, and any update or delete, on SQLite
  and PostgreSQL alike.
- ``repository`` and ``service``: writing entries (legs before their transaction row) and the
  use cases: post, reverse, trial balance, statement, with the role checks of DESIGN 1.

Entries are never edited; a correction is a reversing entry. The trial balance always nets to
zero.
"""
