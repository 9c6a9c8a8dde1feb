"""Terminations and reinstatements of an 834 member's coverage, through ``change_coverage_end``.

- ``024`` terminates (retroactively when the end is past): the coverage of the line in force on
  the benefit end (DTP*349, else the member's eligibility end DTP*357), or the one starting on
  DTP*348 when given. A subscriber's dependents end with it (the service's rule).
- ``025`` reinstates: the latest coverage of the line (or the one starting on DTP*348) is open
  again (or ends on DTP*349); the dependents that ended with the subscriber are reinstated too.

A member loop without HD loops terminates (INS03 024, on DTP*357) or reinstates (025: what ended
on the member's latest termination date) every line of the member. Ending or reopening what is
already so changes nothing.
"""

from __future__ import annotations

from datetime import date

from aso.edi.enrollment_context import (
    Context,
    Touch,
    change_end,
    day,
    in_force,
    in_line,
)
from aso.edi.x834 import CoverageLine, EnrollmentMember
from aso.members import repository as member_repo
from aso.members.domain import Relationship, cut_for_age
from aso.members.models import Coverage, Member
from aso.plans.domain import Line


def terminate(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine,
    line: Line,
) -> None:
    end = day(coverage.end) or day(member.dates.get("357", ""))
    if end is None:
        context.refusals.coverage(
            member,
            coverage,
            "end",
            "a termination needs the benefit end date (DTP*349) or the eligibility end (DTP*357)",
        )
        return
    coverages = in_line(on_file, line)
    start = day(coverage.start)
    if start is not None:
        target = next((c for c in coverages if c.start_date == start), None)
    else:
        target = in_force(coverages, end) or next(
            (c for c in reversed(coverages) if c.start_date <= end), None
        )
    if target is None:
        context.refusals.coverage(
            member, coverage, "line", f"{on_file.member_number} has no {line.value} coverage to end"
        )
        return
    context.touched.append(Touch(head.id, line, end, member, coverage))
    if target.end_date == end:
        context.outcome.coverages_unchanged += 1
        return
    change_end(context, member, on_file, coverage, target, end)


def terminate_member(
    context: Context, member: EnrollmentMember, on_file: Member, head: Member
) -> None:
    """INS03 024 without HD loops: every line ends on the eligibility end date (DTP*357)."""
    end = day(member.dates.get("357", ""))
    if end is None:
        context.refusals.coverage(
            member, None, "end", "a termination needs the eligibility end date (DTP*357)"
        )
        return
    for line in Line:
        coverages = in_line(on_file, line)
        later = [c for c in coverages if c.start_date > end]
        if later:
            context.refusals.coverage(
                member,
                None,
                "end",
                f"{on_file.member_number}'s {line.value} coverage starts {later[0].start_date}, "
                f"after the eligibility end {end}: end it with its own HD loop",
            )
            continue
        target = in_force(coverages, end)
        if target is None:
            continue
        context.touched.append(Touch(head.id, line, end, member, None))
        if target.end_date == end:
            context.outcome.coverages_unchanged += 1
            continue
        change_end(context, member, on_file, None, target, end)


def reinstate(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine,
    line: Line,
) -> None:
    coverages = in_line(on_file, line)
    start = day(coverage.start)
    if start is not None:
        target = next((c for c in coverages if c.start_date == start), None)
    else:
        target = coverages[-1] if coverages else None
    if target is None:
        context.refusals.coverage(
            member,
            coverage,
            "line",
            f"{on_file.member_number} has no {line.value} coverage"
            + (f" starting {start}" if start else "")
            + " to reinstate",
        )
        return
    _reopen(context, member, on_file, head, coverage, target, day(coverage.end))


def reinstate_member(
    context: Context, member: EnrollmentMember, on_file: Member, head: Member
) -> None:
    """INS03 025 without HD loops: the coverages that ended on the member's latest termination
    date (the latest coverage of each line) are open again."""
    latest = [cs[-1] for line in Line if (cs := in_line(on_file, line))]
    ended = [c for c in latest if c.end_date is not None]
    if not ended:
        if latest:
            context.outcome.coverages_unchanged += len(latest)
            return
        context.refusals.coverage(
            member, None, "line", f"{on_file.member_number} has no coverage to reinstate"
        )
        return
    last = max(c.end_date for c in ended if c.end_date is not None)
    for target in (c for c in ended if c.end_date == last):
        _reopen(context, member, on_file, head, None, target, None)


def _reopen(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine | None,
    target: Coverage,
    end: date | None,
) -> None:
    line = Line(target.line)
    context.touched.append(Touch(head.id, line, target.start_date, member, coverage))
    old_end = target.end_date
    if old_end == end or (old_end is not None and end is None and _at_age_limit(on_file, target)):
        context.outcome.coverages_unchanged += 1
        return
    if change_end(context, member, on_file, coverage, target, end) is None:
        return
    if on_file.subscriber_id is None and old_end is not None:
        _reopen_dependents(context, member, on_file, coverage, target, old_end, end)


def _at_age_limit(on_file: Member, target: Coverage) -> bool:
    """A child's coverage ends at the age limit already: reopening it changes nothing."""
    span = member_repo.span(target)
    try:
        cut, _ = cut_for_age(
            Relationship(on_file.relationship), on_file.birth_date, span.start, None, span.plan_end
        )
    except ValueError:
        return False
    return cut is not None and cut == target.end_date


def _reopen_dependents(
    context: Context,
    member: EnrollmentMember,
    head: Member,
    coverage: CoverageLine | None,
    target: Coverage,
    old_end: date,
    end: date | None,
) -> None:
    """The dependents whose coverage ended with the subscriber's are reinstated with it."""
    span = member_repo.span(target)
    for dependent in member_repo.family(context.session, head.id)[1:]:
        for theirs in in_line(dependent, span.line):
            if theirs.end_date == old_end and span.start <= theirs.start_date <= old_end:
                change_end(context, member, dependent, coverage, theirs, end)
