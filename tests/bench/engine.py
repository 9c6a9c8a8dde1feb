"""Engine-only throughput: adjudicate 200,000 generated claim lines of mixed categories on one
core, family by family, and print claim lines per second (target: >= 20,000).

The data are generated deterministically (a fixed seed): a PPO with a shared medical + pharmacy
accumulator group, a four-tier pharmacy plan, a dental and a vision plan; families of one to five
members on every tier; professional, institutional, pharmacy, dental and vision claims, in and
out of network, some pre-priced and most priced by fee schedule, with categories stated or
derived from codes. Generation and the context build are not timed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Claim,
    ClaimLine,
    ClaimType,
    Coverage,
    Member,
    Network,
    Provider,
    Relationship,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import Context, adjudicate_claim, build_context
from aso.claims.pricing import DrugPrice, FeeSchedule, Rate, RateBasis
from aso.plans.domain import PlanDesign, Tier

YEAR = 2026
START = date(YEAR, 1, 1)
SEED = 20260101

MEDICAL: dict[str, Any] = {
    "id": "BENCH-PPO",
    "name": "Bench PPO 1500",
    "line": "medical",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "accumulator_group": "bench-med-rx",
    "pended_over": Decimal(75000),
    "deductible": {
        "in": {"individual": 1500, "family": 3000},
        "out": {"individual": 3000, "family": 6000},
    },
    "oop_max": {
        "in": {"individual": 5000, "family": 10000},
        "out": {"individual": 10000, "family": 20000},
    },
    "benefits": {
        "preventive": {"in": {"coinsurance": 0}, "out": {"coinsurance": "0.4", "deductible": True}},
        "office_visit_pcp": {
            "in": {"copay": 25},
            "out": {"coinsurance": "0.4", "deductible": True},
        },
        "office_visit_specialist": {
            "in": {"copay": 50},
            "out": {"coinsurance": "0.4", "deductible": True},
        },
        "urgent_care": {"in": {"copay": 75}, "out": {"coinsurance": "0.4", "deductible": True}},
        "emergency_room": {
            "in": {"copay": 250, "coinsurance": "0.2", "deductible": True},
            "out": "same_as_in",
        },
        "lab": {
            "in": {"coinsurance": "0.2", "deductible": True},
            "out": {"coinsurance": "0.4", "deductible": True},
        },
        "imaging_basic": {
            "in": {"coinsurance": "0.2", "deductible": True},
            "out": {"coinsurance": "0.4", "deductible": True},
        },
        "imaging_advanced": {
            "in": {"coinsurance": "0.2", "deductible": True},
            "out": {"coinsurance": "0.4", "deductible": True},
        },
        "inpatient_hospital": {
            "in": {"coinsurance": "0.2", "deductible": True},
            "out": {"coinsurance": "0.4", "deductible": True},
        },
        "outpatient_surgery": {
            "in": {"coinsurance": "0.2", "deductible": True},
            "out": {"coinsurance": "0.4", "deductible": True},
        },
        "mental_health_outpatient": {"in": {"copay": 25}, "out": {"coinsurance": "0.4"}},
        "physical_therapy": {"in": {"copay": 40}, "limit": {"visits": 30}},
        "chiropractic": {"in": {"copay": 35}, "limit": {"visits": 20}},
        "other_medical": {"in": {"coinsurance": "0.2", "deductible": True}},
    },
}
PHARMACY: dict[str, Any] = {
    "id": "BENCH-RX",
    "name": "Bench Rx",
    "line": "pharmacy",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "accumulator_group": "bench-med-rx",
    "oop_max": {"in": {"individual": 5000, "family": 10000}},
    "benefits": {
        "rx_generic": {"in": {"copay": 10}},
        "rx_preferred_brand": {"in": {"copay": 40}},
        "rx_non_preferred_brand": {"in": {"coinsurance": "0.3", "min_cost": 50, "max_cost": 150}},
        "rx_specialty": {"in": {"coinsurance": "0.2", "max_cost": 250}},
    },
    "formulary": {
        "00093715301": "rx_generic",
        "00378180110": "rx_generic",
        "00006027731": "rx_preferred_brand",
        "00169413013": "rx_non_preferred_brand",
        "00074433902": "rx_specialty",
    },
}
DENTAL: dict[str, Any] = {
    "id": "BENCH-DENTAL",
    "name": "Bench Dental",
    "line": "dental",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "annual_max": 1500,
    "deductible": {
        "in": {"individual": 50, "family": 150},
        "out": {"individual": 50, "family": 150},
    },
    "benefits": {
        "dental_preventive": {"in": {"coinsurance": 0}, "out": {"coinsurance": 0}},
        "dental_basic": {
            "in": {"coinsurance": "0.2", "deductible": True},
            "out": {"coinsurance": "0.2", "deductible": True},
        },
        "dental_major": {
            "in": {"coinsurance": "0.5", "deductible": True},
            "out": {"coinsurance": "0.5", "deductible": True},
        },
    },
}
VISION: dict[str, Any] = {
    "id": "BENCH-VISION",
    "name": "Bench Vision",
    "line": "vision",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "benefits": {
        "vision_exam": {"in": {"copay": 10}, "limit": {"count": 1}},
        "vision_frames": {"in": {"allowance": 150}, "limit": {"count": 1, "months": 24}},
        "vision_lenses": {"in": {"copay": 25}},
    },
}

SCHEDULES = (
    FeeSchedule(
        id="BENCH-IN",
        network=Network.IN,
        rates=(
            Rate(Decimal("95.00"), procedure="99213"),
            Rate(Decimal("140.00"), procedure="99214"),
            Rate(Decimal("90.00"), procedure="99213", modifier="25"),
            Rate(Decimal("2400.00"), RateBasis.PER_DIEM, revenue_code="0120"),
            Rate(Decimal("3800.00"), RateBasis.CASE, revenue_code="0360"),
            Rate(Decimal("60.00"), procedure="D0120"),
            Rate(Decimal("950.00"), procedure="D2740"),
            Rate(Decimal("85.00"), procedure="92014"),
            Rate(Decimal("200.00"), procedure="V2020"),
        ),
        percent_of_medicare=Decimal("1.2"),
        percent_of_charge=Decimal("0.55"),
    ),
    FeeSchedule(
        id="BENCH-RX-NET",
        network=Network.IN,
        claim_types=frozenset({ClaimType.PHARMACY}),
        awp_discount=Decimal("0.18"),
        dispensing_fee=Decimal("1.75"),
        drugs=(
            DrugPrice("00093715301", awp=Decimal("0.85"), mac=Decimal("0.12")),
            DrugPrice("00378180110", awp=Decimal("1.10"), mac=Decimal("0.20")),
            DrugPrice("00006027731", awp=Decimal("9.40")),
            DrugPrice("00169413013", awp=Decimal("14.20")),
            DrugPrice("00074433902", awp=Decimal("310.00")),
        ),
    ),
    FeeSchedule(
        id="BENCH-OUT",
        network=Network.OUT,
        percent_of_medicare=Decimal("1.5"),
        percent_of_charge=Decimal("0.5"),
    ),
)

PCP = "207Q00000X"
SPECIALIST = "207X00000X"
NPIS = ("1234567893", "1654321094", "1876543210")


@dataclass(frozen=True, slots=True)
class Workload:
    context: Context
    claims: tuple[Claim, ...]
    """Ordered by family, then by date received (the order a batch adjudicates in)."""
    families: dict[str, tuple[Claim, ...]]

    @property
    def lines(self) -> int:
        return sum(len(claim.lines) for claim in self.claims)


def _families(rng: random.Random, count: int) -> Iterator[list[Member]]:
    for number in range(count):
        family = f"F{number:06d}"
        size = rng.choice((1, 1, 2, 2, 3, 4, 5))
        dob = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
        members = [Member(family, family, Relationship.SUBSCRIBER, dob)]
        for dependent in range(1, size):
            relationship = Relationship.SPOUSE if dependent == 1 else Relationship.CHILD
            year = rng.randint(1960, 2000) if dependent == 1 else rng.randint(2008, 2024)
            members.append(Member(f"{family}-{dependent}", family, relationship, date(year, 6, 1)))
        yield members


def _tier(size: int) -> Tier:
    return {1: Tier.EMPLOYEE, 2: Tier.EMPLOYEE_SPOUSE}.get(size, Tier.FAMILY)


def _professional(rng: random.Random, day: date) -> tuple[list[ClaimLine], str, str]:
    """Lines of a professional claim, its taxonomy and principal diagnosis."""
    kind = rng.random()
    charge = Decimal(rng.randint(120, 400))
    if kind < 0.45:
        code = rng.choice(("99213", "99214", "99213"))
        taxonomy = rng.choice((PCP, PCP, SPECIALIST))
        lines = [ClaimLine(1, day, charge, procedure=code, pos="11")]
        if rng.random() < 0.5:
            lines.append(ClaimLine(2, day, Decimal(rng.randint(40, 300)), procedure="80053"))
        if rng.random() < 0.3:
            lines.append(ClaimLine(len(lines) + 1, day, Decimal(45), procedure="85025"))
        return lines, taxonomy, "J06.9"
    if kind < 0.55:
        return [ClaimLine(1, day, Decimal(320), procedure="99396", pos="11")], PCP, "Z0000"
    if kind < 0.65:
        charge = Decimal(rng.randint(800, 2400))
        return [ClaimLine(1, day, charge, procedure="72148", pos="22")], SPECIALIST, "M5450"
    if kind < 0.75:
        return (
            [
                ClaimLine(1, day, Decimal(rng.randint(600, 2500)), procedure="99284", pos="23"),
                ClaimLine(2, day, Decimal(180), procedure="71046", pos="23"),
            ],
            SPECIALIST,
            "R0789",
        )
    if kind < 0.85:
        code = rng.choice(("97110", "98940"))
        lines = [ClaimLine(1, day, Decimal(110), procedure=code, pos="11", units=Decimal(2))]
        return lines, SPECIALIST, "M545"
    if kind < 0.93:
        lines = [ClaimLine(1, day, Decimal(220), procedure="90834", pos="11")]
        return lines, SPECIALIST, "F411"
    lines = [ClaimLine(1, day, charge, category="urgent_care", allowed=charge * Decimal("0.6"))]
    return lines, SPECIALIST, "J029"


def _claims_for(rng: random.Random, member: Member, counter: Iterator[int]) -> Iterator[Claim]:
    """A year of claims for one member (about 4 lines a member on average)."""
    for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 3))):
        day = START + timedelta(days=rng.randint(0, 350))
        received = day + timedelta(days=rng.randint(1, 40))
        network = Network.OUT if rng.random() < 0.08 else Network.IN
        roll = rng.random()
        claim_id = f"CL{next(counter):08d}"
        if roll < 0.5:
            lines, taxonomy, diagnosis = _professional(rng, day)
            npi = rng.choice(NPIS)
            provider = Provider(network, npi, taxonomy)
            yield Claim(
                claim_id,
                member.id,
                provider,
                received,
                tuple(lines),
                diagnoses=(diagnosis.replace(".", ""),),
            )
        elif roll < 0.58:
            days = Decimal(rng.randint(1, 5))
            lines = (
                ClaimLine(1, day, Decimal(6000) * days, revenue_code="0120", units=days),
                ClaimLine(2, day, Decimal(rng.randint(300, 900)), revenue_code="0300"),
                ClaimLine(3, day, Decimal(rng.randint(500, 3000)), revenue_code="0360"),
            )
            yield Claim(
                claim_id,
                member.id,
                Provider(network),
                received,
                lines,
                ClaimType.INSTITUTIONAL,
                ("I214",),
                type_of_bill="111",
            )
        elif roll < 0.85:
            ndc = rng.choice(tuple(PHARMACY["formulary"]))
            quantity = Decimal(rng.choice((30, 60, 90)))
            line = ClaimLine(1, day, Decimal(rng.randint(20, 900)), ndc=ndc, units=quantity)
            provider = Provider(Network.IN, "1876543210", kind="pharmacy")
            yield Claim(claim_id, member.id, provider, day, (line,), ClaimType.PHARMACY)
        elif roll < 0.95:
            lines = (
                ClaimLine(1, day, Decimal(95), procedure="D0120"),
                ClaimLine(2, day, Decimal(1400), procedure=rng.choice(("D1110", "D2740"))),
            )
            yield Claim(claim_id, member.id, Provider(network), received, lines, ClaimType.DENTAL)
        else:
            lines = (
                ClaimLine(1, day, Decimal(140), procedure="92014"),
                ClaimLine(2, day, Decimal(260), procedure="V2020"),
            )
            yield Claim(
                claim_id, member.id, Provider(Network.IN), received, lines, ClaimType.VISION
            )


def generate(target_lines: int = 200_000, seed: int = SEED) -> Workload:
    """A deterministic workload of at least ``target_lines`` claim lines."""
    rng = random.Random(seed)
    designs = [PlanDesign.model_validate(p) for p in (MEDICAL, PHARMACY, DENTAL, VISION)]
    members: list[Member] = []
    coverage: list[Coverage] = []
    families: dict[str, tuple[Claim, ...]] = {}
    counter = iter(range(1, 10**9))
    lines = 0
    for family in _families(rng, 10**9):
        tier = _tier(len(family))
        for member in family:
            members.append(member)
            coverage.extend(Coverage(member.id, design.id, tier, START) for design in designs)
        claims = [claim for member in family for claim in _claims_for(rng, member, counter)]
        claims.sort(key=lambda claim: claim.received)
        families[family[0].family] = tuple(claims)
        lines += sum(len(claim.lines) for claim in claims)
        if lines >= target_lines:
            break
    context = build_context(
        plans=designs, members=members, coverage=coverage, fee_schedules=SCHEDULES
    )
    ordered = tuple(claim for claims in families.values() for claim in claims)
    return Workload(context, ordered, families)


def run(workload: Workload) -> tuple[float, dict[str, int]]:
    """Adjudicate every family in order with a fresh state each; (seconds, line statuses)."""
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for claims in workload.families.values():
        state = AccumulatorState()
        history = ClaimHistory()
        for claim in claims:
            result = adjudicate_claim(claim, context=workload.context, state=state, history=history)
            for line in result.lines:
                statuses[line.status.value] = statuses.get(line.status.value, 0) + 1
    return time.perf_counter() - started, statuses


def main() -> None:
    started = time.perf_counter()
    workload = generate()
    generated = time.perf_counter() - started
    seconds, statuses = run(workload)
    lines = workload.lines
    print(
        f"engine: generated {lines:,} lines in {len(workload.claims):,} claims "
        f"({len(workload.families):,} families) in {generated:.1f} s"
    )
    print(f"engine: line statuses {dict(sorted(statuses.items()))}")
    print(
        f"engine: adjudicated {lines:,} lines in {seconds:.2f} s on one core: "
        f"{lines / seconds:,.0f} lines/s (target >= 20,000)"
    )


if __name__ == "__main__":
    main()
