"""Cross-field rules of a plan design: what the schema's field types alone cannot say.

Each rule is a generator of ``Problem``s over a design whose fields already passed the schema, so a
rule reads typed values, names the dotted path of the field at fault and says why in plain words.
These are errors (the design cannot be adjudicated as written); legal limits are only warnings and
live in ``aso.plans.legal``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal

from aso.errors import Problem
from aso.plans.domain import (
    ALL_CATEGORIES,
    CATEGORIES_BY_LINE,
    DISABILITY_LINES,
    Accumulation,
    Benefit,
    CostShare,
    Disability,
    Limit,
    Line,
    PlanDesign,
)

Rule = Callable[[PlanDesign], Iterator[Problem]]

MAX_STD_WEEKS = 52
"""Beyond a year of income replacement a plan is long-term disability, not short-term."""
MAX_ELIMINATION_DAYS = 365


def design_problems(design: PlanDesign) -> list[Problem]:
    """Every cross-field problem of a design that passed the schema, in document order."""
    return [problem for rule in RULES for problem in rule(design)]


def path(*parts: object) -> str:
    return ".".join(str(p) for p in parts)


def article(line: Line | str) -> str:
    """``a medical plan``, ``an std plan``."""
    name = str(line)
    return f"{'an' if name in ('std', 'ltd') else 'a'} {name} plan"


def _period(design: PlanDesign) -> Iterator[Problem]:
    """A plan is one plan year: ERISA 3(39) and the plan document fix it at 12 months at most."""
    start, end = design.period.start, design.period.end
    if end >= _anniversary(start):
        yield Problem("period.end", "must be less than 12 months after start (one plan year)")


def _anniversary(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 3, 1)


def category_problems(line: Line, categories: Iterable[str]) -> Iterator[Problem]:
    """Service categories (DESIGN 6.2) must belong to the plan's line of coverage.

    Also run on the raw document when other fields fail the schema, so a misspelt category is
    reported in the same pass.
    """
    if line in DISABILITY_LINES:
        return
    own = CATEGORIES_BY_LINE[line]
    for category in categories:
        if category in own:
            continue
        if category in ALL_CATEGORIES:
            other = next(ln for ln, cs in CATEGORIES_BY_LINE.items() if category in cs)
            reason = f"is a {other} category, not one for {article(line)}"
        else:
            reason = f"unknown service category for {article(line)}"
        yield Problem(path("benefits", category), reason)


def _categories(design: PlanDesign) -> Iterator[Problem]:
    yield from category_problems(design.line, design.benefits)


def _line_fields(design: PlanDesign) -> Iterator[Problem]:
    """Disability plans pay a share of earnings; the other lines pay for services."""
    if design.is_disability:
        yield from _disability_only(design)
        return
    if design.disability is not None:
        yield Problem("disability", "only std and ltd plans have a disability benefit")
    if not design.benefits:
        yield Problem("benefits", f"{article(design.line)} needs at least one service category")
    if design.formulary and design.line is not Line.PHARMACY:
        yield Problem("formulary", "only a pharmacy plan has a formulary")
    if design.hsa_qualified and design.line not in (Line.MEDICAL, Line.PHARMACY):
        yield Problem(
            "hsa_qualified", "only a medical or pharmacy plan can be an HSA-qualified HDHP"
        )


def _disability_only(design: PlanDesign) -> Iterator[Problem]:
    plan = article(design.line)
    if design.disability is None:
        yield Problem("disability", f"is required for {plan}")
    unused = {
        "benefits": bool(design.benefits),
        "deductible": design.deductible is not None,
        "oop_max": design.oop_max is not None,
        "formulary": bool(design.formulary),
        "annual_max": design.annual_max is not None,
        "lifetime_max": design.lifetime_max is not None,
        "hsa_qualified": design.hsa_qualified,
    }
    for name, present in unused.items():
        if present:
            yield Problem(name, f"not used by {plan}: its benefit is set under disability")


def _plan_amounts(design: PlanDesign) -> Iterator[Problem]:
    for name in ("annual_max", "lifetime_max", "pended_over"):
        amount: Decimal | None = getattr(design, name)
        if amount is not None and amount <= 0:
            yield Problem(name, "must be more than 0 (leave it out for no limit)")


def _accumulations(design: PlanDesign) -> Iterator[Problem]:
    """The out-of-pocket maximum includes the deductible, so it can never be below it."""
    for name, block in (("deductible", design.deductible), ("oop_max", design.oop_max)):
        if block is not None and block.in_ is None and block.out is None:
            yield Problem(name, "needs in or out amounts")
    if design.deductible is None or design.oop_max is None:
        return
    for network in ("in", "out"):
        deductible = design.deductible.for_network(network)
        oop = design.oop_max.for_network(network)
        if deductible is None or oop is None:
            continue
        for level in ("individual", "family"):
            floor: Decimal = getattr(deductible, level)
            if getattr(oop, level) < floor:
                yield Problem(
                    path("oop_max", network, level), f"must be at least the deductible ({floor})"
                )


def _benefits(design: PlanDesign) -> Iterator[Problem]:
    for category, benefit in design.benefits.items():
        where = path("benefits", category)
        if not benefit.covered:
            yield from _not_covered(where, benefit)
            continue
        if benefit.in_ is None:
            yield Problem(path(where, "in"), "is required for a covered category")
        for network, share in (("in", benefit.in_), ("out", benefit.out)):
            if isinstance(share, CostShare):
                yield from _cost_share(design, path(where, network), network, share)
        if benefit.limit is not None:
            yield from _limit(path(where, "limit"), benefit.limit)
        if benefit.waiting_months is not None and design.line is not Line.DENTAL:
            yield Problem(path(where, "waiting_months"), "only dental classes have waiting periods")


def _not_covered(where: str, benefit: Benefit) -> Iterator[Problem]:
    """``covered: false`` says the plan pays nothing: cost shares or limits would contradict it."""
    set_fields = [
        name
        for name, value in (
            ("in", benefit.in_),
            ("out", benefit.out),
            ("limit", benefit.limit),
            ("waiting_months", benefit.waiting_months),
            ("max_age", benefit.max_age),
        )
        if value is not None
    ]
    if benefit.prior_auth:
        set_fields.append("prior_auth")
    if set_fields:
        yield Problem(where, f"is not covered, so it takes no {', '.join(set_fields)}")


def _cost_share(
    design: PlanDesign, where: str, network: str, share: CostShare
) -> Iterator[Problem]:
    """One network block: its flags must fit the plan's amounts and line (DESIGN 6.4)."""
    if share.deductible and not _has_amounts(design.deductible, network):
        tier = "in-network" if network == "in" else "out-of-network"
        yield Problem(path(where, "deductible"), f"the plan has no {tier} deductible amounts")
    if share.copay_timing == "after_deductible" and not share.deductible:
        yield Problem(path(where, "copay_timing"), "after_deductible needs deductible: true")
    for name in ("min_cost", "max_cost"):
        if getattr(share, name) is None:
            continue
        if design.line is not Line.PHARMACY:
            yield Problem(path(where, name), f"only pharmacy tiers have {name}")
        elif share.coinsurance == 0:
            yield Problem(
                path(where, name), "bounds the coinsurance, so needs a coinsurance above 0"
            )
    if share.allowance is not None:
        if design.line is Line.PHARMACY:
            yield Problem(
                path(where, "allowance"), "pharmacy tiers bound coinsurance with min_cost/max_cost"
            )
        elif share.allowance <= 0:
            yield Problem(path(where, "allowance"), "must be more than 0 (or use covered: false)")


def _has_amounts(block: Accumulation | None, network: str) -> bool:
    return block is not None and block.for_network(network) is not None


def _limit(where: str, limit: Limit) -> Iterator[Problem]:
    if limit.dollars is not None and limit.dollars <= 0:
        yield Problem(path(where, "dollars"), "must be more than 0 (or use covered: false)")
    if limit.lifetime and limit.months is not None:
        yield Problem(
            path(where, "lifetime"),
            "a frequency (count + months) is a rolling window, not lifetime",
        )


def _disability(design: PlanDesign) -> Iterator[Problem]:
    """STD replaces weekly pay for weeks; LTD replaces monthly pay for months or to an age."""
    benefit = design.disability
    if benefit is None or not design.is_disability:
        return
    is_std = design.line is Line.STD
    per = "week" if is_std else "month"
    plan = article(design.line)
    if benefit.maximum.per != per:
        yield Problem("disability.maximum.per", f"{plan} states its maximum per {per}")
    if benefit.maximum.amount <= 0:
        yield Problem("disability.maximum.amount", "must be more than 0")
    if benefit.minimum is not None:
        if benefit.minimum.per != benefit.maximum.per:
            yield Problem("disability.minimum.per", "must match the maximum's per")
        if benefit.minimum.amount > benefit.maximum.amount:
            yield Problem("disability.minimum.amount", "must not exceed the maximum")
    yield from _elimination(benefit)
    yield from (_std_duration(benefit) if is_std else _ltd_duration(benefit))
    yield from _offsets(design, benefit)


def _elimination(benefit: Disability) -> Iterator[Problem]:
    for name in ("sickness_days", "accident_days"):
        if getattr(benefit.elimination, name) > MAX_ELIMINATION_DAYS:
            yield Problem(
                path("disability.elimination", name), f"must be at most {MAX_ELIMINATION_DAYS}"
            )


def _std_duration(benefit: Disability) -> Iterator[Problem]:
    duration = benefit.max_duration
    if duration.to_age is not None:
        yield Problem("disability.max_duration.to_age", "an std benefit lasts weeks, not to an age")
    if duration.weeks is not None and duration.weeks > MAX_STD_WEEKS:
        yield Problem("disability.max_duration.weeks", f"must be at most {MAX_STD_WEEKS}")
    if duration.months is not None and duration.months > 12:
        yield Problem("disability.max_duration.months", "must be at most 12")
    for name in ("mental_health_limit_months", "own_occupation_months"):
        if getattr(benefit, name) is not None:
            yield Problem(path("disability", name), "only an ltd plan has this limit")


def _ltd_duration(benefit: Disability) -> Iterator[Problem]:
    months = benefit.max_duration.months
    if benefit.max_duration.weeks is not None:
        yield Problem("disability.max_duration.weeks", "an ltd benefit lasts months or to an age")
    for name in ("mental_health_limit_months", "own_occupation_months"):
        value = getattr(benefit, name)
        if value is not None and months is not None and value > months:
            yield Problem(
                path("disability", name), f"must not exceed max_duration.months ({months})"
            )


def _offsets(design: PlanDesign, benefit: Disability) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, offset in enumerate(benefit.offsets):
        where = path("disability.offsets", index)
        if offset in seen:
            yield Problem(where, f"repeats {offset}")
        seen.add(offset)
        if offset == "std" and design.line is Line.STD:
            yield Problem(where, "an std plan cannot offset its own benefit")


def _formulary(design: PlanDesign) -> Iterator[Problem]:
    """Every formulary tier needs a benefit, or its drugs could never be adjudicated."""
    if design.line is not Line.PHARMACY:
        return
    for ndc, tier in design.formulary.items():
        if tier not in design.benefits:
            yield Problem(path("formulary", ndc), f"{tier} has no benefit in this plan")


RULES: tuple[Rule, ...] = (
    _period,
    _categories,
    _line_fields,
    _plan_amounts,
    _accumulations,
    _benefits,
    _formulary,
    _disability,
)
