"""Accumulators as the sum of entries (DESIGN 3 and 6.4 step 4).

Every adjudicated line yields ``AccumulatorEntry`` values; an ``AccumulatorState`` is nothing but
their running sums, indexed for the questions the engine asks ("how much deductible has this
family met in network this plan year?"). A store that keeps one entry per contributing line can
therefore seed a state with ``AccumulatorState.from_entries`` and always rebuild the totals.

Deductible and out-of-pocket entries count for the member and for the family, per accumulator
group, network tier and plan period. Visit entries (one per paid line of a category with a visit
or count limit) and benefit-dollar entries count per member and category; plan-paid entries per
member and plan period, and per member and line of coverage for lifetime maximums.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from aso.claims.domain import ZERO, AccumulatorEntry, Kind, Network
from aso.plans.domain import Line

_DED = Kind.DEDUCTIBLE
_OOP = Kind.OUT_OF_POCKET
_VISITS = Kind.VISITS
_DOLLARS = Kind.BENEFIT_DOLLARS
_PAID = Kind.PLAN_PAID
_MEMBER = "member"
_FAMILY = "family"
_LIFETIME = "lifetime"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's end (Jan 31 + 1 = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _identity(entry: AccumulatorEntry, amount: Decimal) -> tuple[object, ...]:
    """What pairs a reversal with the entry it reverses."""
    return (
        entry.line,
        entry.member,
        entry.kind,
        amount,
        entry.service_date,
        entry.period_start,
        entry.plan,
        entry.group,
        entry.network,
        entry.category,
    )


class AccumulatorState:
    """Running totals of a set of entries (one family's, or any set); updated in place."""

    __slots__ = ("_by_claim", "_cancelled", "_dates", "_money")

    def __init__(self) -> None:
        self._money: dict[tuple[object, ...], Decimal] = {}
        self._dates: dict[tuple[str, str], dict[date, int]] = {}
        self._by_claim: dict[str, list[AccumulatorEntry]] = {}
        self._cancelled: dict[str, list[tuple[object, ...]]] = {}
        """Reversals seen before the entries they reverse (stored entries come in any order)."""

    @classmethod
    def from_entries(cls, entries: Iterable[AccumulatorEntry]) -> AccumulatorState:
        """The state stored entries add up to (reversals included, in any order)."""
        state = cls()
        state.apply_all(entries)
        return state

    def apply_all(self, entries: Iterable[AccumulatorEntry]) -> None:
        for entry in entries:
            self.apply(entry)

    def apply(self, entry: AccumulatorEntry) -> None:
        """Add one entry to the totals."""
        kind = entry.kind
        amount = entry.amount
        keys: tuple[tuple[object, ...], ...]
        if kind is _DED or kind is _OOP:
            tail = (entry.group, entry.network, entry.period_start, entry.period_end)
            keys = ((kind, _MEMBER, entry.member, *tail), (kind, _FAMILY, entry.family, *tail))
        elif kind is _VISITS:
            days = self._dates.setdefault((entry.member, entry.category), {})
            days[entry.service_date] = days.get(entry.service_date, 0) + (1 if amount > 0 else -1)
            keys = ()
        elif kind is _DOLLARS:
            keys = (
                (kind, entry.member, entry.category, entry.period_start, entry.period_end),
                (kind, entry.member, entry.category, _LIFETIME),
            )
        else:
            keys = (
                (kind, entry.member, entry.plan, entry.period_start, entry.period_end),
                (kind, entry.member, entry.coverage, _LIFETIME),
            )
        money = self._money
        for key in keys:
            money[key] = money.get(key, ZERO) + amount
        self._track(entry)

    def _track(self, entry: AccumulatorEntry) -> None:
        """Keep the entries of each claim that still count: a reversal cancels its original."""
        claim = entry.claim
        if entry.reversed_by is None:
            pending = self._cancelled.get(claim)
            if pending:
                identity = _identity(entry, entry.amount)
                if identity in pending:
                    pending.remove(identity)
                    return
            self._by_claim.setdefault(claim, []).append(entry)
            return
        identity = _identity(entry, -entry.amount)
        kept = self._by_claim.get(claim, [])
        for index, original in enumerate(kept):
            if _identity(original, original.amount) == identity:
                del kept[index]
                return
        self._cancelled.setdefault(claim, []).append(identity)

    def reverse_claim(self, claim: str, *, by: str) -> list[AccumulatorEntry]:
        """Negate the entries of ``claim`` that still count; the reversals are applied, returned."""
        reversals = [entry.reversal(by) for entry in self._by_claim.get(claim, ())]
        for entry in reversals:
            self.apply(entry)
        return reversals

    def entries_of(self, claim: str) -> tuple[AccumulatorEntry, ...]:
        """The entries of ``claim`` that still count (not reversed)."""
        return tuple(self._by_claim.get(claim, ()))

    # -- questions the engine asks -------------------------------------------------------------

    def member_total(
        self, kind: Kind, member: str, group: str, network: Network, start: date, end: date
    ) -> Decimal:
        return self._money.get((kind, _MEMBER, member, group, network, start, end), ZERO)

    def family_total(
        self, kind: Kind, family: str, group: str, network: Network, start: date, end: date
    ) -> Decimal:
        return self._money.get((kind, _FAMILY, family, group, network, start, end), ZERO)

    def benefit_dollars(
        self, member: str, category: str, start: date, end: date, *, lifetime: bool
    ) -> Decimal:
        if lifetime:
            return self._money.get((_DOLLARS, member, category, _LIFETIME), ZERO)
        return self._money.get((_DOLLARS, member, category, start, end), ZERO)

    def plan_paid(self, member: str, plan: str, start: date, end: date) -> Decimal:
        return self._money.get((_PAID, member, plan, start, end), ZERO)

    def lifetime_paid(self, member: str, coverage: Line) -> Decimal:
        return self._money.get((_PAID, member, coverage, _LIFETIME), ZERO)

    def service_dates(self, member: str, category: str) -> Mapping[date, int]:
        """Paid lines of a limited category by service date (a count per date)."""
        return self._dates.get((member, category), {})

    def totals(self) -> dict[tuple[object, ...], object]:
        """Every non-zero total, comparable between a running state and a rebuilt one."""
        snapshot: dict[tuple[object, ...], object] = {
            key: value for key, value in self._money.items() if value != 0
        }
        for key, days in self._dates.items():
            counted = {day: n for day, n in days.items() if n}
            if counted:
                snapshot[("dates", *key)] = counted
        return snapshot
