"""Reading the provider directory and fee schedules, and the pricing reference of a batch.

The directory is not PHI: any signed-in role may read it (the API checks the sign-in), and so
may fee schedules, whose in-network rates a plan publishes anyway (Transparency in Coverage,
29 CFR 2590.715-2715A3). Imports are in ``imports.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date

from aso.claims.domain import Network, Provider
from aso.db.uow import UnitOfWork
from aso.errors import NotFound, Problem, ValidationFailed
from aso.providers import repository as repo
from aso.providers.domain import (
    PricingReference,
    ProviderKind,
    Span,
    build_reference,
    normalize_network_code,
    normalize_npi,
    normalize_schedule_code,
)
from aso.providers.models import ContractRow, DrugPriceRow, FeeRateRow, ProviderRow
from aso.providers.schemas import (
    ContractRead,
    DrugPriceRead,
    FeeScheduleRead,
    FeeScheduleSummaryRead,
    ProviderRead,
    RateRead,
)

MAX_PAGE = 1000


def pricing_reference(
    *, uow: UnitOfWork, on: date | None = None, npis: Collection[str] | None = None
) -> PricingReference:
    """Everything the engine needs to price a batch on a date (today by default), in four
    queries whatever the batch size: load it once, then look providers up in memory.

    Each NPI on file, or each of ``npis`` (the batch's: a directory is much larger than what
    one batch touches), maps to the engine's ``Provider`` (in network when a contract is in
    effect on ``on``). The fee schedules are each contract's schedule narrowed to its provider
    (a provider with contracts in several networks lists the latest-starting first, which the
    engine prefers when both fit a claim; all of a schedule's values share one tuple of rates)
    and the out-of-network reference schedules.
    """
    day = on or date.today()
    with uow:
        session = uow.session
        providers, contracts = repo.reference_providers(session, day, npis)
        schedules = repo.engine_schedules(session, {c.schedule for c in contracts})
    return build_reference(on=day, providers=providers, contracts=contracts, schedules=schedules)


def directory_providers(
    *, uow: UnitOfWork, wanted: Collection[tuple[date, str]]
) -> dict[tuple[date, str], Provider]:
    """The directory's provider for each (service date, NPI) whose NPI is on file: in network
    when one of its contracts is in effect that day (DESIGN 3), with its taxonomy and kind.
    One query for all of them, however many days a file of claims spans."""
    if not wanted:
        return {}
    with uow:
        providers, spans = repo.contract_spans(uow.session, {npi for _, npi in wanted})
    found: dict[tuple[date, str], Provider] = {}
    for day, npi in wanted:
        if npi not in providers:
            continue
        taxonomy, kind = providers[npi]
        contracted = any(
            start <= day and (end is None or day <= end) for start, end in spans.get(npi, ())
        )
        network = Network.IN if contracted else Network.OUT
        found[(day, npi)] = Provider(network, npi, taxonomy, kind)
    return found


def get_provider(*, uow: UnitOfWork, npi: str, on: date | None = None) -> ProviderRead:
    """A provider with its contracts, and its network status on ``on`` (today by default)."""
    number = checked("npi", npi, normalize_npi)
    with uow:
        row = repo.provider(uow.session, number)
        if row is None:
            raise NotFound(f"no provider with NPI {number}")
        return provider_read(row, on or date.today())


def list_providers(
    *,
    uow: UnitOfWork,
    network: str | None = None,
    on: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ProviderRead]:
    """Providers by name; with ``network`` (a code), those in it on ``on`` (today)."""
    code = None if network is None else checked("network", network, normalize_network_code)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed([Problem("limit", f"between 1 and {MAX_PAGE}")])
    if offset < 0:
        raise ValidationFailed([Problem("offset", "must not be negative")])
    day = on or date.today()
    with uow:
        rows = repo.list_providers(uow.session, network=code, on=day, limit=limit, offset=offset)
        return [provider_read(row, day) for row in rows]


def get_fee_schedule(*, uow: UnitOfWork, code: str) -> FeeScheduleRead:
    """A fee schedule whole: settings, rates and drug prices."""
    wanted = checked("code", code, normalize_schedule_code)
    with uow:
        session = uow.session
        row = repo.fee_schedule(session, wanted)
        if row is None:
            raise NotFound(f"no fee schedule {wanted}")
        settings = repo.settings_of(row)
        return FeeScheduleRead(
            code=row.code,
            name=row.name,
            network=settings.network,
            claim_types=None
            if settings.claim_types is None
            else sorted(t.value for t in settings.claim_types),
            percent_of_charge=settings.percent_of_charge,
            percent_of_medicare=settings.percent_of_medicare,
            conversion_factor=settings.conversion_factor,
            awp_discount=settings.awp_discount,
            dispensing_fee=settings.dispensing_fee,
            contracts=repo.contract_count(session, row.id),
            rates=[_rate_read(r) for r in sorted(repo.rate_rows(session, row.id), key=_rate_order)],
            drugs=[_drug_read(d) for d in repo.drug_rows(session, row.id)],
        )


def list_fee_schedules(*, uow: UnitOfWork) -> list[FeeScheduleSummaryRead]:
    with uow:
        session = uow.session
        rates = repo.counts(session, FeeRateRow.fee_schedule_id)
        drugs = repo.counts(session, DrugPriceRow.fee_schedule_id)
        contracts = repo.counts(session, ContractRow.fee_schedule_id)
        return [
            FeeScheduleSummaryRead(
                code=row.code,
                name=row.name,
                network=Network(row.network),
                rates=rates.get(row.id, 0),
                drugs=drugs.get(row.id, 0),
                contracts=contracts.get(row.id, 0),
            )
            for row in repo.list_schedules(session)
        ]


def provider_read(row: ProviderRow, on: date) -> ProviderRead:
    contracts = [
        ContractRead(
            network=c.network.code,
            network_name=c.network.name,
            fee_schedule=c.fee_schedule.code,
            start=c.start_date,
            end=c.end_date,
            in_effect=Span(c.start_date, c.end_date).contains(on),
        )
        for c in row.contracts
    ]
    return ProviderRead(
        npi=row.npi,
        tin=row.tin,
        name=row.name,
        taxonomy=row.taxonomy,
        kind=ProviderKind(row.kind),
        address1=row.address1,
        address2=row.address2,
        city=row.city,
        state=row.state,
        zip=row.zip,
        as_of=on,
        network_status=Network.IN if any(c.in_effect for c in contracts) else Network.OUT,
        contracts=contracts,
    )


def _rate_read(row: FeeRateRow) -> RateRead:
    return RateRead(
        procedure=row.procedure or None,
        modifier=row.modifier or None,
        revenue_code=row.revenue_code or None,
        category=row.category or None,
        basis=row.basis,
        amount=row.amount_cents,
    )


def _rate_order(row: FeeRateRow) -> tuple[bool, str, str, bool, str, str]:
    """Procedures first, then revenue codes, then categories."""
    return (
        not row.procedure,
        row.procedure,
        row.modifier,
        not row.revenue_code,
        row.revenue_code,
        row.category,
    )


def _drug_read(row: DrugPriceRow) -> DrugPriceRead:
    return DrugPriceRead(ndc=row.ndc, awp=row.awp_millicents, mac=row.mac_millicents)


def checked(where: str, text: str, normalize: Callable[[str], str]) -> str:
    """``normalize(text)``, its ``ValueError`` turned into ``ValidationFailed`` at ``where``."""
    try:
        return normalize(text)
    except ValueError as exc:
        raise ValidationFailed([Problem(where, str(exc))]) from exc
