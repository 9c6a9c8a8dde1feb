"""The edits of DESIGN 6.1 steps 4-6 that look beyond the line itself: duplicates against the
claim history, prior authorizations, benefit conditions (waiting periods, age) and visit and
frequency limits against the accumulators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aso.claims.accumulators import add_months
from aso.claims.domain import (
    Authorization,
    Claim,
    ClaimLine,
    ClaimResult,
    ClaimStatus,
    LineStatus,
)
from aso.claims.plan_rules import BenefitRule

DupKey = tuple[str, str, date, str]
"""(member, provider, service date, procedure or stated category)."""


@dataclass(frozen=True, slots=True)
class PriorLine:
    """A line of an earlier claim that was not denied: what a duplicate is compared with."""

    claim: str
    line: int
    modifiers: tuple[str, ...]
    pos: str | None
    charge: Decimal


def duplicate_key(claim: Claim, line: ClaimLine) -> DupKey:
    """Same member, provider (NPI, or the network without one), date and procedure.

    The procedure is the line's code (procedure, else NDC, else revenue code), or its stated
    category when it has no code.
    """
    provider = claim.provider.npi or f"network:{claim.provider.network}"
    code = line.procedure or line.ndc or line.revenue_code or f"category:{line.category}"
    return (claim.member, provider, line.date, code)


class ClaimHistory:
    """Earlier claims of the family: their lines for duplicate checks and their results for
    replacements and voids. Updated in place as claims are adjudicated."""

    __slots__ = ("_claims_lines", "_lines", "_results", "_superseded_by")

    def __init__(self) -> None:
        self._lines: dict[DupKey, list[PriorLine]] = {}
        self._claims_lines: dict[str, list[DupKey]] = {}
        self._results: dict[str, ClaimResult] = {}
        self._superseded_by: dict[str, str] = {}

    @classmethod
    def from_prior(cls, claims: Iterable[tuple[Claim, ClaimResult]]) -> ClaimHistory:
        """A history seeded with earlier claims and their (current) results, in order."""
        history = cls()
        for claim, result in claims:
            if claim.replaces is not None:
                history.supersede(history.latest(claim.replaces), by=claim.id)
            history.record(claim, result)
        return history

    def record(self, claim: Claim, result: ClaimResult) -> None:
        """Remember a claim's result and its lines that were not denied."""
        self._results[claim.id] = result
        if result.status is ClaimStatus.VOIDED:
            return
        keys = self._claims_lines.setdefault(claim.id, [])
        for line, outcome in zip(claim.lines, result.lines, strict=True):
            if outcome.status is LineStatus.DENIED:
                continue
            key = duplicate_key(claim, line)
            prior = PriorLine(claim.id, line.number, line.modifiers, line.pos, line.charge)
            self._lines.setdefault(key, []).append(prior)
            keys.append(key)

    def result(self, claim_id: str) -> ClaimResult | None:
        return self._results.get(claim_id)

    def latest(self, claim_id: str) -> str:
        """The current version of a claim: follows replacements (and voids) to the last one."""
        seen = {claim_id}
        while claim_id in self._superseded_by:
            claim_id = self._superseded_by[claim_id]
            if claim_id in seen:
                break
            seen.add(claim_id)
        return claim_id

    def supersede(self, claim_id: str, *, by: str) -> None:
        """A replacement or a void takes the claim's lines out of the duplicate checks."""
        self._superseded_by[claim_id] = by
        self.withdraw(claim_id)

    def withdraw(self, claim_id: str) -> None:
        """Take a claim's lines out of the duplicate checks (to adjudicate it again)."""
        for key in self._claims_lines.pop(claim_id, ()):
            kept = [p for p in self._lines.get(key, ()) if p.claim != claim_id]
            if kept:
                self._lines[key] = kept
            else:
                self._lines.pop(key, None)

    def duplicate_of(self, claim: Claim, line: ClaimLine) -> tuple[bool, PriorLine] | None:
        """(exact, prior line) for a line of another claim matching this one, else None.

        Exact: modifiers, place of service and charge are the same too (CARC 18). Otherwise a
        suspect duplicate, pended for an examiner.
        """
        found = self._lines.get(duplicate_key(claim, line))
        if not found:
            return None
        suspect = None
        for prior in found:
            if prior.claim == claim.id:
                continue
            if (
                prior.modifiers == line.modifiers
                and prior.pos == line.pos
                and prior.charge == line.charge
            ):
                return True, prior
            suspect = suspect or prior
        return None if suspect is None else (False, suspect)


def authorized(
    claim: Claim,
    line: ClaimLine,
    category: str,
    authorizations: Mapping[str, Authorization] | None,
) -> bool:
    """Does the line carry an authorization that covers it?

    Without a register of authorizations (a scenario that lists none) a stated number is
    accepted; with one, the number must name an approved authorization of the member whose
    dates, category or procedures and units cover the line.
    """
    number = line.prior_auth
    if number is None:
        return False
    if authorizations is None:
        return True
    found = authorizations.get(number)
    if found is None or found.status != "approved" or found.member != claim.member:
        return False
    if not found.start <= line.date <= found.end:
        return False
    if found.units is not None and line.units > found.units:
        return False
    if not found.categories and not found.procedures:
        return True
    return category in found.categories or line.procedure in found.procedures


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def over_service_limit(
    benefit: BenefitRule,
    dates: Mapping[date, int],
    day: date,
    period: tuple[date, date],
) -> str | None:
    """Why a paid line on ``day`` would exceed the category's visit or count limit, or None.

    A visit is a distinct service date of the member in the category; a count is a paid line.
    ``count`` with ``months`` is a rolling window across plan years: an earlier (or later)
    service less than ``months`` away counts, one exactly ``months`` away does not.
    """
    start, end = period
    lifetime = benefit.lifetime
    if benefit.visits is not None and not dates.get(day):
        visits = sum(1 for d, n in dates.items() if n > 0 and (lifetime or start <= d <= end))
        if visits >= benefit.visits:
            scope = "lifetime" if lifetime else "plan period"
            return f"{visits} of {benefit.visits} visits per {scope} already used"
    if benefit.count is not None:
        months = benefit.months
        if months is not None:
            used = sum(n for d, n in dates.items() if n > 0 and _within(d, day, months))
            scope = f"{months} months"
        else:
            used = sum(n for d, n in dates.items() if n > 0 and (lifetime or start <= d <= end))
            scope = "lifetime" if lifetime else "plan period"
        if used >= benefit.count:
            return f"{used} of {benefit.count} per {scope} already paid"
    return None


def _within(one: date, other: date, months: int) -> bool:
    first, last = (one, other) if one <= other else (other, one)
    return add_months(first, months) > last
