"""Adjudicating a family's claims again: after an examiner's decision and after a correction.

Each claim has a place in its family's history: the receipt date and intake order of the claim
it descends from, so a replacement takes the place of the claim it corrects (DESIGN 6.5; the
corrected history the engine's ``reprocess`` assumes). To decide a claim again, every current
claim of the family from that place on is reversed and adjudicated again in order, from the
family's stored entries, with the examiners' decisions on their lines (``line_decisions``).
What is written depends on why:

- an examiner's decision (``aso.claims.examiner``) writes the decided claim's new version and
  lists the later claims whose result changed (``claim_reprocessing``): they may already be
  paid, and an examiner chooses when to adjust them;
- a replacement or void adjudicated by the batch lists the claims, from the corrected claim's
  place on, whose result would change (the correction itself when it comes out differently in
  the corrected claim's place than at the end of the history, where the batch put it);
- ``reprocess_listed`` runs each family from its earliest listed claim and writes every claim
  whose result changed. The family's accumulators then equal a fresh adjudication of its
  corrected history (tested in ``tests/integration/test_claims_rework.py``).

Claims received but not yet adjudicated take no part: the batch adjudicates them later from
the state this leaves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Claim,
    ClaimLine,
    ClaimResult,
    ExaminerDenial,
    Frequency,
    Group,
    LineResult,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import reprocess
from aso.claims.family_run import Decided, live_entries
from aso.claims.models import LineDecisionRow, ReprocessRow
from aso.claims.persist import write_decided
from aso.claims.reference_data import EmployerReference, Pricing
from aso.claims.repository import LoadedEntry, Names
from aso.claims.stored import StoredClaim, money
from aso.db.base import utcnow
from aso.errors import AsoError, Conflict

Place = tuple[date, int]
"""(receipt date, intake rank) of the claim a chain of corrections starts from."""
REWORK = "rework"
"""``reversed_by`` of the reversals a re-adjudication makes (stored under the claim's own new
version, which is what names the reversing claim when entries are loaded again)."""


@dataclass(slots=True)
class Family:
    """A family's adjudicated claims (examiners' decisions applied), their current results and
    the family's stored accumulator entries."""

    family_id: int
    claims: dict[int, StoredClaim]
    order: list[int]
    """Claim ids in intake order."""
    results: dict[int, ClaimResult]
    entries: list[LoadedEntry]
    _rank: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rank = {pk: rank for rank, pk in enumerate(self.order)}

    def place(self, pk: int) -> Place:
        """Where the claim stands in the corrected history: its chain's first claim's place."""
        root, seen = pk, {pk}
        while True:
            parent = self.claims[root].replaces_id
            if parent is None or parent not in self.claims or parent in seen:
                break
            root = parent
            seen.add(root)
        return (self.claims[root].claim.received, self._rank[root])

    def current(self) -> list[int]:
        """Claims that stand in the history (not voided, not replaced, not a void), in place
        order."""
        found = [pk for pk in self.order if self.claims[pk].status != "voided"]
        return sorted(found, key=self.place)

    def tail(self, start: Place) -> list[int]:
        return [pk for pk in self.current() if self.place(pk) >= start]


def load_family(
    session: Session, reference: EmployerReference, pricing: Pricing, family_id: int
) -> Family:
    """The family's adjudicated claims with their current results and its stored entries."""
    order = repo.prior_claims(session, [family_id]).get(family_id, [])
    loaded = repo.load_claims(session, order, reference.member_number, pricing.provider)
    claims = with_decisions(loaded, decisions_of(session, order))
    names = Names(reference.member_number, reference.plans.engine_id)
    results = repo.current_results(session, claims, names.plans)
    entries = repo.family_entries(session, [family_id], names).get(family_id, [])
    return Family(family_id, claims, order, results, entries)


def rerun(family: Family, reference: EmployerReference, start: Place) -> dict[int, ClaimResult]:
    """Every current claim from ``start`` on, reversed and adjudicated again in order (no
    database): the new results by claim id, each with its reversals first."""
    tail = family.tail(start)
    for pk in tail:
        member_id = family.claims[pk].member_id
        if member_id is not None and member_id in reference.broken:
            raise Conflict(
                f"claim {family.claims[pk].number} cannot be adjudicated again: "
                f"{reference.broken[member_id]}"
            )
    state = AccumulatorState.from_entries(item.entry for item in family.entries)
    history = ClaimHistory.from_prior(
        (family.claims[pk].claim, family.results[pk]) for pk in family.order
    )
    claims = [_in_place(family.claims[pk].claim) for pk in tail]
    try:
        results = reprocess(
            claims, context=reference.context, state=state, history=history, by=REWORK
        )
    except AsoError:
        raise
    except Exception as exc:  # the engine's failure on stored data is a conflict to report
        raise Conflict(f"the family's claims could not be adjudicated again: {exc}") from exc
    return dict(zip(tail, results, strict=True))


def _in_place(claim: Claim) -> Claim:
    """A correction adjudicated again in its place: its correction is already stored (the
    claim it corrects is reversed and voided), so it is adjudicated as an ordinary claim."""
    if claim.frequency is Frequency.ORIGINAL:
        return claim
    return replace(claim, frequency=Frequency.ORIGINAL, replaces=None)


def changed(before: ClaimResult, after: ClaimResult) -> bool:
    """Would the claim's status or any line's outcome or amounts change?"""
    return before.status is not after.status or [_outcome(line) for line in before.lines] != [
        _outcome(line) for line in after.lines
    ]


def _outcome(line: LineResult) -> tuple[object, ...]:
    return (
        line.line,
        line.status,
        line.pend_reason,
        line.allowed,
        line.copay,
        line.deductible,
        line.coinsurance,
        line.not_covered,
        line.balance_bill,
        line.plan_paid,
        line.adjustments,
    )


def write(
    session: Session,
    reference: EmployerReference,
    family: Family,
    results: Mapping[int, ClaimResult],
    *,
    action: str,
    note: str | None,
    actor: str,
) -> dict[int, int]:
    """Store new versions of the claims of ``results``; their new version numbers by id."""
    live = live_entries(family.entries)
    decided = [
        Decided(family.claims[pk], result, note, live, action) for pk, result in results.items()
    ]
    write_decided(session, reference, decided, actor)
    return {pk: family.claims[pk].version + 1 for pk in results}


def list_for_reprocessing(
    session: Session,
    family: Family,
    claim_ids: Iterable[int],
    *,
    employer_id: int | None,
    cause_id: int,
    cause: str,
    actor: str,
) -> list[str]:
    """List the claims for reprocessing (a claim already listed stays listed once); their
    public ids."""
    wanted = list(claim_ids)
    already = set(
        session.scalars(
            select(ReprocessRow.claim_id).where(
                ReprocessRow.claim_id.in_(wanted), ReprocessRow.done_at.is_(None)
            )
        )
    )
    for pk in wanted:
        if pk not in already:
            session.add(
                ReprocessRow(
                    claim_id=pk,
                    family_id=family.family_id,
                    employer_id=employer_id,
                    cause_claim_id=cause_id,
                    cause=cause,
                    listed_by=actor,
                )
            )
    session.flush()
    return [family.claims[pk].number for pk in wanted]


def list_after_corrections(
    session: Session,
    reference: EmployerReference,
    pricing: Pricing,
    corrections: Mapping[int, Sequence[int]],
    actor: str,
) -> int:
    """After the batch stored replacements and voids (claim ids by family), list the claims
    of each family, from the earliest corrected place on, whose result would change; how
    many were listed."""
    listed = 0
    for family_id, correction_ids in corrections.items():
        family = load_family(session, reference, pricing, family_id)
        present = [pk for pk in correction_ids if pk in family.claims]
        if not present:
            continue
        first = min(present, key=family.place)
        again = rerun(family, reference, family.place(first))
        differing = [pk for pk, result in again.items() if changed(family.results[pk], result)]
        if differing:
            correction = family.claims[first]
            verb = "voids" if correction.frequency == Frequency.VOID.value else "replaces"
            corrected = family.claims.get(correction.replaces_id or 0)
            what = corrected.number if corrected is not None else "an earlier claim"
            cause = f"claim {correction.number} {verb} {what}"
            listed += len(
                list_for_reprocessing(
                    session,
                    family,
                    differing,
                    employer_id=reference.employer_id,
                    cause_id=correction.pk,
                    cause=cause,
                    actor=actor,
                )
            )
    return listed


# examiners' decisions ---------------------------------------------------------------------------


def decisions_of(session: Session, claim_ids: Collection[int]) -> dict[int, list[LineDecisionRow]]:
    """The examiners' decisions on the claims' lines, by claim id, oldest first."""
    found: dict[int, list[LineDecisionRow]] = defaultdict(list)
    for batch in repo.chunks(claim_ids):
        for row in session.scalars(
            select(LineDecisionRow)
            .where(LineDecisionRow.claim_id.in_(batch))
            .order_by(LineDecisionRow.id)
        ):
            found[row.claim_id].append(row)
    return found


def with_decisions(
    claims: Mapping[int, StoredClaim], decisions: Mapping[int, Sequence[LineDecisionRow]]
) -> dict[int, StoredClaim]:
    """The claims with their examiners' decisions on their lines (``decided_line``)."""
    out = dict(claims)
    for pk, rows in decisions.items():
        stored = out.get(pk)
        if stored is None:
            continue
        by_line: dict[int, list[LineDecisionRow]] = defaultdict(list)
        for row in rows:
            by_line[row.line].append(row)
        lines = tuple(
            decided_line(line, by_line.get(line.number, ())) for line in stored.claim.lines
        )
        out[pk] = replace(stored, claim=replace(stored.claim, lines=lines))
    return out


def decided_line(line: ClaimLine, rows: Iterable[LineDecisionRow]) -> ClaimLine:
    """A line with its decisions folded in order: a release adds its pend reason, an override
    sets the allowed amount, a denial denies; a release or override after a denial lifts it."""
    released = set(line.released)
    allowed = line.override_allowed
    denial = line.denial
    for row in rows:
        if row.action == "release":
            assert row.pend_reason is not None
            released.add(row.pend_reason)
            denial = None
        elif row.action == "override":
            assert row.allowed_cents is not None
            allowed = money(int(row.allowed_cents * 100))
            denial = None
        else:
            assert row.carc is not None and row.group_code is not None
            denial = ExaminerDenial(Group(row.group_code), row.carc)
    return replace(line, released=frozenset(released), override_allowed=allowed, denial=denial)


# reprocessing the listed claims -----------------------------------------------------------------


@dataclass(slots=True)
class Reprocessed:
    """What ``reprocess_family`` did: claims written again (public ids) and listings closed."""

    written: list[str] = field(default_factory=list)
    closed: int = 0


def reprocess_family(
    session: Session,
    reference: EmployerReference,
    pricing: Pricing,
    family_id: int,
    rows: Sequence[ReprocessRow],
    actor: str,
) -> Reprocessed:
    """Run the family from its earliest listed claim and write every claim that changed; the
    listings are closed."""
    family = load_family(session, reference, pricing, family_id)
    current = set(family.current())
    listed = [row.claim_id for row in rows if row.claim_id in current]
    done = Reprocessed()
    versions: dict[int, int] = {}
    if listed:
        again = rerun(family, reference, min(family.place(pk) for pk in listed))
        differing = {pk: r for pk, r in again.items() if changed(family.results[pk], r)}
        if differing:
            causes = sorted({row.cause for row in rows})
            note = "reprocessed: " + "; ".join(causes)
            versions = write(
                session, reference, family, differing, action="reprocess", note=note, actor=actor
            )
            done.written = [family.claims[pk].number for pk in differing]
    stamp = utcnow()
    for row in rows:
        row.done_at = stamp
        row.done_version = versions.get(row.claim_id)
        done.closed += 1
    session.flush()
    return done


def open_listings(
    session: Session, *, employer_id: int | None = None, claim_ids: Collection[int] | None = None
) -> list[ReprocessRow]:
    """Claims listed for reprocessing and not yet reprocessed, oldest listing first."""
    query = select(ReprocessRow).where(ReprocessRow.done_at.is_(None))
    if employer_id is not None:
        query = query.where(ReprocessRow.employer_id == employer_id)
    if claim_ids is not None:
        query = query.where(ReprocessRow.claim_id.in_(list(claim_ids)))
    return list(session.scalars(query.order_by(ReprocessRow.id)))
