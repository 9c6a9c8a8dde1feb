"""Batch adjudication of every received claim (DESIGN 6.1 and 6.5), stored as new versions.

Reference data (plans, members, coverage, authorizations, the pricing reference) is loaded once
per employer. Claims are taken family by family, each family's in order of receipt and then
intake sequence, from the family's stored accumulator entries and earlier results
(``family_run``). Families never share state, so a job queue can later run them in parallel;
here they are taken in chunks of thousands of claims, each chunk in one transaction: lock its
families, load their state, adjudicate, write in bulk (``persist``), commit. A failure loses at
most the chunk it happened in, whose claims stay ``received`` for the next run. After a
replacement or void, the family's later claims whose cost share would change are listed for
reprocessing (``aso.claims.rework``). Claims that are
no longer ``received`` are never taken again, so a second run with nothing received does
nothing.

Two batches at once: on PostgreSQL each chunk first locks its families' subscriber rows, in id
order, and then takes only the claims still received, so a family is adjudicated by one batch
at a time from its latest state (the other waits for the chunk, then finds the claims done). On
SQLite writers take turns anyway; a second batch whose reads went stale fails its chunk rather
than write twice (versions are unique per claim and number).

The cyclic garbage collector is paused during the batch: the engine's results hold no
reference cycles, and walking a chunk's million live objects again and again would cost a
quarter of the time.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims import rework
from aso.claims.bulk import collector_paused
from aso.claims.family_run import Decided, FamilyWork, run_family
from aso.claims.persist import write_decided
from aso.claims.reference_data import EmployerReference, Pricing, load_employer, no_employer
from aso.claims.repository import Names, QueuedFamily
from aso.db.uow import UnitOfWork
from aso.errors import Forbidden
from aso.providers.service import pricing_reference
from aso.security.domain import Principal, Role

CHUNK_CLAIMS = 10_000
ADJUDICATORS = frozenset({Role.ADMIN, Role.EXAMINER})

Progress = Callable[[int, int], None]
"""Called after each chunk with (claims done, claims in the batch)."""


@dataclass(frozen=True, slots=True)
class ClaimProblem:
    claim: str
    reason: str


@dataclass(slots=True)
class BatchSummary:
    """What a batch did: claims and lines adjudicated, by status, and the claims it pended
    for a data error, with the reason."""

    claims: int = 0
    lines: int = 0
    families: int = 0
    claim_statuses: Counter[str] = field(default_factory=Counter)
    line_statuses: Counter[str] = field(default_factory=Counter)
    problems: list[ClaimProblem] = field(default_factory=list)
    listed: int = 0
    """Later claims listed for reprocessing after the replacements and voids of the batch."""
    seconds: float = 0.0

    def add(self, other: BatchSummary) -> None:
        """Count another run's work in this one (a job run in several batches)."""
        self.claims += other.claims
        self.lines += other.lines
        self.families += other.families
        self.claim_statuses.update(other.claim_statuses)
        self.line_statuses.update(other.line_statuses)
        self.problems += other.problems
        self.listed += other.listed
        self.seconds += other.seconds

    def as_dict(self) -> dict[str, object]:
        return {
            "claims": self.claims,
            "lines": self.lines,
            "families": self.families,
            "claim_statuses": dict(sorted(self.claim_statuses.items())),
            "line_statuses": dict(sorted(self.line_statuses.items())),
            "problems": [{"claim": p.claim, "reason": p.reason} for p in self.problems],
            "listed_for_reprocessing": self.listed,
            "seconds": round(self.seconds, 3),
        }


def load_pricing(*, uow: UnitOfWork, on: date | None = None) -> Pricing:
    """The providers package's pricing reference: the directory and the fee schedules of the
    contracts in effect on ``on`` (today by default), loaded in one transaction."""
    reference = pricing_reference(uow=uow, on=on)
    return Pricing(providers=reference.providers, fee_schedules=reference.fee_schedules)


def adjudicate_received(
    *,
    uow: UnitOfWork,
    actor: Principal,
    employer_id: int | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    family_ids: Sequence[int] | None = None,
    pricing: Pricing | None = None,
    follow: Callable[[], bool] | None = None,
    received_through: date | None = None,
    at: datetime | None = None,
) -> BatchSummary:
    """Adjudicate every received claim (of one employer, of some families, or at most about
    ``limit`` claims, whole families only) and store the results; see the module docstring.
    ``pricing`` defaults to the providers package's pricing reference for today.

    ``follow``: keep taking claims as they are received for as long as it answers True (an
    import storing claims beside the batch, ``aso.edi.pipeline``), then take what is left;
    each employer's reference data is loaded once for the whole run. ``received_through``:
    only claims received by that day; ``at``: the time the versions are stamped with (now;
    the demo replays a year month by month)."""
    if actor.role not in ADJUDICATORS:
        raise Forbidden("only administrators and claims examiners adjudicate claims")
    started = time.perf_counter()
    if pricing is None:
        pricing = load_pricing(uow=uow)
    summary = BatchSummary()
    references: dict[int | None, EmployerReference] = {}
    with uow, collector_paused():
        session = uow.session
        while True:
            running = follow is not None and follow()
            queue = repo.received_queue(
                session,
                employer_id=employer_id,
                family_ids=family_ids,
                limit=limit,
                received_through=received_through,
            )
            if queue:
                _run_queue(uow, actor, pricing, queue, references, summary, progress, at)
                if follow is not None:
                    continue
            if not running:
                break
            session.rollback()  # end the read: the importer takes its turn to write
            time.sleep(FOLLOW_PAUSE)
    summary.seconds = time.perf_counter() - started
    return summary


FOLLOW_PAUSE = 0.2
"""Seconds a following batch waits before looking for newly received claims again."""


def _run_queue(
    uow: UnitOfWork,
    actor: Principal,
    pricing: Pricing,
    queue: Sequence[QueuedFamily],
    references: dict[int | None, EmployerReference],
    summary: BatchSummary,
    progress: Progress | None,
    at: datetime | None,
) -> None:
    session = uow.session
    total = summary.claims + sum(len(family.claim_ids) for family in queue)
    for employer, families in _by_employer(queue):
        reference = references.get(employer)
        if reference is None:
            reference = references[employer] = (
                no_employer(pricing)
                if employer is None
                else load_employer(session, employer, pricing)
            )
        for chunk in _chunks(families):
            work = _load(session, reference, pricing, chunk)
            decided = _decide(reference, work)
            _store(session, reference, decided, actor, summary, at)
            summary.listed += rework.list_after_corrections(
                session, reference, pricing, _corrections(decided), actor.username
            )
            uow.commit()
            summary.families += sum(1 for family in work if family.claims)
            if progress is not None:
                progress(summary.claims, total)


def _load(
    session: Session,
    reference: EmployerReference,
    pricing: Pricing,
    chunk: Sequence[QueuedFamily],
) -> list[FamilyWork]:
    """The chunk's claims still received and, for each family, its earlier claims with their
    current results and its stored accumulator entries (the families locked first)."""
    names = Names(reference.member_number, reference.plans.engine_id)
    family_ids = [family.family_id for family in chunk if family.family_id is not None]
    loners = [c for family in chunk if family.family_id is None for c in family.claim_ids]
    repo.lock_families(session, family_ids, loners)
    prior = repo.prior_claims(session, family_ids)
    received = [claim_id for family in chunk for claim_id in family.claim_ids]
    earlier = [claim_id for ids in prior.values() for claim_id in ids]
    claims = repo.load_claims(
        session, [*received, *earlier], reference.member_number, pricing.provider
    )
    results = repo.current_results(
        session, {claim_id: claims[claim_id] for claim_id in earlier}, names.plans
    )
    entries = repo.family_entries(session, family_ids, names)
    return [
        FamilyWork(
            claims=[
                claims[claim_id]
                for claim_id in family.claim_ids
                if claims[claim_id].status == "received"
            ],
            prior=[
                (claims[claim_id].claim, results[claim_id])
                for claim_id in prior.get(family.family_id or 0, ())
                if claim_id in results
            ],
            entries=entries.get(family.family_id or 0, []),
        )
        for family in chunk
    ]


def _decide(reference: EmployerReference, work: Sequence[FamilyWork]) -> list[Decided]:
    """The engine over a chunk's families (no database here)."""
    decided: list[Decided] = []
    for family in work:
        decided += run_family(family, reference.context, reference.broken)
    return decided


def _store(
    session: Session,
    reference: EmployerReference,
    decided: Sequence[Decided],
    actor: Principal,
    summary: BatchSummary,
    at: datetime | None = None,
) -> None:
    written = write_decided(session, reference, decided, actor.username, at)
    summary.claims += written.claims
    summary.lines += written.lines
    summary.claim_statuses.update(written.claim_statuses)
    summary.line_statuses.update(written.line_statuses)
    summary.problems += [
        ClaimProblem(item.stored.number, item.note) for item in decided if item.note is not None
    ]


def _corrections(decided: Sequence[Decided]) -> dict[int, list[int]]:
    """Replacements and voids the chunk adjudicated, by family."""
    found: dict[int, list[int]] = {}
    for item in decided:
        stored = item.stored
        if stored.frequency != 1 and item.note is None and stored.family_id is not None:
            found.setdefault(stored.family_id, []).append(stored.pk)
    return found


def _by_employer(
    queue: Sequence[QueuedFamily],
) -> Iterator[tuple[int | None, list[QueuedFamily]]]:
    groups: dict[int | None, list[QueuedFamily]] = {}
    for family in queue:
        groups.setdefault(family.employer_id, []).append(family)
    yield from groups.items()


def _chunks(families: Sequence[QueuedFamily]) -> Iterator[list[QueuedFamily]]:
    chunk: list[QueuedFamily] = []
    size = 0
    for family in families:
        chunk.append(family)
        size += len(family.claim_ids)
        if size >= CHUNK_CLAIMS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk
