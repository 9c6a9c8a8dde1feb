"""The synthetic workforce: deterministic, with the tier mix and ages the issue asks for."""

from __future__ import annotations

from collections import Counter
from datetime import date

from aso.members.census_rows import CENSUS_COLUMNS
from aso.synth.population import Offerings, generate_census

START = date(2026, 1, 1)
OFFER = Offerings(
    medical=(("PPO1500", 0.6), ("HDHP3400", 0.4)),
    pharmacy_for={"PPO1500": "RX4", "HDHP3400": "RXHDHP"},
    dental="DENTAL",
    vision="VISION",
    std="STD60",
    ltd="LTD60",
)


def _census(seed: int = 7, employees: int = 2000) -> list[dict[str, str]]:
    return generate_census(seed=seed, employees=employees, offerings=OFFER, coverage_start=START)


def test_same_seed_same_people_other_seed_other_people() -> None:
    assert _census(7, 50) == _census(7, 50)
    assert _census(7, 50) != _census(8, 50)


def test_tier_mix_is_close_to_the_typical_employer() -> None:
    subscribers = [r for r in _census() if r["relationship"] == "subscriber"]
    share = {
        t: c / len(subscribers) for t, c in Counter(r["medical_tier"] for r in subscribers).items()
    }
    expected = {
        "employee": 0.45,
        "employee_spouse": 0.20,
        "employee_children": 0.10,
        "family": 0.25,
    }
    for tier, target in expected.items():
        assert abs(share[tier] - target) < 0.03, (tier, share[tier])


def test_families_match_their_tier() -> None:
    rows = _census(employees=300)
    by_family: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_family.setdefault(row["employee_number"], []).append(row)
    for members in by_family.values():
        tier = members[0]["medical_tier"]
        relationships = Counter(m["relationship"] for m in members)
        assert relationships["subscriber"] == 1
        has_partner = relationships["spouse"] + relationships["domestic_partner"] == 1
        assert has_partner == (tier in ("employee_spouse", "family"))
        assert (relationships["child"] > 0) == (tier in ("employee_children", "family"))


def test_ages_ssns_and_columns() -> None:
    rows = _census()
    ssns = [r["ssn"] for r in rows if r["ssn"]]
    assert len(ssns) == len(set(ssns))
    assert all(s.startswith("9") for s in ssns)  # the SSA never issues 9xx areas
    for row in rows:
        assert set(row) == set(CENSUS_COLUMNS)
        age = (START - date.fromisoformat(row["dob"])).days / 365.25
        if row["relationship"] == "subscriber":
            assert 21 < age < 66
            assert row["annual_earnings"] and row["hire_date"] < row["coverage_start"]
        elif row["relationship"] == "child":
            assert 0 <= age < 26
    sexes = Counter(r["sex"] for r in rows if r["relationship"] == "subscriber")
    assert abs(sexes["F"] - sexes["M"]) < 0.1 * sum(sexes.values())
