"""A fee schedule's CSV files and settings: its rates, or its drug unit prices.

One import states one schedule (named by its code) whole: the settings given with it (command
options, or query parameters of the API) are the schedule's settings, a setting left out is
unset; the file is the whole list it carries. The header decides which list:

**Rates** (``procedure,modifier,revenue_code,category,basis,amount``; any of the first five
columns may be left out of the header): each row prices a procedure (with a ``modifier``, only
lines with that modifier), a revenue code or a service category; ``basis`` is ``amount`` (per
unit, the default), ``per_diem`` (per inpatient day) or ``case_rate`` (once per line);
``amount`` is dollars and cents (``95.00``, ``$1,200``).

**Drug prices** (``ndc,awp,mac``): unit prices of each NDC (11 digits, or hyphenated 5-4-2,
4-4-2, 5-3-2 or 5-4-1), average wholesale price and maximum allowable cost, up to 5 decimals.

Settings: ``network`` (``in``: priced for the providers whose contracts name it; ``out``: the
plan's out-of-network reference), ``name``, ``claim_types`` (comma-separated; none = every
type), ``percent_of_charge`` and ``percent_of_medicare`` (shares, ``1.5`` or ``150%``),
``conversion_factor`` (dollars per relative value unit; none = the Medicare-style default),
``awp_discount`` (a share, ``0.18``) and ``dispensing_fee`` (dollars).

Importing the rates leaves the drug prices as they are and the other way round, so a schedule
that has both takes two imports with the same settings. Every problem is ``row N, column: why``
(or the setting's name).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from aso.claims.domain import ClaimType, Network
from aso.claims.pricing import RateBasis
from aso.errors import Problem, ValidationFailed
from aso.plans.domain import ALL_CATEGORIES
from aso.providers.csvfile import Cells, CsvRow, read_table, row_number
from aso.providers.domain import (
    ZERO,
    DrugTerms,
    RateKey,
    RateTerms,
    ScheduleSettings,
    normalize_ndc,
    parse_amount,
    parse_share,
)

RATE_COLUMNS: tuple[str, ...] = (
    "procedure", "modifier", "revenue_code", "category", "basis", "amount",
)  # fmt: skip
DRUG_COLUMNS: tuple[str, ...] = ("ndc", "awp", "mac")
TARGETS = ("procedure", "revenue_code", "category")

_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_REVENUE = re.compile(r"^\d{3,4}$")
UNIT_PRICE_PLACES = 5


class ScheduleFile(StrEnum):
    RATES = "rates"
    DRUGS = "drug_prices"


@dataclass
class ParsedSchedule:
    kind: ScheduleFile
    rates: dict[RateKey, RateTerms] = field(default_factory=dict)
    drugs: dict[str, DrugTerms] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    row_count: int = 0


def file_kind(text: str) -> ScheduleFile:
    """Drug prices when the header names an ``ndc`` column, else rates."""
    first = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")), [])
    return ScheduleFile.DRUGS if "ndc" in {c.strip().lower() for c in first} else ScheduleFile.RATES


def parse_schedule_file(text: str) -> ParsedSchedule:
    """Read and check a whole rates or drug prices file."""
    kind = file_kind(text)
    parsed = ParsedSchedule(kind)
    if kind is ScheduleFile.DRUGS:
        table = read_table(text, required=("ndc",), optional=("awp", "mac"))
        reader = _drug_row
    else:
        table = read_table(text, required=("amount",), optional=RATE_COLUMNS)
        reader = _rate_row
        if table.columns and not set(TARGETS) & set(table.columns):
            table.problems.append(
                Problem("row 1", "missing column procedure (or revenue_code or category)")
            )
            table.rows.clear()
    parsed.problems += table.problems
    parsed.row_count = table.row_count
    first_rows: dict[object, int] = {}
    for row in table.rows:
        reader(row, parsed, first_rows)
    parsed.problems.sort(key=row_number)
    return parsed


def _rate_row(row: CsvRow, parsed: ParsedSchedule, first_rows: dict[object, int]) -> None:
    cells = Cells(row, parsed.problems)
    procedure = cells.parse("procedure", _code(_PROCEDURE, "a procedure code (e.g. 99213)"))
    modifier = cells.parse("modifier", _code(_MODIFIER, "a modifier (2 letters or digits)"))
    revenue = cells.parse("revenue_code", _revenue_code)
    category = cells.parse("category", _category)
    basis = cells.parse("basis", _basis) or RateBasis.UNIT
    amount = cells.parse("amount", lambda t: parse_amount(t, places=2), required=True)
    given = [c for c in TARGETS if cells.raw(c)]
    if not given:
        cells.problem("procedure", "required (or a revenue_code or a category)")
    for extra in given[1:]:
        cells.problem(extra, f"give one of procedure, revenue_code or category ({given[0]} is)")
    if cells.raw("modifier") and not cells.raw("procedure"):
        cells.problem("modifier", "only with a procedure")
    if not cells.ok or amount is None:
        return
    key = RateKey(procedure or "", modifier or "", revenue or "", category or "")
    if key in first_rows:
        cells.problem(given[0], f"{key.describe()} is already priced on row {first_rows[key]}")
        return
    first_rows[key] = row.number
    parsed.rates[key] = RateTerms(basis, amount)


def _drug_row(row: CsvRow, parsed: ParsedSchedule, first_rows: dict[object, int]) -> None:
    cells = Cells(row, parsed.problems)
    ndc = cells.parse("ndc", normalize_ndc, required=True)
    awp = cells.parse("awp", _unit_price)
    mac = cells.parse("mac", _unit_price)
    if not cells.raw("awp") and not cells.raw("mac"):
        cells.problem("awp", "give an awp or a mac unit price (or both)")
    if not cells.ok or ndc is None:
        return
    if ndc in first_rows:
        cells.problem("ndc", f"{ndc} is already priced on row {first_rows[ndc]}")
        return
    first_rows[ndc] = row.number
    parsed.drugs[ndc] = DrugTerms(awp, mac)


def _code(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        code = text.upper()
        if not pattern.match(code):
            raise ValueError(f"not {what}")
        return code

    return read


def _revenue_code(text: str) -> str:
    if not _REVENUE.match(text):
        raise ValueError("a revenue code is 3 or 4 digits, e.g. 0450")
    return text.zfill(4)


def _category(text: str) -> str:
    category = text.lower()
    if category not in ALL_CATEGORIES:
        raise ValueError(f"{text!r} is not a service category (DESIGN 6.2)")
    return category


def _basis(text: str) -> RateBasis:
    try:
        return RateBasis(text.lower())
    except ValueError:
        allowed = ", ".join(b.value for b in RateBasis)
        raise ValueError(f"{text!r} is not one of {allowed}") from None


def _unit_price(text: str) -> Decimal:
    return parse_amount(text, places=UNIT_PRICE_PLACES, what="a unit price")


# settings ------------------------------------------------------------------------------------


def read_settings(
    *,
    network: str | None,
    name: str | None = None,
    claim_types: str | None = None,
    percent_of_charge: str | None = None,
    percent_of_medicare: str | None = None,
    conversion_factor: str | None = None,
    awp_discount: str | None = None,
    dispensing_fee: str | None = None,
) -> ScheduleSettings:
    """A schedule's settings from text (options or query parameters); ``ValidationFailed``
    names every bad one."""
    problems: list[Problem] = []

    def read(where: str, text: str | None, parse: Callable[[str], Decimal]) -> Decimal | None:
        if text is None or not text.strip():
            return None
        try:
            return parse(text)
        except ValueError as exc:
            problems.append(Problem(where, str(exc)))
            return None

    status = _network(network, problems)
    charge = read("percent_of_charge", percent_of_charge, parse_share)
    medicare = read("percent_of_medicare", percent_of_medicare, parse_share)
    factor = read("conversion_factor", conversion_factor, _unit_price)
    discount = read("awp_discount", awp_discount, parse_share)
    fee = read("dispensing_fee", dispensing_fee, lambda t: parse_amount(t, places=2))
    for where, value in (("percent_of_charge", charge), ("percent_of_medicare", medicare)):
        if value is not None and value == 0:
            problems.append(Problem(where, "must be more than 0 (leave it out to not use it)"))
    if factor is not None and factor == 0:
        problems.append(Problem("conversion_factor", "must be more than 0"))
    if discount is not None and discount > 1:
        problems.append(Problem("awp_discount", "a share between 0 and 1 (e.g. 0.18 or 18%)"))
    title = (name or "").strip() or None
    if title is not None and len(title) > 200:
        problems.append(Problem("name", "at most 200 characters"))
    types = _claim_types(claim_types, problems)
    if problems or status is None:
        raise ValidationFailed(problems, summary="invalid fee schedule settings")
    return ScheduleSettings(
        network=status,
        name=title,
        claim_types=types,
        percent_of_charge=charge,
        percent_of_medicare=medicare,
        conversion_factor=factor,
        awp_discount=discount,
        dispensing_fee=fee if fee is not None else ZERO,
    )


def _network(text: str | None, problems: list[Problem]) -> Network | None:
    if text is None or not text.strip():
        problems.append(Problem("network", "required: in or out"))
        return None
    try:
        return Network(text.strip().lower())
    except ValueError:
        problems.append(Problem("network", f"{text!r} is not in or out"))
        return None


def _claim_types(text: str | None, problems: list[Problem]) -> frozenset[ClaimType] | None:
    if text is None or not text.strip():
        return None
    types = set()
    for part in text.split(","):
        try:
            types.add(ClaimType(part.strip().lower()))
        except ValueError:
            allowed = ", ".join(t.value for t in ClaimType)
            problems.append(Problem("claim_types", f"{part.strip()!r} is not one of {allowed}"))
    return frozenset(types)
