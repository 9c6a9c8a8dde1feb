"""What an 835 export owes each payee: the claim versions due, who is paid for each, and each
version as the 835's ``ClaimPayment``. Reads only; never commits.

A version is due as a **payment** when it is its claim's current version, the claim stands
``approved`` or ``denied``, it was adjudicated in the export's window, and no remittance has
paid it yet. A version is due as a **reversal** when it was paid by an earlier remittance, has
not been reversed, and its claim has since been decided again (a later version of the same
claim: an examiner's decision, a reprocessing) or corrected (a replacement or a void naming it,
directly or through earlier corrections): X221A1 "Reversals and Corrections". The reversal goes
out with the decision that supersedes it, just before it: a replacement waits for its own
adjudication, so the payee sees the old payment taken back and the new one in the same 835. A
void has no payment of its own: it is due only for the reversals it causes. A version that was
never remitted is never reversed: the payee never heard of it.

The payee of a payment is the billing provider when its NPI is in the provider directory, and
otherwise (a provider not on file, a claim a member submitted) the member's subscriber, to be
reimbursed. A reversal goes to whoever was paid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, exists, select
from sqlalchemy.orm import Session, aliased

from aso.claims import repository as claims_repo
from aso.claims.domain import LineResult, LineStatus
from aso.claims.models import ClaimLineRow, ClaimRow, ClaimVersionRow
from aso.claims.stored import split_codes
from aso.edi.remittance_models import RemittanceRow, RemittedClaimRow
from aso.edi.x835 import (
    CLAIM_REMARKS,
    Address,
    ClaimPayment,
    ClaimStatusCode,
    Payee,
    Person,
    ServiceLine,
)
from aso.members.models import Member
from aso.money import ZERO
from aso.providers.models import ProviderRow

PAYABLE = ("approved", "denied")
STATUS_CODES = {"approved": ClaimStatusCode.PROCESSED_AS_PRIMARY, "denied": ClaimStatusCode.DENIED}
FILING_INDICATOR = "12"
"""CLP06: preferred provider organization (the plans price in-network services by contract)."""
VOID = 8
INPATIENT_FACILITIES = frozenset("1246")
INPATIENT_CLASSES = frozenset("12")
"""Type of bill digits of an inpatient stay: facility (hospital, skilled nursing, religious
non-medical, intermediate care) and classification 1 or 2 (inpatient, Part A or B)."""

PayeeKey = tuple[str, str]
"""(N103 qualifier, N104 identifier)."""
Window = tuple[datetime | None, datetime | None]
"""Adjudicated at or after the first, before the second (either open)."""


@dataclass(frozen=True, slots=True)
class Due:
    """A claim version an 835 carries: as adjudicated (a payment) or taken back (a reversal,
    with the payee it was paid to)."""

    version_id: int
    claim_id: int
    reversal: bool
    payee: PayeeKey | None = None


# what is due ----------------------------------------------------------------------------------


def due_versions(
    session: Session,
    *,
    employer_id: int,
    window: Window,
    version_ids: Collection[int] | None = None,
) -> list[Due]:
    """The payments and reversals an export owes, in claim intake order, each reversal just
    before the decision that causes it."""
    decided = _decided(session, employer_id, window, version_ids)
    chains = _chains(session, [claim_id for _, claim_id, _, _ in decided])
    remitted = _unreversed(session, {c for chain in chains.values() for c in chain})
    due: list[Due] = []
    reversed_ids: set[int] = set()
    for version_id, claim_id, frequency, _ in decided:
        for corrected in chains[claim_id]:
            for remitted_id, payee in remitted.get(corrected, ()):
                if remitted_id not in reversed_ids:
                    reversed_ids.add(remitted_id)
                    due.append(Due(remitted_id, corrected, True, payee))
        if frequency != VOID:
            due.append(Due(version_id, claim_id, False))
    return due


def _decided(
    session: Session, employer_id: int, window: Window, version_ids: Collection[int] | None
) -> list[tuple[int, int, int, int]]:
    """(version id, claim id, frequency, sequence) of the current versions decided in the
    window that no remittance has paid: approved or denied claims, and voids."""
    paid = exists().where(
        RemittedClaimRow.version_id == ClaimVersionRow.id, RemittedClaimRow.role == "payment"
    )
    payable = and_(ClaimRow.status.in_(PAYABLE), ClaimVersionRow.status.in_(PAYABLE))
    void = and_(
        ClaimRow.frequency == VOID, ClaimRow.status == "voided", ClaimVersionRow.status == "voided"
    )
    query = (
        select(ClaimVersionRow.id, ClaimRow.id, ClaimRow.frequency, ClaimRow.sequence)
        .join(ClaimRow, ClaimRow.id == ClaimVersionRow.claim_id)
        .where(
            ClaimRow.employer_id == employer_id,
            ClaimVersionRow.version == ClaimRow.current_version,
            payable | void,
            ~paid,
        )
    )
    since, until = window
    if since is not None:
        query = query.where(ClaimVersionRow.adjudicated_at >= since)
    if until is not None:
        query = query.where(ClaimVersionRow.adjudicated_at < until)
    queries = [query]
    if version_ids is not None:
        batches = claims_repo.chunks(sorted(version_ids))
        queries = [query.where(ClaimVersionRow.id.in_(batch)) for batch in batches]
    found = [
        (version_id, claim_id, frequency, sequence)
        for each in queries
        for version_id, claim_id, frequency, sequence in session.execute(each)
    ]
    return sorted(found, key=lambda row: row[3])


def _chains(session: Session, claim_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each claim with the claims it corrects, directly or through earlier corrections (a
    replacement of a replacement), itself first."""
    corrects: dict[int, int | None] = {}
    todo = set(claim_ids)
    while todo:
        for batch in claims_repo.chunks(sorted(todo)):
            query = select(ClaimRow.id, ClaimRow.replaces_id).where(ClaimRow.id.in_(batch))
            corrects.update((pk, replaces) for pk, replaces in session.execute(query))
        todo = {r for r in corrects.values() if r is not None and r not in corrects}
    chains = {}
    for claim_id in claim_ids:
        chain, current = [claim_id], corrects.get(claim_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = corrects.get(current)
        chains[claim_id] = chain
    return chains


def _unreversed(
    session: Session, claim_ids: Collection[int]
) -> dict[int, list[tuple[int, PayeeKey]]]:
    """Versions of the claims paid by a remittance and not reversed since, by claim, oldest
    first, with the payee they were paid to."""
    reversal = aliased(RemittedClaimRow)
    reversed_ = exists().where(
        reversal.version_id == RemittedClaimRow.version_id, reversal.role == "reversal"
    )
    found: dict[int, list[tuple[int, PayeeKey]]] = defaultdict(list)
    for batch in claims_repo.chunks(sorted(claim_ids)):
        query = (
            select(
                RemittedClaimRow.claim_id,
                RemittedClaimRow.version_id,
                RemittanceRow.payee_qualifier,
                RemittanceRow.payee_id,
            )
            .join(RemittanceRow, RemittanceRow.id == RemittedClaimRow.remittance_id)
            .where(
                RemittedClaimRow.claim_id.in_(batch),
                RemittedClaimRow.role == "payment",
                ~reversed_,
            )
            .order_by(RemittedClaimRow.version_id)
        )
        for claim_id, version_id, qualifier, payee_id in session.execute(query):
            found[claim_id].append((version_id, (qualifier, payee_id)))
    return found


# the claims as the 835 reports them -----------------------------------------------------------


VERSION_COLUMNS = (
    ClaimVersionRow.id,
    ClaimVersionRow.claim_id,
    ClaimVersionRow.version,
    ClaimVersionRow.status,
)
CLAIM_COLUMNS = (
    ClaimRow.id,
    ClaimRow.claim_number,
    ClaimRow.member_number,
    ClaimRow.member_id,
    ClaimRow.family_id,
    ClaimRow.provider_npi,
    ClaimRow.type_of_bill,
    ClaimRow.frequency,
    ClaimRow.received,
)
LINE_COLUMNS = (
    ClaimLineRow.claim_id,
    ClaimLineRow.line,
    ClaimLineRow.procedure,
    ClaimLineRow.modifiers,
    ClaimLineRow.revenue_code,
    ClaimLineRow.ndc,
    ClaimLineRow.units_e4,
    ClaimLineRow.service_date,
)
"""What an 835 reports of a version, a claim and a line: rows of these columns (named as the
tables' attributes), not whole entities, since an export may read hundreds of thousands."""


@dataclass(slots=True)
class Loaded:
    """Everything the due versions need, by id."""

    versions: dict[int, Row[Any]]
    claims: dict[int, Row[Any]]
    lines: dict[int, list[Row[Any]]]
    results: dict[int, list[LineResult]]
    members: dict[int, Member]
    providers: dict[str, ProviderRow]

    def payee_key(self, claim: Row[Any]) -> PayeeKey:
        """The billing provider when the directory knows its NPI, else the subscriber."""
        if claim.provider_npi and claim.provider_npi in self.providers:
            return ("XX", claim.provider_npi)
        subscriber = self.members.get(claim.family_id or 0)
        return ("FI", subscriber.member_number if subscriber else claim.member_number)

    def payment(self, due: Due) -> ClaimPayment:
        version = self.versions[due.version_id]
        claim = self.claims[version.claim_id]
        found = claim_payment(
            claim,
            version.version,
            version.status,
            self.lines.get(claim.id, []),
            self.results.get(version.id, []),
            self._person(claim.member_id, claim.member_number),
            self._insured(claim),
        )
        return found.reversal() if due.reversal else found

    def _person(self, member_id: int | None, number: str) -> Person:
        member = self.members.get(member_id or 0)
        if member is None:
            return Person(last_name="UNKNOWN", first_name=None, identifier=number)
        return Person(member.last_name, member.first_name, member.member_number)

    def _insured(self, claim: Row[Any]) -> Person | None:
        if claim.family_id is None or claim.family_id == claim.member_id:
            return None
        return self._person(claim.family_id, claim.member_number)


def load(session: Session, due: Sequence[Due]) -> Loaded:
    """The versions, claims, lines, results, members and providers of the due versions."""
    version_ids = [item.version_id for item in due]
    versions = {v.id: v for v in _rows(session, VERSION_COLUMNS, ClaimVersionRow.id, version_ids)}
    claim_ids = sorted({v.claim_id for v in versions.values()})
    claims = {c.id: c for c in _rows(session, CLAIM_COLUMNS, ClaimRow.id, claim_ids)}
    lines: dict[int, list[Row[Any]]] = defaultdict(list)
    for line in _rows(session, LINE_COLUMNS, ClaimLineRow.claim_id, claim_ids):
        lines[line.claim_id].append(line)
    people = {c.member_id for c in claims.values()} | {c.family_id for c in claims.values()}
    members = {m.id: m for m in _entities(session, Member, Member.id, [p for p in people if p])}
    npis = sorted({c.provider_npi for c in claims.values() if c.provider_npi})
    providers = {p.npi: p for p in _entities(session, ProviderRow, ProviderRow.npi, npis)}
    return Loaded(
        versions=versions,
        claims=claims,
        lines=lines,
        results=claims_repo.version_results(session, version_ids, {}),
        members=members,
        providers=providers,
    )


def _rows(
    session: Session, columns: Sequence[Any], key: Any, keys: Iterable[Any]
) -> list[Row[Any]]:
    found: list[Row[Any]] = []
    for batch in claims_repo.chunks(keys):
        found += session.execute(select(*columns).where(key.in_(batch))).all()
    return found


def _entities(session: Session, model: Any, key: Any, keys: Iterable[Any]) -> list[Any]:
    found = []
    for batch in claims_repo.chunks(keys):
        found += list(session.scalars(select(model).where(key.in_(batch))))
    return found


def payee(loaded: Loaded, key: PayeeKey, session: Session) -> Payee:
    """The payee's name, ids and address: the provider directory's, or the subscriber's."""
    qualifier, identifier = key
    if qualifier == "XX":
        provider = (
            loaded.providers.get(identifier)
            or session.scalars(select(ProviderRow).where(ProviderRow.npi == identifier)).one()
        )
        return Payee.provider(
            name=provider.name,
            npi=provider.npi,
            tin=provider.tin,
            address=Address(
                provider.address1, provider.city, provider.state, provider.zip, provider.address2
            ),
        )
    member = session.scalars(select(Member).where(Member.member_number == identifier)).one()
    return Payee(
        f"{member.first_name} {member.last_name}",
        "FI",
        member.member_number,
        address=Address(member.address1, member.city, member.state, member.zip, member.address2),
    )


def claim_payment(
    claim: Row[Any],
    version: int,
    status: str,
    lines: Sequence[Row[Any]],
    results: Sequence[LineResult],
    patient: Person,
    insured: Person | None,
) -> ClaimPayment:
    """A version of a claim as its CLP loop: the engine's line results as service lines, or,
    when a line has no code an SVC could carry (a claim keyed by category), as claim-level
    adjustments and remarks."""
    by_number = {line.line: line for line in lines}
    service = tuple(service_line(by_number[result.line], result) for result in results)
    adjustments: tuple[Any, ...] = ()
    remarks: tuple[str, ...] = ()
    if any(line.code() is None for line in service):
        adjustments = tuple(a for result in results for a in result.adjustments)
        remarks = tuple(dict.fromkeys(r for result in results for r in result.remarks))
        remarks, service = remarks[:CLAIM_REMARKS], ()
    bill = claim.type_of_bill
    return ClaimPayment(
        patient_control_number=claim.claim_number,
        status=STATUS_CODES[status],
        charge=sum((result.charge for result in results), ZERO),
        paid=sum((result.plan_paid for result in results), ZERO),
        payer_control_number=f"{claim.id}-{version}",
        patient=patient,
        insured=insured,
        filing_indicator=FILING_INDICATOR,
        facility_code=bill[:2] if bill else None,
        frequency=str(claim.frequency),
        received=claim.received,
        adjustments=adjustments,
        remarks=remarks,
        inpatient=_inpatient(bill),
        lines=service,
    )


def _inpatient(bill: str | None) -> bool:
    if not bill or len(bill) < 2:
        return False
    return bill[0] in INPATIENT_FACILITIES and bill[1] in INPATIENT_CLASSES


def service_line(line: Row[Any], result: LineResult) -> ServiceLine:
    """A line as submitted (its codes, units and date) with its result (amounts, CAS, RARCs);
    a line the plan paid reports its allowed amount."""
    return ServiceLine(
        charge=result.charge,
        paid=result.plan_paid,
        procedure=line.procedure,
        modifiers=split_codes(line.modifiers),
        revenue_code=line.revenue_code,
        ndc=line.ndc,
        units=line.units_e4,
        service_date=line.service_date,
        allowed=result.allowed if result.status is LineStatus.PAID else None,
        adjustments=result.adjustments,
        remarks=result.remarks,
    )
