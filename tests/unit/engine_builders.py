"""Builders for claims-engine tests: plan designs, members, claims and a one-call adjudication."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Claim,
    ClaimLine,
    ClaimResult,
    ClaimType,
    Coverage,
    Frequency,
    Member,
    Network,
    Provider,
    Relationship,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import Context, adjudicate_claim, build_context
from aso.claims.pricing import FeeSchedule
from aso.plans.domain import PlanDesign, Tier

YEAR_START = date(2026, 1, 1)


def ppo_document(**overrides: Any) -> dict[str, Any]:
    """A PPO design for 2026 as a plain document (deductible 1000/2000, OOP 3000/6000 in)."""
    document: dict[str, Any] = {
        "id": "PPO",
        "name": "Test PPO",
        "line": "medical",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "accumulator_group": "med",
        "deductible": {
            "in": {"individual": 1000, "family": 2000},
            "out": {"individual": 2000, "family": 4000},
        },
        "oop_max": {
            "in": {"individual": 3000, "family": 6000},
            "out": {"individual": 6000, "family": 12000},
        },
        "benefits": {
            "office_visit_pcp": {"in": {"copay": 25}, "out": {"coinsurance": "0.4"}},
            "lab": {
                "in": {"coinsurance": "0.2", "deductible": True},
                "out": {"coinsurance": "0.4", "deductible": True},
            },
            "emergency_room": {"in": {"copay": 200}, "out": "same_as_in"},
        },
    }
    document.update(overrides)
    return document


def ppo(**overrides: Any) -> PlanDesign:
    return PlanDesign.model_validate(ppo_document(**overrides))


def family(*ids: str) -> list[Member]:
    """A subscriber (the first id) and dependents."""
    head = ids[0]
    members = [Member(head, head, Relationship.SUBSCRIBER, date(1980, 1, 1))]
    members += [Member(m, head, Relationship.CHILD, date(2012, 1, 1)) for m in ids[1:]]
    return members


def context(
    plans: list[PlanDesign],
    members: list[Member],
    *,
    tier: Tier = Tier.EMPLOYEE,
    fee_schedules: tuple[FeeSchedule, ...] = (),
    explain: bool = False,
) -> Context:
    coverage = [Coverage(m.id, p.id, tier, p.period.start) for m in members for p in plans]
    return build_context(
        plans=plans,
        members=members,
        coverage=coverage,
        fee_schedules=fee_schedules,
        explain=explain,
    )


def line(
    number: int = 1,
    day: date = date(2026, 3, 1),
    charge: str = "100.00",
    allowed: str | None = None,
    **fields: Any,
) -> ClaimLine:
    return ClaimLine(
        number=number,
        date=day,
        charge=Decimal(charge),
        allowed=None if allowed is None else Decimal(allowed),
        **fields,
    )


def claim(
    claim_id: str,
    member: str,
    *lines: ClaimLine,
    network: Network = Network.IN,
    received: date = date(2026, 3, 20),
    kind: ClaimType = ClaimType.PROFESSIONAL,
    frequency: Frequency = Frequency.ORIGINAL,
    replaces: str | None = None,
    provider: Provider | None = None,
    **fields: Any,
) -> Claim:
    return Claim(
        id=claim_id,
        member=member,
        provider=provider or Provider(network),
        received=received,
        lines=lines,
        type=kind,
        frequency=frequency,
        replaces=replaces,
        **fields,
    )


class Adjudicator:
    """One running state and history, as a batch keeps them for a family."""

    def __init__(self, ctx: Context) -> None:
        self.context = ctx
        self.state = AccumulatorState()
        self.history = ClaimHistory()
        self.results: list[ClaimResult] = []

    def __call__(self, *claims: Claim) -> list[ClaimResult]:
        done = [
            adjudicate_claim(c, context=self.context, state=self.state, history=self.history)
            for c in claims
        ]
        self.results += done
        return done
