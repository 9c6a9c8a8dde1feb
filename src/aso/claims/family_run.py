"""The engine over one family's received claims, from the family's stored state: no database.

A family starts from its stored accumulator entries (manual adjustments included) and the
current results of its earlier claims (for duplicates and corrections), and its claims are
adjudicated in the order given (receipt, then intake sequence: DESIGN 6.1). A claim that cannot
be adjudicated (its member's plan no longer validates, it corrects a claim that was never
adjudicated, or the engine fails on it) is pended with reason ``data_error`` and a note saying
why, and the family goes on from the state before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aso.claims.accumulators import AccumulatorState
from aso.claims.context import Context
from aso.claims.domain import Claim, ClaimResult
from aso.claims.edits import ClaimHistory
from aso.claims.engine import adjudicate_claim
from aso.claims.repository import LoadedEntry
from aso.claims.stored import EntryKey, StoredClaim, data_error_result, entry_key


@dataclass(frozen=True, slots=True)
class FamilyWork:
    """A family's received claims in batch order, and what the store knows of it."""

    claims: Sequence[StoredClaim]
    prior: Sequence[tuple[Claim, ClaimResult]]
    entries: Sequence[LoadedEntry]


@dataclass(slots=True)
class Decided:
    """One claim's result, ready to be stored."""

    stored: StoredClaim
    result: ClaimResult
    note: str | None
    """Why the claim pended as a data error (None for an adjudicated claim)."""
    live: dict[EntryKey, list[int]] | None
    """The family's entries that still count, by what a reversal matches, shared by the
    family's claims (new entries join it as they get ids); None when none of the family's new
    entries is a reversal."""
    action: str = "adjudicate"
    """Why the version is written: ``adjudicate``, an examiner's ``release``, ``override`` or
    ``deny``, or ``reprocess``."""


def run_family(work: FamilyWork, context: Context, broken: Mapping[int, str]) -> list[Decided]:
    """Adjudicate the family's claims in order; ``broken`` gives, by member id, why a
    member's claims cannot be adjudicated."""
    accepted = [item.entry for item in work.entries]
    prior = list(work.prior)
    state = AccumulatorState.from_entries(accepted)
    history = ClaimHistory.from_prior(prior)
    decided: list[Decided] = []
    for stored in work.claims:
        claim = stored.claim
        note = _unusable(stored, history, broken)
        if note is not None:
            result = data_error_result(claim)
        else:
            try:
                result = adjudicate_claim(claim, context=context, state=state, history=history)
            except Exception as exc:  # one broken claim must not stop the batch
                note = _describe(exc)
                result = data_error_result(claim)
                state = AccumulatorState.from_entries(accepted)
                history = ClaimHistory.from_prior(prior)
        if note is not None:
            history.record(claim, result)
        accepted.extend(result.entries)
        prior.append((claim, result))
        decided.append(Decided(stored, result, note, None))
    if any(entry.reversed_by is not None for item in decided for entry in item.result.entries):
        live = live_entries(work.entries)
        for item in decided:
            item.live = live
    return decided


def _unusable(stored: StoredClaim, history: ClaimHistory, broken: Mapping[int, str]) -> str | None:
    """Why the claim cannot be adjudicated now, or None."""
    if stored.member_id is not None and stored.member_id in broken:
        return broken[stored.member_id]
    replaces = stored.claim.replaces
    if replaces is not None and history.result(history.latest(replaces)) is None:
        return (
            f"claim {stored.number} corrects a claim that has not been adjudicated "
            "(or is not of this member's family)"
        )
    return None


def live_entries(loaded: Sequence[LoadedEntry]) -> dict[EntryKey, list[int]]:
    """Stored entries not yet reversed, by what a reversal of them would match."""
    reversed_ids = {item.reversal_of for item in loaded if item.reversal_of is not None}
    live: dict[EntryKey, list[int]] = {}
    for item in loaded:
        if item.id is None or item.reversal_of is not None or item.id in reversed_ids:
            continue
        live.setdefault(entry_key(item.entry, item.entry.amount), []).append(item.id)
    return live


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__} while adjudicating: {first}" if first else type(exc).__name__
