"""Examiners' work: the pend queue, decisions on lines, and reprocessing (DESIGN 1, 6.5).

- ``pend_queue``: pended claims with their pended lines, oldest first, filtered by pend reason,
  employer and age (days since receipt).
- ``release``, ``deny``, ``override``: an examiner's decision on lines of an adjudicated claim
  (pended or approved, not yet paid) is stored (``line_decisions``) and the claim is
  adjudicated again in its place in the family's history with every decision on its lines
  (``aso.claims.rework``): released pend reasons no longer pend the line, an override's
  allowed amount replaces the price (and releases the line), a denial denies it with its CARC.
  The result is the claim's next version; later claims of the family whose cost share changes
  are listed for reprocessing. Overrides and denials need a reason; every decision is
  audit-logged with it.
- ``reprocessing`` lists the claims waiting to be reprocessed, ``reprocess`` runs them.

A paid claim is corrected by its provider's replacement or void (frequency 7 or 8), not here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims import rework
from aso.claims.batch import load_pricing
from aso.claims.domain import Group
from aso.claims.models import (
    ClaimRow,
    ClaimVersionRow,
    LineDecisionRow,
    LineResultRow,
    ReprocessRow,
)
from aso.claims.reasons import carc_codes, carc_group
from aso.claims.reference_data import EmployerReference, Pricing, load_employer
from aso.claims.repository import current_version
from aso.claims.schemas import (
    DecisionResult,
    DenyRequest,
    OverrideRequest,
    PendedClaimRead,
    PendedLineRead,
    ReleaseRequest,
    ReprocessListing,
    ReprocessReport,
)
from aso.claims.service import claim_read, find_claim
from aso.claims.stored import DATA_ERROR
from aso.db.uow import UnitOfWork
from aso.employers.models import Employer
from aso.errors import Conflict, Forbidden, Problem, ValidationFailed
from aso.security import audit
from aso.security.domain import Principal, Role

EXAMINERS = frozenset({Role.ADMIN, Role.EXAMINER})
QUEUE_LIMIT = 500


def _examiner(actor: Principal) -> None:
    if actor.role not in EXAMINERS:
        raise Forbidden("only administrators and claims examiners work claims")


# the pend queue ---------------------------------------------------------------------------------


def pend_queue(
    *,
    uow: UnitOfWork,
    actor: Principal,
    reason: str | None = None,
    employer_id: int | None = None,
    older_than_days: int | None = None,
    limit: int = QUEUE_LIMIT,
    today: date | None = None,
) -> list[PendedClaimRead]:
    """Pended claims, oldest first, with their pended lines (only those pended for ``reason``
    when given), of one employer, received more than ``older_than_days`` days ago; at most
    ``limit``. Audit-logged (the queue shows members' claims)."""
    _examiner(actor)
    today = today or date.today()
    with uow:
        session = uow.session
        query = (
            select(
                ClaimRow.id,
                ClaimRow.claim_number,
                ClaimRow.employer_id,
                ClaimRow.member_number,
                ClaimRow.provider_npi,
                ClaimRow.received,
                ClaimVersionRow.note,
                LineResultRow.line,
                LineResultRow.pend_reason,
                LineResultRow.charge_cents,
                LineResultRow.allowed_cents,
            )
            .join(
                ClaimVersionRow,
                current_version(),
            )
            .join(
                LineResultRow,
                (LineResultRow.version_id == ClaimVersionRow.id)
                & (LineResultRow.status == "pended"),
            )
            .where(ClaimRow.status == "pended")
            .order_by(ClaimRow.received, ClaimRow.sequence, LineResultRow.line)
        )
        if employer_id is not None:
            query = query.where(ClaimRow.employer_id == employer_id)
        if older_than_days is not None:
            query = query.where(ClaimRow.received < today - timedelta(days=older_than_days))
        if reason is not None:
            query = query.where(LineResultRow.pend_reason == reason)
        claims: dict[int, PendedClaimRead] = {}
        eins = _eins(session)
        for (
            pk,
            number,
            employer,
            member,
            npi,
            received,
            note,
            line,
            why,
            charge,
            allowed,
        ) in session.execute(query):
            found = claims.get(pk)
            if found is None:
                if len(claims) >= limit:
                    break
                found = claims[pk] = PendedClaimRead(
                    id=number,
                    key=pk,
                    employer_ein=eins.get(employer),
                    member_id=member,
                    provider_npi=npi,
                    received=received,
                    age_days=(today - received).days,
                    charge=Decimal("0.00"),
                    lines=[],
                    note=note,
                )
            found.lines.append(
                PendedLineRead(line=line, pend_reason=why, charge=charge, allowed=allowed)
            )
            found.charge += charge
        audit.record(session, actor, "view", "claim", list(claims), detail="pend queue")
        uow.commit()
    return list(claims.values())


def _eins(session: Session) -> dict[int | None, str]:
    return {pk: ein for pk, ein in session.execute(select(Employer.id, Employer.ein))}


# decisions --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Decision:
    """Decision rows to store on a claim, what the version is called and why."""

    action: str
    rows: list[LineDecisionRow]
    note: str | None


_Decider = Callable[[ClaimRow, dict[int, LineResultRow]], _Decision]


def release(
    *,
    uow: UnitOfWork,
    actor: Principal,
    claim_id: str,
    request: ReleaseRequest,
    npi: str | None = None,
) -> DecisionResult:
    """Release pended lines to be paid: the claim is adjudicated again without pending them
    for the reasons they pended for."""

    def decide(claim: ClaimRow, lines: dict[int, LineResultRow]) -> _Decision:
        chosen = _chosen(claim, lines, request.lines, "release")
        rows = []
        for number in chosen:
            result = lines[number]
            if result.status != "pended":
                raise _line_problem(claim, number, f"is {result.status}, not pended")
            if result.pend_reason == "no_price":
                raise _line_problem(
                    claim, number, "pended for want of a price: set its allowed amount (override)"
                )
            reason = result.pend_reason or DATA_ERROR
            rows.append(_row(claim, number, "release", actor, request.note, pend_reason=reason))
        return _Decision("release", rows, request.note.strip() or None)

    return _decide(uow, actor, claim_id, npi, decide)


def deny(
    *,
    uow: UnitOfWork,
    actor: Principal,
    claim_id: str,
    request: DenyRequest,
    npi: str | None = None,
) -> DecisionResult:
    """Deny lines with a CARC and a reason; the whole charge is one adjustment (DESIGN 6.5)."""
    if request.carc not in carc_codes():
        raise ValidationFailed([Problem("carc", f"{request.carc!r} is not a known CARC")])
    group = request.group or default_group(request.carc)

    def decide(claim: ClaimRow, lines: dict[int, LineResultRow]) -> _Decision:
        chosen = _chosen(claim, lines, request.lines, "deny")
        rows = [
            _row(claim, n, "deny", actor, request.reason, carc=request.carc, group=group)
            for n in chosen
        ]
        return _Decision("deny", rows, request.reason)

    return _decide(uow, actor, claim_id, npi, decide)


def default_group(carc: str) -> str:
    """Who owes a denied charge by its CARC (DESIGN 6.5, ``aso/codes/carc.yaml``): the member
    (PR), other (OA), or the provider (CO, also where it depends on the network)."""
    group = carc_group(carc)
    return group if group in (Group.PATIENT.value, Group.OTHER.value) else Group.CONTRACTUAL.value


def override(
    *,
    uow: UnitOfWork,
    actor: Principal,
    claim_id: str,
    request: OverrideRequest,
    npi: str | None = None,
) -> DecisionResult:
    """Set a line's allowed amount (at most its charge), with a reason: the plan's cost share
    applies to it as to a price; a pended line is released with it."""

    def decide(claim: ClaimRow, lines: dict[int, LineResultRow]) -> _Decision:
        (number,) = _chosen(claim, lines, [request.line], "override")
        result = lines[number]
        if result.status == "denied":
            raise _line_problem(
                claim, number, "is denied: an allowed amount does not apply (release or deny it)"
            )
        if request.allowed > result.charge_cents:
            raise _line_problem(
                claim,
                number,
                f"allowed {request.allowed} is more than the charge {result.charge_cents}",
            )
        rows = [
            _row(claim, number, "override", actor, request.reason, allowed=request.allowed),
        ]
        if result.status == "pended" and result.pend_reason not in (None, "no_price"):
            rows.append(
                _row(
                    claim,
                    number,
                    "release",
                    actor,
                    request.reason,
                    pend_reason=result.pend_reason,
                )
            )
        return _Decision("override", rows, f"line {number}: {request.reason}")

    return _decide(uow, actor, claim_id, npi, decide)


def _chosen(
    claim: ClaimRow, lines: dict[int, LineResultRow], wanted: Sequence[int], action: str
) -> list[int]:
    """The lines named (each must exist), or for a release every pended line, for a denial
    every line."""
    for number in wanted:
        if number not in lines:
            raise ValidationFailed(
                [Problem(f"claims[{claim.claim_number}].lines", f"there is no line {number}")]
            )
    if wanted:
        return sorted(set(wanted))
    if action == "release":
        pended = [n for n, line in sorted(lines.items()) if line.status == "pended"]
        if not pended:
            raise Conflict(f"claim {claim.claim_number} has no pended line")
        return pended
    return sorted(lines)


def _line_problem(claim: ClaimRow, number: int, message: str) -> ValidationFailed:
    return ValidationFailed(
        [Problem(f"claims[{claim.claim_number}].lines[{number}]", f"line {number} {message}")]
    )


def _row(
    claim: ClaimRow,
    line: int,
    action: str,
    actor: Principal,
    reason: str,
    *,
    pend_reason: str | None = None,
    allowed: Decimal | None = None,
    carc: str | None = None,
    group: str | None = None,
) -> LineDecisionRow:
    return LineDecisionRow(
        claim_id=claim.id,
        line=line,
        action=action,
        pend_reason=pend_reason,
        allowed_cents=allowed,
        carc=carc,
        group_code=group,
        reason=reason.strip(),
        version=claim.current_version + 1,
        decided_by=actor.username,
    )


def _decide(
    uow: UnitOfWork,
    actor: Principal,
    claim_id: str,
    npi: str | None,
    decide: _Decider,
) -> DecisionResult:
    """Store the decision, adjudicate the claim again in its place, list the later claims that
    change, audit-log it, commit."""
    _examiner(actor)
    pricing = load_pricing(uow=uow)
    with uow:
        session = uow.session
        claim = find_claim(session, actor, claim_id, npi, date.today())
        _decidable(claim)
        assert claim.family_id is not None and claim.employer_id is not None
        repo.lock_families(session, [claim.family_id], [])
        lines = _current_lines(session, claim)
        decision = decide(claim, lines)
        session.add_all(decision.rows)
        session.flush()
        reference = load_employer(session, claim.employer_id, pricing)
        listed = _adjudicate_again(session, reference, pricing, claim, decision, actor)
        detail = "; ".join(
            f"line {row.line} {_what(row)}" + (f": {row.reason}" if row.reason else "")
            for row in decision.rows
        )
        audit.record(session, actor, decision.action, "claim", [claim.id], detail=detail)
        session.refresh(claim)
        result = DecisionResult(claim=claim_read(session, claim), listed_for_reprocessing=listed)
        uow.commit()
    return result


def _decidable(claim: ClaimRow) -> None:
    number = claim.claim_number
    if claim.status == "received":
        raise Conflict(f"claim {number} has not been adjudicated yet")
    if claim.status == "voided" or claim.frequency == 8:
        raise Conflict(f"claim {number} is voided")
    if claim.status == "paid":
        raise Conflict(
            f"claim {number} is paid: its provider corrects it with a replacement or a void"
        )
    if claim.member_id is None or claim.family_id is None or claim.employer_id is None:
        raise Conflict(f"claim {number} is for an unknown member (denied, CARC 31)")


def _current_lines(session: Session, claim: ClaimRow) -> dict[int, LineResultRow]:
    version = session.scalar(
        select(ClaimVersionRow.id).where(
            ClaimVersionRow.claim_id == claim.id,
            ClaimVersionRow.version == claim.current_version,
        )
    )
    rows = session.scalars(select(LineResultRow).where(LineResultRow.version_id == version))
    return {row.line: row for row in rows}


def _adjudicate_again(
    session: Session,
    reference: EmployerReference,
    pricing: Pricing,
    claim: ClaimRow,
    decision: _Decision,
    actor: Principal,
) -> list[str]:
    assert claim.family_id is not None
    family = rework.load_family(session, reference, pricing, claim.family_id)
    again = rework.rerun(family, reference, family.place(claim.id))
    rework.write(
        session,
        reference,
        family,
        {claim.id: again[claim.id]},
        action=decision.action,
        note=decision.note,
        actor=actor.username,
    )
    differing = [
        pk
        for pk, result in again.items()
        if pk != claim.id and rework.changed(family.results[pk], result)
    ]
    return rework.list_for_reprocessing(
        session,
        family,
        differing,
        employer_id=claim.employer_id,
        cause_id=claim.id,
        cause=f"{decision.action} of claim {claim.claim_number}",
        actor=actor.username,
    )


def _what(row: LineDecisionRow) -> str:
    if row.action == "release":
        return f"released ({row.pend_reason})"
    if row.action == "override":
        return f"allowed set to {row.allowed_cents}"
    return f"denied {row.group_code}-{row.carc}"


# reprocessing -----------------------------------------------------------------------------------


def reprocessing(
    *, uow: UnitOfWork, actor: Principal, employer_id: int | None = None
) -> list[ReprocessListing]:
    """Claims listed for reprocessing, oldest listing first."""
    _examiner(actor)
    with uow:
        session = uow.session
        rows = rework.open_listings(session, employer_id=employer_id)
        claims = _claims(session, [row.claim_id for row in rows])
        eins = _eins(session)
        found = [
            ReprocessListing(
                id=claims[row.claim_id].claim_number,
                key=row.claim_id,
                employer_ein=eins.get(row.employer_id),
                member_id=claims[row.claim_id].member_number,
                cause=row.cause,
                listed_at=row.listed_at,
                listed_by=row.listed_by,
            )
            for row in rows
        ]
        audit.record(session, actor, "view", "claim", [row.claim_id for row in rows])
        uow.commit()
    return found


def reprocess(
    *, uow: UnitOfWork, actor: Principal, employer_id: int | None = None
) -> ReprocessReport:
    """Reprocess every listed claim (of one employer): each family from its earliest listed
    claim, writing every claim whose result changes."""
    _examiner(actor)
    pricing = load_pricing(uow=uow)
    report = ReprocessReport(families=0, claims_written=[], listings_closed=0)
    with uow:
        session = uow.session
        rows = rework.open_listings(session, employer_id=employer_id)
        by_family: dict[tuple[int | None, int], list[ReprocessRow]] = defaultdict(list)
        for row in rows:
            by_family[(row.employer_id, row.family_id)].append(row)
        references: dict[int, EmployerReference] = {}
        for (employer, family_id), listed in sorted(by_family.items(), key=lambda kv: kv[0][1]):
            assert employer is not None
            repo.lock_families(session, [family_id], [])
            if employer not in references:
                references[employer] = load_employer(session, employer, pricing)
            done = rework.reprocess_family(
                session, references[employer], pricing, family_id, listed, actor.username
            )
            report.families += 1
            report.claims_written += done.written
            report.listings_closed += done.closed
        audit.record(
            session, actor, "reprocess", "claim", [row.claim_id for row in rows], detail=None
        )
        uow.commit()
    return report


def _claims(session: Session, ids: Sequence[int]) -> dict[int, ClaimRow]:
    found: dict[int, ClaimRow] = {}
    for batch in repo.chunks(ids):
        found.update(
            (row.id, row) for row in session.scalars(select(ClaimRow).where(ClaimRow.id.in_(batch)))
        )
    return found
