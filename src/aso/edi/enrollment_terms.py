"""The plan and tier of a coverage stated by an 834 HD loop.

The plan is HD04, the employer's plan id (or its name); without HD04, a dependent's is its
subscriber's, and a subscriber's is its coverage's on file or the only plan the employer offers
in the line that plan year. The tier is HD05 (EMP/IND employee, ESP employee and spouse, ECH
employee and children, FAM family); a dependent is on its subscriber's tier; a subscriber without
HD05, or with a level that only counts dependents (E1D, E2D, TWO, ...), gets the tier its enrolled
dependents call for. Coverage without the employee (SPO, SPC, CHD, DEP) is no tier here.
"""

from __future__ import annotations

from datetime import date

from aso.edi.enrollment_context import (
    Context,
    in_force,
    in_line,
)
from aso.edi.x834 import CoverageLine, EnrollmentMember
from aso.edi.x834_codes import (
    COUNTED_LEVELS,
    COVERAGE_LEVELS,
    INSURANCE_LINES,
    RELATIONSHIPS,
    STATED,
    WITHOUT_EMPLOYEE,
)
from aso.employers.models import OfferedPlan
from aso.members import repository as member_repo
from aso.members.domain import PARTNERS, Relationship
from aso.members.models import Member
from aso.plans.domain import DISABILITY_LINES, Line, Tier


def plan_for(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine,
    line: Line,
    start: date,
) -> OfferedPlan | None:
    """The employer's plan the coverage is in (see the module)."""
    in_year = [
        p
        for p in context.plans
        if p.line == line.value and p.plan_year.start_date <= start <= p.plan_year.end_date
    ]
    if coverage.plan:
        wanted = coverage.plan.casefold()
        found = [p for p in in_year if p.code.casefold() == wanted] or [
            p for p in in_year if p.name.casefold() == wanted
        ]
        if found:
            return found[0]
        same_code = [p for p in context.plans if p.code.casefold() == wanted]
        if any(p.line == line.value for p in same_code):
            field, why = (
                "start",
                f"{coverage.plan} is not offered in the plan year containing {start}",
            )
        elif same_code:
            field, why = "plan", f"{coverage.plan} is a {same_code[0].line} plan, not {line.value}"
        else:
            field, why = "plan", f"{coverage.plan} is not a {line.value} plan this employer offers"
        context.refusals.coverage(member, coverage, field, why)
        return None
    for source in (head, on_file):
        current = in_force(in_line(source, line), start)
        if current is not None:
            return current.plan
    if len(in_year) == 1:
        return in_year[0]
    context.refusals.coverage(
        member,
        coverage,
        "plan",
        f"the plan (HD04) is required: the employer offers {len(in_year)} {line.value} plans in "
        f"the plan year containing {start}",
    )
    return None


def tier_for(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    head: Member,
    coverage: CoverageLine,
    line: Line,
    start: date,
) -> Tier | None:
    """The coverage's tier (see the module)."""
    level = coverage.coverage_level
    if level in WITHOUT_EMPLOYEE:
        context.refusals.coverage(
            member,
            coverage,
            "tier",
            f"coverage level {level} leaves the employee out: the tiers here are employee, "
            "employee and spouse, employee and children, family",
        )
        return None
    if level in COVERAGE_LEVELS:
        return COVERAGE_LEVELS[level]
    if line in DISABILITY_LINES:
        return Tier.EMPLOYEE
    if on_file.subscriber_id is not None:
        theirs = in_force(in_line(head, line), start)
        if theirs is None:
            context.refusals.coverage(
                member, coverage, "start", f"the subscriber has no {line.value} coverage on {start}"
            )
            return None
        return Tier(theirs.tier)
    same = next((c for c in in_line(on_file, line) if c.start_date == start), None)
    if same is not None and level not in COUNTED_LEVELS:
        return Tier(same.tier)
    return tier_of_family(_dependents_enrolled(context, member, head, line, start))


def _dependents_enrolled(
    context: Context, member: EnrollmentMember, head: Member, line: Line, start: date
) -> list[Relationship]:
    """The dependents covered with the subscriber in ``line`` from ``start``: those the set
    enrolls in the line, and those on file covered then."""
    found = [
        RELATIONSHIPS[loop.relationship_code]
        for loop in context.members
        if not loop.is_subscriber
        and loop.subscriber_id == member.subscriber_id
        and loop.relationship_code in RELATIONSHIPS
        and any(
            INSURANCE_LINES.get(c.insurance_line) == line and c.maintenance in STATED
            for c in loop.coverages
        )
    ]
    for dependent in member_repo.family(context.session, head.id)[1:]:
        theirs = in_force(in_line(dependent, line), start)
        if theirs is not None:
            found.append(Relationship(dependent.relationship))
    return found


def tier_of_family(dependents: list[Relationship]) -> Tier:
    partner = any(r in PARTNERS for r in dependents)
    child = any(r is Relationship.CHILD for r in dependents)
    if partner and child:
        return Tier.FAMILY
    if partner:
        return Tier.EMPLOYEE_SPOUSE
    return Tier.EMPLOYEE_CHILDREN if child else Tier.EMPLOYEE
