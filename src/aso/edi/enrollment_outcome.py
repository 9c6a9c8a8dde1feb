"""What applying an 834 set did, and what it refused, as the 999 names it.

A refusal (a member the enrollment rules do not accept) is a set-level error on the segment and
element that carries the refused value: the plan in HD04, the tier in HD05, a coverage date in
DTP*348/349, the birth date in DMG02, the subscriber identifier in REF*0F, the address in N3/N4.
When the segment that should carry it is missing (no DMG for a new member), the error names that
segment as missing (IK304 3). Each refusal carries the subscriber identifier as the 999's business
unit (CTX ``SUBSCRIBER NUMBER REF02``), so the sender finds the family at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aso.edi.ack import Error
from aso.edi.codes import ElementError, SegmentError
from aso.edi.findings import Finding, Level
from aso.edi.x834 import CoverageLine, EnrollmentMember, Where
from aso.errors import Problem

BUSINESS_UNIT = "SUBSCRIBER NUMBER REF02"

FIELDS: dict[str, tuple[str, str, int, ElementError]] = {
    "employee_number": ("REF*0F", "REF", 2, ElementError.INVALID_CODE),
    "subscriber": ("REF*0F", "REF", 2, ElementError.INVALID_CODE),
    "first_name": ("NM1", "NM1", 4, ElementError.REQUIRED_MISSING),
    "last_name": ("NM1", "NM1", 3, ElementError.REQUIRED_MISSING),
    "ssn": ("NM1", "NM1", 9, ElementError.PATTERN_MISMATCH),
    "birth_date": ("DMG", "DMG", 2, ElementError.INVALID_DATE),
    "sex": ("DMG", "DMG", 3, ElementError.INVALID_CODE),
    "hire_date": ("DTP*336", "DTP", 3, ElementError.INVALID_DATE),
    "address1": ("N3", "N3", 1, ElementError.REQUIRED_MISSING),
    "address2": ("N3", "N3", 2, ElementError.TOO_LONG),
    "city": ("N4", "N4", 1, ElementError.REQUIRED_MISSING),
    "state": ("N4", "N4", 2, ElementError.INVALID_CODE),
    "zip": ("N4", "N4", 3, ElementError.PATTERN_MISMATCH),
}
"""A member field: the ``where`` key of the segment holding it, its id, element and IK403 code."""
LOOPS = {"REF": "2000", "DTP": "2000", "NM1": "2100A", "DMG": "2100A", "N3": "2100A", "N4": "2100A"}


@dataclass
class EnrollmentOutcome:
    """The counts and changes of one set (or, when it is refused, its errors)."""

    employer_ein: str = ""
    employer_name: str = ""
    action: str = ""
    members: int = 0
    members_added: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    coverages_added: int = 0
    coverages_changed: int = 0
    coverages_unchanged: int = 0
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    def discard(self) -> None:
        """The set was rolled back: nothing it did is kept, so nothing is counted."""
        self.members_added = self.members_updated = self.members_unchanged = 0
        self.coverages_added = self.coverages_changed = self.coverages_unchanged = 0
        self.changes = []
        self.notes.append("the set was refused: nothing of it was kept")

    def to_json(self) -> dict[str, Any]:
        return {
            "employer": {"ein": self.employer_ein, "name": self.employer_name},
            "action": self.action,
            "members": self.members,
            "members_added": self.members_added,
            "members_updated": self.members_updated,
            "members_unchanged": self.members_unchanged,
            "coverages_added": self.coverages_added,
            "coverages_changed": self.coverages_changed,
            "coverages_unchanged": self.coverages_unchanged,
            "changes": self.changes,
            "notes": self.notes,
        }


class Refusals:
    """Collects the set's refusals as 999 errors."""

    def __init__(self, control_number: str, outcome: EnrollmentOutcome) -> None:
        self.control_number = control_number
        self.outcome = outcome

    def at(
        self,
        where: Where,
        message: str,
        *,
        element: int | None,
        code: ElementError | None,
        value: str = "",
        subscriber: str = "",
        missing: bool = False,
    ) -> None:
        """A refusal on an element of a segment of the set (999 IK3 code 8 with an IK4), or,
        ``missing``, of a segment that should be there (IK3 code 3)."""
        finding = Finding(
            Level.SET,
            message,
            segment=where.segment,
            position=where.position,
            set_position=where.set_position,
            set_control=self.control_number,
            loop=where.loop,
            element=element,
            value=value or None,
            segment_code=(
                SegmentError.REQUIRED_MISSING if missing else SegmentError.HAS_ELEMENT_ERRORS
            ),
            element_code=None if missing else code,
        )
        context = (BUSINESS_UNIT, subscriber) if subscriber else None
        self.outcome.errors.append(Error(finding, context))

    def member_field(
        self, member: EnrollmentMember, name: str, message: str, value: str = ""
    ) -> None:
        """A refused member field: on the segment that carries it, or that segment missing."""
        key, segment, element, code = FIELDS.get(name, ("NM1", "NM1", 3, ElementError.INVALID_CODE))
        where = member.where.get(key)
        if where is None:
            anchor = member.where.get("NM1", member.ins)
            where = Where(segment, anchor.position, anchor.set_position, LOOPS[segment])
            self.at(
                where,
                message,
                element=None,
                code=None,
                subscriber=member.subscriber_id,
                missing=True,
            )
            return
        self.at(
            where,
            message,
            element=element or None,
            code=code if element else None,
            value=value,
            subscriber=member.subscriber_id,
        )

    def member(self, member: EnrollmentMember, message: str) -> None:
        """A refusal of the member as a whole: on its INS."""
        self.at(
            member.ins,
            message,
            element=2,
            code=ElementError.INVALID_CODE,
            value=member.relationship_code,
            subscriber=member.subscriber_id,
        )

    def coverage(
        self,
        member: EnrollmentMember,
        coverage: CoverageLine | None,
        field_name: str,
        message: str,
    ) -> None:
        """A refused coverage: ``plan`` (HD04), ``tier`` (HD05), ``line`` (HD03), ``start``
        (DTP*348), ``end`` (DTP*349, or the member's DTP*357); without an HD loop (a
        termination of the whole member), the INS."""
        subscriber = member.subscriber_id
        if coverage is None:
            where = member.where.get("DTP*357") or member.where.get("DTP*303")
            if field_name == "end" and where is not None:
                self.at(
                    where, message, element=3, code=ElementError.INVALID_DATE, subscriber=subscriber
                )
            else:
                self.at(
                    member.ins,
                    message,
                    element=3,
                    code=ElementError.INVALID_CODE,
                    value=member.maintenance,
                    subscriber=subscriber,
                )
            return
        if field_name in ("start", "end"):
            at = coverage.begin_at if field_name == "start" else coverage.end_at
            if at is None:
                at = coverage.end_at or coverage.begin_at
            if at is not None:
                value = coverage.start if field_name == "start" else coverage.end
                self.at(
                    at,
                    message,
                    element=3,
                    code=ElementError.INVALID_DATE,
                    value=value.replace("-", ""),
                    subscriber=subscriber,
                )
                return
            missing = Where("DTP", coverage.hd.position, coverage.hd.set_position, "2300")
            self.at(missing, message, element=None, code=None, subscriber=subscriber, missing=True)
            return
        element, value = {
            "plan": (4, coverage.plan),
            "tier": (5, coverage.coverage_level),
            "line": (3, coverage.insurance_line),
        }.get(field_name, (1, coverage.maintenance))
        code = ElementError.INVALID_CODE
        if not value:
            code = ElementError.REQUIRED_MISSING
        self.at(
            coverage.hd, message, element=element, code=code, value=value, subscriber=subscriber
        )

    def problems(
        self,
        member: EnrollmentMember,
        coverage: CoverageLine | None,
        problems: list[Problem],
    ) -> None:
        """Problems a members service raised, each on the segment of its field."""
        for problem in problems:
            name = problem.where.split(".")[-1]
            if name in ("plan_id", "plan"):
                self.coverage(member, coverage, "plan", problem.message)
            elif name in ("tier", "start", "end"):
                self.coverage(member, coverage, name, problem.message)
            else:
                self.member_field(member, name, f"{name}: {problem.message}")
