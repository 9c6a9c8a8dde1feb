"""Member use cases: add members and coverages, terminate coverage, read members (audit-logged),
de-identified enrollment counts for employers, and the eligibility check.

Scoping follows DESIGN section 1 through :class:`aso.security.domain.Principal`: staff see every
member; a member sees itself and, as a subscriber, its minor dependents; an employer's users see
only de-identified counts of their own employer. A record the actor may not know about answers
NotFound, exactly like a record that does not exist, so existence never leaks.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.employers import repository as employer_repo
from aso.employers.domain import Address, address_problems, normalize_ein
from aso.employers.models import Employer, OfferedPlan
from aso.employers.service import require_admin, visible_employer
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.members import repository as repo
from aso.members.crypto import SsnCipher
from aso.members.domain import (
    ADULT_AGE,
    CoverageChange,
    CoverageSpan,
    Eligibility,
    Relationship,
    Sex,
    age_on,
    change_end,
    covered_through,
    cut_for_age,
    decide_eligibility,
    ending_with_subscriber,
    is_member_id,
    mask_ssn,
    normalize_ssn,
    overlapping,
    tier_problem,
)
from aso.members.models import Coverage, Member
from aso.members.schemas import (
    CoverageChangeRead,
    CoverageCreate,
    CoverageRead,
    EligibilityRead,
    EmployerSummary,
    MemberCreate,
    MemberRead,
    TierCount,
)
from aso.plans.domain import Line, Tier
from aso.security import audit
from aso.security.domain import Principal, Role

ELIGIBILITY_ROLES = frozenset(
    {Role.ADMIN, Role.EXAMINER, Role.SERVICE_REP, Role.PROVIDER, Role.MEMBER}
)
"""Who may ask whether a member is covered: staff, providers (the 270/271 question) and members
about themselves. Employer users get counts, not individual answers."""


# members ------------------------------------------------------------------------------------


def add_member(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int,
    data: MemberCreate,
    cipher: SsnCipher,
    today: date | None = None,
    rng: random.Random | None = None,
) -> MemberRead:
    """Add a subscriber or a dependent of an existing subscriber of the same employer."""
    require_admin(actor)
    today = today or date.today()
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        subscriber = _subscriber_for(session, employer, data)
        member = _new_member(session, employer, subscriber, data, cipher, today, rng)
        audit.record(session, actor, "create", "member", [member.id])
        result = member_read(member, employer, subscriber.member_number if subscriber else None)
        uow.commit()
    return result


def _subscriber_for(session: Session, employer: Employer, data: MemberCreate) -> Member | None:
    if data.relationship is Relationship.SUBSCRIBER:
        if not data.employee_number or data.subscriber:
            raise ValidationFailed(
                [Problem("employee_number", "a subscriber has an employee number, no subscriber")]
            )
        if repo.subscribers_by_employee_number(session, data.employee_number, employer.id):
            raise Conflict(f"employee number {data.employee_number} is already on file")
        return None
    if data.subscriber is None or data.employee_number:
        raise ValidationFailed(
            [
                Problem(
                    "subscriber",
                    "a dependent names its subscriber's member id instead of an employee number",
                )
            ]
        )
    subscriber = repo.member_by_number(session, data.subscriber)
    if (
        subscriber is None
        or subscriber.employer_id != employer.id
        or subscriber.relationship != Relationship.SUBSCRIBER
    ):
        raise ValidationFailed([Problem("subscriber", f"no subscriber {data.subscriber} here")])
    return subscriber


def _new_member(
    session: Session,
    employer: Employer,
    subscriber: Member | None,
    data: MemberCreate,
    cipher: SsnCipher,
    today: date,
    rng: random.Random | None,
) -> Member:
    problems: list[Problem] = []
    if data.birth_date > today:
        problems.append(Problem("birth_date", "is in the future"))
    is_subscriber = subscriber is None
    if not is_subscriber and (data.hire_date or data.annual_earnings or data.employment_class):
        problems.append(
            Problem("hire_date", "hire date, earnings and class belong to the subscriber only")
        )
    address = _address(data, subscriber)
    problems += address_problems(address)
    ssn = None
    if data.ssn:
        try:
            ssn = normalize_ssn(data.ssn)
        except ValueError as exc:
            problems.append(Problem("ssn", str(exc)))
    if problems:
        raise ValidationFailed(problems)
    (number,) = repo.allocate_member_numbers(session, 1, rng or random.SystemRandom())
    member = Member(
        member_number=number,
        employer_id=employer.id,
        subscriber_id=None if subscriber is None else subscriber.id,
        relationship=data.relationship.value,
        employee_number=data.employee_number,
        first_name=data.first_name,
        last_name=data.last_name,
        birth_date=data.birth_date,
        sex=data.sex.value,
        address1=address.address1,
        address2=address.address2,
        city=address.city,
        state=address.state.upper(),
        zip=address.zip,
        hire_date=data.hire_date,
        annual_earnings_cents=data.annual_earnings,
        employment_class=data.employment_class,
    )
    set_ssn(member, ssn, cipher)
    session.add(member)
    session.flush()
    return member


def _address(data: MemberCreate, subscriber: Member | None) -> Address:
    if subscriber is not None and not data.address1:
        return Address(
            subscriber.address1,
            subscriber.city,
            subscriber.state,
            subscriber.zip,
            subscriber.address2,
        )
    return Address(
        data.address1 or "", data.city or "", data.state or "", data.zip or "", data.address2
    )


def set_ssn(member: Member, ssn: str | None, cipher: SsnCipher) -> None:
    """Store an SSN only encrypted, with its last four digits and its keyed digest."""
    if ssn is None:
        member.ssn_encrypted = member.ssn_last4 = member.ssn_digest = None
        return
    member.ssn_encrypted = cipher.encrypt(ssn)
    member.ssn_last4 = ssn[-4:]
    member.ssn_digest = cipher.digest(ssn)


def get_member(
    *, uow: UnitOfWork, actor: Principal, member_id: str, today: date | None = None
) -> MemberRead:
    """One member with its coverages; the read is audit-logged."""
    today = today or date.today()
    with uow:
        session = uow.session
        member = visible_member_record(session, actor, member_id, today)
        result = _read(session, member)
        audit.record(session, actor, "view", "member", [member.id])
        uow.commit()
    return result


def list_family(
    *, uow: UnitOfWork, actor: Principal, member_id: str, today: date | None = None
) -> list[MemberRead]:
    """The members of ``member_id``'s family that the actor may see (a subscriber sees its
    minor dependents, not its adult ones); audit-logged."""
    today = today or date.today()
    with uow:
        session = uow.session
        member = visible_member_record(session, actor, member_id, today)
        visible = [m for m in repo.family(session, member.family_id) if _may_see(actor, m, today)]
        result = [_read(session, m) for m in visible]
        audit.record(session, actor, "view", "member", [m.id for m in visible], detail="family")
        uow.commit()
    return result


def list_members(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, today: date | None = None
) -> list[MemberRead]:
    """Every member of an employer, for TPA staff; audit-logged. Employer users get
    :func:`employer_summary` instead (HIPAA minimum necessary, 45 CFR 164.502(b))."""
    today = today or date.today()
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        if not actor.is_staff:
            raise Forbidden("member records are for TPA staff; employers get de-identified counts")
        members = repo.members_of_employer(session, employer_id)
        numbers = {m.id: m.member_number for m in members if m.subscriber_id is None}
        result = [member_read(m, employer, numbers.get(m.subscriber_id or 0)) for m in members]
        audit.record(session, actor, "view", "member", [m.id for m in members], detail="list")
        uow.commit()
    return result


def member_pk_by_public_id(*, uow: UnitOfWork, member_id: str) -> int:
    """The database id behind a public member id, for commands run on the server (such as
    tying a member user to its record)."""
    with uow:
        member = repo.member_by_number(uow.session, member_id)
        if member is None:
            raise NotFound(f"no member {member_id}")
        return member.id


def employer_summary(
    *, uow: UnitOfWork, actor: Principal, employer_id: int, on: date | None = None
) -> EmployerSummary:
    """Counts of subscribers and members by line and tier on a date: no names, no ids."""
    on = on or date.today()
    with uow:
        session = uow.session
        employer = visible_employer(session, actor, employer_id)
        subscribers, members = repo.member_counts(session, employer_id)
        grouped: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for line, tier, relationship, count in repo.enrollment_counts(session, employer_id, on):
            grouped[line, tier][1] += count
            if relationship == Relationship.SUBSCRIBER:
                grouped[line, tier][0] += count
        return EmployerSummary(
            employer_ein=employer.ein,
            employer_name=employer.name,
            on=on,
            subscribers=subscribers,
            members=members,
            covered_members=repo.covered_member_count(session, employer_id, on),
            by_line_and_tier=[
                TierCount(line=Line(line), tier=Tier(tier), subscribers=s, members=m)
                for (line, tier), (s, m) in sorted(grouped.items())
            ],
        )


# coverage -----------------------------------------------------------------------------------


def add_coverage(
    *,
    uow: UnitOfWork,
    actor: Principal,
    member_id: str,
    data: CoverageCreate,
    today: date | None = None,
) -> CoverageRead:
    """Enroll a member in a plan. The plan must be offered in the plan year containing the start;
    the tier must fit the member; a dependent joins its subscriber's plan and tier; a child's
    coverage is cut at the end of the month it turns 26; nothing may overlap in the line."""
    require_admin(actor)
    today = today or date.today()
    with uow:
        session = uow.session
        member = visible_member_record(session, actor, member_id, today)
        plan = _plan_for(session, member.employer_id, data.plan_id, data.start)
        line = Line(plan.line)
        end = _checked_end(member, plan, line, data)
        candidate = CoverageSpan(
            line, plan.code, plan.name, data.tier, data.start, end, plan.period_end
        )
        if member.subscriber_id is not None:
            _check_joins_subscriber(session, member, candidate)
        clash = overlapping((repo.span(c) for c in member.coverages), candidate)
        if clash:
            raise Conflict(
                f"{member.member_number} already has coverage "
                f"{clash[0].describe()}, which overlaps {candidate.describe()}: "
                "end that coverage first"
            )
        coverage = Coverage(
            member_id=member.id,
            plan_id=plan.id,
            line=line.value,
            tier=data.tier.value,
            start_date=data.start,
            end_date=end,
        )
        session.add(coverage)
        session.flush()
        audit.record(session, actor, "create", "coverage", [coverage.id])
        result = coverage_read(coverage, member)
        uow.commit()
    return result


def _plan_for(session: Session, employer_id: int, code: str, start: date) -> OfferedPlan:
    year = employer_repo.plan_year_containing(session, employer_id, start)
    plan = (
        None
        if year is None
        else employer_repo.offered_plan(session, plan_year_id=year.id, code=code)
    )
    if plan is None:
        raise ValidationFailed(
            [Problem("plan_id", f"{code} is not offered in the plan year containing {start}")]
        )
    return plan


def _checked_end(
    member: Member, plan: OfferedPlan, line: Line, data: CoverageCreate
) -> date | None:
    problems: list[Problem] = []
    if not plan.period_start <= data.start <= plan.period_end:
        problems.append(
            Problem("start", f"outside the plan's period {plan.period_start}..{plan.period_end}")
        )
    if data.end is not None and not data.start <= data.end <= plan.period_end:
        problems.append(Problem("end", f"must be between the start and {plan.period_end}"))
    relationship = Relationship(member.relationship)
    why = tier_problem(relationship, data.tier, line)
    if why:
        problems.append(Problem("tier", why))
    end = data.end
    try:
        end, _cut = cut_for_age(
            relationship, member.birth_date, data.start, data.end, plan.period_end
        )
    except ValueError as exc:
        problems.append(Problem("start", str(exc)))
    if problems:
        raise ValidationFailed(problems)
    return end


def _check_joins_subscriber(session: Session, member: Member, candidate: CoverageSpan) -> None:
    """A dependent is covered under its subscriber's plan and tier, while the subscriber is."""
    assert member.subscriber_id is not None
    subscriber = session.get(Member, member.subscriber_id)
    assert subscriber is not None
    for span in (repo.span(c) for c in subscriber.coverages):
        if span.line == candidate.line and span.start <= candidate.start <= span.last_day:
            if span.plan_code != candidate.plan_code or span.tier != candidate.tier:
                raise ValidationFailed(
                    [
                        Problem(
                            "tier",
                            f"the subscriber is on {span.plan_code} tier "
                            f"{span.tier.value}: a dependent joins the same plan and tier",
                        )
                    ]
                )
            return
    raise ValidationFailed(
        [
            Problem(
                "start",
                f"the subscriber has no {candidate.line.value} coverage on {candidate.start}",
            )
        ]
    )


def change_coverage_end(
    *,
    uow: UnitOfWork,
    actor: Principal,
    member_id: str,
    line: Line,
    end: date | None,
    start: date | None = None,
    today: date | None = None,
) -> list[CoverageChangeRead]:
    """Terminate (``end`` in the past: retroactively), extend or reinstate (``end`` None) a
    coverage: the one starting on ``start``, else the member's latest in the line. Ending a
    subscriber's coverage ends its dependents' coverages in the line no later. Returns what
    changed, each change also written to the audit log."""
    require_admin(actor)
    today = today or date.today()
    with uow:
        session = uow.session
        member = visible_member_record(session, actor, member_id, today)
        coverage = _coverage_to_change(member, line, start)
        before = repo.span(coverage)
        changes = [_move_end(member, coverage, end, today)]
        if member.subscriber_id is None and end is not None:
            changes += _end_dependents(session, member, before, end, today)
        result = []
        for changed_member, cov, change in changes:
            text = change.describe()
            audit.record(session, actor, "update", "coverage", [cov.id], detail=text)
            result.append(
                CoverageChangeRead(
                    member_id=changed_member.member_number,
                    coverage_id=cov.id,
                    line=line,
                    plan_id=change.coverage.plan_code,
                    old_end=change.old_end,
                    new_end=change.new_end,
                    retroactive=change.retroactive,
                    description=f"{changed_member.member_number}: {text}",
                )
            )
        uow.commit()
    return result


def _coverage_to_change(member: Member, line: Line, start: date | None) -> Coverage:
    candidates = [
        c
        for c in member.coverages
        if c.line == line.value and (start is None or c.start_date == start)
    ]
    if not candidates:
        when = "" if start is None else f" starting {start}"
        raise NotFound(f"{member.member_number} has no {line.value} coverage{when}")
    return max(candidates, key=lambda c: c.start_date)


def _move_end(
    member: Member, coverage: Coverage, end: date | None, today: date
) -> tuple[Member, Coverage, CoverageChange]:
    span = repo.span(coverage)
    relationship = Relationship(member.relationship)
    try:
        if end is None or end > span.last_day:
            end, _cut = cut_for_age(relationship, member.birth_date, span.start, end, span.plan_end)
        change = change_end(span, end, today)
    except ValueError as exc:
        raise ValidationFailed([Problem("end", str(exc))]) from exc
    moved = CoverageSpan(
        span.line,
        span.plan_code,
        span.plan_name,
        span.tier,
        span.start,
        end,
        span.plan_end,
        span.id,
    )
    clash = overlapping((repo.span(c) for c in member.coverages), moved)
    if clash:
        raise Conflict(f"{member.member_number}: the new end would overlap {clash[0].describe()}")
    coverage.end_date = end
    return member, coverage, change


def _end_dependents(
    session: Session, subscriber: Member, before: CoverageSpan, end: date, today: date
) -> list[tuple[Member, Coverage, CoverageChange]]:
    changes = []
    for dependent in repo.family(session, subscriber.id)[1:]:
        by_id = {c.id: c for c in dependent.coverages}
        to_end, orphaned = ending_with_subscriber(before, end, map(repo.span, by_id.values()))
        if orphaned:
            raise ValidationFailed(
                [
                    Problem(
                        "end",
                        f"dependent {dependent.member_number}'s {span.line.value} coverage "
                        f"starts {span.start}, after the new end: end or remove it first",
                    )
                    for span in orphaned
                ]
            )
        for span in to_end:
            assert span.id is not None
            by_id[span.id].end_date = end
            changes.append((dependent, by_id[span.id], change_end(span, end, today)))
    return changes


# eligibility --------------------------------------------------------------------------------


def check_eligibility(
    *,
    uow: UnitOfWork,
    actor: Principal,
    line: Line,
    on: date,
    member_id: str | None = None,
    subscriber: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    birth_date: date | None = None,
    employer_ein: str | None = None,
    today: date | None = None,
) -> EligibilityRead:
    """Is a member covered in ``line`` on ``on``, under which plan and tier, and if not why.

    The member is named by its member id, or by its subscriber (member id or employee number,
    with ``employer_ein`` when employee numbers repeat across employers) plus first name, last
    name and birth date, as a 270 inquiry does. Staff and providers get "no such member" as an
    answer; a member asking about anyone it may not see gets NotFound.
    """
    if actor.role not in ELIGIBILITY_ROLES:
        raise Forbidden("eligibility of a person is not for this role")
    with uow:
        session = uow.session
        member = _find_for_eligibility(
            session, member_id, subscriber, first_name, last_name, birth_date, employer_ein
        )
        if member is None:
            if actor.role is Role.MEMBER:
                raise NotFound("no such member")
            return eligibility_read(decide_eligibility(None, [], line, on), None)
        if actor.role is not Role.PROVIDER:
            _require_visible(actor, member, today or date.today())
        spans = [repo.span(c) for c in member.coverages]
        decision = decide_eligibility(repo.person(member), spans, line, on)
        audit.record(session, actor, "view", "member", [member.id], detail="eligibility")
        result = eligibility_read(decision, member.member_number)
        uow.commit()
    return result


def _find_for_eligibility(
    session: Session,
    member_id: str | None,
    subscriber: str | None,
    first_name: str | None,
    last_name: str | None,
    birth_date: date | None,
    employer_ein: str | None,
) -> Member | None:
    if member_id:
        return repo.member_by_number(session, member_id)
    if not (subscriber and first_name and last_name and birth_date):
        raise ValidationFailed(
            [
                Problem(
                    "member",
                    "give a member id, or a subscriber with first name, last name and birth date",
                )
            ]
        )
    families = _subscribers(session, subscriber, employer_ein)
    wanted = (first_name.strip().casefold(), last_name.strip().casefold(), birth_date)
    found = [
        m
        for sub in families
        for m in repo.family(session, sub.id)
        if (m.first_name.casefold(), m.last_name.casefold(), m.birth_date) == wanted
    ]
    if len(found) > 1:
        raise ValidationFailed(
            [Problem("subscriber", "several members match: name the employer or the member id")]
        )
    return found[0] if found else None


def _subscribers(session: Session, subscriber: str, employer_ein: str | None) -> list[Member]:
    if is_member_id(subscriber):
        found = repo.member_by_number(session, subscriber)
        if found is None:
            return []
        head = found if found.subscriber_id is None else session.get(Member, found.subscriber_id)
        return [] if head is None else [head]
    employer_id = None
    if employer_ein:
        try:
            employer = employer_repo.employer_by_ein(session, normalize_ein(employer_ein))
        except ValueError as exc:
            raise ValidationFailed([Problem("employer", str(exc))]) from exc
        if employer is None:
            return []
        employer_id = employer.id
    return list(repo.subscribers_by_employee_number(session, subscriber.strip(), employer_id))


def eligibility_read(decision: Eligibility, member_number: str | None) -> EligibilityRead:
    span = decision.coverage
    return EligibilityRead(
        covered=decision.covered,
        line=decision.line,
        date=decision.on,
        member_id=member_number,
        reason=None if decision.reason is None else decision.reason.value,
        carc=None if decision.reason is None else decision.reason.carc,
        message=decision.message,
        plan_id=None if span is None else span.plan_code,
        plan_name=None if span is None else span.plan_name,
        tier=None if span is None else span.tier,
        coverage_start=None if span is None else span.start,
        coverage_end=None if span is None else span.end,
        covered_through=decision.covered_through,
    )


# scoping and reads --------------------------------------------------------------------------


def _may_see(actor: Principal, member: Member, today: date) -> bool:
    adult = age_on(member.birth_date, today) >= ADULT_AGE
    return actor.may_see_member_phi(family_id=member.family_id, member_id=member.id, adult=adult)


def _require_visible(actor: Principal, member: Member, today: date) -> None:
    if _may_see(actor, member, today):
        return
    if actor.role is Role.MEMBER and actor.family_id == member.family_id:
        raise Forbidden("an adult dependent's records are its own")
    if actor.role is Role.EMPLOYER and actor.employer_id == member.employer_id:
        raise Forbidden("employers see de-identified counts, not member records")
    raise NotFound(f"no member {member.member_number}")


def visible_member_record(
    session: Session, actor: Principal, member_id: str, today: date
) -> Member:
    """The member with this public id if the actor may see its record (else NotFound, or
    Forbidden for its own family's adult or its employer); the caller audits the view."""
    member = repo.member_by_number(session, member_id)
    if member is None:
        raise NotFound(f"no member {member_id}")
    _require_visible(actor, member, today)
    return member


def _read(session: Session, member: Member) -> MemberRead:
    employer = session.get(Employer, member.employer_id)
    assert employer is not None
    head = None if member.subscriber_id is None else session.get(Member, member.subscriber_id)
    return member_read(member, employer, None if head is None else head.member_number)


def member_read(member: Member, employer: Employer, subscriber_number: str | None) -> MemberRead:
    """A member as it may be shown: the SSN masked, the subscriber by its public id."""
    return MemberRead(
        member_id=member.member_number,
        relationship=Relationship(member.relationship),
        subscriber_member_id=subscriber_number,
        employee_number=member.employee_number,
        employer_ein=employer.ein,
        first_name=member.first_name,
        last_name=member.last_name,
        birth_date=member.birth_date,
        sex=Sex(member.sex),
        ssn_masked=mask_ssn(member.ssn_last4),
        address1=member.address1,
        address2=member.address2,
        city=member.city,
        state=member.state,
        zip=member.zip,
        hire_date=member.hire_date,
        annual_earnings=member.annual_earnings_cents,
        employment_class=member.employment_class,
        coverages=[coverage_read(c, member) for c in member.coverages],
    )


def coverage_read(coverage: Coverage, member: Member) -> CoverageRead:
    span = repo.span(coverage)
    return CoverageRead(
        id=coverage.id,
        line=span.line,
        plan_id=span.plan_code,
        plan_name=span.plan_name,
        tier=span.tier,
        start=span.start,
        end=span.end,
        covered_through=covered_through(repo.person(member), span),
    )
