"""A year of synthetic claims for a workforce, in the intake shape of DESIGN 7 (issue 3, item 7).

Utilization per member per year of coverage in the line comes out, on average, at about 4 office
visits, 0.2 emergency visits, 0.06 inpatient admissions, 11 prescriptions, 1.6 dental visits and
0.5 eye exams, the figures of a typical commercially insured population. Around them comes the
rest of a year of care (``aso.synth.care``, ``.hospital``, ``.pharmacy_dental_vision``):
preventive visits and screenings, telemedicine, urgent care, outpatient surgery, advanced imaging
with its prior authorizations, behavioral health, physical therapy, chiropractic, equipment,
ambulance rides, deliveries, specialty drugs, dental work and eyewear.

How the numbers come about:

- Each member draws a risk factor (log-normal, mean 1) that scales its utilization, so care
  clusters in the same people, as it does. Age and sex shape each service: children see their
  pediatrician and go to the emergency room more, older adults see more specialists, get more
  imaging and fill more prescriptions.
- The rate of each headline service is scaled so that its expected count over the given
  population is the target per member-year of coverage: the age curves give the shape, the
  targets the level, whatever the workforce's demographics. Rare events planned ahead
  (deliveries, catastrophic admissions, specialty fills, orthodontic visits) count toward the
  targets first.
- About 1% of members have a catastrophic year (``aso.synth.severe``): with everyone else's
  log-normal spread they make about 30% of the allowed cost, and medical plus pharmacy allowed
  comes to about $550-650 per member per month under the demo fee schedules
  (``aso.synth.providers``), as the unit tests measure through the real engine.
- Charges are each provider's chargemaster level (1.6-3x) times the contract price, so billed
  charges run above allowed amounts as real ones do.
- A few claims of every kind of denial and pend, and corrections, are built on purpose
  (``aso.synth.deliberate``).

Everything is deterministic: each member's care is drawn from a random generator seeded by the
seed and the member id, so the same inputs give the same claims. Claims come out ordered by
received date, then id. Pure: no database, no files.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from aso.claims.domain import Coverage, Member, Relationship
from aso.claims.edits import age_on
from aso.members.census_rows import ELECTION_COLUMNS
from aso.plans.domain import Line, PlanDesign, Tier
from aso.synth import hospital, pharmacy_dental_vision
from aso.synth.care import OFFICE_BY_AGE, OFFICE_FEMALE, OFFICE_RISK, Care, Scale
from aso.synth.deliberate import Deliberate
from aso.synth.hospital import ADMIT_BY_AGE, ER_ADMITTED, ER_BY_AGE, ER_RISK
from aso.synth.pharmacy_dental_vision import (
    DENTAL_BY_AGE,
    DENTAL_RISK,
    EYE_BY_AGE,
    RX_BY_AGE,
    RX_FEMALE,
)
from aso.synth.providers import SyntheticProvider
from aso.synth.severe import catastrophe
from aso.synth.year import DAY, Bands, Builder, ClaimSet, Person, Roster, Span, band

__all__ = ["ClaimSet", "generate_claim_set", "generate_claims", "members_from_census"]

OFFICE_VISITS = 4.0
ER_VISITS = 0.2
ADMISSIONS = 0.06
PRESCRIPTIONS = 11.0
DENTAL_VISITS = 1.6
EYE_EXAMS = 0.5
"""Targets per member per year of coverage in the line (issue 3, item 7)."""

CATASTROPHIC_SHARE = 0.011
STAYS = {"nicu": 1.0, "cardiac": 1.0, "trauma": 1.0, "cancer": 0.5}
"""Expected admissions of each catastrophe (most cancers are treated as outpatients)."""
CATASTROPHE_BY_AGE: Bands = ((0, 6.0), (17, 0.3), (39, 0.6), (54, 1.5), (200, 2.5))
BIRTHS_BY_AGE: Bands = ((17, 0.0), (24, 0.05), (34, 0.09), (44, 0.035), (200, 0.0))
"""Deliveries per woman-year by age (about 12 per 1,000 members of a workforce)."""
SPECIALTY_USERS = 0.01
"""Adults on a self-injected specialty drug (about 13 fills a year)."""
SPECIALTY_BY_AGE: Bands = ((39, 0.7), (200, 1.3))
ORTHODONTIA = 0.05
"""Children 9-16 starting orthodontic treatment in a year."""
RISK_SIGMA = 0.75
MEDICAL, PHARMACY_LINE = Line.MEDICAL, Line.PHARMACY

YEAR_OF_CARE: tuple[tuple[Line, Callable[[Care], None]], ...] = (
    (MEDICAL, Care.office_visits),
    (MEDICAL, Care.preventive),
    (MEDICAL, Care.telemedicine),
    (MEDICAL, Care.urgent_care),
    (MEDICAL, hospital.emergencies),
    (MEDICAL, hospital.admissions),
    (MEDICAL, hospital.outpatient_surgery),
    (MEDICAL, hospital.advanced_imaging),
    (MEDICAL, Care.behavioral_health),
    (MEDICAL, Care.therapy),
    (MEDICAL, Care.equipment),
    (MEDICAL, hospital.maternity),
    (MEDICAL, Care.wellness),
    (MEDICAL, catastrophe),
    (PHARMACY_LINE, pharmacy_dental_vision.prescriptions),
    (Line.DENTAL, pharmacy_dental_vision.dental),
    (Line.VISION, pharmacy_dental_vision.vision),
)
"""What a member's year is drawn from, in order, for each line the member has coverage in."""


def generate_claims(
    *,
    seed: int,
    members: Sequence[Member],
    coverages: Sequence[Coverage],
    plans: Sequence[PlanDesign],
    providers: Sequence[SyntheticProvider],
    year: int = 2026,
    through: date | None = None,
    id_prefix: str = "C",
) -> list[dict[str, Any]]:
    """A year of claims for ``members`` (see ``generate_claim_set``)."""
    return generate_claim_set(
        seed=seed,
        members=members,
        coverages=coverages,
        plans=plans,
        providers=providers,
        year=year,
        through=through,
        id_prefix=id_prefix,
    ).claims


def generate_claim_set(
    *,
    seed: int,
    members: Sequence[Member],
    coverages: Sequence[Coverage],
    plans: Sequence[PlanDesign],
    providers: Sequence[SyntheticProvider],
    year: int = 2026,
    through: date | None = None,
    id_prefix: str = "C",
) -> ClaimSet:
    """A year of claims and the approved prior authorizations they carry.

    ``plans`` are the designs the coverage rows name: they say which line each plan covers,
    which categories need prior authorization, the formulary, visit limits, timely filing and
    the high-dollar threshold. ``providers`` is a roster with every role of
    ``aso.synth.providers.ROLES`` (``generate_providers``). A member has claims of a line only
    while covered in it, except the deliberate denials. ``through``: the claims a TPA would
    hold on that day (services and receipts on or before it); None = the whole year and its
    run-out. Claim ids are ``id_prefix`` + the year's two digits + a sequence number in order
    of receipt.
    """
    first = date(year, 1, 1)
    last = date(year, 12, 31) if through is None else min(date(year, 12, 31), through)
    designs = {plan.id: plan for plan in plans}
    people = _people(seed, members, coverages, designs, first, last)
    book = Builder(Roster(providers), first, last, through)
    scale = _plan(random.Random(f"{seed}/catastrophes"), people)
    for person in people:
        care = Care(book, person, scale, seed)
        for line, step in YEAR_OF_CARE:
            if person.exposure(line) > 0:
                step(care)
    Deliberate(book, random.Random(f"{seed}/deliberate"), people, coverages, designs).build()
    return book.output(id_prefix)


def members_from_census(
    rows: Iterable[Mapping[str, str]],
) -> tuple[list[Member], list[Coverage]]:
    """Engine members and coverage rows from census rows (``aso.synth.population``).

    Member ids are the employee number and the person's place in the family (``E00012-01`` is
    the subscriber); disability elections are left out (they have no claims here).
    """
    members: list[Member] = []
    coverage: list[Coverage] = []
    counts: dict[str, int] = {}
    for row in rows:
        number = row["employee_number"]
        counts[number] = counts.get(number, 0) + 1
        member_id = f"{number}-{counts[number]:02d}"
        members.append(
            Member(
                id=member_id,
                family=f"{number}-01",
                relationship=Relationship(row["relationship"]),
                dob=date.fromisoformat(row["dob"]) if row.get("dob") else None,
                sex=row.get("sex") or None,
            )
        )
        start = date.fromisoformat(row["coverage_start"])
        end = date.fromisoformat(row["coverage_end"]) if row.get("coverage_end") else None
        for _, plan_column, tier_column in ELECTION_COLUMNS:
            if tier_column is not None and row.get(plan_column):
                coverage.append(
                    Coverage(member_id, row[plan_column], Tier(row[tier_column]), start, end)
                )
    return members, coverage


# -- people and the plan of the year -----------------------------------------------------------


def _people(
    seed: int,
    members: Sequence[Member],
    coverages: Sequence[Coverage],
    plans: Mapping[str, PlanDesign],
    first: date,
    last: date,
) -> list[Person]:
    """Each member with its coverage clipped to the plan periods and the service window."""
    spans: dict[str, dict[Line, list[Span]]] = {}
    for row in coverages:
        plan = plans.get(row.plan)
        if plan is None:
            raise ValueError(f"the coverage of {row.member} names no known plan {row.plan!r}")
        start = max(row.start, plan.period.start, first)
        end = min(row.end or plan.period.end, plan.period.end, last)
        if start <= end:
            spans.setdefault(row.member, {}).setdefault(plan.line, []).append(
                Span(start, end, plan)
            )
    middle = date(first.year, 7, 1)
    people = []
    for member in sorted(members, key=lambda m: m.id):
        found = spans.get(member.id, {})
        for rows in found.values():
            rows.sort(key=lambda s: s.start)
        age = age_on(member.dob, middle) if member.dob is not None else 40
        rng = random.Random(f"{seed}/{member.id}")
        risk = math.exp(rng.gauss(-(RISK_SIGMA**2) / 2, RISK_SIGMA))
        people.append(Person(member, max(age, 0), member.sex == "F", found, rng, risk))
    return people


def _plan(rng: random.Random, people: list[Person]) -> Scale:
    """Plan the rare events, then scale the headline services to their targets."""
    _choose_catastrophes(rng, people)
    _choose_specialty_users(rng, people)
    for person in people:
        _plan_person(person)
    medical = sum(p.exposure(MEDICAL) for p in people)
    pharmacy = sum(p.exposure(PHARMACY_LINE) for p in people)
    births = sum(1 for p in people if p.delivery is not None)
    catastrophes = sum(STAYS.get(p.catastrophe or "", 0.0) for p in people)
    admits = (ADMISSIONS - ER_VISITS * ER_ADMITTED) * medical - births - catastrophes
    fills = PRESCRIPTIONS * pharmacy - sum(len(p.specialty) for p in people)
    dental = DENTAL_VISITS * sum(p.exposure(Line.DENTAL) for p in people)
    dental -= sum(len(p.ortho) for p in people)
    eye = EYE_EXAMS * sum(p.exposure(Line.VISION) for p in people)

    def scale(target: float, line: Line, bands: Bands, power: float, sex: float = 1.0) -> float:
        weight = sum(
            band(p.age, bands)
            * (sex if p.female and 18 <= p.age < 65 else 1.0)
            * p.risk**power
            * p.exposure(line)
            for p in people
        )
        return max(target, 0.0) / weight if weight > 0 else 0.0

    return Scale(
        office=scale(OFFICE_VISITS * medical, MEDICAL, OFFICE_BY_AGE, OFFICE_RISK, OFFICE_FEMALE),
        er=scale(ER_VISITS * medical, MEDICAL, ER_BY_AGE, ER_RISK),
        admit=scale(admits, MEDICAL, ADMIT_BY_AGE, 1.0),
        rx=scale(fills, PHARMACY_LINE, RX_BY_AGE, 1.0, RX_FEMALE),
        dental=scale(dental, Line.DENTAL, DENTAL_BY_AGE, DENTAL_RISK),
        eye=scale(eye, Line.VISION, EYE_BY_AGE, 0.0),
    )


def _choose_catastrophes(rng: random.Random, people: list[Person]) -> None:
    """About 1% of members with at least half a year of medical coverage, weighted by age
    (newborns for the NICU, older adults for cancer and heart surgery)."""
    eligible = [p for p in people if p.exposure(MEDICAL) >= 0.5]
    count = round(CATASTROPHIC_SHARE * sum(p.exposure(MEDICAL) for p in people))
    for person in _weighted_sample(rng, eligible, count, CATASTROPHE_BY_AGE):
        if person.age < 1:
            person.catastrophe = "nicu"
        elif person.age < 45:
            person.catastrophe = rng.choices(("cancer", "trauma"), (0.45, 0.55))[0]
        else:
            person.catastrophe = rng.choices(("cancer", "cardiac", "trauma"), (0.45, 0.35, 0.2))[0]


def _choose_specialty_users(rng: random.Random, people: list[Person]) -> None:
    """About 1% of adults on a self-injected specialty drug, filled every 28 days."""
    adults = [p for p in people if p.age >= 18 and p.exposure(PHARMACY_LINE) >= 0.5]
    count = round(SPECIALTY_USERS * sum(p.exposure(PHARMACY_LINE) for p in adults))
    for person in _weighted_sample(rng, adults, count, SPECIALTY_BY_AGE):
        start = person.day(PHARMACY_LINE)
        if start is not None:
            person.specialty += _refills(person, PHARMACY_LINE, start, 13, 28)


def _weighted_sample(
    rng: random.Random, people: list[Person], count: int, weights: Bands
) -> list[Person]:
    """``count`` people drawn without replacement, each with its age band's weight
    (Efraimidis-Spirakis keys: the largest u ** (1 / weight) win)."""
    keyed = sorted(people, key=lambda p: rng.random() ** (1.0 / band(p.age, weights)))
    return keyed[::-1][:count]


def _plan_person(person: Person) -> None:
    """The onset of a catastrophe, a delivery, orthodontic visits."""
    rng = person.rng
    if person.catastrophe is not None:
        first = person.spans[MEDICAL][0].start
        person.onset = person.day(MEDICAL) or first
        if person.catastrophe != "nicu":
            last = person.spans[MEDICAL][-1].end
            third = first + ((last - first).days // 3) * DAY
            person.onset = min(person.onset, third)
        if not person.covered(MEDICAL, person.onset, person.onset):
            person.onset = first
        if person.catastrophe == "cancer":
            person.specialty += _refills(person, PHARMACY_LINE, person.onset + 30 * DAY, 6, 28)
    birth = band(person.age, BIRTHS_BY_AGE) if person.female else 0.0
    if rng.random() < birth * person.exposure(MEDICAL):
        person.delivery = person.day(MEDICAL)
    if 9 <= person.age <= 16 and person.exposure(Line.DENTAL) > 0 and rng.random() < ORTHODONTIA:
        start = person.day(Line.DENTAL, weekday=True)
        if start is not None:
            person.ortho = [start, *_refills(person, Line.DENTAL, start + 91 * DAY, 4, 91)]


def _refills(person: Person, line: Line, first: date, count: int, every: int) -> list[date]:
    """Up to ``count`` dates ``every`` days apart from ``first``, while covered."""
    found = []
    for n in range(count):
        day = first + n * every * DAY
        if not person.covered(line, day, day):
            break
        found.append(day)
    return found
