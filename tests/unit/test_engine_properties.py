"""Properties of the engine over random plans and claim sequences (issue 3, "what it must show"):

- on every paid or denied line, plan paid + all adjustments = charge, and the PR adjustments =
  member responsibility + balance bill;
- no family pays more out of pocket in a network tier than its binding family maximum, nor any
  member more than a binding individual maximum;
- accumulators rebuilt from the entries equal the running ones;
- the same inputs always give the same results (with or without the explanation trace);
- voiding a claim and reprocessing the later ones ends as a fresh adjudication without it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Claim,
    ClaimLine,
    ClaimResult,
    ClaimStatus,
    ClaimType,
    Coverage,
    Frequency,
    Group,
    LineStatus,
    Member,
    Network,
    Provider,
    Relationship,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import Context, adjudicate_claim, build_context, reprocess
from aso.plans.domain import PlanDesign, Tier

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YEAR = date(2026, 1, 1)
MEDICAL_CATEGORIES = ("lab", "office_visit_pcp", "emergency_room", "imaging_basic", "chiropractic")
RX_CATEGORIES = ("rx_generic", "rx_specialty")
money = st.integers(min_value=0, max_value=400_000).map(lambda cents: Decimal(cents) / 100)
share_rate = st.sampled_from(["0", "0.1", "0.2", "0.25", "0.5"])


@st.composite
def amounts(draw: st.DrawFn, low: int, high: int) -> dict[str, int]:
    individual = draw(st.integers(low, high)) * 50
    return {"individual": individual, "family": individual * draw(st.integers(1, 3))}


@st.composite
def maximums(draw: st.DrawFn) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A deductible and an out-of-pocket maximum at least as large, each maybe absent."""
    deductible = None
    if draw(st.booleans()):
        deductible = {
            "in": draw(amounts(0, 40)),
            "out": draw(amounts(0, 80)),
            "embedded": draw(st.booleans()),
            "cross_accumulate": draw(st.booleans()),
        }
    oop = None
    if draw(st.booleans()):
        floor = deductible or {"in": {"individual": 0}, "out": {"individual": 0}}
        oop = {
            "embedded": draw(st.booleans()),
            "cross_accumulate": draw(st.booleans()),
        }
        for network in ("in", "out"):
            extra = draw(amounts(0, 60))
            base = floor[network]["individual"]
            oop[network] = {
                "individual": base + extra["individual"],
                "family": (base + extra["individual"]) * draw(st.integers(1, 3)),
            }
    return deductible, oop


@st.composite
def cost_share(draw: st.DrawFn, deductible: bool) -> dict[str, Any]:
    share: dict[str, Any] = {
        "copay": draw(st.sampled_from([0, 10, 25, 50, 250])),
        "coinsurance": draw(share_rate),
    }
    if deductible and draw(st.booleans()):
        share["deductible"] = True
        if draw(st.booleans()):
            share["copay_timing"] = "after_deductible"
    return share


@st.composite
def medical_plan(draw: st.DrawFn) -> dict[str, Any]:
    deductible, oop = draw(maximums())
    benefits: dict[str, Any] = {}
    for category in MEDICAL_CATEGORIES:
        if not draw(st.integers(0, 5)):
            benefits[category] = {"covered": False}
            continue
        benefit: dict[str, Any] = {"in": draw(cost_share(deductible is not None))}
        out = draw(st.sampled_from(["none", "same_as_in", "block"]))
        if out == "same_as_in":
            benefit["out"] = "same_as_in"
        elif out == "block":
            benefit["out"] = draw(cost_share(deductible is not None))
        if category == "chiropractic":
            benefit["limit"] = draw(
                st.sampled_from([{"visits": 2}, {"count": 1, "months": 6}, {"dollars": 150}])
            )
        benefits[category] = benefit
    plan: dict[str, Any] = {
        "id": "MED",
        "name": "Random medical",
        "line": "medical",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "accumulator_group": "family-group",
        "timely_filing_days": draw(st.sampled_from([90, 365])),
        "benefits": benefits,
    }
    if deductible:
        plan["deductible"] = deductible
    if oop:
        plan["oop_max"] = oop
    if draw(st.booleans()):
        plan["pended_over"] = draw(st.sampled_from([500, 2000]))
    if draw(st.booleans()):
        plan["annual_max"] = draw(st.sampled_from([1000, 5000]))
    return plan


def pharmacy_plan(medical: dict[str, Any]) -> dict[str, Any]:
    """Shares the medical plan's group and out-of-pocket maximum (in network only)."""
    plan: dict[str, Any] = {
        "id": "RX",
        "name": "Random pharmacy",
        "line": "pharmacy",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "accumulator_group": "family-group",
        "benefits": {
            "rx_generic": {"in": {"copay": 10}},
            "rx_specialty": {"in": {"coinsurance": "0.2", "min_cost": 50, "max_cost": 250}},
        },
    }
    if "oop_max" in medical:
        plan["oop_max"] = {**medical["oop_max"], "out": None}
    return plan


@dataclass(frozen=True)
class World:
    plans: tuple[PlanDesign, ...]
    members: tuple[Member, ...]
    tier: Tier
    claims: tuple[Claim, ...]

    def context(self, explain: bool = False) -> Context:
        coverage = [Coverage(m.id, p.id, self.tier, YEAR) for m in self.members for p in self.plans]
        return build_context(
            plans=self.plans, members=self.members, coverage=coverage, explain=explain
        )


@st.composite
def claim_line(draw: st.DrawFn, number: int, day: date, pharmacy: bool) -> ClaimLine:
    charge = draw(money)
    allowed = draw(st.one_of(st.none(), money.map(lambda m: min(m, charge * 2))))
    categories = RX_CATEGORIES if pharmacy else (*MEDICAL_CATEGORIES, "hospice")
    return ClaimLine(
        number=number,
        date=day,
        charge=charge,
        category=draw(st.sampled_from(categories)),
        allowed=allowed if allowed is not None else charge,
        emergency=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    medical = draw(medical_plan())
    plans = (PlanDesign.model_validate(medical), PlanDesign.model_validate(pharmacy_plan(medical)))
    size = draw(st.integers(1, 4))
    members = [Member("S1", "S1", Relationship.SUBSCRIBER, date(1980, 1, 1))]
    members += [Member(f"D{i}", "S1", Relationship.CHILD, date(2010, 1, 1)) for i in range(1, size)]
    tier = Tier.EMPLOYEE if size == 1 else draw(st.sampled_from(list(Tier)))
    claims: list[Claim] = []
    for index in range(draw(st.integers(1, 14))):
        claim_id = f"C{index + 1}"
        if claims and draw(st.integers(0, 6)) == 0:
            target = draw(st.sampled_from(claims))
            void = draw(st.booleans())
            frequency = Frequency.VOID if void else Frequency.REPLACEMENT
            claims.append(replace(target, id=claim_id, frequency=frequency, replaces=target.id))
            continue
        pharmacy = draw(st.integers(0, 3)) == 0
        day = YEAR + timedelta(days=draw(st.integers(0, 364)))
        lines = tuple(
            draw(claim_line(n, day + timedelta(days=draw(st.integers(0, 2))), pharmacy))
            for n in range(1, draw(st.integers(1, 3)) + 1)
        )
        network = Network.IN if pharmacy else draw(st.sampled_from(list(Network)))
        claims.append(
            Claim(
                id=claim_id,
                member=draw(st.sampled_from(members)).id,
                provider=Provider(network),
                received=day + timedelta(days=draw(st.integers(0, 120))),
                lines=lines,
                type=ClaimType.PHARMACY if pharmacy else ClaimType.PROFESSIONAL,
            )
        )
    return World(plans, tuple(members), tier, tuple(claims))


def adjudicate(world: World, explain: bool = False) -> tuple[list[ClaimResult], AccumulatorState]:
    context = world.context(explain)
    state, history = AccumulatorState(), ClaimHistory()
    results = [
        adjudicate_claim(c, context=context, state=state, history=history) for c in world.claims
    ]
    return results, state


def current(results: list[ClaimResult]) -> list[ClaimResult]:
    """The results that stand: replaced and voided claims (and the voids) dropped."""
    standing: dict[str, ClaimResult] = {}
    for result in results:
        if result.replaces is not None:
            standing.pop(result.replaces, None)
        if result.status is not ClaimStatus.VOIDED:
            standing[result.claim] = result
    return list(standing.values())


@SETTINGS
@given(worlds())
def test_every_line_balances(world: World) -> None:
    results, _ = adjudicate(world)
    for result in results:
        for line in result.lines:
            if line.status is LineStatus.PENDED:
                assert line.adjustments == () and line.plan_paid == 0
                continue
            total = line.plan_paid + sum(a.amount for a in line.adjustments)
            assert total == line.charge, (result.claim, line)
            patient = sum(a.amount for a in line.adjustments if a.group is Group.PATIENT)
            assert patient == line.member_responsibility + line.balance_bill, (result.claim, line)
            if line.status is not LineStatus.REVERSED:
                parts = (line.copay, line.deductible, line.coinsurance, line.plan_paid)
                assert min(parts) >= 0, (result.claim, line)


@SETTINGS
@given(worlds())
def test_no_one_pays_more_than_a_binding_out_of_pocket_maximum(world: World) -> None:
    results, _ = adjudicate(world)
    design = world.plans[0]
    if design.oop_max is None:
        return
    paid_by_member: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    paid_by_family: dict[str, Decimal] = defaultdict(Decimal)
    for result in current(results):
        for line in result.lines:
            if line.status is LineStatus.PAID and line.network is not None:
                paid_by_member[(result.member, line.network)] += line.cost_share
                paid_by_family[line.network] += line.cost_share
    for network in Network:
        amounts = design.oop_max.for_network(network)
        if amounts is None:
            continue
        if world.tier is Tier.EMPLOYEE or design.oop_max.embedded:
            for member in world.members:
                assert paid_by_member[(member.id, network)] <= amounts.individual
        if world.tier is not Tier.EMPLOYEE:
            assert paid_by_family[network] <= amounts.family


@SETTINGS
@given(worlds())
def test_totals_rebuilt_from_entries_equal_the_running_state(world: World) -> None:
    results, state = adjudicate(world)
    entries = [entry for result in results for entry in result.entries]
    assert AccumulatorState.from_entries(entries).totals() == state.totals()
    assert AccumulatorState.from_entries(reversed(entries)).totals() == state.totals()


@SETTINGS
@given(worlds())
def test_the_same_inputs_give_the_same_results(world: World) -> None:
    first, first_state = adjudicate(world)
    second, second_state = adjudicate(world, explain=True)
    assert first == second
    assert first_state.totals() == second_state.totals()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.data())
def test_void_and_reprocess_equals_a_fresh_adjudication(world: World, data: st.DataObject) -> None:
    originals = [c for c in world.claims if c.frequency is Frequency.ORIGINAL]
    index = data.draw(st.integers(0, len(originals) - 1))
    voided, later = originals[index], originals[index + 1 :]
    context = world.context()
    state, history = AccumulatorState(), ClaimHistory()
    for claim in originals:
        adjudicate_claim(claim, context=context, state=state, history=history)
    void = replace(voided, id="V", lines=(), frequency=Frequency.VOID, replaces=voided.id)
    reprocess([void, *later], context=context, state=state, history=history, by="V")
    fresh_state, fresh_history = AccumulatorState(), ClaimHistory()
    for claim in originals[:index] + later:
        adjudicate_claim(claim, context=context, state=fresh_state, history=fresh_history)
    assert state.totals() == fresh_state.totals()
