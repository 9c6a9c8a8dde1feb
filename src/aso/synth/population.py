"""A workforce with families and elections, as census rows (the CSV import's columns).

The tier mix follows typical employer-sponsored coverage (about 45% employee only, 20% with a
spouse, 10% with children, 25% family); ages, sexes and earnings are drawn from simple
distributions shaped like a mid-sized employer's workforce.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from aso.members.census_rows import CENSUS_COLUMNS
from aso.money import round_cents

TIER_MIX: tuple[tuple[str, float], ...] = (
    ("employee", 0.45),
    ("employee_spouse", 0.20),
    ("employee_children", 0.10),
    ("family", 0.25),
)

FEMALE = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
    "Karen", "Lisa", "Nancy", "Sandra", "Ashley", "Emily", "Michelle", "Amanda", "Melissa",
    "Laura", "Maria", "Sofia", "Aisha", "Mei", "Priya", "Olivia", "Emma", "Ava", "Isabella",
)  # fmt: skip
MALE = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Andrew", "Joshua", "Kevin",
    "Brian", "Luis", "Carlos", "Wei", "Arjun", "Omar", "Liam", "Noah", "Ethan", "Lucas",
)  # fmt: skip
LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Kim", "Chen", "Singh", "Okafor",
)  # fmt: skip
STREETS = (
    "Maple Ave", "Oak St", "Cedar Ln", "Pine St", "Elm St", "Washington Blvd", "Lake Dr",
    "Hillcrest Rd", "Park Pl", "River Rd", "Sunset Dr", "Main St", "Highland Ave", "Meadow Way",
)  # fmt: skip
CITIES = (
    ("Columbus", "OH", "43215"), ("Dublin", "OH", "43017"), ("Westerville", "OH", "43081"),
    ("Grove City", "OH", "43123"), ("Delaware", "OH", "43015"), ("Newark", "OH", "43055"),
    ("Lancaster", "OH", "43130"), ("Hilliard", "OH", "43026"),
)  # fmt: skip

CLASSES = (("hourly", 0.45), ("salaried", 0.50), ("executive", 0.05))
EARNINGS = {  # (median, spread) of a log-normal, in dollars a year
    "hourly": (42_000.0, 0.22),
    "salaried": (82_000.0, 0.30),
    "executive": (230_000.0, 0.30),
}


@dataclass(frozen=True)
class Offerings:
    """The plan design ids an employer offers, per line, and how often each is chosen."""

    medical: tuple[tuple[str, float], ...]
    pharmacy_for: dict[str, str] = field(default_factory=dict)
    """Which pharmacy plan goes with which medical plan (shared accumulators)."""
    dental: str | None = None
    vision: str | None = None
    std: str | None = None
    ltd: str | None = None
    dental_take_up: float = 0.80
    vision_take_up: float = 0.60
    std_take_up: float = 0.70


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    names = [n for n, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(names, weights=weights, k=1)[0]


def _birth_date(rng: random.Random, as_of: date, min_age: int, max_age: int) -> date:
    age_days = rng.randint(min_age * 365 + 1, max_age * 365 + 300)
    return as_of - timedelta(days=age_days)


def _employee_age(rng: random.Random) -> int:
    # Workforce age: centred in the early forties, 22 to 64.
    return max(22, min(64, round(rng.gauss(42, 11))))


def _ssn(rng: random.Random, used: set[str]) -> str:
    while True:
        ssn = f"{rng.randint(900, 999)}-{rng.randint(10, 99)}-{rng.randint(1, 9999):04d}"
        if ssn not in used:
            used.add(ssn)
            return ssn


def generate_census(
    *,
    seed: int,
    employees: int,
    offerings: Offerings,
    coverage_start: date,
) -> list[dict[str, str]]:
    """Census rows (subscriber first, then its dependents) for ``employees`` employees."""
    rng = random.Random(seed)
    used_ssns: set[str] = set()
    rows: list[dict[str, str]] = []
    for n in range(1, employees + 1):
        rows.extend(_family(rng, n, offerings, coverage_start, used_ssns))
    return rows


def _family(
    rng: random.Random, n: int, offerings: Offerings, start: date, used_ssns: set[str]
) -> list[dict[str, str]]:
    sex = rng.choice("FM")
    age = _employee_age(rng)
    last = rng.choice(LAST)
    tier = _pick(rng, TIER_MIX)
    emp_class = _pick(rng, CLASSES)
    median, spread = EARNINGS[emp_class]
    earnings = round_cents(Decimal(str(round(median * rng.lognormvariate(0, spread), 2))))
    hire = start - timedelta(days=rng.randint(30, 365 * min(30, age - 21)))
    city, state, zip_code = rng.choice(CITIES)
    address = f"{rng.randint(100, 9899)} {rng.choice(STREETS)}"
    medical = _pick(rng, offerings.medical)
    dental = offerings.dental if rng.random() < offerings.dental_take_up else None
    vision = offerings.vision if rng.random() < offerings.vision_take_up else None
    std = offerings.std if rng.random() < offerings.std_take_up else None
    ltd = offerings.ltd if emp_class != "hourly" else None
    # Dental and vision are often elected at a smaller tier than medical.
    dental_tier = tier if rng.random() < 0.8 else "employee"
    vision_tier = tier if rng.random() < 0.8 else "employee"

    common = {"address1": address, "city": city, "state": state, "zip": zip_code}
    subscriber = {
        "employee_number": f"E{n:05d}",
        "relationship": "subscriber",
        "first_name": rng.choice(FEMALE if sex == "F" else MALE),
        "last_name": last,
        "dob": _birth_date(rng, start, age, age).isoformat(),
        "sex": sex,
        "ssn": _ssn(rng, used_ssns),
        **common,
        "hire_date": hire.isoformat(),
        "annual_earnings": f"{earnings:.2f}",
        "employment_class": emp_class,
        "std_plan": std or "",
        "ltd_plan": ltd or "",
    }
    members = [subscriber]
    if tier in ("employee_spouse", "family"):
        spouse_sex = "M" if sex == "F" else "F"
        if rng.random() < 0.05:
            spouse_sex = sex
        spouse_age = max(19, min(75, age + rng.randint(-6, 6)))
        relationship = "domestic_partner" if rng.random() < 0.06 else "spouse"
        members.append(
            {
                "employee_number": subscriber["employee_number"],
                "relationship": relationship,
                "first_name": rng.choice(FEMALE if spouse_sex == "F" else MALE),
                "last_name": last,
                "dob": _birth_date(rng, start, spouse_age, spouse_age).isoformat(),
                "sex": spouse_sex,
                "ssn": _ssn(rng, used_ssns),
                **common,
            }
        )
    if tier in ("employee_children", "family"):
        for _ in range(rng.choices((1, 2, 3, 4), weights=(0.40, 0.38, 0.17, 0.05))[0]):
            child_sex = rng.choice("FM")
            child_age = rng.randint(0, min(25, max(0, age - 18)))
            members.append(
                {
                    "employee_number": subscriber["employee_number"],
                    "relationship": "child",
                    "first_name": rng.choice(FEMALE if child_sex == "F" else MALE),
                    "last_name": last,
                    "dob": _birth_date(rng, start, child_age, child_age).isoformat(),
                    "sex": child_sex,
                    "ssn": _ssn(rng, used_ssns) if child_age >= 1 else "",
                    **common,
                }
            )
    rows = []
    for member in members:
        row = dict.fromkeys(CENSUS_COLUMNS, "")
        row.update(member)
        row["medical_plan"] = medical
        row["medical_tier"] = tier
        pharmacy = offerings.pharmacy_for.get(medical)
        if pharmacy:
            row["pharmacy_plan"] = pharmacy
            row["pharmacy_tier"] = tier
        in_dental = dental and (dental_tier != "employee" or member is subscriber)
        if in_dental:
            row["dental_plan"] = dental or ""
            row["dental_tier"] = dental_tier
        if vision and (vision_tier != "employee" or member is subscriber):
            row["vision_plan"] = vision
            row["vision_tier"] = vision_tier
        row["coverage_start"] = start.isoformat()
        rows.append(row)
    return rows
