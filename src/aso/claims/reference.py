"""Reading a scenario's reference data (DESIGN 7): members, coverage, authorizations and fee
schedules, with every structural problem named by where it is (``coverage[1].plan``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aso.claims.domain import (
    Authorization,
    ClaimType,
    Coverage,
    Member,
    Network,
    Relationship,
)
from aso.claims.parsing import MODIFIER, NDC, NPI, PROCEDURE, REVENUE, Reader
from aso.claims.pricing import DrugPrice, FeeSchedule, Rate, RateBasis
from aso.plans.domain import ALL_CATEGORIES, Tier


def read_members(reader: Reader, raw: object) -> list[Member]:
    rows: list[tuple[str, Relationship, str | None, date | None, str | None]] = []
    for index, item in enumerate(reader.sequence(raw, "members")):
        where = f"members[{index}]"
        entry = reader.mapping(item, where)
        if entry is None:
            continue
        member_id = reader.ident(entry, "id", where)
        relationship = reader.choice(
            entry, "relationship", where, Relationship, Relationship.SUBSCRIBER
        )
        subscriber = None
        if entry.get("subscriber") is not None:
            subscriber = reader.ident(entry, "subscriber", where)
        dob = reader.day(entry, "dob", where, required=False)
        sex = entry.get("sex")
        if member_id is not None and relationship is not None:
            rows.append(
                (member_id, relationship, subscriber, dob, None if sex is None else str(sex))
            )
    ids = [row[0] for row in rows]
    members = []
    for index, (member_id, relationship, subscriber, dob, sex) in enumerate(rows):
        if ids.count(member_id) > 1 and ids.index(member_id) != index:
            reader.problem(f"members[{index}].id", f"{member_id} appears twice")
        if relationship is not Relationship.SUBSCRIBER and subscriber is None:
            reader.problem(f"members[{index}].subscriber", "a dependent names its subscriber")
        if subscriber is not None and subscriber not in ids:
            reader.problem(f"members[{index}].subscriber", f"no member {subscriber}")
        family = member_id if relationship is Relationship.SUBSCRIBER else subscriber or member_id
        members.append(Member(member_id, family, relationship, dob, sex))
    return members


def read_coverage(
    reader: Reader, raw: object, members: set[str], plans: set[str]
) -> list[Coverage]:
    coverage = []
    for index, item in enumerate(reader.sequence(raw, "coverage")):
        where = f"coverage[{index}]"
        entry = reader.mapping(item, where)
        if entry is None:
            continue
        member = reader.ident(entry, "member", where)
        plan = reader.ident(entry, "plan", where)
        tier = reader.choice(entry, "tier", where, Tier)
        start = reader.day(entry, "start", where, required=True)
        end = reader.day(entry, "end", where, required=False)
        if member is not None and member not in members:
            reader.problem(f"{where}.member", f"no member {member}")
        if plan is not None and plan not in plans:
            reader.problem(f"{where}.plan", f"no plan {plan}")
        if start and end and end < start:
            reader.problem(f"{where}.end", "must not be before start")
        if member and plan and tier and start:
            coverage.append(Coverage(member, plan, tier, start, end))
    return coverage


def read_authorizations(reader: Reader, raw: object) -> list[Authorization] | None:
    if raw is None:
        return None
    found = []
    for index, item in enumerate(reader.sequence(raw, "authorizations")):
        where = f"authorizations[{index}]"
        entry = reader.mapping(item, where)
        if entry is None:
            continue
        number = reader.ident(entry, "number", where)
        member = reader.ident(entry, "member", where)
        start = reader.day(entry, "start", where, required=True)
        end = reader.day(entry, "end", where, required=True)
        categories = frozenset(str(c) for c in reader.sequence(entry.get("categories"), where))
        procedures = frozenset(str(c) for c in reader.sequence(entry.get("procedures"), where))
        for name in categories - ALL_CATEGORIES:
            reader.problem(f"{where}.categories", f"unknown category {name}")
        units = reader.amount(entry, "units", where, places=4, positive=True)
        status = str(entry.get("status", "approved"))
        if number and member and start and end:
            found.append(
                Authorization(number, member, start, end, status, categories, procedures, units)
            )
    return found


def read_fee_schedules(reader: Reader, raw: object) -> list[FeeSchedule]:
    schedules = []
    for index, item in enumerate(reader.sequence(raw, "fee_schedules")):
        entry = reader.mapping(item, f"fee_schedules[{index}]")
        if entry is None:
            continue
        name = reader.ident(entry, "id", f"fee_schedules[{index}]")
        where = f"fee_schedules[{name or index}]"
        network = reader.choice(entry, "network", where, Network)
        types = _claim_types(reader, entry.get("claim_types"), f"{where}.claim_types")
        schedule = FeeSchedule(
            id=name or str(index),
            network=network or Network.IN,
            rates=tuple(_rates(reader, entry.get("rates"), f"{where}.rates")),
            npi=reader.code(entry, "npi", where, NPI, "NPI"),
            claim_types=types,
            percent_of_charge=reader.amount(entry, "percent_of_charge", where, places=6),
            percent_of_medicare=reader.amount(entry, "percent_of_medicare", where, places=6),
            conversion_factor=reader.amount(
                entry, "conversion_factor", where, places=6, positive=True
            ),
            awp_discount=reader.amount(entry, "awp_discount", where, places=6),
            dispensing_fee=reader.amount(entry, "dispensing_fee", where) or Decimal("0.00"),
            drugs=tuple(_drugs(reader, entry.get("drugs"), f"{where}.drugs")),
        )
        if schedule.awp_discount is not None and schedule.awp_discount > 1:
            reader.problem(f"{where}.awp_discount", "must be a share between 0 and 1")
        if name is not None and network is not None:
            schedules.append(schedule)
    return schedules


def _claim_types(reader: Reader, raw: object, where: str) -> frozenset[ClaimType] | None:
    if raw is None:
        return None
    types = set()
    for value in reader.sequence(raw, where):
        try:
            types.add(ClaimType(value))
        except ValueError:
            reader.problem(where, f"unknown claim type {value!r}")
    return frozenset(types)


def _rates(reader: Reader, raw: object, where: str) -> list[Rate]:
    rates = []
    for index, item in enumerate(reader.sequence(raw, where)):
        at = f"{where}[{index}]"
        entry = reader.mapping(item, at)
        if entry is None:
            continue
        bases = [basis for basis in RateBasis if entry.get(basis.value) is not None]
        if len(bases) != 1:
            reader.problem(at, "needs exactly one of amount, per_diem or case_rate")
            continue
        amount = reader.amount(entry, bases[0].value, at, places=4)
        procedure = reader.code(entry, "procedure", at, PROCEDURE, "procedure code")
        modifier = reader.code(entry, "modifier", at, MODIFIER, "modifier")
        revenue = reader.code(entry, "revenue_code", at, REVENUE, "revenue code")
        category = entry.get("category")
        if category is not None and category not in ALL_CATEGORIES:
            reader.problem(f"{at}.category", f"unknown category {category!r}")
        if procedure is None and revenue is None and category is None:
            reader.problem(at, "needs a procedure, revenue_code or category")
        if amount is not None:
            rates.append(
                Rate(amount, bases[0], procedure, modifier, revenue and revenue.zfill(4), category)
            )
    return rates


def _drugs(reader: Reader, raw: object, where: str) -> list[DrugPrice]:
    drugs = []
    for index, item in enumerate(reader.sequence(raw, where)):
        at = f"{where}[{index}]"
        entry = reader.mapping(item, at)
        if entry is None:
            continue
        ndc = reader.code(entry, "ndc", at, NDC, "NDC (11 digits)")
        awp = reader.amount(entry, "awp", at, places=6)
        mac = reader.amount(entry, "mac", at, places=6)
        if ndc is None:
            reader.problem(f"{at}.ndc", "is required")
        else:
            drugs.append(DrugPrice(ndc.replace("-", ""), awp, mac))
    return drugs
