"""Loading providers, contracts and fee schedules. Never commits.

Lookups by a file's keys go in chunks (``CHUNK`` values per ``IN`` list) so a large file costs
a few queries, not one per row. The pricing reference is loaded by plain column selects: no
ORM objects for what the engine reads in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload

from aso.claims.domain import ClaimType, Network
from aso.claims.pricing import DrugPrice, FeeSchedule, Rate, RateBasis
from aso.providers.domain import (
    ContractInEffect,
    DrugTerms,
    RateKey,
    RateTerms,
    ScheduleSettings,
    engine_rate,
    engine_schedule,
)
from aso.providers.models import (
    ContractRow,
    DrugPriceRow,
    FeeRateRow,
    FeeScheduleRow,
    NetworkRow,
    ProviderRow,
)

CHUNK = 500
NPI_CHUNK = 5000
"""NPIs per query of a batch's pricing reference (both databases take this many parameters)."""
T = TypeVar("T")


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def among(column: Any, values: Sequence[object]) -> ColumnElement[bool]:
    """``column IN (values)`` with the values written into the statement.

    A bound list of the same length repeats the same statement text, which psycopg prepares
    and PostgreSQL then runs with a generic plan: a linear search of the list for every row
    scanned, quadratic over a file. Literal values keep each lookup an index or hash probe.
    The values are the application's own (checked codes and ids).
    """
    condition: ColumnElement[bool] = column.in_(
        bindparam("among", list(values), expanding=True, literal_execute=True)
    )
    return condition


def in_effect(on: date) -> ColumnElement[bool]:
    """Contracts in effect on a date (the end date is the last day in effect)."""
    return and_(
        ContractRow.start_date <= on,
        or_(ContractRow.end_date.is_(None), ContractRow.end_date >= on),
    )


# providers and contracts ---------------------------------------------------------------------


def providers_by_npi(session: Session, npis: Collection[str]) -> dict[str, ProviderRow]:
    """The providers on file among ``npis``, locked (PostgreSQL) until the transaction ends, so
    that two imports touching the same providers check and write one after the other."""
    found: dict[str, ProviderRow] = {}
    for batch in chunks(sorted(npis)):
        rows = session.scalars(
            select(ProviderRow).where(among(ProviderRow.npi, batch)).with_for_update()
        )
        found.update((row.npi, row) for row in rows)
    return found


def provider_ids(session: Session, npis: Collection[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in chunks(sorted(npis)):
        query = select(ProviderRow.npi, ProviderRow.id).where(among(ProviderRow.npi, batch))
        found.update((npi, id_) for npi, id_ in session.execute(query))
    return found


def contracts_of(session: Session, provider_ids: Collection[int]) -> list[ContractRow]:
    """The contracts of these providers, with their network and fee schedule loaded."""
    found: list[ContractRow] = []
    for batch in chunks(sorted(provider_ids)):
        found += session.scalars(
            select(ContractRow)
            .where(among(ContractRow.provider_id, batch))
            .options(selectinload(ContractRow.network), selectinload(ContractRow.fee_schedule))
        )
    return found


def networks_by_code(session: Session, codes: Collection[str]) -> dict[str, NetworkRow]:
    found: dict[str, NetworkRow] = {}
    for batch in chunks(sorted(codes)):
        found.update(
            (row.code, row)
            for row in session.scalars(select(NetworkRow).where(among(NetworkRow.code, batch)))
        )
    return found


def provider(session: Session, npi: str) -> ProviderRow | None:
    return session.scalars(
        select(ProviderRow).where(ProviderRow.npi == npi).options(_with_contracts())
    ).one_or_none()


def list_providers(
    session: Session, *, network: str | None, on: date, limit: int, offset: int
) -> Sequence[ProviderRow]:
    """Providers by name; with ``network``, those with a contract in it in effect on ``on``."""
    query = select(ProviderRow)
    if network is not None:
        query = query.where(
            select(ContractRow.id)
            .join(NetworkRow, NetworkRow.id == ContractRow.network_id)
            .where(
                ContractRow.provider_id == ProviderRow.id,
                NetworkRow.code == network,
                in_effect(on),
            )
            .exists()
        )
    return session.scalars(
        query.options(_with_contracts())
        .order_by(ProviderRow.name, ProviderRow.npi)
        .limit(limit)
        .offset(offset)
    ).all()


def _with_contracts() -> Any:
    return selectinload(ProviderRow.contracts).options(
        selectinload(ContractRow.network), selectinload(ContractRow.fee_schedule)
    )


# fee schedules -------------------------------------------------------------------------------


def fee_schedule(session: Session, code: str) -> FeeScheduleRow | None:
    return session.scalars(select(FeeScheduleRow).where(FeeScheduleRow.code == code)).one_or_none()


def schedules_by_code(session: Session, codes: Collection[str]) -> dict[str, FeeScheduleRow]:
    found: dict[str, FeeScheduleRow] = {}
    for batch in chunks(sorted(codes)):
        found.update(
            (row.code, row)
            for row in session.scalars(
                select(FeeScheduleRow).where(among(FeeScheduleRow.code, batch))
            )
        )
    return found


def list_schedules(session: Session) -> Sequence[FeeScheduleRow]:
    return session.scalars(select(FeeScheduleRow).order_by(FeeScheduleRow.code)).all()


def counts(session: Session, column: Any) -> dict[int, int]:
    """Rows per fee schedule id (``column`` is a table's fee_schedule_id)."""
    rows = session.execute(select(column, func.count()).group_by(column))
    return {key: count for key, count in rows}


def contract_count(session: Session, schedule_id: int) -> int:
    return (
        session.scalar(select(func.count()).where(ContractRow.fee_schedule_id == schedule_id)) or 0
    )


def rate_rows(session: Session, schedule_id: int) -> Sequence[FeeRateRow]:
    return session.scalars(
        select(FeeRateRow).where(FeeRateRow.fee_schedule_id == schedule_id).order_by(FeeRateRow.id)
    ).all()


def drug_rows(session: Session, schedule_id: int) -> Sequence[DrugPriceRow]:
    return session.scalars(
        select(DrugPriceRow)
        .where(DrugPriceRow.fee_schedule_id == schedule_id)
        .order_by(DrugPriceRow.ndc)
    ).all()


def rate_key(row: FeeRateRow) -> RateKey:
    return RateKey(row.procedure, row.modifier, row.revenue_code, row.category)


def rate_terms(row: FeeRateRow) -> RateTerms:
    return RateTerms(RateBasis(row.basis), row.amount_cents)


def drug_terms(row: DrugPriceRow) -> DrugTerms:
    return DrugTerms(row.awp_millicents, row.mac_millicents)


def settings_of(row: FeeScheduleRow) -> ScheduleSettings:
    types = None
    if row.claim_types is not None:
        types = frozenset(ClaimType(t) for t in row.claim_types.split(",") if t)
    return ScheduleSettings(
        network=Network(row.network),
        name=row.name,
        claim_types=types,
        percent_of_charge=row.percent_of_charge_bp,
        percent_of_medicare=row.percent_of_medicare_bp,
        conversion_factor=row.conversion_factor_millicents,
        awp_discount=row.awp_discount_bp,
        dispensing_fee=row.dispensing_fee_cents,
    )


# the pricing reference -----------------------------------------------------------------------


def reference_providers(
    session: Session, on: date, npis: Collection[str] | None = None
) -> tuple[list[tuple[str, str, str]], list[ContractInEffect]]:
    """Every provider (npi, taxonomy, kind), or those of ``npis``, and its contracts in effect
    on ``on``, the latest start first (then by network code): one query (one per
    ``NPI_CHUNK`` NPIs when they are named)."""
    query = (
        select(ProviderRow.npi, ProviderRow.taxonomy, ProviderRow.kind, FeeScheduleRow.code)
        .select_from(ProviderRow)
        .outerjoin(ContractRow, and_(ContractRow.provider_id == ProviderRow.id, in_effect(on)))
        .outerjoin(NetworkRow, NetworkRow.id == ContractRow.network_id)
        .outerjoin(FeeScheduleRow, FeeScheduleRow.id == ContractRow.fee_schedule_id)
        .order_by(ProviderRow.id, ContractRow.start_date.desc(), NetworkRow.code)
    )
    if npis is None:
        queries = [query]
    else:
        batches = chunks(sorted(set(npis)), NPI_CHUNK)
        queries = [query.where(among(ProviderRow.npi, batch)) for batch in batches]
    providers: list[tuple[str, str, str]] = []
    contracts: list[ContractInEffect] = []
    for each in queries:
        last = None
        for npi, taxonomy, kind, schedule in session.execute(each):
            if npi != last:
                providers.append((npi, taxonomy, kind))
                last = npi
            if schedule is not None:
                contracts.append(ContractInEffect(npi, schedule))
    return providers, contracts


def contract_spans(
    session: Session, npis: Collection[str]
) -> tuple[dict[str, tuple[str, str]], dict[str, list[tuple[date, date | None]]]]:
    """Providers of ``npis`` on file (npi -> (taxonomy, kind)) and the (start, end) of every
    contract each holds, whatever its dates: one query per ``NPI_CHUNK`` NPIs."""
    providers: dict[str, tuple[str, str]] = {}
    spans: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for batch in chunks(sorted(set(npis)), NPI_CHUNK):
        query = (
            select(
                ProviderRow.npi,
                ProviderRow.taxonomy,
                ProviderRow.kind,
                ContractRow.start_date,
                ContractRow.end_date,
            )
            .select_from(ProviderRow)
            .outerjoin(ContractRow, ContractRow.provider_id == ProviderRow.id)
            .where(among(ProviderRow.npi, batch))
        )
        for npi, taxonomy, kind, start, end in session.execute(query):
            providers[npi] = (taxonomy, kind)
            if start is not None:
                spans[npi].append((start, end))
    return providers, dict(spans)


def engine_schedules(session: Session, codes: Collection[str]) -> dict[str, FeeSchedule]:
    """The engine's ``FeeSchedule`` (``npi`` None) of the named schedules and of every
    out-of-network one, with their rates and drug prices: three queries."""
    wanted = set(codes)
    rows = [
        row
        for row in session.scalars(select(FeeScheduleRow).order_by(FeeScheduleRow.code))
        if row.code in wanted or row.network == Network.OUT.value
    ]
    rates: dict[int, list[Rate]] = defaultdict(list)
    drugs: dict[int, list[DrugPrice]] = defaultdict(list)
    for batch in chunks([row.id for row in rows]):
        for schedule_id, procedure, modifier, revenue, category, basis, amount in session.execute(
            select(
                FeeRateRow.fee_schedule_id,
                FeeRateRow.procedure,
                FeeRateRow.modifier,
                FeeRateRow.revenue_code,
                FeeRateRow.category,
                FeeRateRow.basis,
                FeeRateRow.amount_cents,
            )
            .where(among(FeeRateRow.fee_schedule_id, batch))
            .order_by(FeeRateRow.id)
        ):
            key = RateKey(procedure, modifier, revenue, category)
            rates[schedule_id].append(engine_rate(key, RateTerms(RateBasis(basis), amount)))
        for schedule_id, ndc, awp, mac in session.execute(
            select(
                DrugPriceRow.fee_schedule_id,
                DrugPriceRow.ndc,
                DrugPriceRow.awp_millicents,
                DrugPriceRow.mac_millicents,
            )
            .where(among(DrugPriceRow.fee_schedule_id, batch))
            .order_by(DrugPriceRow.id)
        ):
            drugs[schedule_id].append(DrugPrice(ndc, awp, mac))
    return {
        row.code: engine_schedule(
            row.code, settings_of(row), tuple(rates[row.id]), tuple(drugs[row.id])
        )
        for row in rows
    }
