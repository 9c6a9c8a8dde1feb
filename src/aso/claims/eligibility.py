"""Eligibility on a line's service date (DESIGN 6.1 step 2).

A coverage row covers its start through its end date (the last covered day), and never outside
its plan's period: a plan is one plan year. The reason a date is not covered follows the X12
claim adjustment reason codes: 109 (no coverage in this line of coverage at all), 26 (before the
first coverage start), 27 (after a coverage end, including a gap between coverages). An unknown
member (31) is the engine's to decide: it has no coverage rows to look at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from aso.claims.domain import Coverage
from aso.claims.plan_rules import PlanRules
from aso.plans.domain import Line, Tier

ONE_DAY = timedelta(days=1)

NO_COVERAGE_IN_LINE = "109"
BEFORE_COVERAGE = "26"
AFTER_COVERAGE = "27"


@dataclass(frozen=True, slots=True)
class Span:
    """A coverage row clipped to its plan's period."""

    start: date
    end: date
    plan: PlanRules
    tier: Tier
    continuous_start: date
    """Start of the unbroken run of coverage in this line that this span belongs to."""


class CoverageIndex:
    """Coverage rows by member and line of coverage, sorted by start date."""

    def __init__(self, coverage: Iterable[Coverage], plans: Mapping[str, PlanRules]) -> None:
        rows: dict[tuple[str, Line], list[tuple[Coverage, PlanRules]]] = {}
        for row in coverage:
            plan = plans[row.plan]
            rows.setdefault((row.member, plan.line), []).append((row, plan))
        self._first_start: dict[tuple[str, Line], date] = {}
        self._spans: dict[tuple[str, Line], tuple[Span, ...]] = {}
        for key, found in rows.items():
            found.sort(key=lambda pair: pair[0].start)
            self._first_start[key] = found[0][0].start
            self._spans[key] = _spans(found)

    def spans(self, member: str, line: Line) -> tuple[Span, ...]:
        return self._spans.get((member, line), ())

    def covering(self, member: str, line: Line, day: date) -> tuple[str | None, Span | None]:
        """The span covering ``day``, or the CARC saying why there is none."""
        key = (member, line)
        spans = self._spans.get(key)
        if spans is None:
            return NO_COVERAGE_IN_LINE, None
        for span in spans:
            if span.start <= day <= span.end:
                return None, span
        if day < self._first_start[key]:
            return BEFORE_COVERAGE, None
        return AFTER_COVERAGE, None


def _spans(rows: list[tuple[Coverage, PlanRules]]) -> tuple[Span, ...]:
    spans: list[Span] = []
    for row, plan in rows:
        start = max(row.start, plan.period_start)
        end = plan.period_end if row.end is None else min(row.end, plan.period_end)
        if end < start:
            continue
        previous = spans[-1] if spans else None
        joined = previous is not None and previous.end + ONE_DAY >= start
        spans.append(
            Span(
                start=start,
                end=end,
                plan=plan,
                tier=row.tier,
                continuous_start=previous.continuous_start if previous and joined else start,
            )
        )
    return tuple(spans)
