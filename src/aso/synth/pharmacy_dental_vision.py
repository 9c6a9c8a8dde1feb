"""The other lines of a synthetic year: prescriptions, dental care and eye care.

Prescriptions come from the member's pharmacy plan's formulary (the template NDCs priced in
``aso.synth.providers``): monthly refills of maintenance drugs for most fills, short acute
courses, and the planned fills of a specialty drug by a specialty pharmacy under a prior
authorization. Dental care is checkups (exam, cleaning, x-rays once a year, fluoride and
sealants for children) about twice a year, fillings, extractions, root canals, the odd crown,
and orthodontia for some children; eye care an exam with glasses or contact lenses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from aso.claims.accumulators import add_months
from aso.claims.domain import ClaimType
from aso.money import round_cents
from aso.plans.domain import Line, PlanDesign
from aso.synth.care import Care, Weighted, pick
from aso.synth.providers import DISPENSING_FEE, DRUG_BY_NDC, Drug, SyntheticProvider
from aso.synth.year import DAY, Bands, Draft, DraftLine, band, poisson

PHARMACY, DENTAL, VISION = ClaimType.PHARMACY, ClaimType.DENTAL, ClaimType.VISION

RX_BY_AGE: Bands = ((17, 0.3), (29, 0.55), (44, 0.85), (54, 1.35), (64, 1.9), (200, 2.3))
DENTAL_BY_AGE: Bands = ((2, 0.3), (17, 1.2), (200, 1.0))
EYE_BY_AGE: Bands = ((5, 0.25), (17, 1.0), (39, 0.8), (200, 1.2))
"""Prescriptions, dental visits and eye exams by age, relative (``Scale`` sets the level)."""
RX_FEMALE = 1.2
"""Women fill more prescriptions than men (a common finding of claims data)."""
DENTAL_RISK = 0.5
"""How strongly a member's risk factor scales its dental visits (power of the factor)."""
MAINTENANCE_TIERS: Weighted = (
    ("rx_generic", 0.8), ("rx_preferred_brand", 0.11), ("rx_non_preferred_brand", 0.09),
)  # fmt: skip
CHRONIC_SHARE = 0.85
"""Share of prescriptions that are monthly refills of maintenance drugs."""
REFILL_DAYS = (28, 30, 30, 31)
"""Days between refills of a 30-day supply (a first fill falls in the first month)."""
ADHERENCE = 0.92
CHECKUP_DAYS = 150
"""A visit this long after the last checkup is the next checkup."""
POSTERIOR = tuple(str(n) for n in (2, 3, 4, 5, 12, 13, 14, 15, 18, 19, 20, 21, 28, 29, 30, 31))
"""Permanent premolars and molars (universal numbering), where fillings mostly go."""
PRIMARY = ("A", "B", "I", "J", "K", "L", "S", "T")
"""Primary molars (letters), for young children."""


def prescriptions(care: Care) -> None:
    """Monthly refills of maintenance drugs (most fills) and short acute courses, from the
    member's pharmacy plan's formulary; planned specialty fills by a specialty pharmacy."""
    rng, person = care.rng, care.person
    plan = person.first_plan(Line.PHARMACY)
    if plan is None:
        return
    drugs = _formulary_drugs(plan)
    sex = RX_FEMALE if person.female and care.age >= 18 else 1.0
    mean = care.rate(Line.PHARMACY, RX_BY_AGE) * sex * care.scale.rx
    refill = sum(REFILL_DAYS) / len(REFILL_DAYS)
    per_regimen = (person.days(Line.PHARMACY) - 15) / refill * ADHERENCE
    regimens = poisson(rng, CHRONIC_SHARE * mean / per_regimen) if per_regimen > 0 else 0
    maintenance = [d for d in drugs if d.use == "maintenance"]
    brands: set[str] = set()
    for _ in range(regimens):
        tier = pick(rng, MAINTENANCE_TIERS)
        options = [d for d in maintenance if d.ndc not in brands]
        preferred = [d for d in options if plan.formulary[d.ndc] == tier]
        if not options:
            break
        drug = rng.choice(preferred or options)
        if plan.formulary[drug.ndc] != "rx_generic":
            brands.add(drug.ndc)
        refills(care, drug)
    acute = [d for d in drugs if d.use == "acute"] or maintenance[:1]
    for _ in range(poisson(rng, (1 - CHRONIC_SHARE) * mean)):
        day = person.day(Line.PHARMACY)
        if day is not None and acute:
            fill(care, care.pharmacy, acute[0], day, rng.choice((10, 14, 20, 30)))
    specialty_fills(care, [d for d in drugs if d.use == "specialty"])


def refills(care: Care, drug: Drug) -> None:
    rng, person = care.rng, care.person
    spans = person.spans[Line.PHARMACY]
    day = spans[0].start + rng.randrange(30) * DAY
    while day <= care.book.last:
        if person.covered(Line.PHARMACY, day, day) and rng.random() < ADHERENCE:
            fill(care, care.pharmacy, drug, day, drug.quantity)
        day += rng.choice(REFILL_DAYS) * DAY


def specialty_fills(care: Care, drugs: Sequence[Drug]) -> None:
    if not drugs or not care.person.specialty:
        return
    drug = care.rng.choice(drugs)
    pharmacy = care.book.roster.pick(care.rng, "specialty_pharmacy")
    auth = None
    for day in care.person.specialty:
        sent = fill(care, pharmacy, drug, day, drug.quantity, auth)
        auth = auth or (sent.prior_auth if sent else None)


def fill(
    care: Care,
    pharmacy: SyntheticProvider,
    drug: Drug,
    day: date,
    quantity: int,
    auth: str | None = None,
) -> Draft | None:
    """One prescription, charged at the pharmacy's usual and customary price: 86-97% of
    the AWP (by the pharmacy's price level) plus the dispensing fee."""
    level = Decimal("0.86") + (pharmacy.charge_factor - Decimal("1.6")) * Decimal("0.08")
    charge = round_cents(drug.awp * quantity * level) + DISPENSING_FEE
    line = DraftLine(day=day, charge=charge, ndc=drug.ndc, units=quantity)
    return care.send(PHARMACY, pharmacy, [line], "rx", auth=auth)


def dental(care: Care) -> None:
    """Cleanings and exams (two a year for most), fillings, the odd crown or extraction;
    orthodontia for some children."""
    rng, person = care.rng, care.person
    mean = care.rate(Line.DENTAL, DENTAL_BY_AGE, DENTAL_RISK) * care.scale.dental
    days = sorted(
        d for d in (person.day(Line.DENTAL, weekday=True) for _ in range(poisson(rng, mean))) if d
    )
    last_checkup: date | None = None
    for day in days:
        if last_checkup is None or (day - last_checkup).days >= CHECKUP_DAYS:
            checkup(care, day, first=last_checkup is None)
            last_checkup = day
        else:
            dental_work(care, day)
    if person.ortho:
        orthodontist = care.book.roster.pick(rng, "orthodontist")
        for n, day in enumerate(person.ortho):
            code = "D8080" if n == 0 else "D8670"
            line = care.book.line(orthodontist, DENTAL, day, procedure=code)
            care.send(DENTAL, orthodontist, [line], "dental")


def checkup(care: Care, day: date, first: bool) -> None:
    rng, child = care.rng, care.age < 14
    codes: list[tuple[str, str | None]] = [("D0150" if rng.random() < 0.1 else "D0120", None)]
    codes.append(("D1120" if child else "D1110", None))
    if first and care.age >= 6:
        codes.append(("D0272" if child else "D0274", None))
    if care.age < 16:
        codes.append(("D1206" if rng.random() < 0.5 else "D1208", None))
    if 6 <= care.age <= 14 and rng.random() < 0.15:
        codes += [("D1351", tooth) for tooth in ("3", "14", "19", "30")]
    lines = [
        care.book.line(care.dentist, DENTAL, day, procedure=code, tooth=tooth)
        for code, tooth in codes
    ]
    care.send(DENTAL, care.dentist, lines, "dental")


def dental_work(care: Care, day: date) -> None:
    rng = care.rng
    tooth = rng.choice(PRIMARY if care.age < 10 else POSTERIOR)
    roll = rng.random()
    codes: Sequence[tuple[str, str | None]]
    if roll < 0.55:
        codes = [("D2392" if rng.random() < 0.2 else "D2391", tooth)]
    elif roll < 0.65:
        codes = [("D0140", None), ("D0220", tooth), ("D7140", tooth)]
    elif roll < 0.74 and care.age >= 18 and major_work_covered(care, day):
        codes = [("D2740", tooth), ("D2950", tooth)] if rng.random() < 0.5 else [("D2740", tooth)]
    elif roll < 0.79 and care.age >= 12:
        codes = [("D3330", tooth)]
    elif roll < 0.87 and care.age >= 25:
        codes = [("D4341", None)]
    else:
        codes = [("D0140", None), ("D0220", tooth)]
    lines = [
        care.book.line(
            care.dentist,
            DENTAL,
            day,
            procedure=code,
            tooth=t,
            units=2 if code == "D4341" else 1,
        )
        for code, t in codes
    ]
    care.send(DENTAL, care.dentist, lines, "dental")


def major_work_covered(care: Care, day: date) -> bool:
    """Is a crown past the plan's waiting period? A dentist checks benefits first and most
    patients wait; about 1 in 10 goes ahead anyway (and is denied, CARC 204)."""
    plan = care.person.plan_on(Line.DENTAL, day)
    benefit = plan.benefits.get("dental_major") if plan else None
    if benefit is None or benefit.waiting_months is None:
        return True
    start = care.person.spans[Line.DENTAL][0].start
    return add_months(start, benefit.waiting_months) <= day or care.rng.random() < 0.1


def vision(care: Care) -> None:
    """An eye exam (92004 new, 92014 established) with glasses or contact lenses."""
    rng, person = care.rng, care.person
    chance = band(care.age, EYE_BY_AGE) * care.scale.eye * person.exposure(Line.VISION)
    if rng.random() >= chance:
        return
    day = person.day(Line.VISION, weekday=True)
    if day is None:
        return
    doctor = care.optometrist
    diagnoses = ["Z01.00", "H52.4" if care.age >= 42 else rng.choice(("H52.13", "H52.223"))]
    lines = [
        care.book.line(doctor, VISION, day, procedure="92004" if rng.random() < 0.25 else "92014")
    ]
    roll = rng.random()
    if roll < 0.55:
        lens = "V2200" if care.age >= 42 else "V2100"
        lines.append(care.book.line(doctor, VISION, day, procedure=lens, units=2))
        if rng.random() < 0.7:
            lines.append(care.book.line(doctor, VISION, day, procedure="V2020"))
    elif roll < 0.8 and care.age >= 12:
        lines.append(care.book.line(doctor, VISION, day, procedure="V2520", units=2))
    care.send(VISION, doctor, lines, "eye_exam", diagnoses)


def _formulary_drugs(plan: PlanDesign) -> list[Drug]:
    """The catalogue's drugs on the plan's formulary."""
    return [DRUG_BY_NDC[ndc] for ndc in sorted(plan.formulary) if ndc in DRUG_BY_NDC]
