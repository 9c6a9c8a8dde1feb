"""Reading claims and accumulators, and rebuilding the running totals.

- ``get_claim``: a claim as received with every version of its adjudication, for staff and for
  the member's own family; every read is audit-logged as a read of member data.
- ``member_accumulators``: deductible and out-of-pocket met and remaining (DESIGN 3).
- ``rebuild_accumulators``: accumulators are derived (DESIGN 3): the running totals are summed
  afresh from the stored entries and adjustments and compared with what is kept; ``verify``
  only reports the differences, otherwise the totals are replaced by the sums.

Intake is ``aso.claims.intake``, batch adjudication ``aso.claims.batch``, authorizations and
accumulator adjustments their own modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims.access import may_see, visible_member
from aso.claims.balances import BalanceKey, PlanLimits, balances
from aso.claims.models import ClaimLineRow, ClaimRow, ClaimVersionRow
from aso.claims.plan_rules import compile_plan
from aso.claims.schemas import (
    AdjustmentRead,
    BalanceRead,
    ClaimLineRead,
    ClaimRead,
    LineResultRead,
    MemberAccumulatorsRead,
    ProviderRead,
    RebuildReport,
    TotalDifference,
    VersionRead,
)
from aso.claims.stored import money, split_codes
from aso.db.uow import UnitOfWork
from aso.employers.models import Employer, OfferedPlan
from aso.errors import Conflict, Forbidden, NotFound
from aso.members.models import Coverage, Member
from aso.plans.domain import Tier
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

REBUILDERS = frozenset({Role.ADMIN, Role.EXAMINER})


# claims -----------------------------------------------------------------------------------------


def get_claim(
    *,
    uow: UnitOfWork,
    actor: Principal,
    claim_id: str,
    npi: str | None = None,
    today: date | None = None,
) -> ClaimRead:
    """The claim with this public id (from the provider with this NPI when given) and all its
    versions. Public ids repeat across providers: when several providers sent the id, ``npi``
    says which; a replacement sent with the same id is the claim's current form."""
    today = today or date.today()
    with uow:
        session = uow.session
        claim = find_claim(session, actor, claim_id, npi, today)
        result = claim_read(session, claim)
        audit.record(
            session, actor, "view", "claim", [claim.id], detail=f"member {claim.member_number}"
        )
        uow.commit()
    return result


def find_claim(
    session: Session, actor: Principal, claim_id: str, npi: str | None, today: date
) -> ClaimRow:
    query = select(ClaimRow).where(ClaimRow.claim_number == claim_id)
    if npi is not None:
        query = query.where(ClaimRow.submitter == npi)
    found = [
        c
        for c in session.scalars(query.order_by(ClaimRow.sequence))
        if _visible(session, actor, c, today)
    ]
    if not found:
        raise NotFound(f"no claim {claim_id}")
    submitters = {claim.submitter for claim in found}
    if len(submitters) > 1:
        listed = ", ".join(sorted(s or "(no NPI)" for s in submitters))
        raise Conflict(
            f"claim id {claim_id} was sent by several providers ({listed}): give the NPI"
        )
    return found[-1]


def claim_key(*, uow: UnitOfWork, actor: Principal, claim_id: str, npi: str | None = None) -> int:
    """The database id of the claim with this public id, if the actor may see it."""
    with uow:
        return find_claim(uow.session, actor, claim_id, npi, date.today()).id


def claim_by_key(session: Session, actor: Principal, key: int, today: date) -> ClaimRow:
    """The claim with this database id, if the actor may see it (else NotFound, as for none)."""
    claim = session.get(ClaimRow, key)
    if claim is None or not _visible(session, actor, claim, today):
        raise NotFound(f"no claim {key}")
    return claim


def _visible(session: Session, actor: Principal, claim: ClaimRow, today: date) -> bool:
    if actor.role in TPA_STAFF:
        return True
    if actor.role is not Role.MEMBER or claim.member_id is None:
        return False
    member = session.get(Member, claim.member_id)
    return member is not None and may_see(actor, member, today)


def claim_read(session: Session, claim: ClaimRow) -> ClaimRead:
    employer = None if claim.employer_id is None else session.get(Employer, claim.employer_id)
    replaces = None if claim.replaces_id is None else session.get(ClaimRow, claim.replaces_id)
    lines = session.scalars(
        select(ClaimLineRow).where(ClaimLineRow.claim_id == claim.id).order_by(ClaimLineRow.line)
    ).all()
    return ClaimRead(
        id=claim.claim_number,
        key=claim.id,
        member_id=claim.member_number,
        member_known=claim.member_id is not None,
        employer_ein=None if employer is None else employer.ein,
        type=claim.type,
        status=claim.status,
        received=claim.received,
        frequency=claim.frequency,
        replaces=None if replaces is None else replaces.claim_number,
        provider=ProviderRead(
            npi=claim.provider_npi,
            network=claim.provider_network,
            taxonomy=claim.provider_taxonomy,
            kind=claim.provider_kind,
        ),
        diagnoses=list(split_codes(claim.diagnoses)),
        type_of_bill=claim.type_of_bill,
        facility_network=claim.facility_network,
        submitted_at=claim.submitted_at,
        submitted_by=claim.submitted_by,
        lines=[_line_read(line) for line in lines],
        versions=_versions(session, claim.id),
    )


def _line_read(line: ClaimLineRow) -> ClaimLineRead:
    return ClaimLineRead(
        line=line.line,
        date=line.service_date,
        category=line.category,
        procedure=line.procedure,
        modifiers=list(split_codes(line.modifiers)),
        pos=line.pos,
        revenue_code=line.revenue_code,
        ndc=line.ndc,
        tooth=line.tooth,
        units=line.units_e4,
        charge=line.charge_cents,
        allowed=line.allowed_cents,
        prior_auth=line.prior_auth,
        emergency=line.emergency,
    )


def _versions(session: Session, claim_pk: int) -> list[VersionRead]:
    versions = session.scalars(
        select(ClaimVersionRow)
        .where(ClaimVersionRow.claim_id == claim_pk)
        .order_by(ClaimVersionRow.version)
    ).all()
    plan_ids = {
        plan_id: code for plan_id, code in session.execute(select(OfferedPlan.id, OfferedPlan.code))
    }
    lines = repo.version_results(session, [v.id for v in versions], plan_ids)
    return [
        VersionRead(
            version=version.version,
            status=version.status,
            action=version.action,
            note=version.note,
            at=version.adjudicated_at,
            by=version.adjudicated_by,
            lines=[
                LineResultRead(
                    line=line.line,
                    status=line.status.value,
                    category=line.category,
                    charge=line.charge,
                    allowed=line.allowed,
                    copay=line.copay,
                    deductible=line.deductible,
                    coinsurance=line.coinsurance,
                    not_covered=line.not_covered,
                    balance_bill=line.balance_bill,
                    plan_paid=line.plan_paid,
                    member_responsibility=line.member_responsibility,
                    adjustments=[
                        AdjustmentRead(group=a.group.value, carc=a.carc, amount=a.amount)
                        for a in line.adjustments
                    ],
                    remarks=list(line.remarks),
                    pend_reason=line.pend_reason,
                    plan_id=line.plan,
                    network=None if line.network is None else line.network.value,
                )
                for line in lines.get(version.id, [])
            ],
        )
        for version in versions
    ]


# accumulators -----------------------------------------------------------------------------------


def member_accumulators(
    *, uow: UnitOfWork, actor: Principal, member_id: str, today: date | None = None
) -> MemberAccumulatorsRead:
    """Deductible and out-of-pocket met and remaining for the member (and its family on a family
    tier), per accumulator group, plan period and network tier; audit-logged."""
    today = today or date.today()
    with uow:
        session = uow.session
        member = visible_member(session, actor, member_id, today)
        rows = member_balances(session, member)
        audit.record(session, actor, "view", "member", [member.id], detail="accumulators")
        uow.commit()
    return MemberAccumulatorsRead(member_id=member.member_number, balances=rows)


def member_balances(session: Session, member: Member) -> list[BalanceRead]:
    """The member's (and its family's) balances; the caller checks access and audits."""
    family = session.get(Member, member.family_id)
    assert family is not None
    totals: dict[BalanceKey, Decimal] = {
        (scope, kind, group, network, start, end): money(amount)
        for (scope, _, kind, group, network, start, end), amount in repo.member_totals(
            session, member.id, member.family_id
        ).items()
    }
    return balances(member.member_number, family.member_number, _limits(session, member), totals)


def _limits(session: Session, member: Member) -> list[PlanLimits]:
    """The accumulator limits of every plan the member is covered by."""
    found = []
    for coverage in session.scalars(select(Coverage).where(Coverage.member_id == member.id)):
        design = coverage.plan.design()
        rules = compile_plan(design)
        found.append(
            PlanLimits(
                group=rules.group,
                period_start=rules.period_start,
                period_end=rules.period_end,
                deductible=rules.deductible,
                oop=rules.oop,
                family_tier=Tier(coverage.tier) is not Tier.EMPLOYEE,
                plan=design.name,
            )
        )
    return found


def rebuild_accumulators(
    *, uow: UnitOfWork, actor: Principal, employer_id: int | None = None, verify: bool = True
) -> RebuildReport:
    """Sum every member and family deductible and out-of-pocket total afresh from the stored
    entries and adjustments (of one employer's members, or everyone's) and compare them with
    the running totals: ``verify`` reports the differences and changes nothing; otherwise the
    running totals are replaced by the sums (and the differences are what was repaired)."""
    if actor.role not in REBUILDERS:
        raise Forbidden("only administrators and claims examiners rebuild accumulators")
    with uow:
        session = uow.session
        members = _member_ids(session, employer_id)
        stored = repo.stored_totals(session, members)
        recomputed = repo.recomputed_totals(session, members)
        differences = _differences(session, stored, recomputed)
        if not verify:
            repo.replace_totals(session, members, recomputed)
            audit.record(session, actor, "rebuild", "accumulators", [employer_id or "all"])
            uow.commit()
    return RebuildReport(verified_only=verify, totals=len(recomputed), differences=differences)


def _member_ids(session: Session, employer_id: int | None) -> list[int] | None:
    if employer_id is None:
        return None
    return list(session.scalars(select(Member.id).where(Member.employer_id == employer_id)))


def _differences(
    session: Session, stored: Mapping[repo.TotalKey, int], recomputed: Mapping[repo.TotalKey, int]
) -> list[TotalDifference]:
    keys = sorted(
        k for k in set(stored) | set(recomputed) if stored.get(k, 0) != recomputed.get(k, 0)
    )
    numbers = _member_numbers(session, {key[1] for key in keys})
    return [
        TotalDifference(
            scope="member" if scope == "member" else "family",
            member_id=numbers.get(holder, str(holder)),
            kind=kind,
            group=group,
            network=network,
            period_start=start,
            period_end=end,
            running=money(stored.get(key, 0)),
            recomputed=money(recomputed.get(key, 0)),
        )
        for key in keys
        for scope, holder, kind, group, network, start, end in [key]
    ]


def _member_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for batch in repo.chunks(ids):
        query = select(Member.id, Member.member_number).where(Member.id.in_(batch))
        found.update((pk, number) for pk, number in session.execute(query))
    return found
