"""Importing the providers CSV and a fee schedule's CSV: all of it, or nothing.

Each use case checks the whole file first (the pure parse of ``provider_csv`` / ``fee_csv``,
then what needs the database: the fee schedules a contract names, contracts on file it would
overlap, a schedule that contracts use turning out of network) and raises
:class:`ImportRejected` listing every problem before anything is written. Otherwise it writes
in one transaction only what differs from what is on file, so the same file twice changes
nothing and an edited file updates records rather than adding others. Only administrators
import.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.claims.domain import Network
from aso.db.base import utcnow
from aso.db.uow import UnitOfWork
from aso.employers.service import require_admin
from aso.errors import Conflict, Problem, ValidationFailed
from aso.providers import repository as repo
from aso.providers.csvfile import row_number
from aso.providers.domain import (
    DrugTerms,
    ProviderRecord,
    RateKey,
    RateTerms,
    ScheduleSettings,
    Span,
    normalize_schedule_code,
)
from aso.providers.fee_csv import ParsedSchedule, ScheduleFile, parse_schedule_file
from aso.providers.models import (
    ContractRow,
    DrugPriceRow,
    FeeRateRow,
    FeeScheduleRow,
    NetworkRow,
    ProviderRow,
)
from aso.providers.provider_csv import (
    ContractOnFile,
    ParsedProviders,
    file_problems,
    parse_providers,
)
from aso.providers.schemas import FeeImportSummary, ProviderImportSummary
from aso.providers.service import checked
from aso.security import audit
from aso.security.domain import Principal


class ImportRejected(ValidationFailed):
    """A file with problems: nothing was imported. ``report`` is the summary to show, with
    every problem in ``errors``."""

    def __init__(
        self, problems: Sequence[Problem], report: ProviderImportSummary | FeeImportSummary
    ) -> None:
        ordered = sorted(problems, key=row_number)
        super().__init__(ordered, summary=f"{report.filename}: rejected, nothing imported")
        self.report = report.model_copy(
            update={"accepted": False, "errors": [str(p) for p in ordered]}
        )


# providers -----------------------------------------------------------------------------------


def import_providers(
    *, uow: UnitOfWork, actor: Principal, text: str, filename: str = "providers.csv"
) -> ProviderImportSummary:
    """Import a providers file (see ``provider_csv``): every row, or none."""
    require_admin(actor)
    parsed = parse_providers(text)
    summary = ProviderImportSummary(filename=filename, rows=parsed.row_count)
    with uow:
        writer = _ProvidersWriter(uow.session, parsed, summary)
        problems = parsed.problems + writer.problems()
        if problems:
            raise ImportRejected(problems, summary)
        try:
            providers, contracts = writer.write()
        except IntegrityError as exc:
            raise Conflict("another import changed the same providers: import again") from exc
        audit.record(uow.session, actor, "import", "provider", providers, filename)
        audit.record(uow.session, actor, "import", "contract", contracts, filename)
        uow.commit()
    return summary


class _ProvidersWriter:
    """What is on file for a providers file's keys, and the writes that bring it in line."""

    def __init__(
        self, session: Session, parsed: ParsedProviders, summary: ProviderImportSummary
    ) -> None:
        self.session = session
        self.parsed = parsed
        self.summary = summary
        self.schedules = repo.schedules_by_code(session, {c for _, c in parsed.schedule_refs})
        self.providers = repo.providers_by_npi(session, parsed.providers.keys())
        self.on_file = repo.contracts_of(session, [p.id for p in self.providers.values()])

    def problems(self) -> list[Problem]:
        npi_of = {p.id: p.npi for p in self.providers.values()}
        return file_problems(
            self.parsed,
            schedules={code: Network(row.network) for code, row in self.schedules.items()},
            on_file=[
                ContractOnFile(
                    npi_of[c.provider_id],
                    c.network.code,
                    Span(c.start_date, c.end_date),
                    c.fee_schedule.code,
                )
                for c in self.on_file
            ],
        )

    def write(self) -> tuple[list[str], list[str]]:
        """Apply the file: new rows by bulk statements (a directory runs to many thousands),
        changes through the loaded rows. What was added or changed, by NPI and by contract
        (``NPI/network/start``), for the audit log."""
        networks = self._networks()
        providers = self._providers()
        self.session.flush()
        ids = {npi: row.id for npi, row in self.providers.items()}
        ids |= repo.provider_ids(self.session, [n for n in providers if n not in ids])
        contracts = self._contracts(networks, ids)
        self.session.flush()
        return providers, contracts

    def _networks(self) -> dict[str, NetworkRow]:
        codes = {c.network for c in self.parsed.contracts}
        networks = repo.networks_by_code(self.session, codes)
        for code in sorted(codes):
            name = self.parsed.network_names.get(code)
            row = networks.get(code)
            if row is None:
                row = networks[code] = NetworkRow(code=code, name=name or code)
                self.session.add(row)
                self.summary.networks_added.append(code)
            elif name and row.name != name:
                self.summary.changes.append(f"network {code}: name {row.name!r} -> {name!r}")
                row.name = name
        self.session.flush()
        return networks

    def _providers(self) -> list[str]:
        touched: list[str] = []
        added: list[dict[str, Any]] = []
        summary = self.summary
        for npi, record in self.parsed.providers.items():
            row = self.providers.get(npi)
            if row is None:
                added.append({"npi": npi, **_provider_values(record)})
            elif changed := _assign(row, _provider_values(record)):
                summary.providers_updated += 1
                summary.changes.append(f"{npi}: {', '.join(changed)} updated")
            else:
                summary.providers_unchanged += 1
                continue
            touched.append(npi)
        _insert(self.session, ProviderRow, added)
        summary.providers_added = len(added)
        return touched

    def _contracts(self, networks: dict[str, NetworkRow], ids: dict[str, int]) -> list[str]:
        by_key = {(c.provider_id, c.network_id, c.start_date): c for c in self.on_file}
        touched: list[str] = []
        added: list[dict[str, Any]] = []
        summary = self.summary
        for contract in self.parsed.contracts:
            network = networks[contract.network]
            schedule = self.schedules[contract.schedule]
            key = f"{contract.npi}/{contract.network}/{contract.span.start}"
            row = by_key.get((ids[contract.npi], network.id, contract.span.start))
            if row is None:
                added.append(
                    {
                        "provider_id": ids[contract.npi],
                        "network_id": network.id,
                        "fee_schedule_id": schedule.id,
                        "start_date": contract.span.start,
                        "end_date": contract.span.end,
                    }
                )
            elif what := _contract_changes(row, contract.span, schedule):
                row.end_date = contract.span.end
                row.fee_schedule_id = schedule.id
                summary.contracts_updated += 1
                summary.changes.append(
                    f"{contract.npi}: contract with {contract.network} from "
                    f"{contract.span.start}: " + ", ".join(what)
                )
            else:
                summary.contracts_unchanged += 1
                continue
            touched.append(key)
        _insert(self.session, ContractRow, added)
        summary.contracts_added = len(added)
        return touched


def _insert(
    session: Session, model: type[ProviderRow | ContractRow], rows: list[dict[str, Any]]
) -> None:
    """A bulk INSERT of plain dicts: no ORM objects, no RETURNING."""
    now = utcnow()
    for batch in repo.chunks(rows, 5000):
        session.execute(insert(model), [{**r, "created_at": now, "updated_at": now} for r in batch])


def _provider_values(record: ProviderRecord) -> dict[str, Any]:
    address = record.address
    return {
        "tin": record.tin,
        "name": record.name,
        "taxonomy": record.taxonomy,
        "kind": record.kind.value,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "state": address.state,
        "zip": address.zip,
    }


def _assign(row: object, values: dict[str, Any]) -> list[str]:
    """Set the attributes that differ; their names."""
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    return changed


def _contract_changes(row: ContractRow, span: Span, schedule: FeeScheduleRow) -> list[str]:
    what = []
    if row.end_date != span.end:
        what.append(f"contract_end {row.end_date or 'open'} -> {span.end or 'open'}")
    if row.fee_schedule_id != schedule.id:
        what.append(f"fee_schedule {row.fee_schedule.code} -> {schedule.code}")
    return what


# fee schedules -------------------------------------------------------------------------------


def import_fee_schedule(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    settings: ScheduleSettings,
    text: str,
    filename: str = "fee_schedule.csv",
) -> FeeImportSummary:
    """Import a fee schedule's rates or drug prices with its settings (see ``fee_csv``): the
    schedule is created, or its settings and the list the file carries are replaced."""
    require_admin(actor)
    wanted = checked("schedule", code, normalize_schedule_code)
    parsed = parse_schedule_file(text)
    summary = FeeImportSummary(
        code=wanted, filename=filename, file=parsed.kind, rows=parsed.row_count
    )
    with uow:
        session = uow.session
        row = repo.fee_schedule(session, wanted)
        problems = list(parsed.problems)
        if row is not None and row.network == Network.IN.value and settings.network is Network.OUT:
            count = repo.contract_count(session, row.id)
            if count:
                problems.append(
                    Problem(
                        "network",
                        f"{count} contract(s) name {wanted}: it stays an in-network schedule",
                    )
                )
        if problems:
            raise ImportRejected(problems, summary)
        try:
            row = _schedule(session, wanted, row, settings, summary)
            if parsed.kind is ScheduleFile.RATES:
                _replace_rates(session, row.id, parsed, summary)
            else:
                _replace_drugs(session, row.id, parsed, summary)
        except IntegrityError as exc:
            raise Conflict(
                f"another import changed {wanted} at the same time: import again"
            ) from exc
        if summary.created or summary.settings_changed or _list_changed(summary):
            row.updated_at = utcnow()
            audit.record(session, actor, "import", "fee_schedule", [row.id], detail=filename)
        uow.commit()
    return summary


def _list_changed(summary: FeeImportSummary) -> bool:
    return bool(summary.added or summary.changed or summary.removed)


def _schedule(
    session: Session,
    code: str,
    row: FeeScheduleRow | None,
    settings: ScheduleSettings,
    summary: FeeImportSummary,
) -> FeeScheduleRow:
    values = {
        "name": settings.name,
        "network": settings.network.value,
        "claim_types": None
        if settings.claim_types is None
        else ",".join(sorted(t.value for t in settings.claim_types)),
        "percent_of_charge_bp": settings.percent_of_charge,
        "percent_of_medicare_bp": settings.percent_of_medicare,
        "conversion_factor_millicents": settings.conversion_factor,
        "awp_discount_bp": settings.awp_discount,
        "dispensing_fee_cents": settings.dispensing_fee,
    }
    if row is None:
        row = FeeScheduleRow(code=code, **values)
        session.add(row)
        session.flush()
        summary.created = True
        return row
    before = repo.settings_of(row).describe()
    after = settings.describe()
    summary.settings_changed = [
        f"{key}: {before[key] or 'none'} -> {after[key] or 'none'}"
        for key in after
        if before[key] != after[key]
    ]
    _assign(row, values)
    return row


def _replace_rates(
    session: Session, schedule_id: int, parsed: ParsedSchedule, summary: FeeImportSummary
) -> None:
    on_file = {repo.rate_key(r): r for r in repo.rate_rows(session, schedule_id)}
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for key, terms in parsed.rates.items():
        row = on_file.pop(key, None)
        if row is None:
            added.append({"fee_schedule_id": schedule_id, **_rate_values(key, terms)})
        elif repo.rate_terms(row) != terms:
            changed.append({"id": row.id, "basis": terms.basis.value, "amount_cents": terms.amount})
    _write(session, FeeRateRow, added, changed, [r.id for r in on_file.values()], summary)
    summary.unchanged = len(parsed.rates) - len(added) - len(changed)


def _rate_values(key: RateKey, terms: RateTerms) -> dict[str, Any]:
    return {
        "procedure": key.procedure,
        "modifier": key.modifier,
        "revenue_code": key.revenue_code,
        "category": key.category,
        "basis": terms.basis.value,
        "amount_cents": terms.amount,
    }


def _replace_drugs(
    session: Session, schedule_id: int, parsed: ParsedSchedule, summary: FeeImportSummary
) -> None:
    on_file = {d.ndc: d for d in repo.drug_rows(session, schedule_id)}
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for ndc, terms in parsed.drugs.items():
        row = on_file.pop(ndc, None)
        values = _drug_values(terms)
        if row is None:
            added.append({"fee_schedule_id": schedule_id, "ndc": ndc, **values})
        elif repo.drug_terms(row) != terms:
            changed.append({"id": row.id, **values})
    _write(session, DrugPriceRow, added, changed, [d.id for d in on_file.values()], summary)
    summary.unchanged = len(parsed.drugs) - len(added) - len(changed)


def _drug_values(terms: DrugTerms) -> dict[str, Decimal | None]:
    return {"awp_millicents": terms.awp, "mac_millicents": terms.mac}


def _write(
    session: Session,
    model: type[FeeRateRow] | type[DrugPriceRow],
    added: list[dict[str, Any]],
    changed: list[dict[str, Any]],
    removed: list[int],
    summary: FeeImportSummary,
) -> None:
    """Bulk statements (executemany), not one ORM object per row: schedules run to thousands
    of rates."""
    for batch in repo.chunks(removed):
        session.execute(delete(model).where(repo.among(model.id, batch)))
    if changed:
        session.execute(update(model), changed)
    if added:
        session.execute(insert(model), added)
    summary.added, summary.changed, summary.removed = len(added), len(changed), len(removed)
