"""834 Benefit Enrollment and Maintenance (005010X220A1) read into members with their coverage
rows (DESIGN 9), one ``MemberRead`` per member loop (2000) as soon as it is complete.

What is read: the set's header (BGN purpose, reference, date and action code BGN08; the master
policy REF*38; the file's effective date DTP*007; the sponsor N1*P5, whose N104 is the employer's
EIN when N103 is FI; the payer N1*IN), then each member: INS (subscriber indicator, relationship,
maintenance type and reason, benefit status, employment and student status), REF*0F (the
subscriber's identifier, the same on each member loop of a family) and REF*1L (group), the
member-level dates (DTP*356/357 eligibility begin and end, 303 maintenance effective, 336
employment begin), NM1*IL (names, and the member's SSN when NM108 is 34), N3/N4, DMG (birth
date, sex), the member's earlier name and birth date NM1*70/DMG (2100B, on a correction), and
each HD loop (2300): maintenance type, insurance line, plan coverage description (HD04, the
employer's plan id), coverage level, DTP*348/349 benefit begin and end.

A malformed element (a date that is not one, a code outside the guide's list, a required element
or segment missing) is a syntax error that rejects the set (999 IK5 R with the IK3/IK4 naming it).
What the enrollment rules decide (an unknown plan, a tier that does not fit, a relationship the
plans do not cover) is for ``aso.edi.enrollment`` to say when it applies the set.

The member document (``MemberRead.document``) never holds a whole SSN: ``ssn`` is masked, and the
digits travel beside it for the enrollment alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aso.edi.codes import ElementError, SegmentError
from aso.edi.events import SetHeader, SetReader
from aso.edi.findings import Finding, Level, Severity
from aso.edi.reader import Delimiters, Segment
from aso.edi.values import date_range, iso_date
from aso.edi.x834_codes import (
    BENEFIT_STATUSES,
    BGN_PURPOSES,
    COVERAGE_LEVEL_CODES,
    COVERAGE_LEVELS,
    HD_MAINTENANCE,
    INS_MAINTENANCE,
    INSURANCE_LINE_CODES,
    INSURANCE_LINES,
    RELATIONSHIP_CODES,
    RELATIONSHIPS,
    SEXES,
    Action,
)
from aso.members.domain import mask_ssn, normalize_ssn

GUIDE = "005010X220A1"
MEMBER_DATES = {
    "356": "eligibility_start",
    "357": "eligibility_end",
    "303": "effective",
    "336": "hire_date",
    "337": "employment_end",
}
"""Member-level DTP qualifiers (loop 2000) kept, by the name the document gives them."""


@dataclass(frozen=True, slots=True)
class Where:
    """A segment of the set: what a finding about it names (999 IK301..IK303)."""

    segment: str
    position: int
    set_position: int
    loop: str


@dataclass
class EnrollmentHeader:
    """What the set's header says: whose enrollment it is and how its member loops apply."""

    purpose: str = ""
    reference: str = ""
    created: str = ""
    action: str = ""
    master_policy: str = ""
    effective: str = ""
    sponsor_name: str = ""
    sponsor_qualifier: str = ""
    sponsor_id: str = ""
    payer_name: str = ""
    payer_id: str = ""
    bgn: Where | None = None
    sponsor: Where | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "purpose": self.purpose,
            "reference": self.reference,
            "created": self.created,
            "action": self.action,
            "master_policy": self.master_policy,
            "effective": self.effective,
            "sponsor": {
                "name": self.sponsor_name,
                "qualifier": self.sponsor_qualifier,
                "id": self.sponsor_id,
            },
            "payer": {"name": self.payer_name, "id": self.payer_id},
        }
        return {key: value for key, value in data.items() if value}


@dataclass
class CoverageLine:
    """One HD loop (2300): a coverage row of the member."""

    maintenance: str
    insurance_line: str
    plan: str
    coverage_level: str
    hd: Where
    start: str = ""
    end: str = ""
    begin_at: Where | None = None
    end_at: Where | None = None

    @property
    def line(self) -> str:
        found = INSURANCE_LINES.get(self.insurance_line)
        return found.value if found else ""

    @property
    def tier(self) -> str:
        found = COVERAGE_LEVELS.get(self.coverage_level)
        return found.value if found else ""

    def document(self) -> dict[str, Any]:
        data = {
            "line": self.line,
            "insurance_line": self.insurance_line,
            "maintenance": self.maintenance,
            "plan": self.plan,
            "tier": self.tier,
            "coverage_level": self.coverage_level,
            "start": self.start,
            "end": self.end,
        }
        return {key: value for key, value in data.items() if value}


@dataclass
class EnrollmentMember:
    """One member loop (2000) as read; ``where`` names the segments findings point at."""

    is_subscriber: bool
    relationship_code: str
    maintenance: str
    reason: str
    benefit_status: str
    employment_status: str
    student_status: str
    ins: Where
    subscriber_id: str = ""
    group: str = ""
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    suffix: str = ""
    id_qualifier: str = ""
    id: str = ""
    ssn: str | None = None
    """The digits, for matching and storing encrypted; never in the document."""
    birth_date: str = ""
    sex: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    dates: dict[str, str] = field(default_factory=dict)
    prior: dict[str, str] = field(default_factory=dict)
    coverages: list[CoverageLine] = field(default_factory=list)
    where: dict[str, Where] = field(default_factory=dict)
    """By ``REF*0F``, ``NM1``, ``DMG``, ``N3``, ``N4``, ``DTP*357``, ..."""

    @property
    def relationship(self) -> str:
        found = RELATIONSHIPS.get(self.relationship_code)
        return found.value if found else "other"

    @property
    def has_address(self) -> bool:
        return bool(self.address1 or self.city or self.state or self.zip)

    def document(self) -> dict[str, Any]:
        """The member in the scenario shape (DESIGN 7 and 9) with its coverage rows."""
        data: dict[str, Any] = {
            "subscriber": self.subscriber_id,
            "relationship": self.relationship,
            "relationship_code": self.relationship_code,
            "maintenance": self.maintenance,
            "maintenance_reason": self.reason,
            "benefit_status": self.benefit_status,
            "employment_status": self.employment_status,
            "student_status": self.student_status,
            "group": self.group,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "suffix": self.suffix,
            "id": self.id if self.id_qualifier != "34" else "",
            "ssn": mask_ssn(self.ssn[-4:]) if self.ssn else "",
            "dob": self.birth_date,
            "sex": self.sex,
            **{name: self.dates[code] for code, name in MEMBER_DATES.items() if code in self.dates},
        }
        if self.has_address:
            address = {
                "address1": self.address1,
                "address2": self.address2,
                "city": self.city,
                "state": self.state,
                "zip": self.zip,
            }
            data["address"] = {key: value for key, value in address.items() if value}
        if self.prior:
            data["prior"] = dict(self.prior)
        document = {key: value for key, value in data.items() if value}
        document["coverage"] = [coverage.document() for coverage in self.coverages]
        return document


@dataclass(slots=True)
class MemberRead:
    """A complete member loop of an 834 set, with the set's header."""

    header: SetHeader
    enrollment: EnrollmentHeader
    member: EnrollmentMember

    @property
    def document(self) -> dict[str, Any]:
        return self.member.document()


class EnrollmentReader(SetReader):
    """Reads the members of one 834 set, handing each on when its loop ends."""

    def __init__(self, header: SetHeader, delimiters: Delimiters) -> None:
        super().__init__(header, delimiters)
        self.enrollment = EnrollmentHeader()
        self.member: EnrollmentMember | None = None
        self.coverage: CoverageLine | None = None
        self.members = 0
        self.handlers = {
            "BGN": self._bgn,
            "REF": self._ref,
            "DTP": self._dtp,
            "N1": self._n1,
            "INS": self._ins,
            "NM1": self._nm1,
            "N3": self._n3,
            "N4": self._n4,
            "DMG": self._dmg,
            "HD": self._hd,
        }

    def close(self) -> list[Any]:
        done = self._finish()
        if not self.members:
            self.findings.append(
                Finding(
                    Level.SET,
                    "the set has no member loop (2000, INS): at least one is required",
                    segment="INS",
                    position=self.header.position,
                    set_position=1,
                    set_control=self.header.control_number,
                    segment_code=SegmentError.REQUIRED_MISSING,
                )
            )
        start = Where("ST", self.header.position, 1, "HEADER")
        if self.enrollment.bgn is None:
            self._missing(start, "BGN", "HEADER", "the beginning segment (BGN) is required")
        if not self.enrollment.sponsor_id:
            where = self.enrollment.bgn or start
            self._missing(where, "N1", "1000A", "the sponsor (N1*P5) is required")
        return done

    # -- findings -------------------------------------------------------------------------

    def _where(self, segment: Segment, set_position: int, loop: str) -> Where:
        return Where(segment.id, segment.position, set_position, loop)

    def _error(
        self, at: Where, element: int, message: str, code: ElementError, value: str = ""
    ) -> None:
        """A malformed element: the set is rejected (999 IK3 code 8 with this IK4)."""
        self.findings.append(
            Finding(
                Level.SET,
                message,
                segment=at.segment,
                position=at.position,
                set_position=at.set_position,
                set_control=self.header.control_number,
                loop=at.loop,
                element=element,
                value=value or None,
                segment_code=SegmentError.HAS_ELEMENT_ERRORS,
                element_code=code,
            )
        )

    def _missing(self, at: Where, segment: str, loop: str, message: str) -> None:
        """A required segment is missing from the loop that begins at ``at``."""
        self.findings.append(
            Finding(
                Level.SET,
                message,
                segment=segment,
                position=at.position,
                set_position=at.set_position,
                set_control=self.header.control_number,
                loop=loop,
                segment_code=SegmentError.REQUIRED_MISSING,
            )
        )

    def _code(
        self, segment: Segment, at: Where, element: int, allowed: frozenset[str], name: str
    ) -> str:
        """A coded element: required, and one of the guide's codes."""
        value = segment.get(element)
        if not value:
            self._error(at, element, f"{name} is required", ElementError.REQUIRED_MISSING)
        elif value not in allowed:
            self._error(
                at, element, f"{value!r} is not a {name} code", ElementError.INVALID_CODE, value
            )
        return value

    def _date(self, segment: Segment, at: Where, element: int, name: str) -> str:
        text = segment.get(element)
        found = iso_date(text)
        if found is None:
            message = f"{name} is required" if not text else f"{text!r} is not a date (CCYYMMDD)"
            code = ElementError.REQUIRED_MISSING if not text else ElementError.INVALID_DATE
            self._error(at, element, message, code, text)
            return ""
        return found

    def _period(self, segment: Segment, at: Where) -> tuple[str, str]:
        """DTP03 as D8 (one date) or RD8 (a range); ("", "") with a syntax error."""
        form, text = segment.get(2), segment.get(3)
        if form == "D8":
            day = self._date(segment, at, 3, "the date")
            return day, day
        if form == "RD8":
            found = date_range(text)
            if found is None:
                self._error(
                    at,
                    3,
                    f"{text!r} is not a date range (CCYYMMDD-CCYYMMDD)",
                    ElementError.INVALID_DATE,
                    text,
                )
                return "", ""
            return found
        self._error(
            at, 2, f"date format {form!r} is neither D8 nor RD8", ElementError.INVALID_CODE, form
        )
        return "", ""

    # -- header ---------------------------------------------------------------------------

    def _bgn(self, segment: Segment, set_position: int, loop: str) -> None:
        at = self._where(segment, set_position, loop)
        header = self.enrollment
        header.bgn = at
        header.purpose = self._code(segment, at, 1, BGN_PURPOSES, "transaction set purpose")
        header.reference = segment.get(2)
        if not header.reference:
            self._error(
                at, 2, "the reference identification is required", ElementError.REQUIRED_MISSING
            )
        header.created = self._date(segment, at, 3, "the transaction set creation date")
        actions = frozenset(action.value for action in Action)
        header.action = self._code(segment, at, 8, actions, "action")

    def _n1(self, segment: Segment, set_position: int, loop: str) -> None:
        at = self._where(segment, set_position, loop)
        if loop == "1000A":
            header = self.enrollment
            header.sponsor = at
            header.sponsor_name = segment.get(2)
            header.sponsor_qualifier = self._code(
                segment, at, 3, frozenset({"24", "94", "FI"}), "sponsor identification qualifier"
            )
            header.sponsor_id = segment.get(4)
            if not header.sponsor_id:
                self._error(
                    at, 4, "the sponsor identifier is required", ElementError.REQUIRED_MISSING
                )
        elif loop == "1000B":
            self.enrollment.payer_name = segment.get(2)
            self.enrollment.payer_id = segment.get(4)

    # -- member ---------------------------------------------------------------------------

    def _ins(self, segment: Segment, set_position: int, loop: str) -> list[Any] | None:
        done = self._finish()
        at = self._where(segment, set_position, loop)
        indicator = self._code(segment, at, 1, frozenset({"Y", "N"}), "subscriber indicator")
        relationship = self._code(segment, at, 2, RELATIONSHIP_CODES, "relationship")
        if indicator and relationship and (indicator == "Y") != (relationship == "18"):
            self._error(
                at,
                2,
                f"INS01 {indicator} with relationship {relationship}: the subscriber (Y) and "
                "only the subscriber is 18 (self)",
                ElementError.INVALID_CODE,
                relationship,
            )
        self.member = EnrollmentMember(
            is_subscriber=indicator == "Y",
            relationship_code=relationship,
            maintenance=self._code(segment, at, 3, INS_MAINTENANCE, "maintenance type"),
            reason=segment.get(4),
            benefit_status=self._code(segment, at, 5, BENEFIT_STATUSES, "benefit status"),
            employment_status=segment.get(8),
            student_status=segment.get(9),
            ins=at,
        )
        self.coverage = None
        self.members += 1
        return done or None

    def _ref(self, segment: Segment, set_position: int, loop: str) -> None:
        member, qualifier, value = self.member, segment.get(1), segment.get(2)
        if loop == "HEADER" and qualifier == "38":
            self.enrollment.master_policy = value
        elif loop == "2000" and member is not None:
            if qualifier == "0F":
                member.subscriber_id = value
                member.where["REF*0F"] = self._where(segment, set_position, loop)
            elif qualifier == "1L":
                member.group = value

    def _dtp(self, segment: Segment, set_position: int, loop: str) -> None:
        qualifier = segment.get(1)
        at = self._where(segment, set_position, loop)
        if loop == "HEADER":
            if qualifier == "007":
                self.enrollment.effective = self._date(segment, at, 3, "the effective date")
            return
        member = self.member
        if loop == "2000" and member is not None and qualifier in MEMBER_DATES:
            first, _ = self._period(segment, at)
            if first:
                member.dates[qualifier] = first
                member.where[f"DTP*{qualifier}"] = at
        elif loop == "2300" and self.coverage is not None:
            self._coverage_date(segment, at, qualifier, self.coverage)

    def _coverage_date(
        self, segment: Segment, at: Where, qualifier: str, coverage: CoverageLine
    ) -> None:
        if qualifier not in ("348", "349"):
            return
        first, last = self._period(segment, at)
        if not first:
            return
        if qualifier == "348":
            coverage.start, coverage.begin_at = first, at
            if last != first:
                coverage.end, coverage.end_at = last, at
        else:
            coverage.end, coverage.end_at = last, at

    def _nm1(self, segment: Segment, set_position: int, loop: str) -> None:
        member = self.member
        if member is None:
            return
        at = self._where(segment, set_position, loop)
        if loop == "2100A":
            member.where["NM1"] = at
            member.last_name = segment.get(3)
            if not member.last_name:
                self._error(
                    at, 3, "the member's last name is required", ElementError.REQUIRED_MISSING
                )
            member.first_name = segment.get(4)
            member.middle_name = segment.get(5)
            member.suffix = segment.get(7)
            member.id_qualifier, member.id = segment.get(8), segment.get(9)
            if member.id_qualifier == "34" and member.id:
                member.ssn = self._ssn(member.id, at)
        elif loop == "2100B":
            member.where["NM1*70"] = at
            for key, index in (("last_name", 3), ("first_name", 4)):
                if segment.get(index):
                    member.prior[key] = segment.get(index)

    def _ssn(self, text: str, at: Where) -> str | None:
        try:
            return normalize_ssn(text)
        except ValueError as exc:
            self.findings.append(
                Finding(
                    Level.SET,
                    f"NM109 is not an SSN ({exc}): it is not kept",
                    severity=Severity.WARNING,
                    segment=at.segment,
                    position=at.position,
                    set_position=at.set_position,
                    set_control=self.header.control_number,
                    loop=at.loop,
                    element=9,
                )
            )
            return None

    def _n3(self, segment: Segment, set_position: int, loop: str) -> None:
        if loop == "2100A" and self.member is not None:
            self.member.address1, self.member.address2 = segment.get(1), segment.get(2)
            self.member.where["N3"] = self._where(segment, set_position, loop)

    def _n4(self, segment: Segment, set_position: int, loop: str) -> None:
        member = self.member
        if loop == "2100A" and member is not None:
            member.city, member.state, member.zip = segment.get(1), segment.get(2), segment.get(3)
            member.where["N4"] = self._where(segment, set_position, loop)

    def _dmg(self, segment: Segment, set_position: int, loop: str) -> None:
        member = self.member
        if member is None or loop not in ("2100A", "2100B"):
            return
        at = self._where(segment, set_position, loop)
        if segment.get(1) != "D8":
            self._error(at, 1, "the date format is D8", ElementError.INVALID_CODE, segment.get(1))
        born = self._date(segment, at, 2, "the birth date")
        sex = segment.get(3)
        if sex and sex not in SEXES:
            self._error(at, 3, f"{sex!r} is not a gender code", ElementError.INVALID_CODE, sex)
        if loop == "2100B":
            if born:
                member.prior["dob"] = born
            return
        member.where["DMG"] = at
        member.birth_date, member.sex = born, sex if sex in SEXES else ""

    def _hd(self, segment: Segment, set_position: int, loop: str) -> None:
        member = self.member
        if member is None:
            return
        at = self._where(segment, set_position, loop)
        level = segment.get(5)
        if level and level not in COVERAGE_LEVEL_CODES:
            self._error(
                at, 5, f"{level!r} is not a coverage level code", ElementError.INVALID_CODE, level
            )
        self.coverage = CoverageLine(
            maintenance=self._code(segment, at, 1, HD_MAINTENANCE, "maintenance type"),
            insurance_line=self._code(segment, at, 3, INSURANCE_LINE_CODES, "insurance line"),
            plan=segment.get(4).strip(),
            coverage_level=level,
            hd=at,
        )
        member.coverages.append(self.coverage)

    # -- a complete member ------------------------------------------------------------------

    def _finish(self) -> list[Any]:
        member = self.member
        if member is None:
            return []
        self.member, self.coverage = None, None
        if not member.subscriber_id:
            self._warning(
                member.ins,
                "REF",
                "the subscriber identifier (REF*0F) is missing: "
                "the guide requires it, and the member cannot be enrolled without it",
            )
        if "NM1" not in member.where:
            self._missing(member.ins, "NM1", "2100A", "the member name (NM1*IL) is required")
        return [MemberRead(self.header, self.enrollment, member)]

    def _warning(self, at: Where, segment: str, message: str) -> None:
        self.findings.append(
            Finding(
                Level.SET,
                message,
                severity=Severity.WARNING,
                segment=segment,
                position=at.position,
                set_position=at.set_position,
                set_control=self.header.control_number,
                loop=at.loop,
            )
        )
