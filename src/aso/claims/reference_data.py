"""The engine's reference data of one employer, loaded from the database once per batch.

Engine ids: a member is its public member number, a family its subscriber's number. A plan is
its design id (``PPO1500``) unless the employer offers that id in more than one plan year; then
each is namespaced by the year its period starts (``PPO1500@2026``; by the start date when even
that repeats), because plan ids must be unique within one engine context. A namespaced plan
keeps its accumulator group (``accumulator_group`` or the bare design id), so its stored
accumulator entries keep their meaning when a later plan year is added; rows refer to plans by
database id and are mapped to engine ids when loaded.

A plan whose stored design no longer validates is left out, and the members it covers are
listed in ``broken`` with the reason: their claims pend with that reason instead of being
denied for want of coverage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims.context import Context
from aso.claims.domain import Authorization, Coverage, Member, Provider, Relationship
from aso.claims.engine import build_context
from aso.claims.models import AuthorizationRow
from aso.claims.plan_rules import PlanRules
from aso.claims.pricing import FeeSchedule
from aso.employers.models import OfferedPlan
from aso.members.models import Coverage as CoverageRow
from aso.members.models import Member as MemberRow
from aso.plans.domain import PlanDesign, Tier
from aso.yamlio import load_json_text


@dataclass(frozen=True, slots=True)
class Pricing:
    """What prices claims: the fee schedules of the providers package's pricing reference and
    its directory, or nothing, when claims carry their own price."""

    providers: Mapping[str, Provider] = field(default_factory=dict)
    fee_schedules: tuple[FeeSchedule, ...] = ()

    def provider(self, stated: Provider) -> Provider:
        """The claim's provider, with the directory's taxonomy and kind when the claim gives
        none. Its network stays as stored: intake took it from the directory, by the
        contracts in effect on the claim's first service date (``intake.with_directory_network``),
        not from the day of the batch."""
        found = None if stated.npi is None else self.providers.get(stated.npi)
        if found is None or (stated.taxonomy and stated.kind):
            return stated
        return Provider(
            stated.network, stated.npi, stated.taxonomy or found.taxonomy, stated.kind or found.kind
        )


@dataclass(frozen=True, slots=True)
class PlanKeys:
    """Database ids of an employer's plans and the engine ids they go by."""

    engine_id: Mapping[int, str]
    database_id: Mapping[str, int]


@dataclass(slots=True)
class EmployerReference:
    """The compiled context of one employer and the maps between engine and database ids."""

    employer_id: int | None
    context: Context
    plans: PlanKeys
    member_number: dict[int, str]
    member_pk: dict[str, int]
    family_pk: dict[int, int]
    """member id -> the family's (subscriber's) member id."""
    broken: dict[int, str]
    """member id -> why its claims cannot be adjudicated (a plan that no longer validates)."""

    def plan_rules(self, engine_id: str) -> PlanRules:
        return self.context.plans[engine_id]


def engine_plan_ids(plans: Iterable[tuple[int, str, date]]) -> dict[int, str]:
    """Engine ids of (database id, design id, period start) rows, unique within the set."""
    rows = list(plans)
    codes = Counter(code for _, code, _ in rows)
    years = Counter((code, start.year) for _, code, start in rows)
    names = {}
    for plan_id, code, start in rows:
        if codes[code] == 1:
            names[plan_id] = code
        elif years[(code, start.year)] == 1:
            names[plan_id] = f"{code}@{start.year}"
        else:
            names[plan_id] = f"{code}@{start.isoformat()}"
    return names


def load_employer(session: Session, employer_id: int, pricing: Pricing) -> EmployerReference:
    """Plans, members, coverage and authorizations of one employer, compiled for the engine."""
    designs, keys, broken_plans = _plans(session, employer_id)
    numbers, members, families = _members(session, employer_id)
    coverage, broken = _coverage(session, employer_id, numbers, keys, broken_plans)
    context = build_context(
        plans=designs,
        members=members,
        coverage=coverage,
        fee_schedules=pricing.fee_schedules,
        authorizations=_authorizations(session, employer_id, numbers),
    )
    return EmployerReference(
        employer_id=employer_id,
        context=context,
        plans=keys,
        member_number=numbers,
        member_pk={number: pk for pk, number in numbers.items()},
        family_pk=families,
        broken=broken,
    )


def no_employer(pricing: Pricing) -> EmployerReference:
    """The context of claims whose member is unknown: no one is covered (CARC 31)."""
    context = build_context(
        plans=(), members=(), coverage=(), fee_schedules=pricing.fee_schedules, authorizations=()
    )
    return EmployerReference(None, context, PlanKeys({}, {}), {}, {}, {}, {})


def _plans(session: Session, employer_id: int) -> tuple[list[PlanDesign], PlanKeys, dict[int, str]]:
    rows = session.execute(
        select(OfferedPlan.id, OfferedPlan.code, OfferedPlan.period_start, OfferedPlan.design_json)
        .where(OfferedPlan.employer_id == employer_id)
        .order_by(OfferedPlan.period_start, OfferedPlan.code)
    ).all()
    names = engine_plan_ids((plan_id, code, start) for plan_id, code, start, _ in rows)
    designs: list[PlanDesign] = []
    broken: dict[int, str] = {}
    for plan_id, code, start, document in rows:
        try:
            design = PlanDesign.model_validate(load_json_text(document))
        except (ValidationError, ValueError) as exc:
            broken[plan_id] = f"plan {code} ({start.year}) cannot be read: {_first_line(exc)}"
            continue
        name = names[plan_id]
        if name != design.id:
            design = design.model_copy(update={"id": name, "accumulator_group": design.group})
        designs.append(design)
    keys = PlanKeys(engine_id=names, database_id={name: plan_id for plan_id, name in names.items()})
    return designs, keys, broken


def _members(
    session: Session, employer_id: int
) -> tuple[dict[int, str], list[Member], dict[int, int]]:
    rows = session.execute(
        select(
            MemberRow.id,
            MemberRow.member_number,
            MemberRow.subscriber_id,
            MemberRow.relationship,
            MemberRow.birth_date,
            MemberRow.sex,
        ).where(MemberRow.employer_id == employer_id)
    ).all()
    numbers = {pk: number for pk, number, *_ in rows}
    families = {pk: subscriber or pk for pk, _, subscriber, *_ in rows}
    members = [
        Member(
            id=number,
            family=numbers[families[pk]],
            relationship=Relationship(relationship),
            dob=born,
            sex=sex,
        )
        for pk, number, _, relationship, born, sex in rows
    ]
    return numbers, members, families


def _coverage(
    session: Session,
    employer_id: int,
    numbers: Mapping[int, str],
    keys: PlanKeys,
    broken_plans: Mapping[int, str],
) -> tuple[list[Coverage], dict[int, str]]:
    rows = session.execute(
        select(
            CoverageRow.member_id,
            CoverageRow.plan_id,
            CoverageRow.tier,
            CoverageRow.start_date,
            CoverageRow.end_date,
        )
        .join(MemberRow, MemberRow.id == CoverageRow.member_id)
        .where(MemberRow.employer_id == employer_id)
    ).all()
    coverage = []
    broken: dict[int, str] = {}
    for member_id, plan_id, tier, start, end in rows:
        if plan_id in broken_plans:
            broken[member_id] = broken_plans[plan_id]
            continue
        plan = keys.engine_id[plan_id]
        coverage.append(Coverage(numbers[member_id], plan, Tier(tier), start, end))
    return coverage, broken


def _authorizations(
    session: Session, employer_id: int, numbers: Mapping[int, str]
) -> list[Authorization]:
    rows = session.scalars(
        select(AuthorizationRow).where(AuthorizationRow.employer_id == employer_id)
    ).all()
    return [engine_authorization(row, numbers[row.member_id]) for row in rows]


def engine_authorization(row: AuthorizationRow, member_number: str) -> Authorization:
    return Authorization(
        number=row.number,
        member=member_number,
        start=row.start_date,
        end=row.end_date,
        status=row.status,
        categories=frozenset(split_codes(row.categories)),
        procedures=frozenset(split_codes(row.procedures)),
        units=row.units_e4,
    )


def split_codes(text: str) -> list[str]:
    return [code for code in text.split(",") if code]


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
