"""The synthetic claims year (issue 3, item 7): deterministic, realistic, and every claim goes
through the real engine, which shows every kind of denial and pend.

The population is the demo employer Northwind (``aso.synth.demo``: its plans and offerings,
about 1,000 members), with three families terminated at mid-year. Claims are parsed by the
engine's parser and adjudicated family by family in order of receipt, as the claims batch does,
with the demo fee schedules and the generated prior authorizations.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Claim,
    ClaimLine,
    ClaimResult,
    ClaimType,
    Frequency,
    LineStatus,
    Network,
    Provider,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import adjudicate_claim, build_context
from aso.claims.parsing import Reader, npi_valid, read_claim
from aso.claims.pricing import Pricer
from aso.employers.domain import normalize_ein
from aso.plans.domain import Line, PlanDesign
from aso.synth.claims import ClaimSet, generate_claim_set, generate_claims, members_from_census
from aso.synth.demo import demo_employers
from aso.synth.population import generate_census
from aso.synth.providers import (
    PROFESSIONAL_RATES,
    ROLES,
    contract_price,
    demo_fee_schedules,
    generate_providers,
)

YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)
TERMINATED = ("E00007", "E00011", "E00023")


@dataclass(frozen=True)
class World:
    plans: tuple[PlanDesign, ...]
    members: list[Any]
    coverage: list[Any]
    claim_set: ClaimSet
    results: dict[str, tuple[Claim, ClaimResult]]


def _northwind(employees: int) -> tuple[tuple[PlanDesign, ...], list[Any], list[Any]]:
    spec = demo_employers(employees)[0]
    rows = generate_census(
        seed=spec.seed, employees=employees, offerings=spec.offerings, coverage_start=YEAR_START
    )
    for row in rows:
        if row["employee_number"] in TERMINATED:
            row["coverage_end"] = "2026-06-30"
    members, coverage = members_from_census(rows)
    return spec.plans, members, coverage


def _adjudicate(
    plans: tuple[PlanDesign, ...], members: list[Any], coverage: list[Any], claim_set: ClaimSet
) -> dict[str, tuple[Claim, ClaimResult]]:
    reader = Reader()
    claims = [read_claim(reader, raw, index) for index, raw in enumerate(claim_set.claims)]
    assert reader.problems == []
    context = build_context(
        plans=plans,
        members=members,
        coverage=coverage,
        fee_schedules=demo_fee_schedules(),
        authorizations=claim_set.authorizations,
    )
    family = {member.id: member.family for member in members}
    by_family: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        assert claim is not None
        by_family[family.get(claim.member, claim.member)].append(claim)
    results = {}
    for found in by_family.values():
        state, history = AccumulatorState(), ClaimHistory()
        for claim in found:
            result = adjudicate_claim(claim, context=context, state=state, history=history)
            results[claim.id] = (claim, result)
    return results


@pytest.fixture(scope="module")
def world() -> World:
    plans, members, coverage = _northwind(480)
    claim_set = generate_claim_set(
        seed=2026,
        members=members,
        coverages=coverage,
        plans=plans,
        providers=generate_providers(seed=11),
    )
    results = _adjudicate(plans, members, coverage, claim_set)
    return World(plans, members, coverage, claim_set, results)


def _years(world: World, line: Line) -> float:
    """Member-years of coverage in a line during the plan year."""
    lines = {plan.id: plan.line for plan in world.plans}
    return (
        sum(
            ((row.end or YEAR_END) - row.start).days + 1
            for row in world.coverage
            if lines[row.plan] is line
        )
        / 365.0
    )


def _originals(world: World) -> list[dict[str, Any]]:
    return [claim for claim in world.claim_set.claims if "frequency" not in claim]


def _in_range(code: str, low: str, high: str) -> bool:
    return len(code) == len(low) and low <= code <= high


# -- determinism and shape ------------------------------------------------------------------------


def test_same_seed_same_claims_other_seed_other_claims() -> None:
    plans, members, coverage = _northwind(40)
    providers = generate_providers(seed=3)

    def claims(seed: int) -> list[dict[str, Any]]:
        return generate_claims(
            seed=seed, members=members, coverages=coverage, plans=plans, providers=providers
        )

    first = claims(5)
    assert first == claims(5)
    assert first != claims(6)
    assert generate_providers(seed=3) == providers


def test_claims_are_ordered_by_receipt_then_id_with_unique_ids(world: World) -> None:
    claims = world.claim_set.claims
    ids = [claim["id"] for claim in claims]
    assert len(set(ids)) == len(ids)
    keys = [(claim["received"], claim["id"]) for claim in claims]
    assert keys == sorted(keys)


def test_claims_have_the_intake_shape(world: World) -> None:
    """DESIGN 7: codes are strings, money decimal strings, dates ISO; institutional claims have
    a type of bill; services fall in the plan year (but the deliberate eligibility cases)."""
    types = Counter(claim["type"] for claim in world.claim_set.claims)
    assert set(types) == {"professional", "institutional", "pharmacy", "dental", "vision"}
    for claim in world.claim_set.claims:
        assert set(claim["provider"]) == {"npi", "network", "taxonomy", "kind"}
        assert (claim["type"] == "institutional") == ("type_of_bill" in claim)
        received = date.fromisoformat(claim["received"])
        for line in claim["lines"]:
            assert Decimal(line["charge"]) > 0 and line["charge"].count(".") == 1
            assert received >= date.fromisoformat(line["date"])
            assert isinstance(line["units"], int) and line["units"] > 0
            if claim["type"] == "institutional":
                assert "revenue_code" in line
            elif claim["type"] == "pharmacy":
                assert len(line["ndc"]) == 11
            else:
                assert "procedure" in line


def test_received_days_to_weeks_after_service(world: World) -> None:
    lags = [
        (date.fromisoformat(c["received"]) - date.fromisoformat(c["lines"][-1]["date"])).days
        for c in _originals(world)
        if c["type"] in ("professional", "institutional")
    ]
    assert 7 <= statistics.median(lags) <= 21
    assert max(lags) > 150  # a few arrive past timely filing


def test_through_gives_the_claims_received_by_that_day() -> None:
    plans, members, coverage = _northwind(40)
    through = date(2026, 6, 30)
    claims = generate_claims(
        seed=1,
        members=members,
        coverages=coverage,
        plans=plans,
        providers=generate_providers(seed=3),
        through=through,
    )
    assert claims
    for claim in claims:
        assert date.fromisoformat(claim["received"]) <= through
        assert all(date.fromisoformat(line["date"]) <= through for line in claim["lines"])


def test_members_from_census_give_members_and_coverage() -> None:
    plans, members, coverage = _northwind(20)
    ids = {member.id for member in members}
    assert len(ids) == len(members)
    assert all(member.family in ids for member in members)
    assert {row.member for row in coverage} <= ids
    assert {row.plan for row in coverage} <= {plan.id for plan in plans}
    ended = {row.member.split("-")[0] for row in coverage if row.end is not None}
    assert ended <= set(TERMINATED)


# -- providers and fee schedules ------------------------------------------------------------------


def test_the_roster_has_valid_identifiers_and_about_a_tenth_out_of_network() -> None:
    providers = generate_providers(seed=11)
    npis = [p.npi for p in providers]
    assert len(set(npis)) == len(npis)
    assert all(npi_valid(npi) for npi in npis)
    assert all(normalize_ein(p.tin) == p.tin for p in providers)
    assert {p.role for p in providers} == {role.key for role in ROLES}
    out = sum(1 for p in providers if p.network is Network.OUT) / len(providers)
    assert 0.07 <= out <= 0.14
    taxonomies = {p.taxonomy for p in providers}
    assert {"207Q00000X", "207R00000X", "208D00000X", "363LF0000X", "282N00000X"} <= taxonomies
    assert {"3336C0003X", "1223G0001X", "152W00000X", "2085R0202X", "225100000X"} <= taxonomies
    assert all(Decimal("1.6") <= p.charge_factor <= 3 for p in providers)


def test_the_fee_schedules_price_every_catalogue_code_in_and_out_of_network() -> None:
    pricer = Pricer(demo_fee_schedules())
    for key in PROFESSIONAL_RATES:
        code, _, modifier = key.partition("-")
        modifiers = (modifier,) if modifier else ()
        for network in (Network.IN, Network.OUT):
            claim = _claim(ClaimType.PROFESSIONAL, network, procedure=code, modifiers=modifiers)
            allowed = pricer.price(claim, claim.lines[0], "other_medical")
            assert allowed is not None and allowed > 0, (key, network)
    unlisted = _claim(ClaimType.PROFESSIONAL, Network.IN, procedure="99499")
    assert pricer.price(unlisted, unlisted.lines[0], "other_medical") is None
    stay = _claim(ClaimType.INSTITUTIONAL, Network.IN, revenue_code="0120", units=3)
    assert pricer.price(stay, stay.lines[0], "inpatient_hospital") == Decimal("10800.00")
    generic = _claim(ClaimType.PHARMACY, Network.IN, ndc="00093715301", units=30)
    assert pricer.price(generic, generic.lines[0], "rx_generic") == Decimal("12.25")  # MAC
    assert contract_price(ClaimType.INSTITUTIONAL, revenue_code="0360") is not None


def _claim(claim_type: ClaimType, network: Network, **line: Any) -> Claim:
    units = Decimal(line.pop("units", 1))
    return Claim(
        id="T",
        member="M",
        provider=Provider(network),
        received=YEAR_START,
        lines=(ClaimLine(1, YEAR_START, Decimal(100000), units=units, **line),),
        type=claim_type,
    )


# -- utilization and cost -------------------------------------------------------------------------


def test_utilization_per_member_year_is_near_the_targets(world: World) -> None:
    """Issue 3 item 7: 4 office visits, 0.2 emergency visits, 0.06 admissions, 11
    prescriptions, 1.6 dental visits, 0.5 eye exams per member per year of coverage."""
    claims = _originals(world)
    office = {
        (c["member"], c["provider"]["npi"], line["date"])
        for c in claims
        if c["type"] == "professional"
        for line in c["lines"]
        if line.get("pos") == "11" and _in_range(line.get("procedure", ""), "99202", "99215")
    }
    emergency = {
        (c["member"], line["date"])
        for c in claims
        if c["type"] == "institutional"
        for line in c["lines"]
        if line["revenue_code"].startswith("045")
    }
    admissions = {
        (c["member"], c["provider"]["npi"], c["lines"][0]["date"])
        for c in claims
        if c.get("type_of_bill", "").startswith("11")
    }
    fills = {
        (c["member"], c["provider"]["npi"], c["lines"][0]["date"], c["lines"][0]["ndc"])
        for c in claims
        if c["type"] == "pharmacy"
    }
    dental = {(c["member"], c["lines"][0]["date"]) for c in claims if c["type"] == "dental"}
    eye = {
        (c["member"], line["date"])
        for c in claims
        if c["type"] == "vision"
        for line in c["lines"]
        if line["procedure"] in ("92004", "92014")
    }
    medical = _years(world, Line.MEDICAL)
    rates = {
        "office": (len(office) / medical, 4.0, 0.1),
        "emergency": (len(emergency) / medical, 0.2, 0.2),
        "admissions": (len(admissions) / medical, 0.06, 0.2),
        "prescriptions": (len(fills) / _years(world, Line.PHARMACY), 11.0, 0.1),
        "dental": (len(dental) / _years(world, Line.DENTAL), 1.6, 0.1),
        "eye": (len(eye) / _years(world, Line.VISION), 0.5, 0.15),
    }
    for name, (rate, target, tolerance) in rates.items():
        assert abs(rate - target) <= target * tolerance, (name, round(rate, 3))


def _allowed_by_member(world: World) -> dict[str, Decimal]:
    """Medical plus pharmacy allowed of each member's current claims (a replaced or voided
    claim is left out, a replacement counts; a pended line counts what it was priced at)."""
    corrected = {claim.replaces for claim, _ in world.results.values() if claim.replaces}
    allowed: dict[str, Decimal] = defaultdict(Decimal)
    for claim_id, (claim, result) in world.results.items():
        if claim_id in corrected or claim.frequency is Frequency.VOID:
            continue
        if claim.line_of_coverage in (Line.MEDICAL, Line.PHARMACY):
            allowed[claim.member] += sum((line.allowed for line in result.lines), Decimal(0))
    return allowed


def test_allowed_per_member_per_month_and_the_heavy_tail(world: World) -> None:
    """Medical + pharmacy allowed of about $550-650 PMPM; about 1% of members make about 30%
    of it (a band of 25-40%)."""
    allowed = _allowed_by_member(world)
    total = sum(allowed.values(), Decimal(0))
    member_months = Decimal(_years(world, Line.MEDICAL) * 12)
    pmpm = total / member_months
    assert 550 <= pmpm <= 650, pmpm
    lines = {plan.id: plan.line for plan in world.plans}
    medical = {row.member for row in world.coverage if lines[row.plan] is Line.MEDICAL}
    spend = sorted((allowed.get(member, Decimal(0)) for member in medical), reverse=True)
    top = spend[: round(len(spend) / 100)]
    share = sum(top, Decimal(0)) / total
    assert Decimal("0.25") <= share <= Decimal("0.40"), share
    assert top[0] > 150_000  # a catastrophic case


def test_charges_run_above_allowed_amounts_like_billed_charges(world: World) -> None:
    ratios = [
        line.charge / outcome.allowed
        for claim, result in world.results.values()
        if claim.type in (ClaimType.PROFESSIONAL, ClaimType.INSTITUTIONAL, ClaimType.DENTAL)
        and claim.provider.network is Network.IN
        for line, outcome in zip(claim.lines, result.lines, strict=True)
        if outcome.status is LineStatus.PAID and outcome.allowed > 0
    ]
    assert all(ratio >= 1 for ratio in ratios)
    assert 1.6 <= statistics.median(ratios) <= 3


# -- denials and pends ----------------------------------------------------------------------------


def _outcomes(world: World) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Claims with a line denied by each CARC, lines pended for each reason, claim statuses."""
    denied: Counter[str] = Counter()
    pended: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for _, result in world.results.values():
        statuses[result.status.value] += 1
        carcs = {
            line.adjustments[0].carc for line in result.lines if line.status is LineStatus.DENIED
        }
        denied.update(carcs)
        pended.update(
            line.pend_reason
            for line in result.lines
            if line.status is LineStatus.PENDED and line.pend_reason
        )
    return denied, pended, statuses


def test_every_kind_of_denial_and_pend_appears_a_few_times(world: World) -> None:
    denied, pended, statuses = _outcomes(world)
    for carc in ("31", "27", "26", "109", "29", "18", "204", "242", "197", "119"):
        assert 1 <= denied[carc] <= 12, (carc, denied[carc])
    for reason in ("high_dollar", "suspect_duplicate", "no_price"):
        assert 1 <= pended[reason] <= 6, (reason, pended[reason])
    assert statuses["voided"] >= 1
    replacements = [r for c, r in world.results.values() if c.frequency is Frequency.REPLACEMENT]
    assert replacements and all(r.replaces for r in replacements)
    assert statuses["denied"] + statuses["pended"] < 0.01 * len(world.results)


def test_eligibility_denials_are_only_the_deliberate_ones(world: World) -> None:
    """Claims of a line come only while the member is covered in it: the eligibility denials
    are the two built of each kind."""
    denied, _, _ = _outcomes(world)
    assert [denied[carc] for carc in ("31", "26", "27", "109", "29")] == [2, 2, 2, 2, 2]


def test_prior_authorizations_cover_what_needs_them(world: World) -> None:
    """Lines that need an authorization carry one of the generated register's; the only
    197 denials are the claims sent without one on purpose."""
    numbers = {auth.number for auth in world.claim_set.authorizations}
    for claim, result in world.results.values():
        carcs = {a.carc for line in result.lines for a in line.adjustments}
        if "197" in carcs:
            assert all(line.prior_auth is None for line in claim.lines)
        for line in claim.lines:
            assert line.prior_auth is None or line.prior_auth in numbers
    auths = [c for c in world.claim_set.claims if "prior_auth" in c]
    assert {c["type"] for c in auths} >= {"professional", "institutional", "pharmacy"}
