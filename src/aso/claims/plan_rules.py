"""A plan design compiled once into the plain lookups the engine reads for every line.

``PlanDesign`` (pydantic) is the validated form of DESIGN section 5; the engine reads this
flattened copy instead, so the hot path touches no validator and resolves no alias.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aso.claims.domain import Network
from aso.money import to_money
from aso.plans.domain import Accumulation, Benefit, CostShare, Line, PlanDesign


@dataclass(frozen=True, slots=True)
class Share:
    """A category's cost share in one network tier (DESIGN 5 and 6.4)."""

    copay: Decimal
    coinsurance: Decimal
    deductible: bool
    after_deductible: bool
    allowance: Decimal | None
    min_cost: Decimal | None
    max_cost: Decimal | None


@dataclass(frozen=True, slots=True)
class BenefitRule:
    """How one category is covered under one plan."""

    category: str
    covered: bool
    prior_auth: bool
    in_share: Share | None
    out_share: Share | None
    out_same_as_in: bool
    visits: int | None
    count: int | None
    months: int | None
    dollars: Decimal | None
    lifetime: bool
    waiting_months: int | None
    max_age: int | None

    @property
    def counts_services(self) -> bool:
        """A visit or count limit: paid lines of the category are counted per member."""
        return self.visits is not None or self.count is not None


@dataclass(frozen=True, slots=True)
class Maximum:
    """A deductible or an out-of-pocket maximum: amounts per network tier and how they bind."""

    in_individual: Decimal | None
    in_family: Decimal | None
    out_individual: Decimal | None
    out_family: Decimal | None
    embedded: bool
    cross_accumulate: bool

    def individual(self, network: Network) -> Decimal | None:
        return self.in_individual if network is Network.IN else self.out_individual

    def family(self, network: Network) -> Decimal | None:
        return self.in_family if network is Network.IN else self.out_family


@dataclass(frozen=True, slots=True)
class PlanRules:
    id: str
    name: str
    line: Line
    group: str
    period_start: date
    period_end: date
    timely_filing_days: int
    deductible: Maximum | None
    oop: Maximum | None
    benefits: dict[str, BenefitRule]
    annual_max: Decimal | None
    lifetime_max: Decimal | None
    pended_over: Decimal | None
    formulary: dict[str, str]
    design: PlanDesign


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else to_money(value)


def _share(share: CostShare | None) -> Share | None:
    if share is None:
        return None
    return Share(
        copay=to_money(share.copay),
        coinsurance=share.coinsurance,
        deductible=share.deductible,
        after_deductible=share.copay_timing == "after_deductible",
        allowance=_money(share.allowance),
        min_cost=_money(share.min_cost),
        max_cost=_money(share.max_cost),
    )


def _benefit(category: str, benefit: Benefit) -> BenefitRule:
    limit = benefit.limit
    same_as_in = benefit.out == "same_as_in"
    out = None if same_as_in or isinstance(benefit.out, str) else benefit.out
    return BenefitRule(
        category=category,
        covered=benefit.covered,
        prior_auth=benefit.prior_auth,
        in_share=_share(benefit.in_),
        out_share=_share(out),
        out_same_as_in=same_as_in,
        visits=limit.visits if limit else None,
        count=limit.count if limit else None,
        months=limit.months if limit else None,
        dollars=_money(limit.dollars) if limit else None,
        lifetime=limit.lifetime if limit else False,
        waiting_months=benefit.waiting_months,
        max_age=benefit.max_age,
    )


def _maximum(accumulation: Accumulation | None) -> Maximum | None:
    if accumulation is None:
        return None
    inside, outside = accumulation.in_, accumulation.out
    return Maximum(
        in_individual=_money(inside.individual) if inside else None,
        in_family=_money(inside.family) if inside else None,
        out_individual=_money(outside.individual) if outside else None,
        out_family=_money(outside.family) if outside else None,
        embedded=accumulation.embedded,
        cross_accumulate=accumulation.cross_accumulate,
    )


def compile_plan(design: PlanDesign) -> PlanRules:
    return PlanRules(
        id=design.id,
        name=design.name,
        line=design.line,
        group=design.group,
        period_start=design.period.start,
        period_end=design.period.end,
        timely_filing_days=design.timely_filing_days,
        deductible=_maximum(design.deductible),
        oop=_maximum(design.oop_max),
        benefits={name: _benefit(name, b) for name, b in design.benefits.items()},
        annual_max=_money(design.annual_max),
        lifetime_max=_money(design.lifetime_max),
        pended_over=_money(design.pended_over),
        formulary=dict(design.formulary),
        design=design,
    )
