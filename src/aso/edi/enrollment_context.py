"""The state of one 834 set being applied: the set's transaction, joined by the members services,
and what the later checks of the set need to know (who was seen, which families changed); and
the coverage helpers every part of the enrollment shares."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.edi.enrollment_outcome import EnrollmentOutcome, Refusals
from aso.edi.x834 import CoverageLine, EnrollmentHeader, EnrollmentMember
from aso.employers.models import Employer, OfferedPlan
from aso.errors import AsoError, Problem, ValidationFailed
from aso.members import repository as member_repo
from aso.members.crypto import SsnCipher
from aso.members.models import Coverage, Member
from aso.members.schemas import CoverageChangeRead
from aso.members.service import change_coverage_end
from aso.plans.domain import Line
from aso.security.domain import Principal


class JoinedUnitOfWork(UnitOfWork):
    """A unit of work inside the transaction of the 834 set being applied.

    The members services (``add_member``, ``add_coverage``, ``change_coverage_end``) run in it
    unchanged, with every rule they check; their ``commit`` only flushes, so the set's changes
    commit together, or not at all, when the import's use case says so. After each service the
    session's objects are expired, so the next one reads what the previous one wrote.
    """

    def __init__(self, session: Session) -> None:
        self._joined = session

    @property
    def session(self) -> Session:
        return self._joined

    def __enter__(self) -> JoinedUnitOfWork:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None:
        self._joined.flush()
        self._joined.expire_all()

    def rollback(self) -> None:  # pragma: no cover - the services never call it
        raise RuntimeError("a joined unit of work is rolled back by its set")


@dataclass(frozen=True, slots=True)
class Touch:
    """A family's coverage in a line changed on ``day``, by this loop: its tier is checked
    against the dependents enrolled when the set is done."""

    head_id: int
    line: Line
    day: date
    member: EnrollmentMember
    coverage: CoverageLine | None


@dataclass(frozen=True, slots=True)
class Move:
    """A subscriber's coverage was replaced from ``start``: its dependents ended with the old
    one (``dependents``, by member id) follow it unless the set enrolls them itself."""

    head_id: int
    line: Line
    start: date
    dependents: tuple[str, ...]
    member: EnrollmentMember
    coverage: CoverageLine


@dataclass
class Context:
    """What applying one set needs: the session, the actor, the employer, the tallies."""

    session: Session
    uow: JoinedUnitOfWork
    actor: Principal
    cipher: SsnCipher
    today: date
    rng: random.Random
    header: EnrollmentHeader
    outcome: EnrollmentOutcome
    refusals: Refusals
    members: list[EnrollmentMember] = field(default_factory=list)
    """Every member loop of the set (a subscriber's tier may follow from its dependents')."""
    employer: Employer | None = None
    plans: list[OfferedPlan] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    """Members on file that a loop of the set names (or added)."""
    touched: list[Touch] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)

    @property
    def employer_id(self) -> int:
        assert self.employer is not None
        return self.employer.id

    def attempt(
        self,
        action: Callable[[], Any],
        refuse: Callable[[list[Problem]], None],
    ) -> Any:
        """Run one service in a savepoint: a refusal rolls back that service alone (the set is
        then refused anyway, but its other members are still checked and reported)."""
        savepoint = self.session.begin_nested()
        try:
            result = action()
        except ValidationFailed as exc:
            savepoint.rollback()
            refuse(exc.problems)
            return None
        except AsoError as exc:
            savepoint.rollback()
            refuse([Problem("", str(exc))])
            return None
        savepoint.commit()
        self.session.expire_all()
        return result


# coverage helpers ----------------------------------------------------------------------------


def day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def in_line(member: Member, line: Line) -> list[Coverage]:
    return sorted((c for c in member.coverages if c.line == line.value), key=lambda c: c.start_date)


def in_force(coverages: Iterable[Coverage], on: date) -> Coverage | None:
    """The coverage in force on ``on``, if any."""
    return next((c for c in coverages if c.start_date <= on <= member_repo.span(c).last_day), None)


def who(member: EnrollmentMember) -> str:
    return f"{member.first_name} {member.last_name} ({member.subscriber_id})"


def refuse_into(
    context: Context, member: EnrollmentMember, coverage: CoverageLine | None, field: str
) -> Callable[[list[Problem]], None]:
    """How a service's refusal is reported: its problems on their fields, a conflict (an
    overlap) on the coverage date ``field`` names."""

    def refuse(problems: list[Problem]) -> None:
        named = [p if p.where else Problem(field, p.message) for p in problems]
        context.refusals.problems(member, coverage, named)

    return refuse


def change_end(
    context: Context,
    member: EnrollmentMember,
    on_file: Member,
    coverage: CoverageLine | None,
    target: Coverage,
    end: date | None,
) -> list[CoverageChangeRead] | None:
    """``change_coverage_end`` on one coverage; the changes it made (dependents included)."""
    line, start = Line(target.line), target.start_date
    changes: list[CoverageChangeRead] | None = context.attempt(
        lambda: change_coverage_end(
            uow=context.uow,
            actor=context.actor,
            member_id=on_file.member_number,
            line=line,
            end=end,
            start=start,
            today=context.today,
        ),
        refuse_into(context, member, coverage, "end"),
    )
    if changes is None:
        return None
    context.outcome.coverages_changed += len(changes)
    context.outcome.changes.extend(change.description for change in changes)
    return changes
