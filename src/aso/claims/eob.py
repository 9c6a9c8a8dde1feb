"""A member's claims and their explanations of benefits (DESIGN 1: a member sees its claims and
EOBs; DESIGN 9: PDF EOBs).

- ``member_claims``: the claims of one member, newest service first, each with what was billed,
  what the plan paid and what the member owes in its current version.
- ``processed_claims``: the claims an EOB run mails (``aso claims eobs``): those of an employer's
  members decided in a window.
- ``claim_eob`` / ``claim_eob_by_key``: one claim as its patient reads it: each line's service,
  billed, allowed, plan paid, deductible, copay, coinsurance, not covered and "you owe"; the
  reason and remark codes explained in words; what the network saved; the patient's deductible
  and out-of-pocket as of today; the plan and provider named. ``aso.claims.eob_pdf`` prints it.

Who may see them is who may see the claim (``aso.claims.access``): TPA staff, the member, and a
subscriber for its minor dependents; anyone else gets NotFound, as for a claim that does not
exist. Every read is audit-logged as a view of the member's claims. A claim not yet adjudicated
has no EOB (Conflict), since nothing has been decided yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims.access import visible_member
from aso.claims.domain import Group, LineResult
from aso.claims.models import ClaimLineRow, ClaimRow, ClaimVersionRow
from aso.claims.reasons import carc_description, rarc_description
from aso.claims.schemas import ClaimSummaryRead, EobLineRead, EobNoteRead, EobRead
from aso.claims.service import claim_by_key, find_claim, member_balances
from aso.db.uow import UnitOfWork
from aso.employers.models import Employer, OfferedPlan
from aso.errors import Conflict, Forbidden
from aso.members.models import Member
from aso.money import ZERO
from aso.providers.models import ProviderRow
from aso.security import audit
from aso.security.domain import Principal

ACRONYMS = frozenset({"pcp", "er", "mri", "ct", "pet", "dme", "iv", "std", "ltd", "otc", "snf"})
"""Words of benefit category names written in capitals on an EOB."""
APPEAL_RIGHTS = (
    "If you disagree with how this claim was processed, you or someone you name may appeal within "
    "180 days of receiving this statement. Write to the plan administrator with the claim "
    "number and why you disagree; you may send documents and ask, free of charge, for copies of "
    "everything relevant to the claim, including the plan rules used. You will get a written "
    "decision. You may also have the right to an external review and, after appeals, to bring a "
    "civil action under section 502(a) of ERISA."
)
"""The member's appeal rights (29 CFR 2560.503-1: 180 days to appeal an adverse benefit
determination), printed on every EOB."""


def category_label(category: str | None) -> str:
    """``office_visit_pcp`` -> ``Office visit PCP``: a benefit category in words."""
    if not category:
        return ""
    words = [w.upper() if w in ACRONYMS else w for w in category.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# the list ------------------------------------------------------------------------------------


def member_claims(
    *, uow: UnitOfWork, actor: Principal, member_id: str, today: date | None = None
) -> list[ClaimSummaryRead]:
    """The member's claims, the newest service first (see the module); audit-logged."""
    today = today or date.today()
    with uow:
        session = uow.session
        member = visible_member(session, actor, member_id, today)
        claims = session.scalars(
            select(ClaimRow).where(  # the family's index finds them among millions
                ClaimRow.family_id == member.family_id, ClaimRow.member_id == member.id
            )
        ).all()
        result = _summaries(session, claims)
        audit.record(session, actor, "view", "member", [member.id], detail="claims list")
        uow.commit()
    return sorted(result, key=lambda c: (c.first_service, c.key), reverse=True)


def _summaries(session: Session, claims: Sequence[ClaimRow]) -> list[ClaimSummaryRead]:
    ids = [c.id for c in claims]
    spans = _service_spans(session, ids)
    charges = _charges(session, ids)
    results = _current_results(session, claims)
    names = provider_names(session, (c.provider_npi for c in claims))
    found = []
    for claim in claims:
        first, last = spans[claim.id]
        lines = results.get(claim.id, [])
        found.append(
            ClaimSummaryRead(
                key=claim.id,
                id=claim.claim_number,
                type=claim.type,
                status=claim.status,
                received=claim.received,
                first_service=first,
                last_service=last,
                provider_npi=claim.provider_npi,
                provider_name=names.get(claim.provider_npi or ""),
                network=claim.provider_network,
                charge=charges[claim.id],
                plan_paid=sum((r.plan_paid for r in lines), ZERO),
                member_responsibility=sum((r.member_responsibility for r in lines), ZERO),
            )
        )
    return found


def _service_spans(session: Session, ids: Sequence[int]) -> dict[int, tuple[date, date]]:
    query = (
        select(
            ClaimLineRow.claim_id,
            ClaimLineRow.service_date,
        )
        .where(ClaimLineRow.claim_id.in_(ids))
        .order_by(ClaimLineRow.claim_id, ClaimLineRow.service_date)
    )
    spans: dict[int, tuple[date, date]] = {}
    for claim_id, day in session.execute(query) if ids else ():
        first = spans.get(claim_id, (day, day))[0]
        spans[claim_id] = (first, day)
    return spans


def _charges(session: Session, ids: Sequence[int]) -> dict[int, Decimal]:
    charges = dict.fromkeys(ids, ZERO)
    query = select(ClaimLineRow.claim_id, ClaimLineRow.charge_cents).where(
        ClaimLineRow.claim_id.in_(ids)
    )
    for claim_id, charge in session.execute(query) if ids else ():
        charges[claim_id] += charge
    return charges


def _current_results(session: Session, claims: Sequence[ClaimRow]) -> dict[int, list[LineResult]]:
    """The line results of each claim's current version (none for a claim not adjudicated)."""
    versions = {
        version_id: claim_id
        for version_id, claim_id in session.execute(
            select(ClaimVersionRow.id, ClaimVersionRow.claim_id)
            .join(ClaimRow, repo.current_version())
            .where(ClaimRow.id.in_([c.id for c in claims if c.current_version > 0]))
        )
    }
    results = repo.version_results(session, list(versions), {}) if versions else {}
    return {versions[v]: lines for v, lines in results.items()}


def provider_names(session: Session, npis: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({npi for npi in npis if npi})
    if not wanted:
        return {}
    query = select(ProviderRow.npi, ProviderRow.name).where(ProviderRow.npi.in_(wanted))
    return {npi: name for npi, name in session.execute(query)}


# an EOB run --------------------------------------------------------------------------------


def processed_claims(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, since: datetime, until: datetime
) -> list[int]:
    """The claims of the employer's members whose current version was decided in
    [``since``, ``until``): those an EOB run mails, by member then claim (TPA staff)."""
    if not actor.is_staff:
        raise Forbidden("EOB runs are for TPA staff")
    query = (
        select(ClaimRow.id)
        .join(ClaimVersionRow, repo.current_version())
        .where(
            ClaimRow.employer_id == employer_id,
            ClaimRow.member_id.is_not(None),
            ClaimVersionRow.adjudicated_at >= since,
            ClaimVersionRow.adjudicated_at < until,
        )
        .order_by(ClaimRow.member_number, ClaimRow.id)
    )
    with uow:
        return list(uow.session.scalars(query))


# one EOB -------------------------------------------------------------------------------------


def claim_eob(
    *,
    uow: UnitOfWork,
    actor: Principal,
    claim_id: str,
    npi: str | None = None,
    today: date | None = None,
) -> EobRead:
    """The EOB of the claim with this public id (``npi``: its submitter, when the id repeats
    across providers); audit-logged."""
    today = today or date.today()
    with uow:
        session = uow.session
        result = _eob(session, actor, find_claim(session, actor, claim_id, npi, today))
        uow.commit()
    return result


def claim_eob_by_key(
    *, uow: UnitOfWork, actor: Principal, key: int, today: date | None = None
) -> EobRead:
    """The EOB of the claim with this database id (the member's pages link by it)."""
    today = today or date.today()
    with uow:
        session = uow.session
        result = _eob(session, actor, claim_by_key(session, actor, key, today))
        uow.commit()
    return result


def _eob(session: Session, actor: Principal, claim: ClaimRow) -> EobRead:
    if claim.current_version == 0 or claim.member_id is None:
        raise Conflict(f"claim {claim.claim_number} is not processed yet: it has no EOB")
    version = session.scalars(
        select(ClaimVersionRow).where(
            ClaimVersionRow.claim_id == claim.id,
            ClaimVersionRow.version == claim.current_version,
        )
    ).one()
    offered = select(OfferedPlan.id, OfferedPlan.name).where(
        OfferedPlan.employer_id == claim.employer_id
    )
    plan_names = {plan_id: name for plan_id, name in session.execute(offered)}
    results = repo.version_results(session, [version.id], plan_names).get(version.id, [])
    received = {
        row.line: row
        for row in session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id == claim.id))
    }
    patient = session.get(Member, claim.member_id)
    subscriber = session.get(Member, claim.family_id or claim.member_id)
    employer = session.get(Employer, claim.employer_id) if claim.employer_id else None
    assert patient is not None and subscriber is not None
    lines = [_line(result, received[result.line]) for result in results]
    plan = next((r.plan for r in results if r.plan), None)
    audit.record(
        session, actor, "view", "claim", [claim.id], detail=f"EOB member {patient.member_number}"
    )
    return EobRead(
        claim_id=claim.claim_number,
        key=claim.id,
        patient=f"{patient.first_name} {patient.last_name}",
        member_id=patient.member_number,
        subscriber=f"{subscriber.first_name} {subscriber.last_name}",
        plan=plan,
        employer=None if employer is None else employer.name,
        provider_name=provider_names(session, [claim.provider_npi]).get(claim.provider_npi or ""),
        provider_npi=claim.provider_npi,
        network=claim.provider_network,
        received=claim.received,
        processed=version.adjudicated_at.date(),
        status=claim.status,
        version=claim.current_version,
        lines=lines,
        charge=sum((line.charge for line in lines), ZERO),
        allowed=sum((line.allowed for line in lines), ZERO),
        plan_paid=sum((line.plan_paid for line in lines), ZERO),
        member_responsibility=sum((line.member_responsibility for line in lines), ZERO),
        savings=sum((_savings(result) for result in results), ZERO),
        notes=notes_for(results),
        balances=[b for b in member_balances(session, patient) if plan is None or plan in b.plans],
    )


def _line(result: LineResult, received: ClaimLineRow) -> EobLineRead:
    code = received.procedure or received.revenue_code or received.ndc or ""
    label = category_label(result.category or received.category)
    return EobLineRead(
        line=result.line,
        date=received.service_date,
        service=f"{code} ({label})" if code and label else code or label,
        status=result.status.value,
        charge=result.charge,
        allowed=result.allowed,
        plan_paid=result.plan_paid,
        deductible=result.deductible,
        copay=result.copay,
        coinsurance=result.coinsurance,
        not_covered=result.not_covered,
        member_responsibility=result.member_responsibility,
        codes=_codes(result),
    )


def _codes(result: LineResult) -> list[str]:
    codes = [f"{a.group.value}-{a.carc}" for a in result.adjustments if a.amount]
    codes += list(result.remarks)
    if result.pend_reason:
        codes.append("PENDED")
    return list(dict.fromkeys(codes))


def _savings(result: LineResult) -> Decimal:
    if result.status.value != "paid":
        return ZERO
    return sum((a.amount for a in result.adjustments if a.group is Group.CONTRACTUAL), ZERO)


def notes_for(results: Sequence[LineResult]) -> list[EobNoteRead]:
    """Every reason and remark code of these lines, explained, each once."""
    notes: dict[str, EobNoteRead] = {}
    for result in results:
        for adjustment in result.adjustments:
            code = f"{adjustment.group.value}-{adjustment.carc}"
            if adjustment.amount and code not in notes:
                text = carc_description(adjustment.carc) or f"Adjustment reason {adjustment.carc}"
                notes[code] = EobNoteRead(
                    code=code, kind="reason", text=_who_owes(adjustment.group, text)
                )
        for remark in result.remarks:
            if remark not in notes:
                text = rarc_description(remark) or f"Remark {remark}"
                notes[remark] = EobNoteRead(code=remark, kind="remark", text=text)
        if result.pend_reason and "PENDED" not in notes:
            notes["PENDED"] = EobNoteRead(
                code="PENDED",
                kind="remark",
                text="This service is being reviewed; you will get a new statement once it is "
                "decided. Do not pay the provider for it yet.",
            )
    return list(notes.values())


def _who_owes(group: Group, text: str) -> str:
    if group is Group.PATIENT:
        return f"{text} You may owe this amount to the provider."
    if group is Group.CONTRACTUAL:
        return f"{text} The provider may not bill you for this amount."
    return text
