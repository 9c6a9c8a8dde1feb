"""The machinery of a synthetic claims year: people, the roster, claims under construction.

``Person`` is a member's year (coverage by line, clipped to the service window, and the random
generator its care is drawn from); ``Roster`` picks providers by role and network; ``Builder``
collects ``Draft`` claims, prices their charges from the provider's chargemaster level, keeps
natural claims from colliding with each other (the engine would take them for duplicates),
attaches a prior authorization where the plan in effect requires one, and writes the documents
out in the intake shape of DESIGN 7, ordered by received date and id.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from aso.claims.categories import default_rules
from aso.claims.domain import LINE_OF_COVERAGE, Authorization, ClaimType, Member, Network
from aso.plans.domain import Line, PlanDesign
from aso.synth.providers import ROLES, SyntheticProvider, contract_price

DAY = timedelta(days=1)
CENTS = Decimal("0.01")
IN = Network.IN

Bands = tuple[tuple[int, float], ...]
"""(highest age of the band, weight), in order of age."""


def band(age: int, bands: Bands) -> float:
    """The weight of the band an age falls in."""
    for upper, weight in bands:
        if age <= upper:
            return weight
    return bands[-1][1]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method; a normal approximation for large means)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# -- people --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """Coverage in one plan, clipped to the plan period and the service window."""

    start: date
    end: date
    plan: PlanDesign


@dataclass(slots=True)
class Person:
    """A member's year: coverage by line, risk, and what was planned for it ahead."""

    member: Member
    age: int
    female: bool
    spans: dict[Line, list[Span]]
    rng: random.Random
    risk: float = 1.0
    labels: set[str] = field(default_factory=set)
    """Kinds of care the member has had this year (``chiropractic``, ``office``, ...)."""
    catastrophe: str | None = None
    onset: date | None = None
    delivery: date | None = None
    specialty: list[date] = field(default_factory=list)
    """Planned fills of a specialty drug."""
    ortho: list[date] = field(default_factory=list)
    """Planned orthodontic visits (banding, then adjustments)."""

    @property
    def id(self) -> str:
        return self.member.id

    def days(self, line: Line) -> int:
        return sum((s.end - s.start).days + 1 for s in self.spans.get(line, ()))

    def exposure(self, line: Line) -> float:
        """Years of coverage in the line within the service window."""
        return self.days(line) / 365.0

    def plan_on(self, line: Line, day: date) -> PlanDesign | None:
        for span in self.spans.get(line, ()):
            if span.start <= day <= span.end:
                return span.plan
        return None

    def first_plan(self, line: Line) -> PlanDesign | None:
        spans = self.spans.get(line)
        return spans[0].plan if spans else None

    def covered(self, line: Line, first: date, last: date) -> bool:
        return any(s.start <= first and last <= s.end for s in self.spans.get(line, ()))

    def day(self, line: Line, *, weekday: bool = False, after: date | None = None) -> date | None:
        """A covered day (on or after ``after``) drawn uniformly, a weekday for office care."""
        spans = [s for s in self.spans.get(line, ()) if after is None or s.end >= after]
        if not spans:
            return None
        starts = [s.start if after is None else max(s.start, after) for s in spans]
        sizes = [(s.end - start).days + 1 for s, start in zip(spans, starts, strict=True)]
        pick = self.rng.randrange(sum(sizes))
        for span, start, size in zip(spans, starts, sizes, strict=True):
            if pick < size:
                chosen = start + pick * DAY
                return weekday_near(chosen, start, span.end) if weekday else chosen
            pick -= size
        return None  # pragma: no cover - the sizes add up to the pick's range


def weekday_near(day: date, first: date, last: date) -> date:
    """Saturday moves back to Friday, Sunday on to Monday, staying within first..last."""
    moved = day - DAY if day.weekday() == 5 else day + DAY if day.weekday() == 6 else day
    return moved if first <= moved <= last else day


# -- the roster ---------------------------------------------------------------------------------


class Roster:
    """Providers by role, in and out of network."""

    def __init__(self, providers: Sequence[SyntheticProvider]) -> None:
        self.inside: dict[str, list[SyntheticProvider]] = {}
        self.outside: dict[str, list[SyntheticProvider]] = {}
        for provider in providers:
            table = self.inside if provider.network is IN else self.outside
            table.setdefault(provider.role, []).append(provider)
        missing = [role.key for role in ROLES if role.key not in self.inside]
        if missing:
            raise ValueError(f"the roster has no in-network {', '.join(missing)}")

    def pick(self, rng: random.Random, role: str, out_share: float = 0.0) -> SyntheticProvider:
        outside = self.outside.get(role)
        if outside and rng.random() < out_share:
            return rng.choice(outside)
        return rng.choice(self.inside[role])

    def out_of_network(self, role: str) -> SyntheticProvider | None:
        found = self.outside.get(role)
        return found[0] if found else None


# -- claims under construction -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A service line of a claim under construction."""

    day: date
    charge: Decimal
    procedure: str | None = None
    modifiers: tuple[str, ...] = ()
    pos: str | None = None
    revenue_code: str | None = None
    ndc: str | None = None
    tooth: str | None = None
    units: int = 1
    category: str | None = None
    """A category stated on the line (where the codes alone would not give it)."""
    emergency: bool = False

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.day.isoformat()}
        for name in ("procedure", "pos", "revenue_code", "ndc", "tooth"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.modifiers:
            out["modifiers"] = list(self.modifiers)
        out["units"] = self.units
        out["charge"] = f"{self.charge:.2f}"
        if self.category is not None:
            out["category"] = self.category
        if self.emergency:
            out["emergency"] = True
        return out


def category_of(draft: Draft, line: DraftLine, plan: PlanDesign) -> str:
    """The category the engine will give the line (DESIGN 6.2), from its own rules table."""
    if line.category is not None:
        return line.category
    if draft.type is ClaimType.PHARMACY and line.ndc is not None:
        tier = plan.formulary.get(line.ndc)
        if tier is not None:
            return tier
    facts = (
        draft.type.value,
        line.procedure or "",
        line.revenue_code or "",
        draft.type_of_bill or "",
        line.pos or "",
        tuple(code.replace(".", "") for code in draft.diagnoses),
        draft.provider.taxonomy,
    )
    return default_rules().rule_for(facts).category


DupKey = tuple[str, str, date, str]


@dataclass(frozen=True, slots=True)
class Draft:
    """A claim before it has an id (``key`` orders and links drafts)."""

    key: int
    member: str
    type: ClaimType
    provider: SyntheticProvider
    lines: tuple[DraftLine, ...]
    received: date
    label: str
    diagnoses: tuple[str, ...] = ()
    type_of_bill: str | None = None
    facility_network: Network | None = None
    prior_auth: str | None = None
    frequency: int = 1
    replaces: int | None = None

    @property
    def first(self) -> date:
        return min(line.day for line in self.lines)

    @property
    def last(self) -> date:
        return max(line.day for line in self.lines)

    def moved(self, days: int) -> Draft:
        step = days * DAY
        lines = tuple(replace(line, day=line.day + step) for line in self.lines)
        return replace(self, lines=lines, received=self.received + step)

    def dup_keys(self) -> list[DupKey]:
        """What the engine's duplicate check compares (DESIGN 6.1 step 4)."""
        npi = self.provider.npi
        return [
            (
                self.member,
                npi,
                line.day,
                line.procedure or line.ndc or line.revenue_code or f"category:{line.category}",
            )
            for line in self.lines
        ]

    def document(self, ids: Mapping[int, str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": ids[self.key],
            "member": self.member,
            "type": self.type.value,
            "provider": self.provider.claim_provider(),
            "received": self.received.isoformat(),
        }
        if self.diagnoses:
            out["diagnoses"] = list(self.diagnoses)
        if self.type_of_bill is not None:
            out["type_of_bill"] = self.type_of_bill
        if self.facility_network is not None:
            out["facility_network"] = self.facility_network.value
        if self.replaces is not None:
            out["frequency"] = self.frequency
            out["replaces"] = ids[self.replaces]
        if self.prior_auth is not None:
            out["prior_auth"] = self.prior_auth
        out["lines"] = [line.document() for line in self.lines]
        return out


@dataclass(slots=True)
class _Auth:
    member: str
    start: date
    end: date
    categories: set[str]


@dataclass(frozen=True, slots=True)
class ClaimSet:
    """The claims (intake documents) and the approved prior authorizations they carry."""

    claims: list[dict[str, Any]]
    authorizations: list[Authorization]


LAGS: dict[ClaimType, tuple[int, float, int]] = {
    ClaimType.PROFESSIONAL: (3, 11.0, 120),
    ClaimType.INSTITUTIONAL: (6, 16.0, 150),
    ClaimType.DENTAL: (2, 9.0, 90),
    ClaimType.VISION: (2, 7.0, 90),
}
"""Days from the last service to receipt: a minimum, the mean of the rest, a cap."""


def lag(rng: random.Random, claim_type: ClaimType) -> int:
    """Pharmacy claims arrive at the counter; the others in days to weeks (facilities last)."""
    if claim_type is ClaimType.PHARMACY:
        return 0
    base, mean, cap = LAGS[claim_type]
    return base + min(cap, int(rng.expovariate(1 / mean)))


class Builder:
    """Collects the year's claims and writes them out."""

    def __init__(self, roster: Roster, first: date, last: date, through: date | None) -> None:
        self.roster = roster
        self.first = first
        self.last = last
        """The last service day: the year's end, or ``through`` when earlier."""
        self.through = through
        self.drafts: list[Draft] = []
        self.auths: dict[str, _Auth] = {}
        self.used: set[DupKey] = set()
        self._keys = 0

    def receivable(self, day: date) -> bool:
        return self.through is None or day <= self.through

    @staticmethod
    def line(
        provider: SyntheticProvider,
        claim_type: ClaimType,
        day: date,
        *,
        procedure: str | None = None,
        modifiers: tuple[str, ...] = (),
        pos: str | None = None,
        revenue: str | None = None,
        units: int = 1,
        tooth: str | None = None,
        category: str | None = None,
        emergency: bool = False,
        charge: Decimal | None = None,
    ) -> DraftLine:
        """A line whose charge is the provider's chargemaster level times the contract price
        (``charge`` where no contract prices the code)."""
        if charge is None:
            price = contract_price(
                claim_type, procedure=procedure, modifiers=modifiers, revenue_code=revenue
            )
            if price is None:
                raise ValueError(f"no contract price for {procedure or revenue}")
            amount = price.amount * (1 if price.per_line else units) * provider.charge_factor
            charge = amount.quantize(Decimal(1), ROUND_HALF_UP).quantize(CENTS)
        return DraftLine(
            day=day,
            charge=charge,
            procedure=procedure,
            modifiers=modifiers,
            pos=pos,
            revenue_code=revenue,
            units=units,
            tooth=tooth,
            category=category,
            emergency=emergency,
        )

    def claim(
        self,
        member: str,
        claim_type: ClaimType,
        provider: SyntheticProvider,
        lines: Sequence[DraftLine],
        *,
        received: date,
        label: str,
        diagnoses: Sequence[str] = (),
        type_of_bill: str | None = None,
        facility: SyntheticProvider | None = None,
    ) -> Draft:
        self._keys += 1
        return Draft(
            key=self._keys,
            member=member,
            type=claim_type,
            provider=provider,
            lines=tuple(lines),
            received=received,
            label=label,
            diagnoses=tuple(diagnoses),
            type_of_bill=type_of_bill,
            facility_network=None if facility is None else facility.network,
        )

    def copy(self, draft: Draft, **changes: Any) -> Draft:
        """Another claim like ``draft`` (a resubmission, a correction), with a key of its own."""
        self._keys += 1
        return replace(draft, key=self._keys, **changes)

    def add(
        self,
        draft: Draft,
        person: Person | None,
        *,
        auth: str | None = None,
        authorize: bool = True,
        shift: bool = True,
    ) -> Draft | None:
        """Keep a claim, unless it is not received yet. One that would look like a duplicate
        of an earlier claim moves a day or two (``shift``) or is dropped."""
        keys = draft.dup_keys()
        if any(key in self.used for key in keys):
            moved = self._moved(draft, person) if shift and person is not None else None
            if moved is None:
                return None
            draft, keys = moved, moved.dup_keys()
        if not self.receivable(draft.received):
            return None
        self.used.update(keys)
        if person is not None and authorize:
            draft = self._authorize(person, draft, auth)
        self.drafts.append(draft)
        if person is not None:
            person.labels.add(draft.label)
        return draft

    def resubmit(self, draft: Draft) -> Draft | None:
        """Keep a deliberate copy of an earlier claim as it is (duplicates, corrections)."""
        if not self.receivable(draft.received):
            return None
        self.drafts.append(draft)
        return draft

    def _moved(self, draft: Draft, person: Person) -> Draft | None:
        line = LINE_OF_COVERAGE[draft.type]
        for days in (1, 2, 3, -1, -2):
            moved = draft.moved(days)
            if person.covered(line, moved.first, moved.last) and not any(
                key in self.used for key in moved.dup_keys()
            ):
                return moved
        return None

    def _authorize(self, person: Person, draft: Draft, number: str | None) -> Draft:
        """An approved authorization for the lines whose category needs one under the plan in
        effect (never emergencies: DESIGN 6.1 step 5); ``number`` extends an episode's."""
        line_of = LINE_OF_COVERAGE[draft.type]
        needed = set()
        for line in draft.lines:
            plan = person.plan_on(line_of, line.day)
            if plan is None or line.emergency:
                continue
            benefit = plan.benefits.get(category_of(draft, line, plan))
            if benefit is not None and benefit.covered and benefit.prior_auth:
                needed.add(category_of(draft, line, plan))
        if not needed:
            return draft
        start, end = draft.first - 14 * DAY, draft.last + 30 * DAY
        if number is None or number not in self.auths:
            number = f"draft-{len(self.auths) + 1}"
            self.auths[number] = _Auth(person.id, start, end, set())
        found = self.auths[number]
        found.categories |= needed
        found.start, found.end = min(found.start, start), max(found.end, end)
        return replace(draft, prior_auth=number)

    def output(self, prefix: str) -> ClaimSet:
        """Ids in order of receipt, authorization numbers in order of issue; documents ordered
        by received date, then id."""
        ordered = sorted(self.drafts, key=lambda d: (d.received, d.member, d.first, d.key))
        year = self.first.year % 100
        ids = {d.key: f"{prefix}{year:02d}{n:07d}" for n, d in enumerate(ordered, start=1)}
        issued = sorted(self.auths.items(), key=lambda item: (item[1].start, item[0]))
        numbers = {old: f"PA{year:02d}{n:06d}" for n, (old, _) in enumerate(issued, start=1)}
        authorizations = [
            Authorization(
                number=numbers[old],
                member=auth.member,
                start=auth.start,
                end=auth.end,
                categories=frozenset(auth.categories),
            )
            for old, auth in issued
        ]
        documents = []
        for draft in ordered:
            if draft.prior_auth is not None:
                draft = replace(draft, prior_auth=numbers[draft.prior_auth])
            documents.append(draft.document(ids))
        return ClaimSet(documents, authorizations)
