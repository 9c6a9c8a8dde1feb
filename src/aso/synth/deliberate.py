"""Claims built on purpose so a demo year shows every kind of denial, pend and correction.

Two of each (where the population allows), chosen with a seeded generator among the members
they fit: an unknown member (CARC 31); a service after a coverage end (27), before the first
coverage start (26) and in a line the member has no coverage in (109); a claim received past
timely filing (29); exact duplicates (18) and suspect duplicates (pended); services the plan
does not cover (204: bariatric surgery, a wellness program the plan lacks); out-of-network care
under a plan with no out-of-network benefit (242); advanced imaging without its prior
authorization (197); chiropractic past the plan's visit limit (119); a stay whose plan payment
is over the plan's ``pended_over`` (pended ``high_dollar``); a code no fee schedule prices
(pended ``no_price``); replacements (frequency 7) and voids (8) of earlier claims.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_CEILING, Decimal

from aso.claims.domain import ClaimType, Coverage, Network
from aso.plans.domain import Line, PlanDesign
from aso.synth.providers import DRUG_BY_NDC, FACILITY_PERCENT_OF_CHARGE, SyntheticProvider
from aso.synth.year import DAY, Builder, Draft, DraftLine, Person, Span, weekday_near

PROF, INST = ClaimType.PROFESSIONAL, ClaimType.INSTITUTIONAL
MEDICAL = Line.MEDICAL
EACH = 2
"""Claims of each kind."""
LABEL = "deliberate"


class Deliberate:
    """Adds the deliberate claims to a year already generated."""

    def __init__(
        self,
        book: Builder,
        rng: random.Random,
        people: Sequence[Person],
        coverages: Sequence[Coverage],
        plans: dict[str, PlanDesign],
    ) -> None:
        self.book = book
        self.rng = rng
        self.people = list(people)
        self.known = {p.id for p in people}
        self.rows: dict[tuple[str, Line], list[Coverage]] = {}
        for row in coverages:
            plan = plans.get(row.plan)
            if plan is not None:
                self.rows.setdefault((row.member, plan.line), []).append(row)

    def build(self) -> None:
        originals = self._originals()
        self.unknown_member()
        self.after_coverage()
        self.before_coverage()
        self.no_coverage_in_line()
        self.late()
        self.duplicates(originals[: 2 * EACH])
        self.corrections(originals[2 * EACH :])
        self.not_covered()
        self.out_of_network()
        self.missing_authorization()
        self.over_limit()
        self.high_dollar()
        self.no_price()

    # -- helpers --------------------------------------------------------------------------------

    def choose(self, fits: Callable[[Person], bool], count: int = EACH) -> list[Person]:
        found = [p for p in self.people if fits(p)]
        return self.rng.sample(found, min(count, len(found)))

    def between(self, first: date, last: date) -> date:
        last = max(first, last)
        day = first + self.rng.randrange((last - first).days + 1) * DAY
        return weekday_near(day, first, last)

    def office(
        self,
        member: str,
        day: date,
        *,
        provider: SyntheticProvider | None = None,
        code: str = "99213",
        received: date | None = None,
        diagnoses: Sequence[str] = ("J06.9",),
        charge: Decimal | None = None,
    ) -> Draft:
        provider = provider or self.book.roster.pick(self.rng, "family_medicine")
        line = self.book.line(provider, PROF, day, procedure=code, pos="11", charge=charge)
        received = received or day + self.rng.randint(8, 25) * DAY
        return self.book.claim(
            member, PROF, provider, [line], received=received, label=LABEL, diagnoses=diagnoses
        )

    def keep(self, draft: Draft, person: Person | None, *, authorize: bool = True) -> None:
        self.book.add(draft, person, shift=False, authorize=authorize)

    def medical_plan(self, person: Person) -> PlanDesign | None:
        return person.first_plan(MEDICAL)

    # -- eligibility and filing -------------------------------------------------------------------

    def unknown_member(self) -> None:
        """CARC 31: a member id that matches no one (a mistyped card)."""
        last = self.book.last - 20 * DAY
        for person in self.choose(lambda p: True):
            member = person.id + "9"
            while member in self.known:
                member += "9"
            self.keep(self.office(member, self.between(self.book.first, last)), None)

    def after_coverage(self) -> None:
        """CARC 27: care a few weeks after coverage ended; when no coverage ends within the
        year, early next year after the plan year's end."""
        last = self.book.last
        ended: list[tuple[Person, Span]] = []
        for person in self.people:
            for span in person.spans.get(MEDICAL, ()):
                after = span.end + 10 * DAY
                if after <= last and person.plan_on(MEDICAL, after) is None:
                    ended.append((person, span))
                    break
        picked = self.rng.sample(ended, min(EACH, len(ended)))
        if picked:
            for person, span in picked:
                day = self.between(span.end + 10 * DAY, min(last, span.end + 40 * DAY))
                self.keep(self.office(person.id, day), person)
            return
        if self.book.through is not None:
            return
        for person in self.choose(lambda p: p.exposure(MEDICAL) > 0):
            end = person.spans[MEDICAL][-1].end
            day = self.between(end + 5 * DAY, end + 20 * DAY)
            self.keep(self.office(person.id, day), person)

    def before_coverage(self) -> None:
        """CARC 26: care in the weeks before the first coverage started."""
        for person in self.choose(lambda p: (p.id, MEDICAL) in self.rows):
            start = min(row.start for row in self.rows[(person.id, MEDICAL)])
            day = self.between(start - 25 * DAY, start - 5 * DAY)
            received = start + self.rng.randint(5, 20) * DAY
            self.keep(self.office(person.id, day, received=received), person)

    def no_coverage_in_line(self) -> None:
        """CARC 109: a dental claim for a member without dental coverage."""
        for person in self.choose(
            lambda p: p.exposure(MEDICAL) > 0 and (p.id, Line.DENTAL) not in self.rows
        ):
            span = person.spans[MEDICAL][0]
            day = self.between(span.start, span.end)
            dentist = self.book.roster.pick(self.rng, "dentist")
            lines = [
                self.book.line(dentist, ClaimType.DENTAL, day, procedure=code)
                for code in ("D0120", "D1110")
            ]
            draft = self.book.claim(
                person.id, ClaimType.DENTAL, dentist, lines, received=day + 9 * DAY, label=LABEL
            )
            self.keep(draft, person)

    def late(self) -> None:
        """CARC 29: received past the plan's timely filing limit (the shortest limit first,
        so the claim can arrive within the window of ``through``)."""
        horizon = self.book.through
        fits: list[tuple[int, str, Person, Span]] = []
        for person in self.people:
            for span in person.spans.get(MEDICAL, ()):
                days = span.plan.timely_filing_days
                if horizon is None or span.start + (days + 40) * DAY <= horizon:
                    fits.append((days, person.id, person, span))
                    break
        fits.sort(key=lambda f: (f[0], f[1]))
        shortest = [f for f in fits if f[0] == fits[0][0]] if fits else []
        for days, _, person, span in self.rng.sample(shortest, min(EACH, len(shortest))):
            day = self.between(span.start, min(span.end, span.start + 20 * DAY))
            received = day + (days + self.rng.randint(5, 15)) * DAY
            self.keep(self.office(person.id, day, received=received), person)

    # -- duplicates and corrections ---------------------------------------------------------------

    def _originals(self) -> list[Draft]:
        """Paid-looking single-line office visits, received early enough to be followed."""
        horizon = self.book.through
        found = [
            d
            for d in self.book.drafts
            if d.label == "office"
            and len(d.lines) == 1
            and d.provider.network is Network.IN
            and d.lines[0].procedure in ("99213", "99214")
            and (horizon is None or d.received + 60 * DAY <= horizon)
        ]
        return self.rng.sample(found, min(4 * EACH, len(found)))

    def duplicates(self, originals: Sequence[Draft]) -> None:
        """CARC 18 (the same claim sent again) and a suspect duplicate (pended): the same
        service with another charge."""
        for n, original in enumerate(originals):
            received = original.received + self.rng.randint(20, 40) * DAY
            if n < EACH:
                copy = self.book.copy(original, received=received, label=LABEL)
            else:
                line = original.lines[0]
                changed = DraftLine(
                    day=line.day, charge=line.charge + 15, procedure=line.procedure, pos=line.pos
                )
                copy = self.book.copy(original, received=received, label=LABEL, lines=(changed,))
            self.book.resubmit(copy)

    def corrections(self, originals: Sequence[Draft]) -> None:
        """Replacements (frequency 7: the office visit coded a level lower) and voids (8)."""
        for n, original in enumerate(originals):
            received = original.received + self.rng.randint(15, 45) * DAY
            if n < EACH:
                line = original.lines[0]
                code = "99213" if line.procedure == "99214" else "99212"
                fixed = self.book.line(original.provider, PROF, line.day, procedure=code, pos="11")
                copy = self.book.copy(
                    original, received=received, label=LABEL, lines=(fixed,), frequency=7,
                    replaces=original.key,
                )  # fmt: skip
            else:
                copy = self.book.copy(
                    original, received=received, label=LABEL, frequency=8, replaces=original.key
                )
            self.book.resubmit(copy)

    # -- benefits ---------------------------------------------------------------------------------

    def not_covered(self) -> None:
        """CARC 204: bariatric surgery (excluded by every template) and a wellness program
        under a plan that has none (the HDHP)."""

        def excludes(category: str) -> Callable[[Person], bool]:
            def fits(person: Person) -> bool:
                plan = self.medical_plan(person)
                if plan is None or person.age < 18:
                    return False
                benefit = plan.benefits.get(category)
                return benefit is None or not benefit.covered

            return fits

        roster = self.book.roster
        wellness = self.choose(excludes("wellness_program"), 1)
        for person in self.choose(excludes("bariatric_surgery"), EACH * 2 - len(wellness)):
            span = person.spans[MEDICAL][0]
            day = self.between(span.start, span.end)
            surgeon = roster.pick(self.rng, "general_surgery")
            line = self.book.line(
                surgeon, PROF, day, procedure="43644", pos="22", category="bariatric_surgery"
            )
            draft = self.book.claim(
                person.id, PROF, surgeon, [line], received=day + 14 * DAY, label=LABEL,
                diagnoses=("E66.01", "Z68.41"),
            )  # fmt: skip
            self.keep(draft, person)
        for person in wellness:
            span = person.spans[MEDICAL][0]
            day = self.between(span.start, span.end)
            clinic = roster.pick(self.rng, "physical_therapy")
            line = self.book.line(
                clinic, PROF, day, procedure="S9451", pos="11", category="wellness_program"
            )
            draft = self.book.claim(
                person.id, PROF, clinic, [line], received=day + 10 * DAY, label=LABEL,
                diagnoses=("Z71.82",),
            )  # fmt: skip
            self.keep(draft, person)

    def out_of_network(self) -> None:
        """CARC 242: an out-of-network specialist under a plan with no out-of-network benefit
        (the EPO), and a fill at an out-of-network pharmacy (pharmacy plans have none)."""
        specialist = self.book.roster.out_of_network("orthopedics")

        def no_out(line: Line, category: str) -> Callable[[Person], bool]:
            def fits(person: Person) -> bool:
                plan = person.first_plan(line)
                benefit = plan.benefits.get(category) if plan else None
                return benefit is not None and benefit.covered and benefit.out is None

            return fits

        if specialist is not None:
            for person in self.choose(no_out(MEDICAL, "office_visit_specialist"), 1):
                span = person.spans[MEDICAL][0]
                day = self.between(span.start, span.end)
                draft = self.office(person.id, day, provider=specialist, diagnoses=("M25.561",))
                self.keep(draft, person)
        pharmacy = self.book.roster.out_of_network("pharmacy")
        if pharmacy is None:
            return
        for person in self.choose(no_out(Line.PHARMACY, "rx_generic"), 1):
            span = person.spans[Line.PHARMACY][0]
            plan = span.plan
            generics = [n for n, tier in sorted(plan.formulary.items()) if tier == "rx_generic"]
            drug = next((DRUG_BY_NDC[n] for n in generics if n in DRUG_BY_NDC), None)
            if drug is None:
                continue
            day = self.between(span.start, span.end)
            charge = (drug.awp * drug.quantity).quantize(Decimal("0.01"))
            line = DraftLine(day=day, charge=charge, ndc=drug.ndc, units=drug.quantity)
            draft = self.book.claim(
                person.id, ClaimType.PHARMACY, pharmacy, [line], received=day, label=LABEL
            )
            self.keep(draft, person)

    def missing_authorization(self) -> None:
        """CARC 197: a lumbar MRI sent without the authorization the plan requires."""

        def requires(person: Person) -> bool:
            plan = self.medical_plan(person)
            benefit = plan.benefits.get("imaging_advanced") if plan else None
            return benefit is not None and benefit.covered and benefit.prior_auth

        for person in self.choose(requires):
            span = person.spans[MEDICAL][0]
            day = self.between(span.start, span.end)
            center = self.book.roster.pick(self.rng, "imaging_center")
            draft = self.office(
                person.id, day, provider=center, code="72148", diagnoses=("M54.16",)
            )
            self.keep(draft, person, authorize=False)

    def over_limit(self) -> None:
        """CARC 119: weekly chiropractic two visits past the plan's visit limit."""

        def limit(person: Person) -> int | None:
            plan = self.medical_plan(person)
            benefit = plan.benefits.get("chiropractic") if plan else None
            return benefit.limit.visits if benefit and benefit.limit else None

        def fits(person: Person) -> bool:
            visits = limit(person)
            if visits is None or "chiropractic" in person.labels:
                return False
            span = person.spans[MEDICAL][0]
            return (span.end - span.start).days > 7 * (visits + 3)

        office = self.book.roster.pick(self.rng, "chiropractic")
        for person in self.choose(fits):
            span, visits = person.spans[MEDICAL][0], limit(person) or 0
            day = weekday_near(span.start + self.rng.randrange(7) * DAY, span.start, span.end)
            for _ in range(visits + 2):
                line = self.book.line(office, PROF, day, procedure="98941", pos="11")
                draft = self.book.claim(
                    person.id, PROF, office, [line], received=day + 10 * DAY, label=LABEL,
                    diagnoses=("M99.03", "M54.50"),
                )  # fmt: skip
                self.keep(draft, person)
                day += 7 * DAY

    # -- pends ------------------------------------------------------------------------------------

    def high_dollar(self) -> None:
        """Pended ``high_dollar``: a spinal fusion stay whose implant line alone pays more than
        the plan's ``pended_over``, whatever the member has met (the implant is priced at a
        percent of charges; its allowed amount exceeds the threshold by the family
        out-of-pocket maximum)."""
        hospital = self.book.roster.pick(self.rng, "hospital")
        for person in self.choose(
            lambda p: (plan := self.medical_plan(p)) is not None and plan.pended_over is not None
        ):
            span = person.spans[MEDICAL][0]
            plan = span.plan
            assert plan.pended_over is not None
            limit = plan.oop_max.in_ if plan.oop_max and plan.oop_max.in_ else None
            allowed = plan.pended_over + (limit.family if limit else plan.pended_over) + 1000
            charge = (allowed / FACILITY_PERCENT_OF_CHARGE).quantize(Decimal(1), ROUND_CEILING)
            day = self.between(span.start, max(span.start, span.end - 3 * DAY))
            lines = [
                self.book.line(hospital, INST, day + n * DAY, revenue="0120") for n in range(3)
            ]
            lines.append(self.book.line(hospital, INST, day, revenue="0360"))
            lines.append(self.book.line(hospital, INST, day, revenue="0278", charge=charge))
            draft = self.book.claim(
                person.id, INST, hospital, lines, received=day + 25 * DAY, label=LABEL,
                diagnoses=("M43.16",), type_of_bill="111",
            )  # fmt: skip
            self.keep(draft, person)

    def no_price(self) -> None:
        """Pended ``no_price``: an unlisted service (99499) no fee schedule has a rate for."""
        for person in self.choose(lambda p: p.exposure(MEDICAL) > 0):
            span = person.spans[MEDICAL][0]
            day = self.between(span.start, span.end)
            draft = self.office(
                person.id, day, code="99499", diagnoses=("R69",), charge=Decimal("150.00")
            )
            self.keep(draft, person)
