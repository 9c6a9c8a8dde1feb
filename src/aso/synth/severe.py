"""The catastrophic years that make a claims distribution's heavy tail.

About 1% of members (``aso.synth.claims`` chooses them, weighted by age) have one: cancer with
surgery, chemotherapy, radiation and a specialty drug; a newborn's long NICU stay; coronary
bypass surgery after a catheterization, then cardiac rehabilitation; or trauma or sepsis with
days in intensive care. Each costs from under a hundred thousand dollars to several hundred
thousand, by a log-normal severity, and is written as the claims the hospitals and physicians
would send.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from aso.claims.domain import ClaimType
from aso.plans.domain import Line
from aso.synth.care import Care
from aso.synth.hospital import Stay, Surgery, ambulance, stay_claims
from aso.synth.providers import SyntheticProvider
from aso.synth.year import DAY, weekday_near

INST = ClaimType.INSTITUTIONAL
MEDICAL = Line.MEDICAL
SEVERITY_SIGMA = 0.35

BREAST = Surgery("19303", "C50.911", "00402", "general_surgery", (0, 200), nights=(1, 3))
COLON = Surgery("44204", "C18.9", "00790", "general_surgery", (0, 200), nights=(3, 5))
BYPASS = Surgery("33533", "I25.10", "00567", "cardiothoracic_surgery", (0, 200))
HIP = Surgery("27236", "S72.001A", "01230", "orthopedics", (0, 200), implant=(6000, 12000))
LAPAROTOMY = Surgery("49000", "S36.116A", "00790", "general_surgery", (0, 200))


def catastrophe(care: Care) -> None:
    """The member's catastrophic episode, if it has one, from its planned onset."""
    person = care.person
    if person.catastrophe is None or person.onset is None:
        return
    severity = math.exp(care.rng.gauss(-(SEVERITY_SIGMA**2) / 2, SEVERITY_SIGMA))
    episodes = {"cancer": cancer, "nicu": nicu, "cardiac": cardiac, "trauma": trauma}
    episodes[person.catastrophe](care, person.onset, severity)


def _covered(care: Care, day: date) -> bool:
    return day <= care.book.last and care.person.covered(MEDICAL, day, day)


def cancer(care: Care, onset: date, severity: float) -> None:
    """Diagnosis (consult, biopsy, PET/CT), surgery for a solid tumour, chemotherapy every
    three weeks at the hospital's infusion center, radiation for some, a PET/CT to follow up.
    The planned specialty drug fills (``Person.specialty``) come with the prescriptions."""
    rng, person, roster = care.rng, care.person, care.book.roster
    surgery = None
    if person.age < 18:
        diagnosis = "C91.00"
    elif person.female and person.age >= 30 and rng.random() < 0.6:
        diagnosis, surgery = BREAST.diagnosis, BREAST
    elif person.age >= 45 and rng.random() < 0.5:
        diagnosis, surgery = COLON.diagnosis, COLON
    else:
        diagnosis = rng.choice(("C34.90", "C83.30"))
    oncologist = roster.pick(rng, "oncology")
    onset = weekday_near(onset, care.book.first, care.book.last)
    care.visit(oncologist, onset, ["99205"], [diagnosis], "cancer")
    lab = roster.pick(rng, "lab")
    care.visit(lab, onset, ["88305", "80053", "85025", "36415"], [diagnosis], "cancer", pos="81")
    center = roster.pick(rng, "imaging_center")
    for offset in (7, 150):
        day = weekday_near(onset + offset * DAY, onset, care.book.last)
        if _covered(care, day):
            care.visit(center, day, ["78815"], [diagnosis], "cancer")
    hospital = roster.pick(rng, "hospital")
    start = onset + 14 * DAY
    if surgery is not None and _covered(care, onset + 21 * DAY):
        stay = Stay([diagnosis], rng.randint(*surgery.nights), surgery=surgery, label="cancer")
        stay_claims(care, onset + 21 * DAY, stay, hospital)
        start = onset + 45 * DAY
    units = 100 if person.age < 18 else 200
    cycles = max(8, round(14 * severity))
    for cycle in range(cycles):
        day = weekday_near(start + 21 * cycle * DAY, start, care.book.last)
        if not _covered(care, day):
            break
        line = care.book.line
        lines = [
            line(hospital, INST, day, revenue="0335", procedure="96413"),
            line(hospital, INST, day, revenue="0335", procedure="96415", units=2),
            line(hospital, INST, day, revenue="0636", procedure="J9271", units=units),
            line(hospital, INST, day, revenue="0250", units=3),
            line(hospital, INST, day, revenue="0301", procedure="80053"),
            line(hospital, INST, day, revenue="0305", procedure="85025"),
        ]
        care.send(INST, hospital, lines, "cancer", ["Z51.11", diagnosis], type_of_bill="131")
        care.visit(oncologist, day, ["99215"], ["Z51.11", diagnosis], "cancer")
    if diagnosis in ("C50.911", "C34.90") and rng.random() < 0.6:
        radiation(care, hospital, oncologist, start + 21 * cycles * DAY, diagnosis)


def radiation(
    care: Care,
    hospital: SyntheticProvider,
    oncologist: SyntheticProvider,
    start: date,
    diagnosis: str,
) -> None:
    """Twenty fractions of IMRT, billed weekly by the hospital; planning by the oncologist."""
    day = weekday_near(start, start, care.book.last)
    if not _covered(care, day):
        return
    care.visit(oncologist, day, ["77263"], [diagnosis], "cancer")
    for week in range(4):
        days = [day + (7 * week + n) * DAY for n in range(5)]
        days = [d for d in days if _covered(care, d)]
        if not days:
            return
        lines = [care.book.line(hospital, INST, d, revenue="0333", procedure="77385") for d in days]
        care.send(INST, hospital, lines, "cancer", ["Z51.0", diagnosis], type_of_bill="131")


def nicu(care: Care, onset: date, severity: float) -> None:
    """A premature newborn's neonatal intensive care (revenue code 0174 a night), with the
    neonatologist's daily care (99468, then 99469)."""
    rng = care.rng
    hospital = care.book.roster.pick(rng, "hospital")
    nights = min(100, max(14, round(56 * severity)))
    weeks = (nights + 6) // 7
    extras = [("0250", 20 * weeks), ("0300", 25 * weeks), ("0320", 2 * weeks), ("0270", 10 * weeks)]
    stay = Stay(
        ["P07.33", "P22.0"], nights, "0174", extras=extras, attending="neonatology",
        admit_code="99468", daily="99469", label="nicu",
    )  # fmt: skip
    stay_claims(care, onset, stay, hospital)


def cardiac(care: Care, onset: date, severity: float) -> None:
    """An echocardiogram, a catheterization at the hospital, coronary bypass surgery with days
    in intensive care, then cardiac rehabilitation three times a week."""
    rng, roster, book = care.rng, care.book.roster, care.book
    cardiologist = roster.pick(rng, "cardiology")
    hospital = roster.pick(rng, "hospital")
    onset = weekday_near(onset, book.first, book.last)
    diagnosis = "I25.10"
    care.visit(cardiologist, onset, ["99204", "93000", "93306"], [diagnosis], "cardiac")
    cath = weekday_near(onset + 7 * DAY, onset, book.last)
    if not _covered(care, cath):
        return
    lines = [
        book.line(hospital, INST, cath, revenue="0481"),
        book.line(hospital, INST, cath, revenue="0250", units=4),
        book.line(hospital, INST, cath, revenue="0301", procedure="80053"),
        book.line(hospital, INST, cath, revenue="0730"),
    ]
    care.send(INST, hospital, lines, "cardiac", [diagnosis], type_of_bill="131")
    care.visit(cardiologist, cath, ["93458"], [diagnosis], "cardiac", pos="22", facility=hospital)
    icu = max(2, round(7 * severity))
    nights = icu + max(3, round(9 * severity))
    extras = [
        ("0250", round(150 * severity)), ("0300", 60), ("0320", 6), ("0480", 4), ("0270", 20),
    ]  # fmt: skip
    surgery_day = cath + 7 * DAY
    if not _covered(care, surgery_day):
        return
    implant = Decimal(rng.randint(30000, 50000))
    stay = Stay(
        [diagnosis], nights, icu=icu, surgery=BYPASS, extras=extras, implant=implant,
        attending="cardiology", label="cardiac",
    )  # fmt: skip
    discharge = stay_claims(care, surgery_day, stay, hospital)
    rehab = discharge + 21 * DAY
    for month in range(3):
        days = [rehab + (28 * month + week * 7 + n) * DAY for week in range(4) for n in (0, 2, 4)]
        days = [weekday_near(d, rehab, book.last) for d in days]
        days = sorted({d for d in days if _covered(care, d)})
        if not days:
            return
        lines = [book.line(hospital, INST, d, revenue="0943", procedure="93798") for d in days]
        care.send(INST, hospital, lines, "cardiac", ["Z95.1"], type_of_bill="131")


def trauma(care: Care, onset: date, severity: float) -> None:
    """A crash or a fall (surgery for most) or sepsis: brought in by ambulance, days in
    intensive care, then physical therapy."""
    rng, roster = care.rng, care.book.roster
    hospital = roster.pick(rng, "hospital")
    if care.age >= 45 and rng.random() < 0.3:
        diagnoses, surgery = ["A41.51", "J96.01"], None
    elif rng.random() < 0.5:
        diagnoses, surgery = [HIP.diagnosis], HIP
    else:
        diagnoses, surgery = [LAPAROTOMY.diagnosis, "S06.5X0A"], LAPAROTOMY
    ambulance(care, onset, diagnoses[0])
    doctor = roster.pick(rng, "emergency_medicine")
    care.visit(
        doctor, onset, ["99285"], diagnoses, "trauma", pos="23", facility=hospital, emergency=True
    )
    icu = max(4, round(16 * severity))
    nights = icu + max(3, round(8 * severity))
    extras = [
        ("0250", round(200 * severity)), ("0300", round(100 * severity)), ("0320", 4),
        ("0350", 2), ("0272", 12),
    ]  # fmt: skip
    stay = Stay(diagnoses, nights, icu=icu, surgery=surgery, extras=extras, label="trauma")
    discharge = stay_claims(care, onset, stay, hospital, emergency=True, er_level="99285")
    clinic = roster.pick(rng, "physical_therapy")
    visits = care.within_limit("physical_therapy", 12)
    start = weekday_near(discharge + 14 * DAY, discharge, care.book.last)
    if _covered(care, start):
        care.course(
            clinic, visits, 4, diagnoses[:1], "physical_therapy",
            lambda n: [("97110", 2), ("97530", 2)], start=start,
        )  # fmt: skip
