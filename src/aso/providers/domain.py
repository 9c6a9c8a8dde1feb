"""Pure rules and values of providers, contracts and fee schedules.

The ``normalize_*`` and ``parse_*`` functions take text as a file or a request gives it and
return the canonical value, or raise ``ValueError`` with a message that says what is expected
(the callers put the row and field in front). Nothing here touches a database or a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from aso.claims.domain import ClaimType, Network, Provider
from aso.claims.pricing import DrugPrice, FeeSchedule, Rate, RateBasis
from aso.employers.domain import Address, normalize_ein

ZERO = Decimal("0.00")

NPI_PREFIX = "80840"
"""ISO 7812 issuer prefix of the NPI: the check digit is the Luhn digit of 80840 + the first
nine digits (CMS, "Requirements for NPI check digit"; 45 CFR 162.406)."""

_NPI = re.compile(r"^\d{10}$")
_TAXONOMY = re.compile(r"^[0-9A-Z]{9}X$")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,19}$")
_SCHEDULE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
_NDC_FORMS: dict[tuple[int, ...], tuple[int, ...]] = {
    (5, 4, 2): (0, 0, 0),
    (4, 4, 2): (1, 0, 0),
    (5, 3, 2): (0, 1, 0),
    (5, 4, 1): (0, 0, 1),
}
"""NDC segment lengths as labelers print them -> zeros to add in front of each segment to reach
the 11-digit 5-4-2 form HIPAA transactions use."""
_AMOUNT = re.compile(r"^\$?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^\$?\.\d+$")

MAX_SHARE = Decimal(100)
"""A share above 100 (10,000% of something) is a typing mistake, not a contract."""


class ProviderKind(StrEnum):
    PROFESSIONAL = "professional"
    FACILITY = "facility"
    PHARMACY = "pharmacy"
    DENTAL = "dental"
    VISION = "vision"


# identifiers ---------------------------------------------------------------------------------


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit of ``80840`` + the NPI's first nine digits.

    Luhn: from the right, double every other digit starting with the rightmost, add the digits
    of the products and the undoubled digits; the check digit brings the sum to a multiple of 10.
    """
    total = 0
    for position, char in enumerate(reversed(NPI_PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def normalize_npi(text: str) -> str:
    """The NPI, checked: 10 digits whose last is the check digit."""
    npi = text.strip()
    if not _NPI.match(npi):
        raise ValueError("an NPI is 10 digits")
    expected = npi_check_digit(npi[:9])
    if int(npi[9]) != expected:
        raise ValueError(f"{npi} fails the NPI check digit (the last digit would be {expected})")
    return npi


def normalize_tin(text: str) -> str:
    """The provider's taxpayer identification number, its EIN, as ``NN-NNNNNNN``."""
    try:
        return normalize_ein(text)
    except ValueError as exc:
        raise ValueError(f"a TIN is the 9-digit EIN written NN-NNNNNNN: {exc}") from exc


def normalize_taxonomy(text: str) -> str:
    """A NUCC Health Care Provider Taxonomy code: 10 characters ending in X (``207Q00000X``)."""
    code = text.strip().upper()
    if not _TAXONOMY.match(code):
        raise ValueError("a taxonomy code is 10 letters or digits ending in X, e.g. 207Q00000X")
    return code


def normalize_kind(text: str) -> ProviderKind:
    try:
        return ProviderKind(text.strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in ProviderKind)
        raise ValueError(f"{text!r} is not one of {allowed}") from None


def normalize_network_code(text: str) -> str:
    code = text.strip().upper()
    if not _CODE.match(code):
        raise ValueError("a network code is up to 20 letters, digits, '.', '_' or '-'")
    return code


def normalize_schedule_code(text: str) -> str:
    code = text.strip().upper()
    if not _SCHEDULE.match(code):
        raise ValueError("a fee schedule code is up to 40 letters, digits, '.', '_' or '-'")
    return code


def normalize_ndc(text: str) -> str:
    """The 11-digit (5-4-2) National Drug Code.

    Eleven digits are taken as they are; a hyphenated code in one of the printed 10-digit forms
    (4-4-2, 5-3-2, 5-4-1) gets the leading zero its short segment lacks, as HIPAA requires.
    """
    value = text.strip()
    if value.isdigit() and len(value) == 11:
        return value
    parts = value.split("-")
    pads = _NDC_FORMS.get(tuple(len(p) for p in parts)) if len(parts) == 3 else None
    if pads is None or not all(p.isdigit() for p in parts):
        raise ValueError("an NDC is 11 digits, or hyphenated 5-4-2, 4-4-2, 5-3-2 or 5-4-1")
    return "".join("0" * pad + part for pad, part in zip(pads, parts, strict=True))


# numbers -------------------------------------------------------------------------------------


def parse_amount(text: str, *, places: int, what: str = "an amount") -> Decimal:
    """A non-negative dollar amount with at most ``places`` decimals, exactly (``$1,200.50``)."""
    value = text.strip()
    if not _AMOUNT.match(value):
        raise ValueError(f"not {what} (e.g. 95.00)")
    amount = Decimal(value.replace("$", "").replace(",", ""))
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places:
        raise ValueError(f"at most {places} decimal places")
    return amount


def parse_share(text: str) -> Decimal:
    """A share as a decimal (``1.5``) or a percent (``150%``), at most to 0.01%: 4 decimals."""
    value = text.strip()
    percent = value.endswith("%")
    try:
        share = Decimal(value.removesuffix("%").strip())
    except InvalidOperation:
        raise ValueError("not a share (e.g. 0.6 or 60%)") from None
    if not share.is_finite():
        raise ValueError("not a share (e.g. 0.6 or 60%)")
    if percent:
        share /= 100
    if share < 0:
        raise ValueError("must not be negative")
    if share > MAX_SHARE:
        raise ValueError(f"at most {MAX_SHARE} ({MAX_SHARE * 100:.0f}%)")
    exponent = share.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > 4:
        raise ValueError("at most 4 decimal places (0.01%)")
    return share


def parse_day(text: str) -> date:
    value = text.strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise ValueError("not a date (use YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a date (use YYYY-MM-DD)") from None


# values --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """A provider as the directory keeps it."""

    npi: str
    tin: str
    name: str
    taxonomy: str
    kind: ProviderKind
    address: Address


@dataclass(frozen=True, slots=True)
class Span:
    """A contract's dates: ``end`` is the last day in effect, None = open ended."""

    start: date
    end: date | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Span) -> bool:
        return (self.end is None or other.start <= self.end) and (
            other.end is None or self.start <= other.end
        )

    def describe(self) -> str:
        return f"{self.start}..{self.end or 'open'}"


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """A fee schedule's own terms; the shares are decimals (1.5 = 150%)."""

    network: Network
    name: str | None = None
    claim_types: frozenset[ClaimType] | None = None
    percent_of_charge: Decimal | None = None
    percent_of_medicare: Decimal | None = None
    conversion_factor: Decimal | None = None
    """Dollars per relative value unit; None = the Medicare-style default of ``aso.codes``."""
    awp_discount: Decimal | None = None
    dispensing_fee: Decimal = ZERO

    def describe(self) -> dict[str, str]:
        """Each setting as text, to say what an import changed."""
        return {
            "network": self.network.value,
            "name": self.name or "",
            "claim_types": ",".join(sorted(self.claim_types or ())),
            "percent_of_charge": _show(self.percent_of_charge),
            "percent_of_medicare": _show(self.percent_of_medicare),
            "conversion_factor": _show(self.conversion_factor),
            "awp_discount": _show(self.awp_discount),
            "dispensing_fee": f"{self.dispensing_fee:.2f}",
        }


def _show(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


@dataclass(frozen=True, slots=True)
class RateKey:
    """What a rate prices: a procedure (and modifier), a revenue code or a category; the
    unused parts are empty strings."""

    procedure: str = ""
    modifier: str = ""
    revenue_code: str = ""
    category: str = ""

    def describe(self) -> str:
        if self.procedure:
            return self.procedure + (f"-{self.modifier}" if self.modifier else "")
        return self.revenue_code or self.category


@dataclass(frozen=True, slots=True)
class RateTerms:
    basis: RateBasis
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DrugTerms:
    """Unit prices of one NDC (dollars, up to 5 decimals)."""

    awp: Decimal | None
    mac: Decimal | None


def engine_rate(key: RateKey, terms: RateTerms) -> Rate:
    return Rate(
        amount=terms.amount,
        basis=terms.basis,
        procedure=key.procedure or None,
        modifier=key.modifier or None,
        revenue_code=key.revenue_code or None,
        category=key.category or None,
    )


def engine_schedule(
    code: str,
    settings: ScheduleSettings,
    rates: tuple[Rate, ...],
    drugs: tuple[DrugPrice, ...],
    npi: str | None = None,
) -> FeeSchedule:
    """The engine's ``FeeSchedule`` (``rates`` and ``drugs`` are shared, never copied)."""
    return FeeSchedule(
        id=code,
        network=settings.network,
        rates=rates,
        npi=npi,
        claim_types=settings.claim_types,
        percent_of_charge=settings.percent_of_charge,
        percent_of_medicare=settings.percent_of_medicare,
        conversion_factor=settings.conversion_factor,
        awp_discount=settings.awp_discount,
        dispensing_fee=settings.dispensing_fee,
        drugs=drugs,
    )


@dataclass(frozen=True, slots=True)
class ContractInEffect:
    """A provider's contract in effect on the reference date, as the reference loads it."""

    npi: str
    schedule: str


@dataclass(frozen=True, slots=True)
class PricingReference:
    """What the engine needs to price a batch, built once (DESIGN 6.3).

    ``providers`` maps every NPI on file to the engine's ``Provider``: in network when a
    contract is in effect on ``on``, else out. ``fee_schedules`` holds each in-network
    contract's schedule narrowed to its provider (``npi`` set), then the out-of-network
    reference schedules (``npi`` None), ready for ``aso.claims.engine.build_context``.
    """

    on: date
    providers: Mapping[str, Provider]
    fee_schedules: tuple[FeeSchedule, ...]

    def provider(self, npi: str | None) -> Provider:
        """The engine's provider for a claim's NPI: one not on file is out of network."""
        found = None if npi is None else self.providers.get(npi)
        return found if found is not None else Provider(Network.OUT, npi)


def build_reference(
    *,
    on: date,
    providers: Iterable[tuple[str, str, str]],
    contracts: Sequence[ContractInEffect],
    schedules: Mapping[str, FeeSchedule],
) -> PricingReference:
    """Assemble the reference from loaded values.

    ``providers`` are (npi, taxonomy, kind); ``contracts`` the contracts in effect, the one to
    prefer first for each provider (the engine takes the first schedule that fits a claim);
    ``schedules`` every schedule by code with ``npi`` None. A provider with several contracts
    on one schedule gets that schedule once.
    """
    contracted = {c.npi for c in contracts}
    table = {
        npi: Provider(Network.IN if npi in contracted else Network.OUT, npi, taxonomy, kind)
        for npi, taxonomy, kind in providers
    }
    chosen: list[FeeSchedule] = []
    seen: set[tuple[str, str]] = set()
    for contract in contracts:
        key = (contract.npi, contract.schedule)
        schedule = schedules.get(contract.schedule)
        if key in seen or schedule is None or schedule.network is not Network.IN:
            continue
        seen.add(key)
        chosen.append(replace(schedule, npi=contract.npi))
    chosen += [s for s in schedules.values() if s.network is Network.OUT]
    return PricingReference(on=on, providers=table, fee_schedules=tuple(chosen))
