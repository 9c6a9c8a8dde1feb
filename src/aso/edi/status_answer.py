"""Answering one claim asked about in a 276 from the claims on file.

The claim is found by the payer's claim control number (REF*1K: the claim's key, then a dash
and the version the 835's CLP07 gave, which is ignored), else by the provider's claim number
(REF*EJ, CLM01 as sent: the latest claim sent with it, a replacement being the claim's current
form), else by the patient: the claims of the patient whose service dates meet the dates asked
about (DTP*472) and whose total charge is the one asked about (AMT*T3), when given.

A claim is answered only when it is the patient's and the provider's: a claim sent with a
billing NPI is answered only to a request naming that NPI (2100C NM108 XX); the subscriber's
member id (2100D NM109) is the claim's member, or, for a dependent (2100E), the claim's member
is of the subscriber's family with the first name (and last name, birth date) sent. Anything
else is not found (A4:35), as a claim that does not exist would be, so the answer never tells
whose claims exist. A provider user asks only as the NPIs it acts for (``Principal.npis``): a
request naming another NPI is answered not found, whatever is on file.

Each claim answered is audit-logged as a view of the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims import repository as claims_repo
from aso.claims.domain import LineResult
from aso.claims.models import ClaimLineRow, ClaimRow, ClaimVersionRow
from aso.edi.claim_status import (
    FINALIZED,
    REPLACEMENT,
    ClaimFacts,
    LineFacts,
    claim_status,
    line_not_found,
    line_status,
    not_found,
    received_line,
)
from aso.edi.inquiry_reader import Period
from aso.edi.x276 import LineRequest, StatusRequest
from aso.edi.x277 import ClaimAnswer, LineAnswer, StatusAnswer
from aso.members import repository as member_repo
from aso.members.models import Member
from aso.security import audit
from aso.security.domain import Principal

MAX_CLAIMS = 50
"""A search by patient and dates answers at most this many claims."""


def answer_request(
    session: Session, actor: Principal, request: StatusRequest, today: date
) -> StatusAnswer:
    """The 277 answer to one claim asked about (see the module)."""
    if not actor.may_act_for_provider(request.provider.npi):
        return StatusAnswer(request, (_not_found(request, today),))
    patient_member = _patient(session, request)
    claims = [
        claim
        for claim in _candidates(session, request, patient_member)
        if _matches(request, patient_member, claim)
    ]
    if not claims:
        return StatusAnswer(request, (_not_found(request, today),))
    patient = "QC" if request.dependent is not None else "IL"
    answers = tuple(_answer(session, request, claim, patient) for claim in claims)
    audit.record(
        session, actor, "view", "claim", [c.id for c in claims], detail="276/277 claim status"
    )
    return StatusAnswer(request, answers)


# finding the claims ------------------------------------------------------------------------


def _candidates(session: Session, request: StatusRequest, patient: Member | None) -> list[ClaimRow]:
    npi = request.provider.npi
    if request.payer_claim:
        key = request.payer_claim.strip().split("-")[0]
        found = session.get(ClaimRow, int(key)) if key.isdigit() and len(key) < 18 else None
        return [] if found is None else [found]
    if request.patient_control:
        query = select(ClaimRow).where(ClaimRow.claim_number == request.patient_control.strip())
        if npi is not None:
            query = query.where(ClaimRow.submitter == npi)
        rows = session.scalars(query.order_by(ClaimRow.sequence)).all()
        latest = {row.submitter: row for row in rows}
        return list(latest.values())
    return _by_patient(session, request, patient)


def _by_patient(session: Session, request: StatusRequest, patient: Member | None) -> list[ClaimRow]:
    if patient is None:
        return []
    query = select(ClaimRow).where(ClaimRow.member_id == patient.id)
    if request.provider.npi is not None:
        query = query.where(ClaimRow.submitter == request.provider.npi)
    found = []
    for claim in session.scalars(query.order_by(ClaimRow.sequence)):
        lines = _lines(session, claim)
        if request.dates is not None and not _meets(request.dates, lines):
            continue
        if request.charge is not None and _charge(lines) != request.charge:
            continue
        found.append(claim)
    return found[-MAX_CLAIMS:]


def _patient(session: Session, request: StatusRequest) -> Member | None:
    """The member the request asks about: the subscriber, or the dependent it names."""
    subscriber = member_repo.member_by_number(session, request.subscriber.id or "-")
    if subscriber is None or request.dependent is None:
        return subscriber
    dependent = request.dependent
    born = request.dependent_demographics.birth_date
    for member in member_repo.family(session, subscriber.family_id):
        if (
            member.id != subscriber.id
            and _same(dependent.first, member.first_name)
            and _same(dependent.last, member.last_name)
            and (born is None or born == member.birth_date)
        ):
            return member
    return None


def _same(sent: str, on_file: str) -> bool:
    return not sent or sent.strip().casefold() == on_file.strip().casefold()


def _matches(request: StatusRequest, patient: Member | None, claim: ClaimRow) -> bool:
    """The claim is the patient's and the provider's: a claim sent with a billing NPI is
    answered to a request naming that NPI only."""
    npi = request.provider.npi
    if claim.submitter and npi not in (claim.submitter, claim.provider_npi):
        return False
    sent = request.subscriber.id.strip().upper()
    if not sent:
        return False
    if request.dependent is None:
        return claim.member_number.strip().upper() == sent
    return patient is not None and claim.member_id == patient.id


def _meets(dates: Period, lines: Sequence[ClaimLineRow]) -> bool:
    return bool(lines) and dates.overlaps(
        min(line.service_date for line in lines), max(line.service_date for line in lines)
    )


# answering ---------------------------------------------------------------------------------


def _not_found(request: StatusRequest, today: date) -> ClaimAnswer:
    return ClaimAnswer(
        status=not_found(),
        status_date=today,
        charge=request.charge if request.charge is not None else Decimal("0"),
        patient_control=request.patient_control,
        prescription=request.prescription,
        dates=request.dates,
    )


def _lines(session: Session, claim: ClaimRow) -> list[ClaimLineRow]:
    return list(
        session.scalars(
            select(ClaimLineRow)
            .where(ClaimLineRow.claim_id == claim.id)
            .order_by(ClaimLineRow.line)
        )
    )


def _charge(lines: Sequence[ClaimLineRow]) -> Decimal:
    return sum((line.charge_cents for line in lines), Decimal("0.00"))


def _versions(session: Session, claim: ClaimRow) -> list[ClaimVersionRow]:
    return list(
        session.scalars(
            select(ClaimVersionRow)
            .where(ClaimVersionRow.claim_id == claim.id)
            .order_by(ClaimVersionRow.version)
        )
    )


def _answer(session: Session, request: StatusRequest, claim: ClaimRow, patient: str) -> ClaimAnswer:
    lines = _lines(session, claim)
    versions = _versions(session, claim)
    current = versions[-1] if versions else None
    results: list[LineResult] = []
    if current is not None:
        results = claims_repo.version_results(session, [current.id], {}).get(current.id, [])
    facts = ClaimFacts(
        status=claim.status,
        lines=[_facts(result) for result in results],
        revised=_revised(claim, versions),
    )
    status = claim_status(facts, patient)
    status_date = (current.adjudicated_at if current else claim.submitted_at).date()
    by_number = {result.line: result for result in results}
    return ClaimAnswer(
        status=status,
        status_date=status_date,
        charge=_charge(lines),
        paid=facts.plan_paid if status.finalized else None,
        payer_claim=payer_claim_number(claim),
        bill_type=claim.type_of_bill or "",
        patient_control=claim.claim_number,
        prescription=request.prescription,
        dates=_dates(lines),
        lines=_line_answers(request.lines, lines, by_number, facts, patient, status_date),
    )


def payer_claim_number(claim: ClaimRow) -> str:
    """REF*1K: the claim's key and its current version, as the 835's CLP07 gives it
    (``aso.edi.remittance_claims``); the key alone before the claim is adjudicated."""
    return f"{claim.id}-{claim.current_version}" if claim.current_version else str(claim.id)


def _facts(result: LineResult) -> LineFacts:
    first = result.adjustments[0].carc if result.adjustments else None
    return LineFacts(
        status=result.status.value,
        plan_paid=result.plan_paid,
        carc=first,
        pend_reason=result.pend_reason,
    )


def _revised(claim: ClaimRow, versions: Sequence[ClaimVersionRow]) -> bool:
    """A final decision changed by a later one, or a replacement of an earlier claim."""
    if claim.status not in FINALIZED:
        return False
    earlier = [v for v in versions[:-1] if v.status in FINALIZED]
    return bool(earlier) or claim.frequency == REPLACEMENT


def _dates(lines: Sequence[ClaimLineRow]) -> Period | None:
    if not lines:
        return None
    return Period(
        min(line.service_date for line in lines), max(line.service_date for line in lines)
    )


def _line_answers(
    asked: Sequence[LineRequest],
    lines: Sequence[ClaimLineRow],
    results: dict[int, LineResult],
    claim: ClaimFacts,
    patient: str,
    status_date: date,
) -> tuple[LineAnswer, ...]:
    """The lines asked about, each matched to an unmatched line of the claim with the same
    procedure (or revenue code) and, when sent, the same date."""
    free = list(lines)
    found = []
    for request in asked:
        line = next((x for x in free if _same_line(request, x)), None)
        if line is None:
            found.append(_line_not_found(request, status_date))
            continue
        free.remove(line)
        result = results.get(line.line)
        status = received_line() if result is None else line_status(_facts(result), claim, patient)
        found.append(
            LineAnswer(
                procedure=request.procedure,
                charge=line.charge_cents,
                paid=result.plan_paid if result is not None and status.finalized else Decimal(0),
                status=status,
                status_date=status_date,
                revenue_code=line.revenue_code or request.revenue_code,
                units=line.units_e4,
                control_number=request.control_number,
                date=Period(line.service_date, line.service_date),
            )
        )
    return tuple(found)


def _same_line(request: LineRequest, line: ClaimLineRow) -> bool:
    if request.code:
        same = request.code == (line.procedure or "")
    else:
        same = bool(request.revenue_code) and request.revenue_code == line.revenue_code
    if request.date is not None:
        same = same and request.date.first <= line.service_date <= request.date.last
    return same


def _line_not_found(request: LineRequest, status_date: date) -> LineAnswer:
    return LineAnswer(
        procedure=request.procedure,
        charge=request.charge if request.charge is not None else Decimal(0),
        paid=Decimal(0),
        status=line_not_found(),
        status_date=status_date,
        revenue_code=request.revenue_code,
        units=request.units,
        control_number=request.control_number,
        date=request.date,
    )
