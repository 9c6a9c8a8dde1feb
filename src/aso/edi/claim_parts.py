"""What has been read of an 837 claim and its lines, and what it becomes when complete: the
scenario claim document (DESIGN 7 and 9), its ``source`` (where it is in the file and what the
claim shape cannot carry), and the claim-level rules checked on it.

The claim-level rules reject the claim alone: a line without a date of service, and a total
charge CLM02 that is not the sum of the line charges (the guides' rule for CLM02). A claim
without a service line breaks the guide's structure (loop 2400 is required) and rejects its set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aso.edi.codes import SegmentError
from aso.edi.events import SetHeader
from aso.edi.findings import Finding, Level, Severity
from aso.edi.values import cents
from aso.money import from_cents

INVALID = "invalid"
"""A date that was sent but could not be read (a syntax error names it)."""


@dataclass(slots=True)
class ClaimRead:
    """One claim of an 837 set: the engine's document, what the shape cannot hold, findings."""

    header: SetHeader
    document: dict[str, Any]
    source: dict[str, Any]
    findings: tuple[Finding, ...]

    @property
    def rejected(self) -> bool:
        return any(finding.is_error for finding in self.findings)


class LineParts:
    """A service line (loop 2400) as read so far. Fields not sent keep their class default."""

    charge = procedure = pos = revenue_code = ndc = ""
    units = unit_basis = prior_auth = allowed = ""
    date = date_to = control_number = ""
    emergency = False
    modifiers: list[str] = []  # noqa: RUF012 - replaced, never changed in place

    def __init__(self, number: int, position: int, set_position: int) -> None:
        self.number = number
        self.position = position
        self.set_position = set_position
        self.teeth: list[dict[str, Any]] = []

    def document(self, claim: ClaimParts) -> dict[str, Any]:
        """The line of the claim document; a date, place of service or emergency the line does
        not state is the claim's."""
        line: dict[str, Any] = {}
        day = self.date or claim.service_date or claim.statement_from
        if day and day != INVALID:
            line["date"] = day
        if self.procedure:
            line["procedure"] = self.procedure
        if self.modifiers:
            line["modifiers"] = self.modifiers
        pos = self.pos or claim.pos
        if pos:
            line["pos"] = pos
        if self.revenue_code:
            line["revenue_code"] = self.revenue_code
        if self.ndc:
            line["ndc"] = self.ndc
        if self.teeth:
            line["tooth"] = self.teeth[0]["tooth"]
        if self.units:
            line["units"] = self.units
        line["charge"] = self.charge
        if self.allowed:
            line["allowed"] = self.allowed
        if self.prior_auth:
            line["prior_auth"] = self.prior_auth
        if self.emergency or claim.emergency:
            line["emergency"] = True
        return line

    def source(self) -> dict[str, Any]:
        found: dict[str, Any] = {"line": self.number, "position": self.position}
        if self.control_number:
            found["control_number"] = self.control_number
        if self.date_to and self.date_to != self.date:
            found["date_to"] = self.date_to
        if self.teeth:
            found["teeth"] = self.teeth
        if self.unit_basis:
            found["unit_basis"] = self.unit_basis
        return found


class ClaimParts:
    """A claim (loop 2300) as read so far. Fields not sent keep their class default."""

    charge = pos = frequency = type_of_bill = ""
    replaces = prior_auth = repriced = ""
    service_date = service_to = statement_from = statement_to = ""
    emergency = predetermination = False

    def __init__(self, claim_id: str, position: int, set_position: int) -> None:
        self.id = claim_id
        self.position = position
        self.set_position = set_position
        self.diagnoses: list[str] = []
        self.icd9: list[str] = []
        self.lines: list[LineParts] = []
        self.findings: list[Finding] = []
        self.rendering: dict[str, str] = {}
        self.patient: dict[str, Any] = {}

    def document(
        self,
        *,
        member: str,
        claim_type: str,
        provider: dict[str, str],
        received: str,
        subscriber: dict[str, Any],
    ) -> dict[str, Any]:
        """The scenario claim document (``aso.claims.parsing.parse_claim`` reads it)."""
        document: dict[str, Any] = {
            "id": self.id,
            "member": member,
            "type": claim_type,
            "provider": provider,
        }
        if received:
            document["received"] = received
        if self.diagnoses:
            document["diagnoses"] = self.diagnoses
        if self.type_of_bill:
            document["type_of_bill"] = self.type_of_bill
        if self.frequency:
            document["frequency"] = self.frequency
        if self.replaces:
            document["replaces"] = self.replaces
        if self.prior_auth:
            document["prior_auth"] = self.prior_auth
        document["patient"] = self.patient
        document["subscriber"] = subscriber
        document["lines"] = [line.document(self) for line in self.lines]
        return document

    def source(self) -> dict[str, Any]:
        """Where the claim is in the file, and what the claim document cannot carry."""
        source: dict[str, Any] = {
            "claim": self.id,
            "position": self.position,
            "set_position": self.set_position,
            "charge": self.charge,
        }
        if self.icd9:
            source["icd9"] = self.icd9
        if self.rendering:
            source[self.rendering["role"]] = {
                key: value for key, value in self.rendering.items() if key != "role"
            }
        if self.statement_from:
            source["statement"] = {"from": self.statement_from, "to": self.statement_to}
        if self.service_to and self.service_to != self.service_date:
            source["service_to"] = self.service_to
        if self.repriced:
            source["repriced_allowed"] = self.repriced
        if self.predetermination:
            source["predetermination"] = True
        source["lines"] = [line.source() for line in self.lines]
        return source

    def check(self, control: str) -> list[Finding]:
        """The claim-level rules, their findings added to the claim's; returns the set-level
        finding of a claim without lines."""
        if not self.lines:
            message = f"claim {self.id} has no service line (loop 2400 is required)"
            return [
                self.finding(
                    Level.SET, message, control, segment_code=SegmentError.LOOP_UNDER_MINIMUM
                )
            ]
        self._spread_repricing(control)
        for line in self.lines:
            if not (line.date or self.service_date or self.statement_from):
                self.findings.append(
                    Finding(
                        Level.CLAIM,
                        "the line has no date of service (DTP*472)",
                        segment="LX",
                        position=line.position,
                        set_position=line.set_position,
                        set_control=control,
                        loop="2400",
                        claim=self.id,
                        line=line.number,
                    )
                )
        if self.charge and all(line.charge for line in self.lines):
            total = sum(cents(line.charge) for line in self.lines)
            if total != cents(self.charge):
                message = (
                    f"CLM02 {self.charge} is not the sum of the line charges, {from_cents(total)}"
                )
                self.findings.append(
                    self.finding(Level.CLAIM, message, control, element=2, value=self.charge)
                )
        return []

    def _spread_repricing(self, control: str) -> None:
        """A claim-level repriced amount (HCP in 2300) prices a claim of one line."""
        unpriced = [line for line in self.lines if not line.allowed]
        if not self.repriced or not unpriced:
            return
        if len(self.lines) == 1:
            self.lines[0].allowed = self.repriced
            return
        numbers = ", ".join(str(line.number) for line in unpriced)
        message = (
            f"the repriced allowed amount {self.repriced} (HCP02 of loop 2300) is not split over "
            f"lines {numbers}, which have no HCP of their own"
        )
        self.findings.append(self.finding(Level.CLAIM, message, control, severity=Severity.WARNING))

    def finding(self, level: Level, message: str, control: str, **codes: Any) -> Finding:
        """A finding at the claim's CLM segment."""
        return Finding(
            level,
            message,
            segment="CLM",
            position=self.position,
            set_position=self.set_position,
            set_control=control,
            loop="2300",
            claim=self.id if level is Level.CLAIM else None,
            **codes,
        )
