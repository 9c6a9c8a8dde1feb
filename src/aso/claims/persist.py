"""Storing a chunk of decided claims in bulk: a new version per claim with its line results and
adjustments, the accumulator entries (a reversal pointing to the entry it cancels), the running
totals, and each claim's status (the claim a void or replacement corrects becomes ``voided``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims.bulk import Bulk, Row
from aso.claims.domain import AccumulatorEntry, Kind
from aso.claims.family_run import Decided
from aso.claims.reference_data import EmployerReference
from aso.claims.repository import TotalKey
from aso.claims.stored import (
    ADJUSTMENT_COLUMNS,
    CLAIM_STATUS_STORED,
    ENTRY_COLUMNS,
    RESULT_COLUMNS,
    VALUE,
    EntryKey,
    cents,
    entry_key,
    result_rows,
)
from aso.db.base import utcnow

TOTAL_KINDS = frozenset({Kind.DEDUCTIBLE, Kind.OUT_OF_POCKET})
VERSION_COLUMNS = (
    "id",
    "claim_id",
    "version",
    "status",
    "action",
    "note",
    "adjudicated_at",
    "adjudicated_by",
)
STATUS_COLUMNS = (("status", "text"), ("current_version", "int"))


@dataclass(slots=True)
class Written:
    """Counts of what a chunk stored."""

    claims: int = 0
    lines: int = 0
    claim_statuses: Counter[str] = field(default_factory=Counter)
    line_statuses: Counter[str] = field(default_factory=Counter)


def write_decided(
    session: Session,
    reference: EmployerReference,
    decided: Sequence[Decided],
    actor: str,
    at: datetime | None = None,
) -> Written:
    """Store the chunk's versions, results, adjustments, entries, totals and statuses; the
    versions are stamped ``at`` (now by default)."""
    rows = _Rows(Bulk(session), reference, decided, actor, at or utcnow())
    rows.build()
    rows.write()
    return rows.written


class _Rows:
    def __init__(
        self,
        bulk: Bulk,
        reference: EmployerReference,
        decided: Sequence[Decided],
        actor: str,
        at: datetime,
    ) -> None:
        self.bulk = bulk
        self.reference = reference
        self.decided = decided
        self.actor = actor
        self.at = at
        self.versions: list[Row] = []
        self.results: list[Row] = []
        self.adjustments: list[Row] = []
        self.entries: list[Row] = []
        self.statuses: list[Row] = []
        self.voided: list[Row] = []
        self.totals: Counter[TotalKey] = Counter()
        self.written = Written()

    def build(self) -> None:
        bulk = self.bulk
        stamp = bulk.stamp(self.at)
        version_ids = iter(bulk.allocate_ids(repo.VERSIONS, len(self.decided)))
        count = sum(len(item.result.entries) for item in self.decided)
        entry_ids = iter(bulk.allocate_ids(repo.ENTRIES, count))
        plan_ids = self.reference.plans.database_id
        written = self.written
        for item in self.decided:
            stored, result = item.stored, item.result
            version_id = next(version_ids)
            status = CLAIM_STATUS_STORED[result.status]
            version = stored.version + 1
            self.versions.append(
                (version_id, stored.pk, version, status, item.action, item.note, stamp, self.actor)
            )
            self.statuses.append((stored.pk, status, version))
            if result.replaces is not None:
                self.voided.append((int(result.replaces), "voided"))
            result_rows(version_id, result.lines, plan_ids, self.results, self.adjustments)
            for entry in result.entries:
                self.entries.append(self._entry(next(entry_ids), version_id, entry, item.live))
            written.claims += 1
            written.lines += len(result.lines)
            written.claim_statuses[status] += 1
            written.line_statuses.update(VALUE[line.status] for line in result.lines)

    def write(self) -> None:
        bulk = self.bulk
        bulk.insert(repo.VERSIONS, VERSION_COLUMNS, self.versions)
        bulk.insert(repo.RESULTS, RESULT_COLUMNS, self.results)
        bulk.insert(repo.ADJUSTMENTS, ADJUSTMENT_COLUMNS, self.adjustments)
        bulk.insert(repo.ENTRIES, ENTRY_COLUMNS, self.entries)
        bulk.update(repo.CLAIMS, "id", STATUS_COLUMNS, self.statuses)
        bulk.update(repo.CLAIMS, "id", STATUS_COLUMNS[:1], self.voided)
        repo.add_to_totals(bulk, self.totals)

    def _entry(
        self,
        entry_id: int,
        version_id: int,
        entry: AccumulatorEntry,
        live: dict[EntryKey, list[int]] | None,
    ) -> Row:
        reference = self.reference
        member = reference.member_pk[entry.member]
        family = reference.member_pk[entry.family]
        amount = cents(entry.amount)
        reversal_of = None if live is None else _link(entry_id, entry, live)
        network = None if entry.network is None else VALUE[entry.network]
        kind = VALUE[entry.kind]
        if entry.kind in TOTAL_KINDS:
            tail = (kind, entry.group, network or "")
            period = (entry.period_start, entry.period_end)
            self.totals[("member", member, *tail, *period)] += amount
            self.totals[("family", family, *tail, *period)] += amount
        day = self.bulk.day
        return (
            entry_id,
            version_id,
            int(entry.claim),
            entry.line,
            reversal_of,
            member,
            family,
            reference.plans.database_id[entry.plan],
            VALUE[entry.coverage],
            entry.group,
            network,
            kind,
            entry.category,
            amount,
            day(entry.service_date),
            day(entry.period_start),
            day(entry.period_end),
        )


def _link(entry_id: int, entry: AccumulatorEntry, live: dict[EntryKey, list[int]]) -> int | None:
    """The entry a reversal cancels (and the reversal's own id joins ``live`` if it is not one)."""
    if entry.reversed_by is None:
        live.setdefault(entry_key(entry, entry.amount), []).append(entry_id)
        return None
    originals = live.get(entry_key(entry, -entry.amount))
    if not originals:
        raise RuntimeError(f"no stored entry of claim {entry.claim} for this reversal: {entry}")
    return originals.pop(0)
