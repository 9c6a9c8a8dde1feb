"""Loading and saving claims, their versions and accumulator entries. Never commits.

Queries the batch runs over many rows select plain columns (money as integer cents) and build
engine values with ``aso.claims.stored``; lists of ids are sent in chunks so a query never
carries more parameters than a database accepts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    Table,
    and_,
    delete,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from aso.claims.bulk import Bulk
from aso.claims.domain import AccumulatorEntry, ClaimLine, ClaimResult, LineResult, Provider
from aso.claims.models import (
    AccumulatorAdjustmentRow,
    AccumulatorEntryRow,
    AccumulatorTotalRow,
    ClaimDocumentRow,
    ClaimLineRow,
    ClaimRow,
    ClaimVersionRow,
    LineResultRow,
    ResultAdjustmentRow,
    units_from_e4,
)
from aso.claims.stored import (
    CLAIM_COLUMNS,
    CLAIM_STATUS_ENGINE,
    LINE_COLUMNS,
    RESULT_COLUMNS,
    ClaimReader,
    StoredClaim,
    adjustment,
    claim_line,
    engine_entry,
    line_result,
)
from aso.db.base import Base
from aso.members.models import Member as MemberRow

T = TypeVar("T")
CHUNK = 500


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[str(model.__tablename__)]


CLAIMS = _table(ClaimRow)
LINES = _table(ClaimLineRow)
DOCUMENTS = _table(ClaimDocumentRow)
VERSIONS = _table(ClaimVersionRow)
RESULTS = _table(LineResultRow)
ADJUSTMENTS = _table(ResultAdjustmentRow)
ENTRIES = _table(AccumulatorEntryRow)
MANUAL = _table(AccumulatorAdjustmentRow)
TOTALS = _table(AccumulatorTotalRow)


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _raw(table: Any, names: Sequence[str]) -> list[Any]:
    """Columns as the driver returns them: money and units as plain integers."""
    columns = []
    for name in names:
        column = table.c[name]
        if name.endswith(("_cents", "_e4")):
            columns.append(type_coerce(column, BigInteger).label(name))
        else:
            columns.append(column)
    return columns


# intake -------------------------------------------------------------------------------------


def normalized_member_number(text: str) -> str:
    """A member id as members are looked up (``aso.members.repository.member_by_number``)."""
    return text.strip().upper()


@dataclass(frozen=True, slots=True)
class KnownMember:
    id: int
    employer_id: int
    family_id: int


def members_by_number(session: Session, numbers: Collection[str]) -> dict[str, KnownMember]:
    """Members by (normalized) public id, of those that exist."""
    wanted = {normalized_member_number(number) for number in numbers}
    found = {}
    for batch in chunks(wanted):
        for pk, number, employer, subscriber in session.execute(
            select(
                MemberRow.id,
                MemberRow.member_number,
                MemberRow.employer_id,
                MemberRow.subscriber_id,
            ).where(MemberRow.member_number.in_(batch))
        ):
            found[number] = KnownMember(pk, employer, subscriber or pk)
    return found


def claims_on_file(
    session: Session, numbers: Collection[str]
) -> dict[tuple[str, str], list[tuple[int, str, int, str]]]:
    """(id, fingerprint, frequency, status) of stored claims by (submitter, public id), in
    intake order, for the given public ids."""
    found: dict[tuple[str, str], list[tuple[int, str, int, str]]] = defaultdict(list)
    for batch in chunks(numbers):
        for pk, number, submitter, sha, frequency, status in session.execute(
            select(
                ClaimRow.id,
                ClaimRow.claim_number,
                ClaimRow.submitter,
                ClaimRow.content_sha256,
                ClaimRow.frequency,
                ClaimRow.status,
            )
            .where(ClaimRow.claim_number.in_(batch))
            .order_by(ClaimRow.sequence)
        ):
            found[(submitter, number)].append((pk, sha, frequency, status))
    return dict(found)


# the queue of received claims -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueuedFamily:
    """Received claims of one family (or one claim of an unknown member), in batch order."""

    employer_id: int | None
    family_id: int | None
    claim_ids: tuple[int, ...]


def received_queue(
    session: Session,
    *,
    employer_id: int | None = None,
    family_ids: Collection[int] | None = None,
    limit: int | None = None,
    received_through: date | None = None,
) -> list[QueuedFamily]:
    """Families with received claims, each with its claims in order of receipt, then intake
    sequence (DESIGN 6.1). ``limit`` caps the claims taken, never splitting a family;
    ``received_through`` takes only claims received by that day."""
    query = (
        select(ClaimRow.id, ClaimRow.employer_id, ClaimRow.family_id)
        .where(ClaimRow.status == "received")
        .order_by(ClaimRow.employer_id, ClaimRow.family_id, ClaimRow.received, ClaimRow.sequence)
    )
    if employer_id is not None:
        query = query.where(ClaimRow.employer_id == employer_id)
    if family_ids is not None:
        query = query.where(ClaimRow.family_id.in_(list(family_ids)))
    if received_through is not None:
        query = query.where(ClaimRow.received <= received_through)
    families: dict[tuple[int | None, int | None, int], list[int]] = {}
    for claim_id, employer, family in session.execute(query):
        key = (employer, family, 0 if family is not None else claim_id)
        families.setdefault(key, []).append(claim_id)
    queue: list[QueuedFamily] = []
    taken = 0
    for (employer, family, _), ids in families.items():
        if limit is not None and taken >= limit:
            break
        queue.append(QueuedFamily(employer, family, tuple(ids)))
        taken += len(ids)
    return queue


def lock_families(session: Session, family_ids: Sequence[int], claim_ids: Sequence[int]) -> None:
    """Lock the families' subscriber rows (and claims of unknown members), in id order, until
    the transaction ends: one batch at a time adjudicates a family (PostgreSQL; SQLite lets one
    writer in at a time anyway). ``FOR NO KEY UPDATE`` still lets others refer to the rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model, ids in ((MemberRow, family_ids), (ClaimRow, claim_ids)):
        for batch in chunks(sorted(ids), 5_000):
            session.execute(
                select(model.id)
                .where(model.id.in_(batch))
                .order_by(model.id)
                .with_for_update(key_share=True)
            ).all()


# claims and lines -----------------------------------------------------------------------------


def current_version() -> ColumnElement[bool]:
    """Joins a claim to its current version (the one every reader of results wants)."""
    return and_(
        ClaimVersionRow.claim_id == ClaimRow.id,
        ClaimVersionRow.version == ClaimRow.current_version,
    )


CLAIMS_SQL = f"SELECT {', '.join(CLAIM_COLUMNS)} FROM claims WHERE id = {{ids}}"
LINES_SQL = (
    f"SELECT {', '.join(LINE_COLUMNS)} FROM claim_lines WHERE claim_id = {{ids}} "
    "ORDER BY claim_id, line"
)


def load_claims(
    session: Session,
    claim_ids: Sequence[int],
    members: Mapping[int, str] | None = None,
    provider: Callable[[Provider], Provider] | None = None,
) -> dict[int, StoredClaim]:
    """Claims with their lines, by id (read through the driver: a batch reads many). Known
    members go by ``members`` (their canonical number) and providers by ``provider``."""
    bulk = Bulk(session)
    day = bulk.date
    reader = ClaimReader(members or {}, provider or _as_stated, day)
    units_cache: dict[int, Any] = {}

    def units(value: int) -> Any:
        found = units_cache.get(value)
        if found is None:
            found = units_cache[value] = units_from_e4(value)
        return found

    lines: dict[int, list[ClaimLine]] = defaultdict(list)
    for row in bulk.fetch(LINES_SQL, claim_ids):
        lines[row[0]].append(claim_line(row, units, day))
    return {
        row[0]: reader.claim(row, lines.get(row[0], ()))
        for row in bulk.fetch(CLAIMS_SQL, claim_ids)
    }


def _as_stated(provider: Provider) -> Provider:
    return provider


def prior_claims(session: Session, family_ids: Collection[int]) -> dict[int, list[int]]:
    """Claims of the families already adjudicated, by family, in intake order."""
    found: dict[int, list[int]] = defaultdict(list)
    for batch in chunks(family_ids):
        for claim_id, family in session.execute(
            select(ClaimRow.id, ClaimRow.family_id)
            .where(
                ClaimRow.family_id.in_(batch),
                ClaimRow.status != "received",
                ClaimRow.current_version > 0,
            )
            .order_by(ClaimRow.sequence)
        ):
            if family is not None:
                found[family].append(claim_id)
    return found


def current_results(
    session: Session, claims: Mapping[int, StoredClaim], plan_names: Mapping[int, str]
) -> dict[int, ClaimResult]:
    """The result of each claim's current version (what a later claim is checked against)."""
    versions: dict[int, tuple[int, str]] = {}
    for batch in chunks(claims):
        for version_id, claim_id, status in session.execute(
            select(ClaimVersionRow.id, ClaimVersionRow.claim_id, ClaimVersionRow.status)
            .join(ClaimRow, ClaimRow.id == ClaimVersionRow.claim_id)
            .where(
                ClaimVersionRow.claim_id.in_(batch),
                ClaimVersionRow.version == ClaimRow.current_version,
            )
        ):
            versions[version_id] = (claim_id, status)
    lines = _version_lines(session, versions, plan_names)
    results = {}
    for version_id, (claim_id, status) in versions.items():
        stored = claims[claim_id]
        results[claim_id] = ClaimResult(
            claim=stored.claim.id,
            member=stored.claim.member,
            status=CLAIM_STATUS_ENGINE[status],
            lines=tuple(lines.get(version_id, ())),
            replaces=stored.claim.replaces,
        )
    return results


def _version_lines(
    session: Session, version_ids: Collection[int], plan_names: Mapping[int, str]
) -> dict[int, list[LineResult]]:
    names = RESULT_COLUMNS
    found: dict[int, list[LineResult]] = defaultdict(list)
    for batch in chunks(version_ids):
        adjustments = defaultdict(list)
        for version_id, line, group, carc, amount in session.execute(
            select(
                ADJUSTMENTS.c.version_id,
                ADJUSTMENTS.c.line,
                ADJUSTMENTS.c.group_code,
                ADJUSTMENTS.c.carc,
                type_coerce(ADJUSTMENTS.c.amount_cents, BigInteger),
            )
            .where(ADJUSTMENTS.c.version_id.in_(batch))
            .order_by(ADJUSTMENTS.c.version_id, ADJUSTMENTS.c.line, ADJUSTMENTS.c.seq)
        ):
            adjustments[(version_id, line)].append(adjustment(group, carc, amount))
        for row in session.execute(
            select(*_raw(RESULTS, names))
            .where(RESULTS.c.version_id.in_(batch))
            .order_by(RESULTS.c.version_id, RESULTS.c.line)
        ):
            key = (row[0], row[1])
            found[row[0]].append(line_result(tuple(row)[1:], adjustments.get(key, ()), plan_names))
    return found


def version_results(
    session: Session, version_ids: Collection[int], plan_names: Mapping[int, str]
) -> dict[int, list[LineResult]]:
    """Line results of the given versions, by version id."""
    return _version_lines(session, version_ids, plan_names)


# accumulator entries --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedEntry:
    """A stored entry as the engine's value, with its row id (what a reversal points to)."""

    id: int | None
    entry: AccumulatorEntry
    reversal_of: int | None


@dataclass(frozen=True, slots=True)
class Names:
    """Engine ids of database rows: members by id, plans by id."""

    members: Mapping[int, str]
    plans: Mapping[int, str]


def family_entries(
    session: Session, family_ids: Collection[int], names: Names
) -> dict[int, list[LoadedEntry]]:
    """Accumulator entries and manual adjustments of the families, by family."""
    found: dict[int, list[LoadedEntry]] = defaultdict(list)
    columns = (
        "id",
        "claim_id",
        "line",
        "reversal_of",
        "member_id",
        "family_id",
        "plan_id",
        "coverage",
        "accumulator_group",
        "network",
        "kind",
        "category",
        "amount_cents",
        "service_date",
        "period_start",
        "period_end",
    )
    for batch in chunks(family_ids):
        query = (
            select(*_raw(ENTRIES, columns), VERSIONS.c.claim_id.label("by"))
            .join(VERSIONS, VERSIONS.c.id == ENTRIES.c.version_id)
            .where(ENTRIES.c.family_id.in_(batch))
            .order_by(ENTRIES.c.id)
        )
        for row in session.execute(query):
            (pk, claim, line, reversal_of, member, family, plan, coverage, group, network,
             kind, category, amount, day, start, end, by) = row  # fmt: skip
            entry = engine_entry(
                claim=str(claim),
                line=line,
                member=names.members[member],
                family=names.members[family],
                kind=kind,
                amount_cents=amount,
                service_date=day,
                period=(start, end),
                plan=names.plans[plan],
                coverage=coverage,
                group=group,
                network=network,
                category=category,
                reversed_by=None if reversal_of is None else str(by),
            )
            found[family].append(LoadedEntry(pk, entry, reversal_of))
        for adjustment_row in manual_adjustments(session, batch):
            entry = manual_entry(adjustment_row, names)
            found[adjustment_row.family_id].append(LoadedEntry(None, entry, None))
    return found


def manual_adjustments(
    session: Session, family_ids: Collection[int]
) -> Sequence[AccumulatorAdjustmentRow]:
    return session.scalars(
        select(AccumulatorAdjustmentRow)
        .where(AccumulatorAdjustmentRow.family_id.in_(list(family_ids)))
        .order_by(AccumulatorAdjustmentRow.id)
    ).all()


def manual_entry(row: AccumulatorAdjustmentRow, names: Names) -> AccumulatorEntry:
    """An adjustment as the engine's entry: it counts like any other (claim ``adjustment:N``)."""
    return engine_entry(
        claim=f"adjustment:{row.id}",
        line=0,
        member=names.members[row.member_id],
        family=names.members[row.family_id],
        kind=row.kind,
        amount_cents=int(row.amount_cents * 100),
        service_date=row.effective_date,
        period=(row.period_start, row.period_end),
        plan=names.plans[row.plan_id],
        coverage=row.coverage,
        group=row.accumulator_group,
        network=row.network,
        category="",
        reversed_by=None,
    )


# running totals -------------------------------------------------------------------------------

TotalKey = tuple[str, int, str, str, str, date, date]
"""(scope, holder member id, kind, accumulator group, network, period start, period end)."""
TOTAL_KEY = (
    "scope",
    "holder_id",
    "kind",
    "accumulator_group",
    "network",
    "period_start",
    "period_end",
)


def add_to_totals(bulk: Bulk, deltas: Mapping[TotalKey, int]) -> None:
    """Add amounts (cents) to the running totals, creating the rows that do not exist.

    PostgreSQL takes the amounts by COPY into a temporary table and adds them in one statement;
    SQLite one upsert a row.
    """
    day = bulk.day
    rows = [
        (scope, holder, kind, group, network, day(start), day(end), amount)
        for (scope, holder, kind, group, network, start, end), amount in deltas.items()
        if amount
    ]
    if not rows:
        return
    keys = ", ".join(TOTAL_KEY)
    upsert = (
        f"ON CONFLICT ({keys}) DO UPDATE SET "
        f"amount_cents = {TOTALS.name}.amount_cents + excluded.amount_cents"
    )
    raw = bulk.session.connection().connection.driver_connection
    assert raw is not None
    if bulk.postgres:
        raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {DELTAS} (LIKE {TOTALS.name}) ON COMMIT DROP")
        bulk.insert(TOTALS, (*TOTAL_KEY, "amount_cents"), rows, into=DELTAS)
        raw.execute(
            f"INSERT INTO {TOTALS.name} ({keys}, amount_cents) "
            f"SELECT {keys}, amount_cents FROM {DELTAS} {upsert}"
        )
        raw.execute(f"TRUNCATE {DELTAS}")
        return
    marks = ", ".join("?" for _ in range(len(TOTAL_KEY) + 1))
    sql = f"INSERT INTO {TOTALS.name} ({keys}, amount_cents) VALUES ({marks}) {upsert}"
    raw.executemany(sql, rows)


DELTAS = "accumulator_deltas"
"""PostgreSQL: a temporary table of the amounts a transaction adds to the running totals."""


def stored_totals(session: Session, holder_ids: Collection[int] | None) -> dict[TotalKey, int]:
    """The running totals (cents), of the given holders or of everyone."""
    query = select(*_raw(TOTALS, (*TOTAL_KEY, "amount_cents")))
    return {
        (scope, holder, kind, group, network, start, end): amount
        for scope, holder, kind, group, network, start, end, amount in _in_chunks(
            session, query, TOTALS.c.holder_id, holder_ids
        )
    }


def recomputed_totals(session: Session, member_ids: Collection[int] | None) -> dict[TotalKey, int]:
    """Deductible and out-of-pocket totals summed afresh from the entries and adjustments
    (cents), per member and per family, of the given members (and their families) or all."""
    totals: dict[TotalKey, int] = defaultdict(int)
    for table in (ENTRIES, MANUAL):
        for scope, holder in (("member", table.c.member_id), ("family", table.c.family_id)):
            dims = (
                holder,
                table.c.kind,
                table.c.accumulator_group,
                func.coalesce(table.c.network, ""),
                type_coerce(table.c.period_start, Date),
                type_coerce(table.c.period_end, Date),
            )
            query = (
                select(*dims, func.sum(type_coerce(table.c.amount_cents, BigInteger)))
                .where(table.c.kind.in_(("deductible", "out_of_pocket")))
                .group_by(*dims)
            )
            for holder_id, kind, group, network, start, end, amount in _in_chunks(
                session, query, holder, member_ids
            ):
                totals[(scope, holder_id, kind, group, network, start, end)] += int(amount)
    return {key: amount for key, amount in totals.items() if amount}


def _in_chunks(
    session: Session, query: Select[Any], column: Any, ids: Collection[int] | None
) -> Iterator[Any]:
    if ids is None:
        yield from session.execute(query)
        return
    for batch in chunks(ids):
        yield from session.execute(query.where(column.in_(batch)))


def replace_totals(
    session: Session, holder_ids: Collection[int] | None, totals: Mapping[TotalKey, int]
) -> None:
    """Replace the running totals of the holders (or all) with ``totals``."""
    if holder_ids is None:
        session.execute(delete(AccumulatorTotalRow))
    else:
        for batch in chunks(holder_ids):
            session.execute(
                delete(AccumulatorTotalRow).where(AccumulatorTotalRow.holder_id.in_(batch))
            )
    writer = Bulk(session)
    add_to_totals(writer, totals)


def member_totals(session: Session, member_id: int, family_id: int) -> dict[TotalKey, int]:
    """Running totals of a member and of its family."""
    query = select(*_raw(TOTALS, (*TOTAL_KEY, "amount_cents"))).where(
        or_(
            and_(TOTALS.c.scope == "member", TOTALS.c.holder_id == member_id),
            and_(TOTALS.c.scope == "family", TOTALS.c.holder_id == family_id),
        )
    )
    return {tuple(row[:-1]): row[-1] for row in session.execute(query)}
