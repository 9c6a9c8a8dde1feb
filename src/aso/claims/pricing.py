"""Pricing (DESIGN 6.3): the allowed amount of a line, never above its charge.

A line arrives pre-priced (``allowed``, as a rented network reprices it) or is priced by the fee
schedule of the provider's contract; out of network the plan's reference schedule (``network:
out``, e.g. 150% of the Medicare-style fee) gives the price. Within a schedule the first method
that prices the line wins:

1. pharmacy claims: the lesser of the pharmacy's usual and customary price, AWP minus a discount
   plus a dispensing fee, and (for generics) the MAC price plus the dispensing fee;
2. a rate for the procedure with one of the line's modifiers, then for the procedure without a
   modifier, then for the revenue code, then for the category: ``amount`` per unit,
   ``per_diem`` per day (the units of an inpatient line), or ``case_rate`` once per line;
3. a percent of the Medicare-style fee (relative value units x conversion factor x units);
4. a percent of the billed charge.

A line no method prices has no price and pends (``no_price``).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib.resources import files

from aso.claims.domain import ZERO, Claim, ClaimLine, ClaimType, Network
from aso.money import round_cents
from aso.yamlio import load_yaml_text

ONE = Decimal(1)


def percent(share: Decimal) -> str:
    """0.2 -> "20%", 1.5 -> "150%"."""
    return f"{(share * 100).normalize():f}%"


class RateBasis(StrEnum):
    UNIT = "amount"
    PER_DIEM = "per_diem"
    CASE = "case_rate"


@dataclass(frozen=True, slots=True)
class Rate:
    """A contracted price for a procedure (optionally with a modifier), revenue code or category."""

    amount: Decimal
    basis: RateBasis = RateBasis.UNIT
    procedure: str | None = None
    modifier: str | None = None
    revenue_code: str | None = None
    category: str | None = None

    def price(self, units: Decimal) -> Decimal:
        return self.amount if self.basis is RateBasis.CASE else self.amount * units

    def describe(self) -> str:
        target = self.procedure or self.revenue_code or self.category or "?"
        if self.modifier:
            target += f"-{self.modifier}"
        return f"{self.basis.value.replace('_', ' ')} {self.amount:.2f} for {target}"


@dataclass(frozen=True, slots=True)
class DrugPrice:
    """Unit prices of one NDC: average wholesale price and maximum allowable cost."""

    ndc: str
    awp: Decimal | None = None
    mac: Decimal | None = None


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """A contract's prices for one network status (a scenario's ``fee_schedules`` entry).

    ``npi`` narrows the schedule to one provider's contract and ``claim_types`` to some claim
    types; the most specific schedule for a claim wins.
    """

    id: str
    network: Network
    rates: tuple[Rate, ...] = ()
    npi: str | None = None
    claim_types: frozenset[ClaimType] | None = None
    percent_of_charge: Decimal | None = None
    percent_of_medicare: Decimal | None = None
    conversion_factor: Decimal | None = None
    awp_discount: Decimal | None = None
    dispensing_fee: Decimal = ZERO
    drugs: tuple[DrugPrice, ...] = ()


@dataclass(frozen=True, slots=True)
class MedicareFee:
    conversion_factor: Decimal
    relative_values: Mapping[tuple[str, str], Decimal]
    """(procedure, modifier or "") -> total RVUs."""

    def rvu(self, line: ClaimLine) -> Decimal | None:
        procedure = line.procedure
        if procedure is None:
            return None
        for modifier in line.modifiers:
            found = self.relative_values.get((procedure, modifier))
            if found is not None:
                return found
        return self.relative_values.get((procedure, ""))


@cache
def default_medicare_fee() -> MedicareFee:
    """The conversion factor and sample relative values kept in ``aso/codes``."""
    codes = files("aso.codes")
    settings = load_yaml_text(codes.joinpath("medicare_fee.yaml").read_text(encoding="utf-8"))
    text = codes.joinpath(settings["relative_values"]).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    values = {
        (row["procedure"], row["modifier"]): Decimal(row["work_rvu"])
        + Decimal(row["practice_expense_rvu"])
        + Decimal(row["malpractice_rvu"])
        for row in rows
    }
    return MedicareFee(Decimal(settings["conversion_factor"]), values)


class _Lookups:
    """Rate and drug lookups of one rates/drugs list, built once however many contracts share it
    (a network's schedule is often tagged with each of thousands of providers' NPIs)."""

    __slots__ = ("by_category", "by_procedure", "by_revenue", "drugs")

    def __init__(self, rates: Sequence[Rate], drugs: Sequence[DrugPrice]) -> None:
        self.by_procedure: dict[tuple[str, str], Rate] = {}
        self.by_revenue: dict[str, Rate] = {}
        self.by_category: dict[str, Rate] = {}
        for rate in rates:
            if rate.procedure is not None:
                self.by_procedure.setdefault((rate.procedure, rate.modifier or ""), rate)
            elif rate.revenue_code is not None:
                self.by_revenue.setdefault(rate.revenue_code, rate)
            elif rate.category is not None:
                self.by_category.setdefault(rate.category, rate)
        self.drugs = {drug.ndc: drug for drug in drugs}


class _Compiled:
    """One schedule with its (possibly shared) lookups."""

    __slots__ = ("cf", "lookups", "schedule")

    def __init__(self, schedule: FeeSchedule, lookups: _Lookups, medicare: MedicareFee) -> None:
        self.schedule = schedule
        self.lookups = lookups
        self.cf = schedule.conversion_factor or medicare.conversion_factor

    def rate(self, line: ClaimLine, category: str) -> Rate | None:
        by_procedure = self.lookups.by_procedure
        procedure = line.procedure
        if procedure is not None:
            for modifier in line.modifiers:
                found = by_procedure.get((procedure, modifier))
                if found is not None:
                    return found
            found = by_procedure.get((procedure, ""))
            if found is not None:
                return found
        if line.revenue_code is not None:
            found = self.lookups.by_revenue.get(line.revenue_code)
            if found is not None:
                return found
        return self.lookups.by_category.get(category)


class Pricer:
    """Prices lines against a set of fee schedules (all of a scenario's, or one network's).

    Schedules are indexed by network and NPI, so choosing one for a claim costs the same with
    twenty schedules or twenty thousand provider contracts.
    """

    def __init__(
        self, schedules: Sequence[FeeSchedule], medicare: MedicareFee | None = None
    ) -> None:
        self.medicare = medicare or default_medicare_fee()
        shared: dict[tuple[int, int], _Lookups] = {}
        self._by_npi: dict[tuple[Network, str], list[_Compiled]] = {}
        self._general: dict[Network, list[_Compiled]] = {}
        for schedule in schedules:
            key = (id(schedule.rates), id(schedule.drugs))
            lookups = shared.get(key)
            if lookups is None:
                lookups = shared[key] = _Lookups(schedule.rates, schedule.drugs)
            compiled = _Compiled(schedule, lookups, self.medicare)
            if schedule.npi is None:
                self._general.setdefault(schedule.network, []).append(compiled)
            else:
                self._by_npi.setdefault((schedule.network, schedule.npi), []).append(compiled)
        self._chosen: dict[tuple[Network, str | None, ClaimType], _Compiled | None] = {}

    def _schedule(self, claim: Claim) -> _Compiled | None:
        """The most specific schedule: the provider's own, then one for the claim type, then
        the network's general one (file order among equals)."""
        provider = claim.provider
        key = (provider.network, provider.npi, claim.type)
        if key in self._chosen:
            return self._chosen[key]
        own = self._by_npi.get((provider.network, provider.npi), []) if provider.npi else []
        candidates = [
            c
            for c in (*own, *self._general.get(provider.network, ()))
            if c.schedule.claim_types is None or claim.type in c.schedule.claim_types
        ]
        candidates.sort(key=lambda c: (c.schedule.npi is None, c.schedule.claim_types is None))
        chosen = candidates[0] if candidates else None
        self._chosen[key] = chosen
        return chosen

    def price(
        self, claim: Claim, line: ClaimLine, category: str, trace: list[str] | None = None
    ) -> Decimal | None:
        """The allowed amount (rounded half up to cents, at most the charge), or None."""
        charge = line.charge
        if line.allowed is not None:
            allowed = line.allowed if line.allowed < charge else charge
            if trace is not None:
                trace.append(_priced(f"pre-priced at {line.allowed:.2f}", allowed, charge))
            return allowed
        compiled = self._schedule(claim)
        if compiled is None:
            if trace is not None:
                trace.append(f"Pricing: no fee schedule for {claim.provider.network}-network.")
            return None
        price, how = self._contract_price(compiled, claim, line, category, trace is not None)
        if price is None:
            if trace is not None:
                trace.append(f"Pricing: fee schedule {compiled.schedule.id} has no price.")
            return None
        price = round_cents(price)
        allowed = price if price < charge else charge
        if trace is not None:
            trace.append(_priced(f"fee schedule {compiled.schedule.id}, {how}", allowed, charge))
        return allowed

    def _contract_price(
        self, compiled: _Compiled, claim: Claim, line: ClaimLine, category: str, explain: bool
    ) -> tuple[Decimal | None, str]:
        """The contract price and, when explaining, how it was found."""
        schedule = compiled.schedule
        if claim.type is ClaimType.PHARMACY and line.ndc is not None:
            drug = compiled.lookups.drugs.get(line.ndc)
            if drug is not None:
                found = _pharmacy_price(schedule, drug, line, category, explain)
                if found is not None:
                    return found
        rate = compiled.rate(line, category)
        if rate is not None:
            how = f"{rate.describe()} x {line.units} unit(s)" if explain else ""
            return rate.price(line.units), how
        if schedule.percent_of_medicare is not None:
            rvu = self.medicare.rvu(line)
            if rvu is not None:
                price = rvu * compiled.cf * schedule.percent_of_medicare * line.units
                how = (
                    f"{percent(schedule.percent_of_medicare)} of the Medicare-style fee "
                    f"({rvu} RVU x {compiled.cf} x {line.units} unit(s))"
                    if explain
                    else ""
                )
                return price, how
        if schedule.percent_of_charge is not None:
            how = f"{percent(schedule.percent_of_charge)} of the charge" if explain else ""
            return line.charge * schedule.percent_of_charge, how
        return None, ""


def _pharmacy_price(
    schedule: FeeSchedule, drug: DrugPrice, line: ClaimLine, category: str, explain: bool
) -> tuple[Decimal, str] | None:
    """Lesser of U&C, AWP - discount + dispensing fee and (generics) MAC + dispensing fee.

    The MAC list caps what is paid for multi-source generics; the dispensing fee is added to it
    as to the AWP-based price, as pharmacy network contracts do.
    """
    candidates: list[tuple[Decimal, str]] = []
    fee = schedule.dispensing_fee
    if drug.awp is not None and schedule.awp_discount is not None:
        awp = round_cents(drug.awp * line.units * (ONE - schedule.awp_discount)) + fee
        candidates.append((awp, "AWP - discount + dispensing fee"))
    if drug.mac is not None and category == "rx_generic":
        mac = round_cents(drug.mac * line.units) + fee
        candidates.append((mac, "MAC + dispensing fee"))
    if not candidates:
        return None
    usual = line.usual_and_customary if line.usual_and_customary is not None else line.charge
    candidates.append((usual, "usual and customary"))
    price, chosen = min(candidates, key=lambda c: c[0])
    if not explain:
        return price, ""
    listed = ", ".join(f"{name} {amount:.2f}" for amount, name in candidates)
    return price, f"lesser of {listed} -> {chosen}"


def _priced(how: str, allowed: Decimal, charge: Decimal) -> str:
    text = f"Pricing: {how}; allowed {allowed:.2f} of the {charge:.2f} charge"
    if allowed < charge:
        text += f" ({charge - allowed:.2f} above the allowed amount)"
    return text + "."
