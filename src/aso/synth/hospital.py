"""Hospital care of a synthetic year: emergencies, stays, surgery, advanced imaging, births.

Each function draws one kind of care for a member (``aso.synth.care.Care``) and writes the
claims a hospital and its physicians send: the hospital's institutional claim (type of bill 111
for a stay, with a room-and-board line per night; 131 for outpatient care; 831 for a surgery
center) with the physicians' professional claims beside it (``facility_network`` set, so an
out-of-network physician at a network hospital is protected by the No Surprises Act). Lines of
an emergency are marked ``emergency``; an elective stay, an outpatient surgery and advanced
imaging carry a prior authorization where the plan requires one (``Builder``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from aso.synth.care import INST, MEDICAL, PROF, XRAYS, Care, Code, Weighted, pick
from aso.synth.providers import SyntheticProvider
from aso.synth.year import DAY, Bands, DraftLine, poisson, weekday_near

ER_BY_AGE: Bands = ((4, 1.5), (17, 0.9), (29, 1.25), (64, 0.9), (200, 1.2))
ADMIT_BY_AGE: Bands = ((0, 1.0), (17, 0.3), (44, 0.6), (54, 1.1), (64, 1.8), (200, 2.5))
"""Emergency visits and direct admissions by age, relative (``Scale`` sets the level)."""
ER_RISK = 0.8
"""How strongly a member's risk factor scales its emergency visits (power of the factor)."""
SURGERY_BY_AGE: Bands = ((17, 0.024), (39, 0.06), (54, 0.1), (200, 0.14))
IMAGING_BY_AGE: Bands = ((17, 0.04), (39, 0.09), (54, 0.15), (200, 0.22))
ER_ADMITTED = 0.12
"""Share of emergency visits that end in an admission (billed on the inpatient claim)."""
OBSERVED = 0.08
"""Share of the other emergency visits kept for observation (hours, revenue code 0762)."""
AMBULANCE = 0.08
"""Share of emergency visits that arrive by ambulance (more of the most severe)."""

ER_LEVELS: Weighted = (("99282", 0.07), ("99283", 0.35), ("99284", 0.4), ("99285", 0.18))
ER_DX_ADULT = ("R07.9", "R10.9", "S93.401A", "N39.0", "R55", "S01.81XA", "R51.9", "J18.9")
ER_DX_CHILD = ("R50.9", "S01.81XA", "J06.9", "H66.90", "S52.501A", "R11.10")
ER_CT = (("70450", "0351"), ("74177", "0352"))
MEDICAL_ADMIT_DX = (
    "J18.9", "A41.9", "I50.9", "J44.1", "N17.9", "K85.90", "I63.9", "E11.65", "N10", "K57.32",
    "I21.4", "R07.89",
)  # fmt: skip
MEDICAL_ADMIT_DX_CHILD = ("J18.9", "J45.901", "A08.4", "E86.0", "R56.9")
MH_ADMIT_DX = ("F32.2", "F33.2", "F31.2", "F20.9")
SUD_ADMIT_DX = ("F10.239", "F11.23")


@dataclass(frozen=True, slots=True)
class Surgery:
    """A procedure, its diagnosis and anesthesia code, who does it and for whom."""

    code: str
    diagnosis: str
    anesthesia: str
    role: str
    ages: tuple[int, int] = (0, 200)
    sex: str | None = None
    nights: tuple[int, int] = (1, 2)
    implant: tuple[int, int] | None = None
    """Charge range of implants (revenue code 0278, priced as a percent of charges)."""


@dataclass(slots=True)
class Stay:
    """What an inpatient stay holds; ``stay_claims`` writes its claims."""

    diagnoses: list[str]
    nights: int
    room: str = "0120"
    """Room-and-board revenue code (0120 medical/surgical, 0124 psychiatric, 0174 NICU...)."""
    icu: int = 0
    """Nights in intensive care (first), at ``icu_room``."""
    icu_room: str = "0200"
    surgery: Surgery | None = None
    extras: list[tuple[str, int]] = field(default_factory=list)
    """Ancillary revenue codes and units; empty: pharmacy and lab in proportion to the nights."""
    implant: Decimal | None = None
    attending: str | None = "hospitalist"
    admit_code: str = "99223"
    daily: str = "99232"
    icu_daily: str = "99291"
    category: str | None = None
    label: str = "inpatient"


OUTPATIENT_SURGERIES = (
    Surgery("29881", "M23.221", "01400", "orthopedics", (18, 200)),
    Surgery("47562", "K80.20", "00790", "general_surgery", (18, 200)),
    Surgery("49505", "K40.90", "00832", "general_surgery", (18, 200)),
    Surgery("66984", "H25.11", "00142", "ophthalmology", (50, 200)),
    Surgery("64721", "G56.01", "00400", "orthopedics", (30, 200)),
    Surgery("42820", "J35.01", "00170", "ent", (2, 17)),
    Surgery("58558", "N84.0", "00840", "obgyn", (25, 64), "F"),
    Surgery("19120", "N63.10", "00402", "general_surgery", (25, 200), "F"),
    Surgery("45380", "K63.5", "00810", "gastroenterology", (40, 200)),
)
INPATIENT_SURGERIES = (
    Surgery("27447", "M17.11", "01402", "orthopedics", (45, 200), None, (2, 3), (12000, 20000)),
    Surgery("44970", "K35.80", "00840", "general_surgery", (5, 200), None, (1, 2)),
    Surgery("47562", "K80.10", "00790", "general_surgery", (18, 200), None, (1, 2)),
    Surgery("63047", "M48.061", "00630", "orthopedics", (40, 200), None, (1, 3)),
    Surgery("22612", "M43.16", "00630", "orthopedics", (40, 200), None, (2, 4), (20000, 32000)),
)
ADVANCED_IMAGING = (
    ("72148", "0612", ("M54.16", "M51.26")),
    ("73721", "0614", ("M23.221", "M25.561")),
    ("70553", "0611", ("G43.909", "R51.9")),
    ("74177", "0352", ("R10.9", "K57.32")),
    ("71250", "0350", ("R91.1",)),
    ("73221", "0614", ("M75.101",)),
    ("70450", "0351", ("R51.9",)),
)
"""Study, the hospital's revenue code for it, diagnoses."""


def emergencies(care: Care) -> None:
    """Emergency visits (``Scale.er`` brings them to 0.2 a member-year)."""
    rng = care.rng
    count = poisson(rng, care.rate(MEDICAL, ER_BY_AGE, ER_RISK) * care.scale.er)
    for _ in range(count):
        day = care.person.day(MEDICAL)
        if day is None:
            return
        emergency(care, day)


def emergency(care: Care, day: date, level: str | None = None) -> None:
    """An emergency visit: the hospital's claim (131, or the admission's 111) with the
    emergency physician's, maybe a radiologist's and an ambulance's claims. Every line is
    marked emergency: no prior authorization, in-network cost sharing (No Surprises Act)."""
    rng, roster = care.rng, care.book.roster
    hospital = roster.pick(rng, "hospital", 0.08)
    level = level or pick(rng, ER_LEVELS)
    diagnosis = rng.choice(ER_DX_CHILD if care.age < 18 else ER_DX_ADULT)
    if rng.random() < AMBULANCE or (level == "99285" and rng.random() < 0.3):
        ambulance(care, day, diagnosis)
    doctor = roster.pick(rng, "emergency_medicine", 0.12)
    codes: list[Code] = [level]
    if diagnosis == "S01.81XA":
        codes.append("12001")
    care.visit(doctor, day, codes, [diagnosis], "er", pos="23", facility=hospital, emergency=True)
    if rng.random() < ER_ADMITTED:
        admission(care, day, "medical", hospital=hospital, emergency=True, er_level=level)
        return
    lines = [care.book.line(hospital, INST, day, revenue="0450", procedure=level, emergency=True)]
    lines += er_ancillaries(care, hospital, day, diagnosis)
    care.send(INST, hospital, lines, "er", [diagnosis], type_of_bill="131")


def er_ancillaries(
    care: Care, hospital: SyntheticProvider, day: date, diagnosis: str
) -> list[DraftLine]:
    """Labs, x-rays, a CT (with the radiologist's reading), drugs, observation hours."""
    rng = care.rng
    lines = []

    def add(revenue: str, procedure: str | None = None, units: int = 1) -> None:
        lines.append(
            care.book.line(
                hospital, INST, day, revenue=revenue, procedure=procedure, units=units,
                emergency=True,
            )
        )  # fmt: skip

    if rng.random() < 0.65:
        add("0301", "80053")
        add("0305", "85025")
    if rng.random() < 0.3:
        add("0320", rng.choice(XRAYS))
    if rng.random() < 0.3:
        study, revenue = rng.choice(ER_CT)
        add(revenue, study)
        radiologist = care.book.roster.pick(rng, "radiology", 0.1)
        care.visit(
            radiologist, day, [study], [diagnosis], "er", pos="23", modifiers=("26",),
            facility=hospital, emergency=True,
        )  # fmt: skip
    if rng.random() < 0.45:
        add("0250", units=rng.randint(1, 6))
    if rng.random() < OBSERVED:
        add("0762", units=rng.randint(12, 30))
    return lines


def ambulance(care: Care, day: date, diagnosis: str) -> None:
    """A ground ambulance: advanced (A0427) or basic (A0429) life support, and the miles."""
    rng = care.rng
    company = care.book.roster.pick(rng, "ambulance", 0.25)
    code = "A0427" if rng.random() < 0.6 else "A0429"
    codes: list[Code] = [code, ("A0425", rng.randint(3, 18))]
    care.visit(company, day, codes, [diagnosis], "ambulance", pos="41", emergency=True)


def admissions(care: Care) -> None:
    """Direct admissions: medical, surgical, mental health and substance use stays."""
    rng = care.rng
    for _ in range(poisson(rng, care.rate(MEDICAL, ADMIT_BY_AGE) * care.scale.admit)):
        day = care.person.day(MEDICAL)
        if day is None:
            return
        roll = rng.random()
        if 12 <= care.age < 65 and roll < 0.1:
            kind = "substance_use" if roll < 0.03 and care.age >= 18 else "mental_health"
        elif roll < (0.3 if care.age < 18 else 0.45):
            kind = "surgical"
        else:
            kind = "medical"
        hospital = care.book.roster.pick(rng, "hospital", care.out_share)
        admission(care, day, kind, hospital=hospital, emergency=False)


def admission(
    care: Care,
    day: date,
    kind: str,
    *,
    hospital: SyntheticProvider,
    emergency: bool,
    er_level: str | None = None,
) -> None:
    """An ordinary stay: medical, surgical, mental health or substance use."""
    rng = care.rng
    surgery = None
    if kind == "surgical":
        fits = [s for s in INPATIENT_SURGERIES if s.ages[0] <= care.age <= s.ages[1]]
        surgery = rng.choice(fits) if fits else None
    if surgery is not None:
        stay = Stay([surgery.diagnosis], rng.randint(*surgery.nights), surgery=surgery)
    elif kind == "mental_health":
        stay = Stay([rng.choice(MH_ADMIT_DX)], rng.randint(4, 10), "0124", attending="psychiatry")
    elif kind == "substance_use":
        stay = Stay([rng.choice(SUD_ADMIT_DX)], rng.randint(3, 6), "0126", attending="psychiatry")
    else:
        pool = MEDICAL_ADMIT_DX_CHILD if care.age < 18 else MEDICAL_ADMIT_DX
        stay = Stay([rng.choice(pool)], rng.randint(2, 8))
        if rng.random() < 0.15:
            stay.icu = rng.randint(1, min(3, stay.nights))
    stay_claims(care, day, stay, hospital, emergency=emergency, er_level=er_level)


def stay_claims(
    care: Care,
    day: date,
    stay: Stay,
    hospital: SyntheticProvider,
    *,
    emergency: bool = False,
    er_level: str | None = None,
) -> date:
    """An inpatient stay (type of bill 111): a room-and-board line per night (intensive
    care first), the ancillaries, an operating room for a surgery; the attending's daily
    visits and the surgeon's and anesthesiologist's claims. A stay that is not an emergency
    carries a prior authorization where the plan asks for one. Gives the last covered day
    of the stay (the discharge, or the last night when that is past the coverage)."""
    rng = care.rng
    nights = _fit(care, day, stay.nights)
    icu = min(stay.icu, nights)
    book, inst, category = care.book, INST, stay.category

    def line(on: date, revenue: str, units: int = 1, charge: Decimal | None = None) -> DraftLine:
        return book.line(
            hospital, inst, on, revenue=revenue, units=units, charge=charge,
            emergency=emergency, category=category,
        )  # fmt: skip

    lines = [line(day + n * DAY, stay.icu_room if n < icu else stay.room) for n in range(nights)]
    if er_level is not None:
        lines.append(
            book.line(hospital, inst, day, revenue="0450", procedure=er_level, emergency=True)
        )
    extras = list(stay.extras) or [
        ("0250", rng.randint(8, 20) * nights),
        ("0301", rng.randint(3, 7) * nights),
    ]
    if rng.random() < 0.4:
        extras.append(("0320", rng.randint(1, 3)))
    if stay.surgery is not None:
        extras += [("0360", 1), ("0370", rng.randint(4, 12)), ("0710", rng.randint(2, 4))]
        extras.append(("0272", rng.randint(2, 8)))
    lines += [line(day, revenue, units) for revenue, units in extras]
    implant = stay.implant
    if implant is None and stay.surgery is not None and stay.surgery.implant is not None:
        implant = Decimal(rng.randint(*stay.surgery.implant))
    if implant is not None:
        lines.append(line(day, "0278", charge=implant))
    sent = care.send(inst, hospital, lines, stay.label, stay.diagnoses, type_of_bill="111")
    auth = sent.prior_auth if sent else None
    last = rounds(care, day, nights, icu, stay, hospital, auth)
    if stay.surgery is not None:
        operation(care, day, stay.surgery, hospital, "21", auth, stay.category)
    return last


def _fit(care: Care, day: date, nights: int) -> int:
    """Nights of a stay starting ``day`` that fall within the member's coverage."""
    while nights > 1 and not care.person.covered(MEDICAL, day, day + (nights - 1) * DAY):
        nights -= 1
    return nights


def rounds(
    care: Care,
    day: date,
    nights: int,
    icu: int,
    stay: Stay,
    hospital: SyntheticProvider,
    auth: str | None,
) -> date:
    """The attending: admission, a visit a day (critical care in intensive care),
    discharge (on the last night when the discharge day is past the coverage)."""
    if stay.attending is None:
        return day + (nights - 1) * DAY
    doctor = care.book.roster.pick(care.rng, stay.attending)
    discharge = day + nights * DAY
    if not care.person.covered(MEDICAL, discharge, discharge) or discharge > care.book.last:
        discharge = day + (nights - 1) * DAY
    codes = [stay.admit_code]
    codes += [stay.icu_daily if n < icu else stay.daily for n in range(1, nights)]
    lines = [
        care.book.line(doctor, PROF, day + n * DAY, procedure=code, pos="21")
        for n, code in enumerate(codes)
        if n == 0 or day + n * DAY != discharge
    ]
    if discharge != day:
        lines.append(care.book.line(doctor, PROF, discharge, procedure="99238", pos="21"))
    care.send(PROF, doctor, lines, stay.label, stay.diagnoses, facility=hospital, auth=auth)
    return discharge


def operation(
    care: Care,
    day: date,
    surgery: Surgery,
    facility: SyntheticProvider,
    pos: str,
    auth: str | None,
    category: str | None = None,
) -> None:
    """The surgeon's and the anesthesiologist's claims for a procedure."""
    rng, roster = care.rng, care.book.roster
    surgeon = roster.pick(rng, surgery.role, care.out_share)
    anesthesia = roster.pick(rng, "anesthesiology", 0.12)
    for provider, code, units in (
        (surgeon, surgery.code, 1),
        (anesthesia, surgery.anesthesia, rng.randint(5, 12)),
    ):
        line = care.book.line(
            provider, PROF, day, procedure=code, units=units, pos=pos, category=category
        )
        care.send(
            PROF, provider, [line], "surgery", [surgery.diagnosis], facility=facility, auth=auth
        )


def outpatient_surgery(care: Care) -> None:
    """Same-day surgery at a hospital (131) or a surgery center (831); the operating room
    line (0360) needs prior authorization on the template plans."""
    rng, roster = care.rng, care.book.roster
    for _ in range(poisson(rng, care.rate(MEDICAL, SURGERY_BY_AGE, 0.8))):
        day = care.person.day(MEDICAL, weekday=True)
        sex = "F" if care.person.female else "M"
        fits = [
            s
            for s in OUTPATIENT_SURGERIES
            if s.ages[0] <= care.age <= s.ages[1] and s.sex in (None, sex)
        ]
        if day is None or not fits:
            return
        surgery = rng.choice(fits)
        hospital = rng.random() < 0.55
        facility = roster.pick(rng, "hospital" if hospital else "surgery_center")
        lines = [
            care.book.line(facility, INST, day, revenue="0360", procedure=surgery.code),
            care.book.line(facility, INST, day, revenue="0250", units=rng.randint(2, 6)),
            care.book.line(facility, INST, day, revenue="0370", units=rng.randint(4, 8)),
            care.book.line(facility, INST, day, revenue="0710", units=rng.randint(1, 3)),
            care.book.line(facility, INST, day, revenue="0272", units=rng.randint(1, 3)),
        ]
        bill = "131" if hospital else "831"
        sent = care.send(
            INST, facility, lines, "outpatient", [surgery.diagnosis], type_of_bill=bill
        )
        auth = sent.prior_auth if sent else None
        operation(care, day, surgery, facility, "22" if hospital else "24", auth)


def advanced_imaging(care: Care) -> None:
    """MRI, CT and PET: at an imaging center (global) or a hospital (the facility's claim
    and the radiologist's reading, modifier 26), under one prior authorization."""
    rng, roster = care.rng, care.book.roster
    for _ in range(poisson(rng, care.rate(MEDICAL, IMAGING_BY_AGE, 0.8))):
        day = care.person.day(MEDICAL, weekday=True)
        if day is None:
            return
        study, revenue, diagnoses = rng.choice(ADVANCED_IMAGING)
        diagnosis = [rng.choice(diagnoses)]
        if rng.random() < 0.55:
            center = roster.pick(rng, "imaging_center", care.out_share)
            care.visit(center, day, [study], diagnosis, "imaging")
            continue
        hospital = roster.pick(rng, "hospital", care.out_share)
        line = care.book.line(hospital, INST, day, revenue=revenue, procedure=study)
        sent = care.send(INST, hospital, [line], "imaging", diagnosis, type_of_bill="131")
        radiologist = roster.pick(rng, "radiology", 0.1)
        care.visit(
            radiologist, day, [study], diagnosis, "imaging", pos="22", modifiers=("26",),
            facility=hospital, auth=sent.prior_auth if sent else None,
        )  # fmt: skip


def maternity(care: Care) -> None:
    """A pregnancy ending in a delivery this year: ultrasounds and labs, the global
    obstetric fee and the delivery stay, stated as maternity (no prior authorization for
    the stay: Newborns' and Mothers' Health Protection Act, 29 CFR 2590.711)."""
    person, rng, roster = care.person, care.rng, care.book.roster
    delivery = person.delivery
    if delivery is None:
        return
    obgyn = roster.pick(rng, "obgyn", care.steady_share)
    for weeks, code in ((20, "76805"), (8, "76815")):
        day = weekday_near(delivery - weeks * 7 * DAY, care.book.first, delivery)
        if person.covered(MEDICAL, day, day):
            care.visit(obgyn, day, [code, "81002"], ["Z34.82"], "maternity")
    if person.covered(MEDICAL, delivery - 180 * DAY, delivery - 180 * DAY):
        care.labs(delivery - 180 * DAY, ["Z34.81"], "maternity")
    cesarean = rng.random() < 0.32
    hospital = roster.pick(rng, "hospital", care.out_share)
    diagnoses = ["O82" if cesarean else "O80", "Z37.0"]
    extras = [("0360" if cesarean else "0720", 1), ("0250", rng.randint(8, 20))]
    extras += [("0300", rng.randint(4, 10)), ("0370", 10 if cesarean else 6)]
    stay = Stay(
        diagnoses, 3 if cesarean else 2, "0112", extras=extras, attending=None,
        category="maternity", label="maternity",
    )  # fmt: skip
    stay_claims(care, delivery, stay, hospital)
    anesthesia = "01961" if cesarean else "01967"
    code = "59510" if cesarean else "59400"
    surgery = Surgery(code, diagnoses[0], anesthesia, "obgyn", (0, 200))
    operation(care, delivery, surgery, hospital, "21", None, category="maternity")
