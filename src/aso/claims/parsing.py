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
    Claim,
    ClaimLine,
    ClaimType,
    Frequency,
    Network,
    PendReason,
    Provider,
)
from aso.errors import Problem, ValidationFailed
from aso.plans.domain import ALL_CATEGORIES

T = TypeVar("T")

ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
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
    {"id", "member", "type", "network", "provider", "received", "diagnoses", "type_of_bill",
     "facility_network", "frequency", "replaces", "prior_auth", "lines", "patient", "subscriber"}
)  # fmt: skip
LINE_FIELDS = frozenset(
    {"date", "category", "procedure", "modifiers", "pos", "revenue_code", "ndc", "tooth", "units",
     "charge", "allowed", "prior_auth", "emergency", "usual_and_customary", "release"}
)  # fmt: skip
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


def parse_claim(document: object, index: int = 0) -> Claim:
    """One claim from a plain document, or ``ValidationFailed`` naming every problem."""
    reader = Reader()
    claim = read_claim(reader, document, index)
    if claim is None or reader.problems:
        raise ValidationFailed(reader.problems, summary="invalid claim")
    return claim


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
    if (
        category is None
        and entry.get("procedure") is None
        and entry.get("revenue_code") is None
        and entry.get("ndc") is None
    ):
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
    released = _released(reader, entry.get("release"), where + ".release")
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
    if raw is None:
        return NOTHING_RELEASED
    reasons = frozenset(str(value) for value in reader.sequence(raw, where))
    for reason in reasons - PEND_REASONS:
        reader.problem(where, f"unknown pend reason {reason!r}")
    return reasons


NOTHING_RELEASED: frozenset[str] = frozenset()
PEND_REASONS = frozenset(reason.value for reason in PendReason)
