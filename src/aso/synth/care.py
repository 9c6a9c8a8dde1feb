"""A member's year of care as claims: the building blocks and the episodes of ordinary care.

``Care`` holds one member's year (its random generator, its home providers: a PCP, a pharmacy,
a dentist, an optometrist) and writes each kind of care as the claims real providers would
send: the office's professional claim with its in-office labs, an independent lab's or an
imaging center's claim the same day. Codes are real code numbers (CPT/HCPCS, CDT, revenue codes,
ICD-10-CM); their rates are in ``aso.synth.providers``. Hospital care is in
``aso.synth.hospital``, prescriptions, dental and eye care in
``aso.synth.pharmacy_dental_vision``, the catastrophic cases in ``aso.synth.severe``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from aso.claims.domain import ClaimType, Network
from aso.plans.domain import Line, PlanDesign
from aso.synth.providers import PCP_ROLES, SyntheticProvider
from aso.synth.year import (
    DAY,
    Bands,
    Builder,
    Draft,
    DraftLine,
    Person,
    band,
    lag,
    poisson,
    weekday_near,
)

PROF, INST = ClaimType.PROFESSIONAL, ClaimType.INSTITUTIONAL
MEDICAL = Line.MEDICAL
IN = Network.IN

Weighted = tuple[tuple[str, float], ...]
Code = str | tuple[str, int]
"""A procedure code, or a code with its units."""

OFFICE_BY_AGE: Bands = (
    (1, 2.2), (5, 1.3), (17, 0.8), (29, 0.7), (44, 0.9), (54, 1.2), (64, 1.55), (200, 1.9),
)  # fmt: skip
"""Office visits by age, relative (``Scale.office`` sets the level)."""
OFFICE_FEMALE = 1.3
"""Women 18-64 visit more than men (a common finding of claims data)."""
OFFICE_RISK = 0.7
"""How strongly a member's risk factor scales its office visits (power of the factor)."""
SPECIALIST_SHARE: Bands = ((17, 0.15), (44, 0.42), (200, 0.52))
URGENT_BY_AGE: Bands = ((17, 0.3), (200, 0.18))
BEHAVIORAL_BY_AGE: Bands = (
    (11, 0.08), (17, 0.18), (29, 0.21), (44, 0.17), (64, 0.13), (200, 0.08),
)  # fmt: skip
PT_BY_AGE: Bands = ((17, 0.02), (39, 0.05), (64, 0.08), (200, 0.1))
CHIRO_BY_AGE: Bands = ((17, 0.005), (200, 0.045))
DME_BY_AGE: Bands = ((17, 0.3), (39, 0.7), (200, 1.5))
DME_USERS = 0.02
TELEMEDICINE_SHARE = 0.35
"""Virtual visits for every office visit's worth of need."""

ESTABLISHED: Weighted = (("99212", 0.07), ("99213", 0.5), ("99214", 0.36), ("99215", 0.07))
NEW_PATIENT: Weighted = (("99202", 0.1), ("99203", 0.5), ("99204", 0.35), ("99205", 0.05))
PCP_DX_ADULT = (
    "I10", "E11.9", "E78.5", "J06.9", "M54.50", "K21.9", "F41.1", "E66.9", "J02.9", "N39.0",
    "R05.9", "E03.9", "J30.9", "G47.00", "R53.83", "M25.511",
)  # fmt: skip
PCP_DX_CHILD = ("J06.9", "J02.0", "H66.90", "R50.9", "J45.909", "L20.9", "B34.9", "R11.10")
SPECIALTIES_ADULT: Weighted = (
    ("orthopedics", 0.22), ("cardiology", 0.14), ("dermatology", 0.16), ("obgyn", 0.18),
    ("gastroenterology", 0.08), ("ent", 0.06), ("psychiatry", 0.08), ("general_surgery", 0.04),
    ("ophthalmology", 0.04),
)  # fmt: skip
SPECIALTIES_CHILD: Weighted = (
    ("ent", 0.3), ("dermatology", 0.25), ("orthopedics", 0.25), ("psychiatry", 0.2),
)  # fmt: skip
SPECIALTY_DX: dict[str, tuple[str, ...]] = {
    "orthopedics": ("M17.11", "M25.561", "M75.101", "S83.241A", "M54.16", "M19.041"),
    "cardiology": ("I10", "I25.10", "I48.91", "R07.9", "I50.9", "R00.2"),
    "dermatology": ("L57.0", "D22.5", "L70.0", "L40.0", "L82.1", "L21.9"),
    "obgyn": ("N92.0", "N94.6", "Z30.09", "N95.1", "N83.201"),
    "gastroenterology": ("K21.9", "K58.9", "K57.30", "K50.90", "R10.13"),
    "ent": ("J32.9", "H65.23", "J35.01", "H61.23"),
    "psychiatry": ("F32.1", "F41.1", "F90.0", "F31.9", "F33.1"),
    "general_surgery": ("K40.90", "K80.20", "L72.3"),
    "ophthalmology": ("H25.11", "H40.11X0", "H35.30", "E11.3293"),
}
SPECIALTY_EXTRAS: dict[str, tuple[tuple[str, float], ...]] = {
    "orthopedics": (("73562", 0.3), ("20610", 0.25)),
    "cardiology": (("93000", 0.5), ("93306", 0.15)),
    "dermatology": (("11102", 0.3), ("17000", 0.25), ("17110", 0.1)),
}
"""In-office procedures a specialist adds to the visit, with how often."""
LAB_TESTS: Weighted = (
    ("80053", 0.45), ("85025", 0.5), ("80061", 0.3), ("83036", 0.18), ("84443", 0.15),
    ("81002", 0.2), ("80048", 0.1), ("87086", 0.1), ("82947", 0.1),
)  # fmt: skip
XRAYS = ("71046", "73030", "73562", "72100", "73610")
BASIC_IMAGING = (*XRAYS, "76700")
URGENT_DX = ("J06.9", "J02.0", "S93.401A", "N39.0", "H66.90", "S61.411A", "R05.9", "J01.90")
TELEHEALTH_DX = ("J06.9", "F41.1", "N39.0", "J30.9", "L30.9", "R05.9")
MH_DX = ("F41.1", "F32.1", "F43.23", "F33.1", "F41.9")
MH_DX_CHILD = ("F90.0", "F41.1", "F43.23", "F32.1")
SUD_DX = ("F10.20", "F11.20")
PT_DX = ("M54.50", "M25.561", "S83.511A", "M75.101", "M54.2", "M25.511")
PREVENTIVE_AGES = ((0, "1"), (4, "2"), (11, "3"), (17, "4"), (39, "5"), (64, "6"), (200, "7"))
"""Last digit of the preventive medicine codes by age band (under 1, 1-4, 5-11, ...)."""


@dataclass(frozen=True, slots=True)
class Scale:
    """Multipliers that bring each headline service's expected count to its target."""

    office: float
    er: float
    admit: float
    rx: float
    dental: float
    eye: float


def pick(rng: random.Random, weighted: Weighted) -> str:
    return rng.choices([name for name, _ in weighted], [w for _, w in weighted])[0]


def preventive_code(age: int, new: bool) -> str:
    """99381-99387 (new patient) or 99391-99397 (established), by age band."""
    digit = next(digit for upper, digit in PREVENTIVE_AGES if age <= upper)
    return ("9938" if new else "9939") + digit


class Care:
    """One member's year of care: its home providers and the building blocks of claims, and
    the ordinary care of a year (the hospital and the other lines have modules of their own)."""

    def __init__(self, book: Builder, person: Person, scale: Scale, seed: int) -> None:
        self.book = book
        self.person = person
        self.rng = person.rng
        self.scale = scale
        self.age = person.age
        home = random.Random(f"{seed}/home/{person.member.family}")
        roster = book.roster
        medical = person.first_plan(MEDICAL)
        covers_out = medical is not None and has_out(medical)
        self.out_share = 0.06 if covers_out else 0.003
        """Chance that a one-off visit is out of network (rare under a plan with no out)."""
        self.steady_share = 0.06 if covers_out else 0.0
        """The same for a provider seen again and again: under a plan with no out-of-network
        benefit a member whose first claim is denied moves to a network provider."""
        pcp_role = "pediatrics" if self.age < 18 else home.choice(PCP_ROLES)
        self.pcp = roster.pick(self.rng, pcp_role, self.steady_share)
        self.pharmacy = roster.pick(home, "pharmacy")
        dental = person.first_plan(Line.DENTAL)
        self.dentist = roster.pick(home, "dentist", 0.08 if dental and has_out(dental) else 0)
        self.optometrist = roster.pick(home, "optometrist", 0.1)

    # -- building blocks -----------------------------------------------------------------------

    def send(
        self,
        kind: ClaimType,
        provider: SyntheticProvider,
        lines: Sequence[DraftLine],
        label: str,
        diagnoses: Sequence[str] = (),
        *,
        type_of_bill: str | None = None,
        facility: SyntheticProvider | None = None,
        auth: str | None = None,
    ) -> Draft | None:
        last = max(line.day for line in lines)
        draft = self.book.claim(
            self.person.id,
            kind,
            provider,
            lines,
            received=last + lag(self.rng, kind) * DAY,
            label=label,
            diagnoses=diagnoses,
            type_of_bill=type_of_bill,
            facility=facility,
        )
        return self.book.add(draft, self.person, auth=auth)

    def visit(
        self,
        provider: SyntheticProvider,
        day: date,
        codes: Sequence[Code],
        diagnoses: Sequence[str],
        label: str,
        *,
        pos: str = "11",
        modifiers: tuple[str, ...] = (),
        facility: SyntheticProvider | None = None,
        emergency: bool = False,
        auth: str | None = None,
    ) -> Draft | None:
        """A professional claim: one line per code (a code with its units as a pair)."""
        lines = []
        for code in codes:
            procedure, units = (code, 1) if isinstance(code, str) else code
            lines.append(
                self.book.line(
                    provider,
                    PROF,
                    day,
                    procedure=procedure,
                    units=units,
                    pos=pos,
                    modifiers=modifiers,
                    emergency=emergency,
                )
            )
        return self.send(PROF, provider, lines, label, diagnoses, facility=facility, auth=auth)

    def rate(self, line: Line, bands: Bands, power: float = 1.0) -> float:
        """Expected count over the member's coverage in the line, before any target scale."""
        risk: float = self.person.risk**power
        return band(self.age, bands) * risk * self.person.exposure(line)

    def female_adult(self) -> bool:
        return self.person.female and 18 <= self.age < 65

    def labs(self, day: date, diagnoses: Sequence[str], label: str = "lab") -> None:
        """Tests sent to an independent lab (which draws the blood, 36415)."""
        tests = [code for code, chance in LAB_TESTS if self.rng.random() < chance] or ["85025"]
        lab = self.book.roster.pick(self.rng, "lab")
        self.visit(lab, day, ["36415", *tests], diagnoses, label, pos="81")

    # -- office and clinic care ----------------------------------------------------------------

    def office_visits(self) -> None:
        """PCP and specialist visits, with in-office or independent labs and x-rays."""
        rng = self.rng
        sex = OFFICE_FEMALE if self.female_adult() else 1.0
        count = poisson(
            rng, self.rate(MEDICAL, OFFICE_BY_AGE, OFFICE_RISK) * sex * self.scale.office
        )
        for _ in range(count):
            day = self.person.day(MEDICAL, weekday=True)
            if day is None:
                return
            if rng.random() < band(self.age, SPECIALIST_SHARE):
                self.specialist_visit(day)
            else:
                self.pcp_visit(day)

    def pcp_visit(self, day: date) -> None:
        rng = self.rng
        diagnoses = [rng.choice(PCP_DX_CHILD if self.age < 18 else PCP_DX_ADULT)]
        codes: list[Code] = [pick(rng, ESTABLISHED)]
        if rng.random() < 0.45:
            if rng.random() < 0.4:
                codes += ["36415", *(c for c, p in LAB_TESTS if rng.random() < p)]
            else:
                self.labs(day, diagnoses)
        if self.age < 18 and diagnoses[0] in ("J02.0", "J06.9") and rng.random() < 0.4:
            codes.append("87880")
        if self.age >= 40 and rng.random() < 0.05:
            codes.append("93000")
        self.visit(self.pcp, day, codes, diagnoses, "office")
        if rng.random() < 0.12:
            center = self.book.roster.pick(rng, "imaging_center", self.out_share)
            self.visit(center, day, [rng.choice(BASIC_IMAGING)], diagnoses, "imaging")

    def specialist_visit(self, day: date) -> None:
        rng = self.rng
        choices = SPECIALTIES_CHILD if self.age < 18 else SPECIALTIES_ADULT
        if not self.person.female:
            choices = tuple((role, w) for role, w in choices if role != "obgyn")
        role = pick(rng, choices)
        provider = self.book.roster.pick(rng, role, self.out_share)
        diagnoses = [rng.choice(SPECIALTY_DX[role])]
        codes: list[Code] = [pick(rng, NEW_PATIENT if rng.random() < 0.3 else ESTABLISHED)]
        codes += [code for code, chance in SPECIALTY_EXTRAS.get(role, ()) if rng.random() < chance]
        self.visit(provider, day, codes, diagnoses, "office")
        if "11102" in codes:
            lab = self.book.roster.pick(rng, "lab")
            self.visit(lab, day, ["88305"], diagnoses, "lab", pos="81")
        elif rng.random() < 0.2:
            self.labs(day, diagnoses)

    def preventive(self) -> None:
        """Well-child and annual physicals (99381-99397 with Z00.x: $0 in network under the
        ACA, 45 CFR 147.130), with well-woman visits and screening tests."""
        rng, person = self.rng, self.person
        exposure = person.exposure(MEDICAL)
        if self.age < 1:
            count = round(4 * exposure)
        elif self.age < 3:
            count = round(2 * exposure)
        else:
            chance = 0.85 if self.age < 18 else 0.55 if person.female else 0.42
            count = 1 if rng.random() < chance * exposure else 0
        for _ in range(count):
            day = person.day(MEDICAL, weekday=True)
            if day is None:
                return
            code = preventive_code(self.age, rng.random() < 0.15)
            diagnosis = "Z00.129" if self.age < 18 else rng.choice(("Z00.00", "Z00.01"))
            self.visit(self.pcp, day, [code], [diagnosis], "preventive")
            if self.age >= 18 and rng.random() < 0.55:
                tests = ["36415", "80061", "80053", "85025"] + (["83036"] if self.age >= 45 else [])
                lab = self.book.roster.pick(rng, "lab")
                self.visit(lab, day, tests, [diagnosis], "lab", pos="81")
        self.screenings()

    def screenings(self) -> None:
        rng, person = self.rng, self.person
        exposure = person.exposure(MEDICAL)
        if person.female and 21 <= self.age <= 64 and rng.random() < 0.3 * exposure:
            day = person.day(MEDICAL, weekday=True)
            if day is not None:
                obgyn = self.book.roster.pick(rng, "obgyn", self.out_share)
                code = preventive_code(self.age, False)
                self.visit(obgyn, day, [code], ["Z01.419"], "preventive")
                lab = self.book.roster.pick(rng, "lab")
                self.visit(lab, day, ["88175"], ["Z01.419"], "lab", pos="81")
        if person.female and 40 <= self.age <= 74 and rng.random() < 0.55 * exposure:
            day = person.day(MEDICAL, weekday=True)
            if day is not None:
                center = self.book.roster.pick(rng, "imaging_center", self.out_share)
                self.visit(center, day, ["77067"], ["Z12.31"], "imaging")
        if 45 <= self.age <= 75 and rng.random() < 0.07 * exposure:
            day = person.day(MEDICAL, weekday=True)
            if day is not None:
                self.colonoscopy(day)

    def colonoscopy(self, day: date) -> None:
        rng, roster = self.rng, self.book.roster
        center = roster.pick(rng, "surgery_center")
        lines = [
            self.book.line(center, INST, day, revenue="0750", procedure="45378"),
            self.book.line(center, INST, day, revenue="0250", units=2),
        ]
        self.send(INST, center, lines, "outpatient", ["Z12.11"], type_of_bill="831")
        doctor = roster.pick(rng, "gastroenterology", self.out_share)
        self.visit(doctor, day, ["45378"], ["Z12.11"], "outpatient", pos="24", facility=center)
        anesthesia = roster.pick(rng, "anesthesiology", 0.1)
        self.visit(
            anesthesia, day, [("00810", 5)], ["Z12.11"], "outpatient", pos="24", facility=center
        )
        if rng.random() < 0.4:
            lab = roster.pick(rng, "lab")
            self.visit(lab, day, ["88305"], ["Z12.11", "K63.5"], "lab", pos="81")

    def telemedicine(self) -> None:
        """Virtual visits: place of service 10 (home, with modifier 95) or 02, with the member's
        PCP, or a contracted virtual-care practice when the PCP is out of network (the plans
        cover telemedicine in network only)."""
        rng = self.rng
        doctor = self.pcp
        if doctor.network is not IN:
            doctor = self.book.roster.pick(rng, "family_medicine")
        for _ in range(
            poisson(rng, TELEMEDICINE_SHARE * self.rate(MEDICAL, OFFICE_BY_AGE, OFFICE_RISK))
        ):
            day = self.person.day(MEDICAL)
            if day is None:
                return
            pos, modifiers = ("10", ("95",)) if rng.random() < 0.6 else ("02", ())
            code = rng.choice(("99212", "99213"))
            diagnoses = [rng.choice(TELEHEALTH_DX)]
            self.visit(doctor, day, [code], diagnoses, "telemedicine", pos=pos, modifiers=modifiers)

    def urgent_care(self) -> None:
        rng = self.rng
        for _ in range(poisson(rng, self.rate(MEDICAL, URGENT_BY_AGE, 0.5))):
            day = self.person.day(MEDICAL)
            if day is None:
                return
            clinic = self.book.roster.pick(rng, "urgent_care", self.out_share)
            diagnosis = rng.choice(URGENT_DX)
            codes: list[Code] = [rng.choice(("99203", "99213", "99214"))]
            if diagnosis in ("J02.0", "J06.9") and rng.random() < 0.5:
                codes.append("87880")
            if diagnosis == "N39.0":
                codes.append("81002")
            if diagnosis == "S61.411A":
                codes.append("12001")
            if diagnosis == "S93.401A" or rng.random() < 0.08:
                codes.append("73610" if diagnosis == "S93.401A" else "71046")
            self.visit(clinic, day, codes, [diagnosis], "urgent_care", pos="20")

    # -- behavioral health and therapy ----------------------------------------------------------

    def behavioral_health(self) -> None:
        """A course of psychotherapy (90791, then 90834/90837), a third of it by telehealth
        with in-network therapists (the rules count it as telemedicine, which the plans cover
        in network only); about 1 in 12 for substance use."""
        rng, person = self.rng, self.person
        sex = 1.35 if person.female else 0.8
        if rng.random() >= band(self.age, BEHAVIORAL_BY_AGE) * sex * person.exposure(MEDICAL):
            return
        day = person.day(MEDICAL, weekday=True)
        if day is None:
            return
        role = "psychology" if rng.random() < 0.8 else "psychiatry"
        therapist = self.book.roster.pick(rng, role, self.steady_share * 2)
        if self.age >= 18 and rng.random() < 0.08:
            diagnoses = [rng.choice(SUD_DX)]
        else:
            diagnoses = [rng.choice(MH_DX_CHILD if self.age < 18 else MH_DX)]
        for visit in range(6 + poisson(rng, 10)):
            if not person.covered(MEDICAL, day, day) or day > self.book.last:
                return
            code = "90791" if visit == 0 else "90837" if rng.random() < 0.55 else "90834"
            pos, modifiers = "11", tuple[str, ...]()
            if visit > 0 and therapist.network is IN and rng.random() < 0.35:
                pos, modifiers = ("10", ("95",)) if rng.random() < 0.7 else ("02", ())
            self.visit(
                therapist, day, [code], diagnoses, "behavioral", pos=pos, modifiers=modifiers
            )
            day = weekday_near(day + rng.choice((7, 7, 14)) * DAY, day, self.book.last)

    def therapy(self) -> None:
        """A course of physical therapy and one of chiropractic, within the plan's visits."""
        rng, person = self.rng, self.person
        exposure = person.exposure(MEDICAL)
        if rng.random() < band(self.age, PT_BY_AGE) * exposure:
            clinic = self.book.roster.pick(rng, "physical_therapy", self.steady_share)
            visits = self.within_limit("physical_therapy", 4 + poisson(rng, 6))
            diagnoses = [rng.choice(PT_DX)]

            def session(n: int) -> list[Code]:
                if n == 0:
                    return ["97161", ("97110", 1)]
                return [("97110", 2), ("97140", 1) if rng.random() < 0.6 else ("97530", 2)]

            self.course(clinic, visits, rng.choice((3, 4)), diagnoses, "physical_therapy", session)
        if rng.random() < band(self.age, CHIRO_BY_AGE) * exposure:
            self.chiropractic(self.within_limit("chiropractic", 3 + poisson(rng, 6)))

    def chiropractic(self, visits: int) -> None:
        rng = self.rng
        office = self.book.roster.pick(rng, "chiropractic", self.steady_share)
        diagnoses = ["M99.03", "M54.50"]

        def session(n: int) -> list[Code]:
            roll = rng.random()
            return ["98941" if roll < 0.6 else "98940" if roll < 0.9 else "98942"]

        self.course(office, visits, 7, diagnoses, "chiropractic", session)

    def course(
        self,
        provider: SyntheticProvider,
        visits: int,
        every: int,
        diagnoses: Sequence[str],
        label: str,
        session: Callable[[int], list[Code]],
        *,
        start: date | None = None,
    ) -> None:
        """Visits ``every`` days or so from ``start`` (a random weekday), while covered."""
        day = start or self.person.day(MEDICAL, weekday=True)
        for n in range(visits):
            if day is None or day > self.book.last or not self.person.covered(MEDICAL, day, day):
                return
            self.visit(provider, day, session(n), diagnoses, label)
            day = weekday_near(day + every * DAY, day, self.book.last)

    def within_limit(self, category: str, visits: int) -> int:
        plan = self.person.first_plan(MEDICAL)
        benefit = plan.benefits.get(category) if plan else None
        limit = benefit.limit.visits if benefit and benefit.limit else None
        return visits if limit is None else min(visits, limit)

    def equipment(self) -> None:
        """Durable medical equipment: a CPAP, crutches or a walker (new, modifier NU)."""
        rng = self.rng
        chance = DME_USERS * band(self.age, DME_BY_AGE) * self.person.exposure(MEDICAL)
        if rng.random() >= chance:
            return
        day = self.person.day(MEDICAL, weekday=True)
        if day is None:
            return
        items = [("E0114", "S93.401A")]
        if self.age >= 30:
            items.append(("E0601", "G47.33"))
        if self.age >= 55:
            items.append(("E0143", "R26.81"))
        code, diagnosis = rng.choice(items)
        supplier = self.book.roster.pick(rng, "dme")
        self.visit(supplier, day, [code], [diagnosis], "dme", pos="12", modifiers=("NU",))

    def wellness(self) -> None:
        """Exercise classes under a wellness program (stated: the codes give no category)."""
        rng, person = self.rng, self.person
        plan = person.first_plan(MEDICAL)
        if self.age < 18 or plan is None or "wellness_program" not in plan.benefits:
            return
        if rng.random() >= 0.04 * person.exposure(MEDICAL):
            return
        clinic = self.book.roster.pick(rng, "physical_therapy")
        day = person.day(MEDICAL, weekday=True)
        for _ in range(rng.randint(1, 4)):
            if day is None or day > self.book.last or not person.covered(MEDICAL, day, day):
                return
            line = self.book.line(
                clinic, PROF, day, procedure="S9451", pos="11", category="wellness_program"
            )
            self.send(PROF, clinic, [line], "wellness", ["Z71.82"])
            day = weekday_near(day + 30 * DAY, day, self.book.last)


def has_out(plan: PlanDesign) -> bool:
    """Does the plan pay anything out of network for ordinary care?"""
    return any(
        benefit.out is not None and benefit.out != "same_as_in"
        for name, benefit in plan.benefits.items()
        if name in ("office_visit_specialist", "dental_preventive", "vision_exam")
    )
