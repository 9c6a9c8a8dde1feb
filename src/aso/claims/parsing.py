"""Plain documents (a scenario file, an API body, an X12 reader's output) into engine values.

This is step 1 of DESIGN 6.1: required fields, code formats (ICD-10-CM, NPI check digit, dates,
units > 0, charge >= 0). Every problem is collected with where it is, e.g.
``claims[C1].lines[2].charge: must be >= 0`` (lines count from 1, as results do), and raised
together as one ``ValidationFailed``: a structural error rejects the request, it is not a
denial. Code fields must be strings; a number there is an error (``pos: 02`` would lose its 0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from aso.claims.domain import (
    Authorization,
    Claim,
    ClaimLine,
    ClaimType,
    Coverage,
    Frequency,
    Member,
    Network,
    PendReason,
    Provider,
    Relationship,
)
from aso.claims.pricing import DrugPrice, FeeSchedule, Rate, RateBasis
from aso.errors import Problem
from aso.plans.domain import ALL_CATEGORIES, Tier

T = TypeVar("T")

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
POS = re.compile(r"^[0-9]{2}$")
REVENUE = re.compile(r"^[0-9]{3,4}$")
TYPE_OF_BILL = re.compile(r"^0?[0-9]{3}$")
NDC = re.compile(r"^[0-9]{11}$|^[0-9]{5}-[0-9]{4}-[0-9]{2}$")
TOOTH = re.compile(r"^[0-9A-Z]{1,2}$")
TAXONOMY = re.compile(r"^[0-9A-Z]{9}X$")
NPI = re.compile(r"^[0-9]{10}$")

CLAIM_FIELDS = frozenset(
    {
        "id",
        "member",
        "type",
        "network",
        "provider",
        "received",
        "diagnoses",
        "type_of_bill",
        "facility_network",
        "frequency",
        "replaces",
        "prior_auth",
        "lines",
        "patient",
        "subscriber",
    }
)
LINE_FIELDS = frozenset(
    {
        "date",
        "category",
        "procedure",
        "modifiers",
        "pos",
        "revenue_code",
        "ndc",
        "tooth",
        "units",
        "charge",
        "allowed",
        "prior_auth",
        "emergency",
        "usual_and_customary",
        "release",
    }
)
PROVIDER_FIELDS = frozenset({"npi", "network", "taxonomy", "kind", "name", "tin", "id"})


def npi_valid(npi: str) -> bool:
    """The NPI check digit: Luhn over the 9 digits prefixed with 80840 (45 CFR 162.406)."""
    if not NPI.match(npi):
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi[:9])):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


class Reader:
    """Reads fields of plain mappings, collecting every problem with where it is."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def mapping(self, value: object, where: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.problem(where, "must be a mapping")
        return None

    def sequence(self, value: object, where: str) -> Sequence[Any]:
        if value is None:
            return ()
        if isinstance(value, Sequence) and not isinstance(value, str):
            return value
        self.problem(where, "must be a list")
        return ()

    def known_fields(self, raw: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(f"{where}.{key}", "unknown field")

    def ident(self, raw: Mapping[str, Any], key: str, where: str) -> str | None:
        """A required identifier: a string (or a whole number, read as its digits)."""
        value = raw.get(key)
        if isinstance(value, bool) or value is None or value == "":
            self.problem(f"{where}.{key}", "is required")
            return None
        if isinstance(value, int | str):
            return str(value)
        self.problem(f"{where}.{key}", "must be a string")
        return None

    def code(
        self, raw: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str], what: str
    ) -> str | None:
        """An optional code: a string in its format (never a number)."""
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(f"{where}.{key}", f'must be a string (quote it: {key}: "{value}")')
            return None
        if not pattern.match(value):
            self.problem(f"{where}.{key}", f"{value!r} is not a valid {what}")
            return None
        return value

    def day(self, raw: Mapping[str, Any], key: str, where: str, required: bool) -> date | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", "is required")
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(f"{where}.{key}", f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def amount(
        self,
        raw: Mapping[str, Any],
        key: str,
        where: str,
        *,
        required: bool = False,
        places: int = 2,
        positive: bool = False,
    ) -> Decimal | None:
        """A non-negative decimal amount (int, Decimal or numeric string; never a float)."""
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", "is required")
            return None
        number = _decimal(value)
        if number is None:
            self.problem(f"{where}.{key}", f"{value!r} is not a decimal amount")
            return None
        if positive and number <= 0:
            self.problem(f"{where}.{key}", "must be > 0")
            return None
        if number < 0:
            self.problem(f"{where}.{key}", "must be >= 0")
            return None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.problem(f"{where}.{key}", f"at most {places} decimal places")
            return None
        return number.quantize(Decimal(1).scaleb(-places)) if places == 2 else number

    def flag(self, raw: Mapping[str, Any], key: str, where: str) -> bool:
        value = raw.get(key, False)
        if isinstance(value, bool):
            return value
        self.problem(f"{where}.{key}", "must be true or false")
        return False

    def choice(
        self,
        raw: Mapping[str, Any],
        key: str,
        where: str,
        parse: Callable[[Any], T],
        default: T | None = None,
    ) -> T | None:
        value = raw.get(key)
        if value is None:
            if default is None:
                self.problem(f"{where}.{key}", "is required")
            return default
        try:
            return parse(value)
        except (ValueError, TypeError):
            self.problem(f"{where}.{key}", f"{value!r} is not one of the allowed values")
            return None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool | float):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# -- members, coverage, authorizations -----------------------------------------------------------


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


# -- fee schedules -------------------------------------------------------------------------------


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


# -- claims --------------------------------------------------------------------------------------


def read_claim(reader: Reader, raw: object, index: int) -> Claim | None:
    """One claim; None (with problems recorded) when it is structurally broken."""
    entry = reader.mapping(raw, f"claims[{index}]")
    if entry is None:
        return None
    before = len(reader.problems)
    claim_id = reader.ident(entry, "id", f"claims[{index}]")
    where = f"claims[{claim_id or index}]"
    reader.known_fields(entry, CLAIM_FIELDS, where)
    member = reader.ident(entry, "member", where)
    kind = reader.choice(entry, "type", where, ClaimType, ClaimType.PROFESSIONAL)
    provider = _provider(reader, entry, where)
    received = reader.day(entry, "received", where, required=True)
    diagnoses = _diagnoses(reader, entry.get("diagnoses"), f"{where}.diagnoses")
    bill = reader.code(entry, "type_of_bill", where, TYPE_OF_BILL, "type of bill")
    facility = None
    if entry.get("facility_network") is not None:
        facility = reader.choice(entry, "facility_network", where, Network)
    frequency = reader.choice(
        entry, "frequency", where, lambda v: Frequency(int(v)), Frequency.ORIGINAL
    )
    replaces = None
    if entry.get("replaces") is not None:
        replaces = reader.ident(entry, "replaces", where)
    if frequency is not Frequency.ORIGINAL and replaces is None:
        reader.problem(f"{where}.replaces", "a replacement or void names the claim it corrects")
    claim_auth = None
    if entry.get("prior_auth") is not None:
        claim_auth = reader.ident(entry, "prior_auth", where)
    raw_lines = reader.sequence(entry.get("lines"), f"{where}.lines")
    if not raw_lines and frequency is not Frequency.VOID:
        reader.problem(f"{where}.lines", "a claim needs at least one line")
    lines = [
        _line(reader, item, number, f"{where}.lines[{number}]", claim_auth)
        for number, item in enumerate(raw_lines, start=1)
    ]
    if len(reader.problems) > before:
        return None
    assert claim_id and member and kind and provider and received and frequency
    return Claim(
        id=claim_id,
        member=member,
        provider=provider,
        received=received,
        lines=tuple(line for line in lines if line is not None),
        type=kind,
        diagnoses=diagnoses,
        type_of_bill=bill[-3:] if bill else None,
        facility_network=facility,
        frequency=frequency,
        replaces=replaces,
    )


def _provider(reader: Reader, entry: Mapping[str, Any], where: str) -> Provider | None:
    """``provider: {npi, network, taxonomy, kind}``, or just the claim's ``network``."""
    raw = entry.get("provider")
    at = f"{where}.provider"
    found = {} if raw is None else reader.mapping(raw, at)
    if found is None:
        return None
    reader.known_fields(found, PROVIDER_FIELDS, at)
    if found.get("network") is not None:
        network = reader.choice(found, "network", at, Network)
    else:
        network = reader.choice(entry, "network", where, Network)
    npi = reader.code(found, "npi", at, NPI, "NPI (10 digits)")
    if npi is not None and not npi_valid(npi):
        reader.problem(f"{at}.npi", f"{npi} fails the NPI check digit")
    taxonomy = reader.code(found, "taxonomy", at, TAXONOMY, "taxonomy code")
    kind = found.get("kind")
    if network is None:
        return None
    return Provider(network, npi, taxonomy, None if kind is None else str(kind))


def _diagnoses(reader: Reader, raw: object, where: str) -> tuple[str, ...]:
    codes = []
    for index, value in enumerate(reader.sequence(raw, where)):
        if not isinstance(value, str):
            reader.problem(f"{where}[{index}]", f'must be a string (quote it: "{value}")')
        elif not ICD10.match(value):
            reader.problem(f"{where}[{index}]", f"{value!r} is not an ICD-10-CM code")
        else:
            codes.append(value.replace(".", ""))
    return tuple(codes)


def _line(
    reader: Reader, raw: object, number: int, where: str, claim_auth: str | None
) -> ClaimLine | None:
    entry = reader.mapping(raw, where)
    if entry is None:
        return None
    reader.known_fields(entry, LINE_FIELDS, where)
    day = reader.day(entry, "date", where, required=True)
    charge = reader.amount(entry, "charge", where, required=True)
    category = entry.get("category")
    if category is not None and category not in ALL_CATEGORIES:
        reader.problem(f"{where}.category", f"unknown category {category!r}")
    codes = ("procedure", "revenue_code", "ndc")
    if category is None and all(entry.get(key) is None for key in codes):
        reader.problem(where, "needs a category or a code (procedure, revenue_code or ndc)")
    procedure = reader.code(entry, "procedure", where, PROCEDURE, "procedure code")
    revenue = reader.code(entry, "revenue_code", where, REVENUE, "revenue code")
    ndc = reader.code(entry, "ndc", where, NDC, "NDC (11 digits)")
    pos = reader.code(entry, "pos", where, POS, "place of service (2 digits)")
    tooth = reader.code(entry, "tooth", where, TOOTH, "tooth number")
    modifiers = _modifiers(reader, entry.get("modifiers"), f"{where}.modifiers")
    units = reader.amount(entry, "units", where, places=4, positive=True)
    allowed = reader.amount(entry, "allowed", where)
    usual = reader.amount(entry, "usual_and_customary", where)
    auth = claim_auth
    if entry.get("prior_auth") is not None:
        auth = reader.ident(entry, "prior_auth", where)
    emergency = reader.flag(entry, "emergency", where)
    released = _released(reader, entry.get("release"), f"{where}.release")
    if day is None or charge is None:
        return None
    return ClaimLine(
        number=number,
        date=day,
        charge=charge,
        category=category,
        procedure=procedure,
        modifiers=modifiers,
        pos=pos,
        revenue_code=revenue and revenue.zfill(4),
        ndc=ndc and ndc.replace("-", ""),
        tooth=tooth,
        units=units if units is not None else Decimal(1),
        allowed=allowed,
        prior_auth=auth,
        emergency=emergency,
        usual_and_customary=usual,
        released=released,
    )


def _modifiers(reader: Reader, raw: object, where: str) -> tuple[str, ...]:
    values = [raw] if isinstance(raw, str) else reader.sequence(raw, where)
    found = []
    for index, value in enumerate(values):
        if isinstance(value, str) and MODIFIER.match(value):
            found.append(value)
        else:
            reader.problem(f"{where}[{index}]", f"{value!r} is not a modifier (2 characters)")
    return tuple(found)


def _released(reader: Reader, raw: object, where: str) -> frozenset[str]:
    reasons = frozenset(str(value) for value in reader.sequence(raw, where))
    for reason in reasons - {r.value for r in PendReason}:
        reader.problem(where, f"unknown pend reason {reason!r}")
    return reasons
