"""Each HD loop (2300) of an 834 member applied to its coverage through the members services.

HD01 ``021`` addition, ``001`` change, ``026`` correction and ``030`` audit *state* the coverage:
plan and tier (``enrollment_terms``), benefit begin (DTP*348) and end (DTP*349, none = open). A
coverage of the line starting on that day is brought to what the loop says (plan or tier
corrected in place; the end moved: a termination, an extension or a reinstatement); otherwise
the coverage is added (``add_coverage``), and an open coverage of the line that began earlier
ends the day before (a plan or tier change from that day: the dependents covered with the
subscriber move with it unless the set enrolls them itself). Stating what is on file changes
nothing, so a file read twice leaves the enrollment as once.

``024`` and ``025`` terminate and reinstate (``enrollment_ending``); ``032`` (not applicable) is
noted; ``002`` (delete) is refused: coverage history is never erased here, a termination says
when it ended.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta

from aso.edi.enrollment_context import (
    Context,
    Move,
    Touch,
    change_end,
    day,
    in_force,
    in_line,
    refuse_into,
    who,
)
from aso.edi.enrollment_ending import reinstate, reinstate_member, terminate, terminate_member
from aso.edi.enrollment_terms import plan_for, tier_for
from aso.edi.x834 import CoverageLine, EnrollmentMember
from aso.edi.x834_codes import (
    INSURANCE_LINES,
    STATED,
    Maintenance,
)
from aso.employers.models import OfferedPlan
from aso.members import repository as member_repo
from aso.members.domain import Relationship, cut_for_age, tier_problem
from aso.members.models import Coverage, Member
from aso.members.schemas import CoverageCreate
from aso.members.service import add_coverage
from aso.plans.domain import Line, Tier
from aso.security import audit


def apply_coverages(
    context: Context, member: EnrollmentMember, on_file: Member, head: Member
) -> None:
    """Apply the member loop's HD loops (or its INS-level termination or reinstatement)."""
    if not member.coverages:
        if member.maintenance == Maintenance.TERMINATION:
            terminate_member(context, member, on_file, head)
        elif member.maintenance == Maintenance.REINSTATEMENT:
            reinstate_member(context, member, on_file, head)
        return
    for coverage in member.coverages:
        line = INSURANCE_LINES.get(coverage.insurance_line)
        if line is None:
            context.outcome.notes.append(
                f"{who(member)}: HD03 {coverage.insurance_line} is not a line this TPA "
                "administers: that coverage loop is not enrolled"
            )
            continue
        maintenance = coverage.maintenance
        if maintenance in STATED:
            _state(context, member, on_file, head, coverage, line)
        elif maintenance == Maintenance.TERMINATION:
            terminate(context, member, on_file, head, coverage, line)
        elif maintenance == Maintenance.REINSTATEMENT:
            reinstate(context, member, on_file, head, coverage, line)
        elif maintenance == Maintenance.NOT_APPLICABLE:
            context.outcome.notes.append(f"{who(member)}: HD01 032 (not applicable) noted")
        else:
            context.refusals.coverage(
                member,
                coverage,
                "maintenance",
                "HD01 002 (delete) erases coverage history: send 024 with the benefit end date",
            )


# stating a coverage ------------------------------------------------------------------------


def _state(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine,
    line: Line,
) -> None:
    start = day(coverage.start) or day(member.dates.get("356", ""))
    if start is None:
        context.refusals.coverage(
            member, coverage, "start", "the benefit begin date (DTP*348) is required"
        )
        return
    end = day(coverage.end)
    plan = plan_for(context, member, on_file, head, coverage, line, start)
    tier = tier_for(context, member, on_file, head, coverage, line, start)
    if plan is None or tier is None:
        return
    context.touched.append(Touch(head.id, line, start, member, coverage))
    same = next((c for c in in_line(on_file, line) if c.start_date == start), None)
    if same is not None:
        _restate(context, member, on_file, head, coverage, same, plan, tier, end)
        return
    earlier = [
        c
        for c in in_line(on_file, line)
        if c.start_date < start and member_repo.span(c).last_day >= start
    ]
    if earlier and not _supersede(context, member, on_file, coverage, earlier[-1], start, line):
        return
    data = CoverageCreate(plan_id=plan.code, tier=tier, start=start, end=end)
    added = context.attempt(
        lambda: add_coverage(
            uow=context.uow,
            actor=context.actor,
            member_id=on_file.member_number,
            data=data,
            today=context.today,
        ),
        refuse_into(context, member, coverage, "start"),
    )
    if added is not None:
        context.outcome.coverages_added += 1
        context.outcome.changes.append(
            f"{on_file.member_number}: {line.value} {plan.code} {tier.value} from {start}"
            + (f" to {end}" if end else "")
            + " added"
        )


def _supersede(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    coverage: CoverageLine,
    old: Coverage,
    start: date,
    line: Line,
) -> bool:
    """End the coverage that began earlier the day before ``start``; its dependents (ended with
    it) move with the subscriber to the new coverage unless the set enrolls them itself."""
    changes = change_end(context, member, on_file, coverage, old, start - timedelta(days=1))
    if changes is None:
        return False
    if on_file.subscriber_id is None:
        moved = tuple(c.member_id for c in changes if c.member_id != on_file.member_number)
        if moved:
            context.moves.append(Move(on_file.id, line, start, moved, member, coverage))
    return True


def _restate(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine,
    existing: Coverage,
    plan: OfferedPlan,
    tier: Tier,
    end: date | None,
) -> None:
    """The coverage starting on the same day: plan and tier corrected in place, end moved."""
    changed = False
    if existing.plan_id != plan.id or existing.tier != tier.value:
        if not _correct(context, member, on_file, head, coverage, existing, plan, tier):
            return
        changed = True
    span = member_repo.span(existing)
    expected = end
    with suppress(ValueError):  # the service says why
        expected, _cut = cut_for_age(
            Relationship(on_file.relationship), on_file.birth_date, span.start, end, span.plan_end
        )
    if existing.end_date != expected:
        if change_end(context, member, on_file, coverage, existing, end) is None:
            return
        changed = True
    if not changed:
        context.outcome.coverages_unchanged += 1


def _correct(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine,
    existing: Coverage,
    plan: OfferedPlan,
    tier: Tier,
) -> bool:
    """Plan or tier of a coverage corrected from its first day (no members service does this:
    the checks are add_coverage's: the tier fits the member, a dependent is on its subscriber's
    plan and tier). A subscriber's dependents covered with it are corrected with it."""
    relationship = Relationship(on_file.relationship)
    line = Line(existing.line)
    if not plan.period_start <= existing.start_date <= plan.period_end:
        context.refusals.coverage(
            member,
            coverage,
            "start",
            f"outside {plan.code}'s period {plan.period_start}..{plan.period_end}",
        )
        return False
    why = tier_problem(relationship, tier, line)
    if why:
        context.refusals.coverage(member, coverage, "tier", why)
        return False
    if on_file.subscriber_id is not None:
        theirs = in_force(in_line(head, line), existing.start_date)
        if theirs is not None and (theirs.plan_id, theirs.tier) != (plan.id, tier.value):
            context.refusals.coverage(
                member,
                coverage,
                "tier",
                f"the subscriber is on {theirs.plan.code} tier {theirs.tier}: a dependent joins "
                "the same plan and tier",
            )
            return False
    followers = _followers(context, on_file, existing) if on_file.subscriber_id is None else []
    old = f"{existing.plan.code} {existing.tier}"
    for target in [existing, *followers]:
        target.plan_id, target.tier = plan.id, tier.value
    context.session.flush()
    ids = [c.id for c in [existing, *followers]]
    text = f"{line.value} coverage from {existing.start_date}: {old} -> {plan.code} {tier.value}"
    audit.record(
        context.session, context.actor, "update", "coverage", ids, detail=f"834 {text}"[:200]
    )
    context.session.expire_all()
    context.outcome.coverages_changed += len(ids)
    context.outcome.changes.append(f"{on_file.member_number}: {text}")
    return True


def _followers(context: Context, head: Member, existing: Coverage) -> list[Coverage]:
    """The dependents' coverages on the subscriber's plan and tier inside its coverage."""
    span = member_repo.span(existing)
    found = []
    for dependent in member_repo.family(context.session, head.id)[1:]:
        for coverage in dependent.coverages:
            theirs = member_repo.span(coverage)
            if (
                coverage.line == existing.line
                and (coverage.plan_id, coverage.tier) == (existing.plan_id, existing.tier)
                and span.start <= theirs.start <= span.last_day
            ):
                found.append(coverage)
    return found
