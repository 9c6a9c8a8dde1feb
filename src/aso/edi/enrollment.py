"""An 834 set applied to the employer's members and coverage (DESIGN 9, issue 4 item 2), in the
set's one transaction, through the members services the rest of the platform uses
(``add_member``, ``add_coverage``, ``change_coverage_end``), so the same rules hold: no two
coverages overlap in a line, a child is covered to the end of the month it turns 26, a dependent
is on its subscriber's plan and tier, a retroactive termination is allowed and its dependents end
with the subscriber, and every change is audit-logged. When the set is done, each family whose
coverage changed has its tier checked against the dependents enrolled with it (the census's
rule). Any refusal refuses the set: the caller rolls it back and the 999 names each refused
segment and element.

The member loops apply in the file's order, subscribers before dependents (a dependent joins
its subscriber's coverage). How they apply depends on BGN08:

- ``2`` (change): each loop is a maintenance transaction (``enrollment_coverage``).
- ``RX`` (replace, a full file): the loops state the whole enrollment of the lines the file
  carries. What a mature TPA does with members the full file leaves out is to end them, not to
  keep paying claims for people the employer no longer enrolls; it ends them on the day before
  the file's effective date (DTP*007, else its creation date BGN03), in those lines only (a
  file of medical and dental enrollment says nothing about vision), and lists each in the
  summary. A coverage starting after that day is left as is, with a note.
- ``4`` (verify), and an information copy (BGN01 22): the set is applied and rolled back: the
  summary lists the differences between the sponsor's enrollment and ours, nothing changes.

An audit loop (INS03/HD01 030) states the member as the sponsor has it, like an addition: what
is already on file is left unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from aso.edi.codes import ElementError
from aso.edi.enrollment_context import Context, JoinedUnitOfWork
from aso.edi.enrollment_coverage import apply_coverages
from aso.edi.enrollment_outcome import EnrollmentOutcome, Refusals
from aso.edi.enrollment_people import (
    add,
    check_subscriber,
    find_dependent,
    find_sponsor,
    find_subscriber,
    missing_member,
    update,
)
from aso.edi.x834 import EnrollmentMember, MemberRead
from aso.edi.x834_codes import INSURANCE_LINES, Action, Maintenance
from aso.employers import repository as employer_repo
from aso.errors import Problem
from aso.members import repository as member_repo
from aso.members.crypto import SsnCipher
from aso.members.domain import Relationship, family_tier_problem
from aso.members.models import Member
from aso.members.schemas import CoverageCreate
from aso.members.service import add_coverage, change_coverage_end
from aso.plans.domain import Line, Tier
from aso.security.domain import Principal

__all__ = ["apply_enrollment", "compares_only"]

NEEDS_MEMBER = frozenset({Maintenance.TERMINATION, Maintenance.REINSTATEMENT})


def compares_only(read: MemberRead) -> bool:
    """Whether the set is a comparison (BGN08 4) or an information copy (BGN01 22)."""
    return read.enrollment.action == Action.VERIFY or read.enrollment.purpose == "22"


def apply_enrollment(
    *,
    session: Session,
    actor: Principal,
    cipher: SsnCipher,
    reads: Sequence[MemberRead],
    today: date,
    rng: random.Random,
) -> EnrollmentOutcome:
    """Apply the member loops of one set in ``session`` (never commits: the caller commits when
    the outcome has no errors, and rolls back otherwise or when the set only compares)."""
    header = reads[0].enrollment
    outcome = EnrollmentOutcome(action=header.action)
    context = Context(
        session=session,
        uow=JoinedUnitOfWork(session),
        actor=actor,
        cipher=cipher,
        today=today,
        rng=rng,
        header=header,
        outcome=outcome,
        refusals=Refusals(reads[0].header.control_number, outcome),
        members=[read.member for read in reads],
    )
    context.employer = find_sponsor(context)
    if context.employer is None:
        return outcome
    context.plans = list(employer_repo.offered_plans(session, context.employer.id))
    ordered = sorted(context.members, key=lambda m: not m.is_subscriber)
    for member in ordered:
        _apply_member(context, member)
    _move_dependents(context)
    _check_tiers(context)
    if header.action == Action.REPLACE and not outcome.refused:
        _end_absent(context)
    return outcome


def _apply_member(context: Context, member: EnrollmentMember) -> None:
    context.outcome.members += 1
    if not member.subscriber_id:
        context.refusals.member_field(
            member, "subscriber", "the subscriber identifier (REF*0F) is required"
        )
        return
    head = find_subscriber(context, member.subscriber_id)
    if member.is_subscriber:
        on_file = head
        if on_file is not None and not check_subscriber(context, on_file, member):
            return
    else:
        if head is None:
            context.refusals.member_field(
                member,
                "subscriber",
                f"no subscriber {member.subscriber_id} is on file or in this set",
                member.subscriber_id,
            )
            return
        on_file = find_dependent(context, head, member)
    if on_file is None:
        if member.maintenance in NEEDS_MEMBER:
            missing_member(context, member, "a termination or reinstatement")
            return
        on_file = add(context, member, None if member.is_subscriber else head)
        if on_file is None:
            return
    else:
        update(context, on_file, member)
    context.seen.add(on_file.id)
    family_head = on_file if member.is_subscriber else head
    assert family_head is not None
    apply_coverages(context, member, on_file, family_head)


def _move_dependents(context: Context) -> None:
    """Dependents ended with a subscriber's replaced coverage join its new one from the day it
    starts, unless the set gave them a coverage of their own."""
    for move in context.moves:
        head = context.session.get(Member, move.head_id)
        assert head is not None
        new = next(
            (c for c in head.coverages if c.line == move.line.value and c.start_date == move.start),
            None,
        )
        if new is None:
            continue
        data = CoverageCreate(
            plan_id=new.plan.code, tier=Tier(new.tier), start=move.start, end=new.end_date
        )
        for number in move.dependents:
            dependent = member_repo.member_by_number(context.session, number)
            if dependent is not None and not any(
                c.line == move.line.value and c.start_date >= move.start
                for c in dependent.coverages
            ):
                _follow(context, number, data, move.line)


def _follow(context: Context, number: str, data: CoverageCreate, line: Line) -> None:
    def refuse(problems: list[Problem]) -> None:
        context.outcome.notes.extend(
            f"{number} did not follow the subscriber to {data.plan_id}: {p.message}"
            for p in problems
        )

    added = context.attempt(
        lambda: add_coverage(
            uow=context.uow, actor=context.actor, member_id=number, data=data, today=context.today
        ),
        refuse,
    )
    if added is not None:
        context.outcome.coverages_added += 1
        context.outcome.changes.append(
            f"{number}: {line.value} {data.plan_id} {data.tier.value} from {data.start} added, "
            "with the subscriber"
        )


def _check_tiers(context: Context) -> None:
    """Each changed family's tier fits the dependents enrolled with the subscriber."""
    checked: set[int] = set()
    for touch in context.touched:
        head = context.session.get(Member, touch.head_id)
        assert head is not None
        coverage = next(
            (
                c
                for c in head.coverages
                if c.line == touch.line.value
                and c.start_date <= touch.day <= member_repo.span(c).last_day
            ),
            None,
        )
        if coverage is None or coverage.id in checked:
            continue
        checked.add(coverage.id)
        span = member_repo.span(coverage)
        dependents = [
            Relationship(d.relationship)
            for d in member_repo.family(context.session, head.id)[1:]
            if any(member_repo.span(c).overlaps(span) for c in d.coverages)
        ]
        why = family_tier_problem(span.tier, dependents)
        if why:
            context.refusals.coverage(
                touch.member,
                touch.coverage,
                "tier",
                f"{head.member_number}'s {span.line.value} coverage from {span.start} is on tier "
                f"{span.tier.value}: {why}",
            )


def _end_absent(context: Context) -> None:
    """A full file (BGN08 RX): members it leaves out leave the lines it carries (module)."""
    header = context.header
    effective = date.fromisoformat(header.effective or header.created)
    cut = effective - timedelta(days=1)
    lines = {
        line
        for member in context.members
        for coverage in member.coverages
        if (line := INSURANCE_LINES.get(coverage.insurance_line)) is not None
    }
    members = member_repo.members_of_employer(context.session, context.employer_id)
    absent = [m for m in members if m.id not in context.seen]
    for member in sorted(absent, key=lambda m: m.subscriber_id is not None):
        for line in sorted(lines):
            _end_left_out(context, member, line, cut)


def _end_left_out(context: Context, member: Member, line: Line, cut: date) -> None:
    for coverage in (c for c in member.coverages if c.line == line.value):
        span = member_repo.span(coverage)
        if span.last_day <= cut:
            continue
        if span.start > cut:
            context.outcome.notes.append(
                f"{member.member_number}: not in the full file, but its {line.value} coverage "
                f"starts {span.start}, after {cut}: left as is"
            )
            continue
        _end_one(context, member.member_number, line, span.start, cut)


def _end_one(context: Context, number: str, line: Line, start: date, cut: date) -> None:
    def refuse(problems: list[Problem]) -> None:
        assert context.header.bgn is not None
        for problem in problems:
            context.refusals.at(
                context.header.bgn,
                f"{number} is not in the full file and cannot be ended on {cut}: {problem.message}",
                element=8,
                code=ElementError.INVALID_CODE,
                value=context.header.action,
            )

    changes = context.attempt(
        lambda: change_coverage_end(
            uow=context.uow,
            actor=context.actor,
            member_id=number,
            line=line,
            end=cut,
            start=start,
            today=context.today,
        ),
        refuse,
    )
    if changes:
        context.outcome.coverages_changed += len(changes)
        context.outcome.changes.extend(
            f"{change.description} (not in the full file)" for change in changes
        )
