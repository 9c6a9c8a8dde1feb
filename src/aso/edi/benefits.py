"""The eligibility and benefit lines (EB) of a 271 answer, from plain values: the member's
eligibility in each line of coverage, its plan designs (DESIGN 5) and its deductible and
out-of-pocket balances (DESIGN 3). Pure: no database, no X12 text.

For each service type asked about (EQ01; ``30`` also brings the generic list of
``service_types.yaml``), in order:

- the line of coverage it belongs to, answered once: active coverage (EB01 ``1``) with the
  coverage level of the member's tier (EB02), the plan's name (EB05) and its period (DTP*291),
  then the plan's deductible (``C``) and out-of-pocket maximum (``G``): per network tier (EB12
  ``Y`` in network, ``N`` out), individual (``IND``) and family (``FAM``, on a family tier),
  the amount for the plan period (EB06 ``23`` calendar year, ``22`` a plan year that is not
  one) and what remains of it (EB06 ``29``). An aggregate amount (``embedded: false``) binds a
  family tier with the family amount alone (DESIGN 5), so the individual one is not shown
  there. Plans sharing an accumulator group show their amounts once. A line the member is not
  covered in answers inactive (``6``, with the coverage's dates, DTP*356/357) when a coverage
  ended or has not started, non-covered (``I``) when the member has none in it;
- active coverage for the service type itself, then its cost share from the plan's category:
  co-payment (``B``, per visit, EB06 ``27``) and co-insurance (``A``, the member's share as a
  decimal in EB08, ``0`` for a service that costs nothing), in network and out (EB12 ``W``
  when the plan shares the cost alike in both, ``out: same_as_in``), ``I`` for a category or
  network tier the plan does not cover, EB11 ``Y`` when the category needs a prior
  authorization, and its visit or dollar limit (``F``, EB06 the plan period or ``32``
  lifetime).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files

from aso.claims.schemas import BalanceRead
from aso.members.domain import Eligibility, IneligibleReason
from aso.plans.domain import (
    CATEGORIES_BY_LINE,
    Accumulation,
    Benefit,
    CostShare,
    Line,
    PlanDesign,
    Tier,
)
from aso.yamlio import load_yaml_text

HEALTH_BENEFIT_PLAN = "30"
COVERAGE_LEVELS = {
    Tier.EMPLOYEE: "EMP",
    Tier.EMPLOYEE_SPOUSE: "ESP",
    Tier.EMPLOYEE_CHILDREN: "ECH",
    Tier.FAMILY: "FAM",
}
"""EB02 of the active coverage, by the member's tier."""
PLAN_SERVICE_TYPES = {
    Line.MEDICAL: HEALTH_BENEFIT_PLAN,
    Line.PHARMACY: "88",
    Line.DENTAL: "35",
    Line.VISION: "AL",
}
"""The service type a line of coverage's plan-level answers (coverage, deductible) go under."""
CALENDAR_YEAR, SERVICE_YEAR, LIFETIME, REMAINING, VISIT = "23", "22", "32", "29", "27"
NOT_STARTED = IneligibleReason.BEFORE_COVERAGE
ENDED = frozenset({IneligibleReason.COVERAGE_ENDED, IneligibleReason.CHILD_OVER_AGE_LIMIT})


class Code:
    """EB01 eligibility or benefit information codes."""

    ACTIVE = "1"
    INACTIVE = "6"
    COINSURANCE = "A"
    COPAY = "B"
    DEDUCTIBLE = "C"
    LIMITATION = "F"
    OUT_OF_POCKET = "G"
    NON_COVERED = "I"


@dataclass(frozen=True, slots=True)
class BenefitDate:
    """A DTP of a 2110 loop: a date (D8), or a range (RD8) when ``last`` is given."""

    qualifier: str
    first: date
    last: date | None = None


@dataclass(frozen=True, slots=True)
class EligibilityBenefit:
    """One EB segment of a 271 (with the dates that follow it)."""

    code: str
    service_type: str
    level: str = ""
    plan: str = ""
    period: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = None
    quantity: tuple[str, int] | None = None
    """EB09 quantity qualifier and EB10 quantity (``VS`` visits)."""
    authorization: str = ""
    network: str = ""
    dates: tuple[BenefitDate, ...] = ()


@dataclass(frozen=True, slots=True)
class LineCoverage:
    """What a member has in one line of coverage on the date asked about."""

    eligibility: Eligibility
    design: PlanDesign | None = None
    """The plan of the coverage in force (None when not covered)."""
    balances: tuple[BalanceRead, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceTypes:
    categories: Mapping[str, str]
    generic: tuple[str, ...]


@cache
def service_types() -> ServiceTypes:
    """The service type code to category table of ``service_types.yaml``."""
    text = files("aso.edi").joinpath("service_types.yaml").read_text(encoding="utf-8")
    data = load_yaml_text(text)
    categories = {str(code): str(category) for code, category in data["codes"].items()}
    return ServiceTypes(categories, tuple(str(code) for code in data["generic"]))


def line_of(category: str) -> Line:
    return next(line for line, names in CATEGORIES_BY_LINE.items() if category in names)


def asked(requested: Sequence[str]) -> tuple[str, ...]:
    """The service types an answer covers: those asked about (a code this platform does not
    answer for becomes ``30``), with the generic list after ``30``."""
    table = service_types()
    found: list[str] = []
    for code in requested:
        code = code if code in table.categories else HEALTH_BENEFIT_PLAN
        found.append(code)
        if code == HEALTH_BENEFIT_PLAN:
            found.extend(table.generic)
    return tuple(dict.fromkeys(found))


def lines_asked(requested: Sequence[str]) -> tuple[Line, ...]:
    """The lines of coverage whose eligibility the answer needs."""
    table = service_types()
    return tuple(
        dict.fromkeys(
            line_of(table.categories[code]) if code in table.categories else Line.MEDICAL
            for code in asked(requested)
        )
    )


def period_code(design: PlanDesign) -> str:
    """EB06 of an amount per plan period: a calendar year, or a plan (service) year."""
    start, end = design.period.start, design.period.end
    calendar = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    return CALENDAR_YEAR if calendar and start.year == end.year else SERVICE_YEAR


def eligibility_benefits(
    requested: Sequence[str], coverages: Mapping[Line, LineCoverage]
) -> tuple[EligibilityBenefit, ...]:
    """The EB lines answering ``requested`` service types (see the module)."""
    table = service_types()
    answered: set[Line] = set()
    groups: set[tuple[str, date]] = set()
    found: list[EligibilityBenefit] = []
    for code in asked(requested):
        category = table.categories.get(code)
        line = Line.MEDICAL if category is None else line_of(category)
        coverage = coverages[line]
        first = line not in answered
        answered.add(line)
        if not coverage.eligibility.covered or coverage.design is None:
            if first:
                found.extend(_not_covered(PLAN_SERVICE_TYPES[line], coverage.eligibility))
            continue
        design = coverage.design
        plan_type = PLAN_SERVICE_TYPES[line]
        if first:
            found.append(_active(plan_type, coverage.eligibility, design))
            if (design.group, design.period.start) not in groups:
                groups.add((design.group, design.period.start))
                found.extend(_accumulators(plan_type, coverage))
        if code != plan_type:
            found.append(EligibilityBenefit(Code.ACTIVE, code))
        if category is not None:
            found.extend(cost_shares(code, design.benefits.get(category), design))
    return tuple(found)


def _active(service_type: str, eligibility: Eligibility, design: PlanDesign) -> EligibilityBenefit:
    span = eligibility.coverage
    assert span is not None
    return EligibilityBenefit(
        Code.ACTIVE,
        service_type,
        level=COVERAGE_LEVELS[span.tier],
        plan=design.name,
        dates=(BenefitDate("291", design.period.start, design.period.end),),
    )


def _not_covered(service_type: str, eligibility: Eligibility) -> list[EligibilityBenefit]:
    span = eligibility.coverage
    reason = eligibility.reason
    if span is None or reason not in ENDED | {NOT_STARTED}:
        return [EligibilityBenefit(Code.NON_COVERED, service_type)]
    dates = [BenefitDate("356", span.start)]
    if reason in ENDED and eligibility.covered_through is not None:
        dates.append(BenefitDate("357", eligibility.covered_through))
    return [
        EligibilityBenefit(
            Code.INACTIVE,
            service_type,
            level=COVERAGE_LEVELS[span.tier],
            plan=span.plan_name,
            dates=tuple(dates),
        )
    ]


def _accumulators(service_type: str, coverage: LineCoverage) -> list[EligibilityBenefit]:
    design = coverage.design
    span = coverage.eligibility.coverage
    assert design is not None and span is not None
    period = period_code(design)
    found: list[EligibilityBenefit] = []
    kinds = (
        (Code.DEDUCTIBLE, design.deductible, "deductible"),
        (Code.OUT_OF_POCKET, design.oop_max, "out_of_pocket"),
    )
    for code, accumulation, kind in kinds:
        for row in _rows(coverage.balances, accumulation, span.tier):
            limit, remaining = _amounts(row, kind)
            if limit is None or remaining is None:
                continue
            level = "IND" if row.scope == "member" else "FAM"
            network = "Y" if row.network == "in" else "N"
            for time, amount in ((period, limit), (REMAINING, remaining)):
                found.append(
                    EligibilityBenefit(
                        code, service_type, level=level, period=time, amount=amount,
                        network=network,
                    )
                )  # fmt: skip
    return found


def _rows(
    balances: Sequence[BalanceRead], accumulation: Accumulation | None, tier: Tier
) -> Iterator[BalanceRead]:
    """The balances that bind the member: in network first, the individual amount before the
    family one; an aggregate amount on a family tier binds with the family amount alone."""
    if accumulation is None:
        return
    for network in ("in", "out"):
        for scope in ("member", "family"):
            if scope == "member" and tier is not Tier.EMPLOYEE and not accumulation.embedded:
                continue
            yield from (b for b in balances if b.network == network and b.scope == scope)


def _amounts(row: BalanceRead, kind: str) -> tuple[Decimal | None, Decimal | None]:
    if kind == "deductible":
        return row.deductible_limit, row.deductible_remaining
    return row.out_of_pocket_limit, row.out_of_pocket_remaining


def cost_shares(
    service_type: str, benefit: Benefit | None, design: PlanDesign
) -> list[EligibilityBenefit]:
    """Co-payment, co-insurance and limits of one category, in network and out."""
    if benefit is None or not benefit.covered:
        return [EligibilityBenefit(Code.NON_COVERED, service_type)]
    authorization = "Y" if benefit.prior_auth else ""
    tiers: list[tuple[CostShare | None, str]]
    if benefit.out == "same_as_in":
        tiers = [(benefit.in_, "W")]
    else:
        tiers = [(benefit.in_, "Y"), (benefit.share("out"), "N")]
    found: list[EligibilityBenefit] = []
    for share, network in tiers:
        if share is None:
            found.append(EligibilityBenefit(Code.NON_COVERED, service_type, network=network))
            continue
        if share.copay > 0:
            found.append(
                EligibilityBenefit(
                    Code.COPAY, service_type, period=VISIT, amount=share.copay,
                    authorization=authorization, network=network,
                )
            )  # fmt: skip
        if share.coinsurance > 0 or share.copay == 0:
            found.append(
                EligibilityBenefit(
                    Code.COINSURANCE, service_type, percent=share.coinsurance,
                    authorization=authorization, network=network,
                )
            )  # fmt: skip
    found.extend(_limits(service_type, benefit, design))
    return found


def _limits(service_type: str, benefit: Benefit, design: PlanDesign) -> list[EligibilityBenefit]:
    limit = benefit.limit
    if limit is None:
        return []
    period = LIFETIME if limit.lifetime else period_code(design)
    found = []
    if limit.visits is not None:
        found.append(
            EligibilityBenefit(
                Code.LIMITATION, service_type, period=period, quantity=("VS", limit.visits)
            )
        )
    if limit.dollars is not None:
        found.append(
            EligibilityBenefit(Code.LIMITATION, service_type, period=period, amount=limit.dollars)
        )
    return found
