"""Legal checks of a plan design: warnings, never errors.

An employer may knowingly keep a design that breaks a rule (a grandfathered plan, a plan that is
not meant to be HSA-qualified after all); the platform says what the rule is and lets the people
responsible decide. Figures that change yearly (the ACA out-of-pocket maximum, the HDHP limits)
come from ``aso/codes/legal_limits.yaml`` for the year the plan period starts in; each warning
that used one carries the table's year.

Dental and vision plans are excepted benefits (limited scope, 29 CFR 2590.732(c)(3)) and disability
plans are not group health plans, so only medical and pharmacy designs are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from aso.money import usd
from aso.plans.domain import Benefit, CostShare, Limit, Line, PlanDesign
from aso.plans.figures import Figures, figures_for
from aso.plans.rules import path

HEALTH_LINES = frozenset({Line.MEDICAL, Line.PHARMACY})

HDHP_FIRST_DOLLAR = frozenset({"preventive", "telemedicine"})
"""What an HSA-qualified HDHP may pay before the deductible: preventive care (IRC 223(c)(2)(C))
and telehealth (IRC 223(c)(2)(E), made permanent for plan years from 2025 by Pub. L. 119-21)."""

PARITY_PAIRS: tuple[tuple[str, str], ...] = (
    ("mental_health_outpatient", "office_visit_specialist"),
    ("substance_use_outpatient", "office_visit_specialist"),
    ("mental_health_inpatient", "inpatient_hospital"),
    ("substance_use_inpatient", "inpatient_hospital"),
)
"""Each mental health / substance use category and the medical/surgical benefit of the same
classification it is compared with (29 CFR 2590.712(c)(2)(ii): outpatient, inpatient)."""

ACA = "PHS Act 2707(b); 45 CFR 156.130"
PREVENTIVE = "PHS Act 2713; 29 CFR 2590.715-2713"
HDHP = "IRC 223(c)(2)(A)"
PARITY = "mental health parity, 29 CFR 2590.712"
NO_DOLLAR_LIMITS = "PHS Act 2711; 29 CFR 2590.715-2711"
NO_SURPRISES = "No Surprises Act, PHS Act 2799A-1(a)(1)"


@dataclass(frozen=True)
class LegalWarning:
    """A design that breaks a legal rule: where, why, and the year of the figure used, if any."""

    where: str
    message: str
    year: int | None = None

    def __str__(self) -> str:
        figure = f" ({self.year} figure)" if self.year is not None else ""
        return f"{self.where}: {self.message}{figure}"


Check = Callable[[PlanDesign, Figures], Iterator[LegalWarning]]


def legal_warnings(design: PlanDesign) -> list[LegalWarning]:
    """Every legal warning for a valid design, checked against its plan year's figures."""
    if design.line not in HEALTH_LINES:
        return []
    figures = figures_for(design.period.start.year)
    return [warning for check in CHECKS for warning in check(design, figures)]


def _year(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    if figures.substituted:
        yield LegalWarning(
            "period.start",
            f"no legal figures for {figures.asked} yet; checked against the {figures.year} ones",
            figures.year,
        )


def _aca_oop_max(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    """In-network cost sharing is capped each year, for each person even in family coverage."""
    limit = figures.values.aca_oop_max
    cite = f"{ACA}; {limit.source}"
    oop = design.oop_max.in_ if design.oop_max else None
    if oop is None:
        if design.line is Line.MEDICAL:
            yield LegalWarning(
                "oop_max.in" if design.oop_max else "oop_max",
                f"no in-network out-of-pocket maximum: the ACA caps in-network cost sharing at "
                f"{usd(limit.self_only)} self-only / {usd(limit.family)} family ({cite})",
                figures.year,
            )
        return
    if oop.individual > limit.self_only:
        yield LegalWarning(
            "oop_max.in.individual",
            f"{usd(oop.individual)} is above the ACA out-of-pocket maximum of "
            f"{usd(limit.self_only)} for self-only coverage ({cite})",
            figures.year,
        )
    if oop.family > limit.family:
        yield LegalWarning(
            "oop_max.in.family",
            f"{usd(oop.family)} is above the ACA out-of-pocket maximum of {usd(limit.family)} "
            f"for family coverage ({cite})",
            figures.year,
        )
    if not design.oop_max or design.oop_max.embedded or oop.family <= limit.self_only:
        return
    yield LegalWarning(
        "oop_max.in.family",
        f"an aggregate (embedded: false) family maximum of {usd(oop.family)} lets one person in "
        f"family coverage pay more than the ACA self-only maximum of {usd(limit.self_only)}; "
        f"embed an individual maximum of at most {usd(limit.self_only)} ({cite})",
        figures.year,
    )


def _preventive(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    """Recommended preventive care costs nothing in network: no copay, coinsurance or deductible."""
    if design.line is not Line.MEDICAL:
        return
    benefit = design.benefits.get("preventive")
    must = f"in-network preventive care must be covered at $0 ({PREVENTIVE})"
    if benefit is None:
        yield LegalWarning("benefits.preventive", f"the plan has no preventive benefit; {must}")
        return
    if not benefit.covered or benefit.in_ is None:
        yield LegalWarning("benefits.preventive.covered", f"not covered; {must}")
        return
    share = benefit.in_
    if share.copay > 0:
        yield LegalWarning("benefits.preventive.in.copay", f"a {usd(share.copay)} copay; {must}")
    if share.coinsurance > 0:
        yield LegalWarning(
            "benefits.preventive.in.coinsurance", f"{share.coinsurance} coinsurance; {must}"
        )
    if share.deductible:
        yield LegalWarning(
            "benefits.preventive.in.deductible", f"subject to the deductible; {must}"
        )


def _hdhp_deductible(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    """An HSA-qualified HDHP's deductible is at least the year's minimum, for everyone covered."""
    if not design.hsa_qualified:
        return
    minimum = figures.values.hdhp.min_deductible
    cite = f"{HDHP}; {figures.values.hdhp.source}"
    deductible = design.deductible.in_ if design.deductible else None
    if deductible is None:
        yield LegalWarning(
            "deductible.in" if design.deductible else "deductible",
            f"an HSA-qualified HDHP needs an in-network deductible of at least "
            f"{usd(minimum.self_only)} self-only / {usd(minimum.family)} family ({cite})",
            figures.year,
        )
        return
    if deductible.individual < minimum.self_only:
        yield LegalWarning(
            "deductible.in.individual",
            f"{usd(deductible.individual)} is below the HDHP minimum deductible of "
            f"{usd(minimum.self_only)} for self-only coverage ({cite})",
            figures.year,
        )
    if deductible.family < minimum.family:
        yield LegalWarning(
            "deductible.in.family",
            f"{usd(deductible.family)} is below the HDHP minimum deductible of "
            f"{usd(minimum.family)} for family coverage ({cite})",
            figures.year,
        )
    if design.deductible and design.deductible.embedded and deductible.individual < minimum.family:
        yield LegalWarning(
            "deductible.in.individual",
            f"an embedded individual deductible of {usd(deductible.individual)} lets the plan pay "
            f"for one person in family coverage before the HDHP family minimum of "
            f"{usd(minimum.family)}; embed at least {usd(minimum.family)} or use embedded: false "
            f"({cite})",
            figures.year,
        )


def _hdhp_oop_max(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    if not design.hsa_qualified:
        return
    maximum = figures.values.hdhp.max_oop
    cite = f"{HDHP}; {figures.values.hdhp.source}"
    oop = design.oop_max.in_ if design.oop_max else None
    if oop is None:
        yield LegalWarning(
            "oop_max.in" if design.oop_max else "oop_max",
            f"an HSA-qualified HDHP caps in-network out-of-pocket costs at "
            f"{usd(maximum.self_only)} self-only / {usd(maximum.family)} family ({cite})",
            figures.year,
        )
        return
    for level, cap in (("individual", maximum.self_only), ("family", maximum.family)):
        amount: Decimal = getattr(oop, level)
        if amount > cap:
            coverage = "self-only" if level == "individual" else "family"
            yield LegalWarning(
                path("oop_max.in", level),
                f"{usd(amount)} is above the HDHP out-of-pocket maximum of {usd(cap)} for "
                f"{coverage} coverage ({cite})",
                figures.year,
            )


def _hdhp_first_dollar(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    """Before the deductible an HSA-qualified HDHP pays only for preventive care and telehealth."""
    if not design.hsa_qualified:
        return
    for category, benefit in design.benefits.items():
        share = benefit.in_
        if category in HDHP_FIRST_DOLLAR or not benefit.covered or share is None:
            continue
        if not share.deductible and share.coinsurance < 1:
            yield LegalWarning(
                path("benefits", category, "in.deductible"),
                "an HSA-qualified HDHP pays nothing before the deductible except preventive care "
                "and telehealth (IRC 223(c)(2)(A), (C), (E))",
            )


def _parity(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    """Mental health and substance use benefits are no more restrictive than medical/surgical
    ones of the same classification: cost sharing, treatment limits, prior authorization."""
    if design.line is not Line.MEDICAL:
        return
    for category, counterpart in PARITY_PAIRS:
        benefit, medical = design.benefits.get(category), design.benefits.get(counterpart)
        if benefit is None or medical is None or not medical.covered:
            continue
        where = path("benefits", category)
        if not benefit.covered:
            yield LegalWarning(
                path(where, "covered"), f"not covered while {counterpart} is ({PARITY}(c)(2))"
            )
            continue
        for network in ("in", "out"):
            yield from _parity_share(benefit, medical, network, where, counterpart)
        if benefit.prior_auth and not medical.prior_auth:
            yield LegalWarning(
                path(where, "prior_auth"),
                f"prior authorization that {counterpart} does not require ({PARITY}(c)(4))",
            )
        yield from _parity_limit(benefit.limit, medical.limit, where, counterpart)


def _parity_share(
    benefit: Benefit, medical: Benefit, network: str, where: str, counterpart: str
) -> Iterator[LegalWarning]:
    if network == "out" and benefit.out == "same_as_in":
        return
    share, reference = benefit.share(network), medical.share(network)
    if reference is None:
        return
    where = path(where, network)
    if share is None:
        tier = "in-network" if network == "in" else "out-of-network"
        yield LegalWarning(where, f"no {tier} cover while {counterpart} has it ({PARITY}(c)(2))")
        return
    yield from _stricter_share(share, reference, where, counterpart)


def _stricter_share(
    share: CostShare, reference: CostShare, where: str, counterpart: str
) -> Iterator[LegalWarning]:
    cite = f"({PARITY}(c)(2))"
    if share.copay > reference.copay:
        yield LegalWarning(
            path(where, "copay"),
            f"a {usd(share.copay)} copay, more than {counterpart}'s {usd(reference.copay)} {cite}",
        )
    if share.coinsurance > reference.coinsurance:
        yield LegalWarning(
            path(where, "coinsurance"),
            f"{share.coinsurance} coinsurance, more than {counterpart}'s "
            f"{reference.coinsurance} {cite}",
        )
    if share.deductible and not reference.deductible:
        yield LegalWarning(
            path(where, "deductible"),
            f"the deductible applies here but not to {counterpart} {cite}",
        )


def _parity_limit(
    limit: Limit | None, reference: Limit | None, where: str, counterpart: str
) -> Iterator[LegalWarning]:
    """A visit, dollar or frequency limit is a treatment limitation (29 CFR 2590.712(c)(2)(i))."""
    if limit is None:
        return
    for name in ("visits", "dollars", "count"):
        value = getattr(limit, name)
        bound = getattr(reference, name) if reference else None
        if value is not None and (bound is None or value < bound):
            yield LegalWarning(
                path(where, "limit", name),
                f"a {name} limit of {value} on mental health or substance use care, tighter than "
                f"{counterpart}'s ({PARITY}(c)(2))",
            )


def _dollar_limits(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    """No annual or lifetime dollar limits on essential health benefits. Wellness programs are not
    essential health benefits, so their dollar limits are fine."""
    for name in ("annual_max", "lifetime_max"):
        if getattr(design, name) is not None:
            yield LegalWarning(
                name,
                f"no dollar maximum is allowed on essential health benefits ({NO_DOLLAR_LIMITS})",
            )
    for category, benefit in design.benefits.items():
        if category != "wellness_program" and benefit.limit and benefit.limit.dollars is not None:
            yield LegalWarning(
                path("benefits", category, "limit.dollars"),
                f"no dollar limit is allowed on an essential health benefit ({NO_DOLLAR_LIMITS})",
            )


def _emergency(design: PlanDesign, figures: Figures) -> Iterator[LegalWarning]:
    """Emergency care needs no prior authorization and costs in-network cost sharing anywhere;
    the engine applies both whatever the design says, so the design should say so too."""
    benefit = design.benefits.get("emergency_room")
    if design.line is not Line.MEDICAL or benefit is None or not benefit.covered:
        return
    if benefit.prior_auth:
        yield LegalWarning(
            "benefits.emergency_room.prior_auth",
            f"emergency care cannot require prior authorization ({NO_SURPRISES})",
        )
    if isinstance(benefit.out, CostShare) and benefit.out != benefit.in_:
        yield LegalWarning(
            "benefits.emergency_room.out",
            "out-of-network emergency care takes the in-network cost share; write "
            f"out: same_as_in ({NO_SURPRISES})",
        )


CHECKS: tuple[Check, ...] = (
    _year,
    _aca_oop_max,
    _preventive,
    _hdhp_deductible,
    _hdhp_oop_max,
    _hdhp_first_dollar,
    _parity,
    _dollar_limits,
    _emergency,
)
