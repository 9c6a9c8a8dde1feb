"""837P, 837I and 837D claims (005010X222A1, X223A2, X224A2) into the scenario claim shape.

Each claim (loop 2300) becomes the document ``aso.claims.parsing.parse_claim`` reads (DESIGN 7
and 9): ``id`` CLM01; ``member`` the subscriber's id (2010BA NM109); ``provider`` the billing
provider (2010AA NM109, REF*EI, NM103) with the rendering provider's taxonomy (PRV*PE) on a
professional or dental claim and the billing provider's (PRV*BI) otherwise; ``received`` BHT04;
``diagnoses`` ICD-10-CM from HI (ABK principal first, then ABF, ABJ, APR, ABN); ``type_of_bill``
CLM05-1 + CLM05-3 on an 837I; ``frequency`` CLM05-3 and ``replaces`` REF*F8; ``prior_auth``
REF*G1; ``patient`` and ``subscriber`` details. Each line (loop 2400) has its date (DTP*472, else
the claim's DTP*472 on an 837D or the statement dates DTP*434 on an 837I), procedure and
modifiers (SV101, SV202, SV301 composites), place of service (CLM05-1, SV105 or SV303 overriding),
revenue code (SV201), NDC (LIN*N4 in 2410), tooth (TOO02), units (SV104, SV205, SV306), charge,
``allowed`` from the repricer's HCP02, prior authorization and the emergency indicator (SV109
on an 837P; CL101 1, an emergency admission, on an 837I).

The network of the provider is not in the file: the document has none (the intake finds it from
the provider directory). What the shape cannot carry is kept beside it, in ``source``: ICD-9-CM
codes (qualifiers BK, BF, ... as sent, flagged by a warning: ICD-9 is not a HIPAA code set for
services since 2015-10-01, 45 CFR 162.1002(c)), every tooth and its surfaces, line item control
numbers (REF*6R, echoed in the 835), the end of a service date range, the rendering provider.

Rejected alone (a claim-level error, the set accepted): an NPI that fails its check digit
(45 CFR 162.406), a total charge CLM02 that is not the sum of the line charges (the guides' rule
for CLM02), a line without a date of service, a predetermination (CLM19 PB), which asks for an
estimate and must not be paid. Malformed elements (an amount, a date, a required code) are
syntax errors that reject the whole set.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aso.claims.parsing import npi_valid
from aso.edi.claim_parts import INVALID, ClaimParts, ClaimRead, LineParts
from aso.edi.codes import ElementError, SegmentError
from aso.edi.events import SetHeader, SetReader
from aso.edi.findings import Finding, Level, Severity
from aso.edi.reader import Delimiters, Segment
from aso.edi.values import date_range, iso_date, money, quantity

KINDS = {
    "005010X222A1": ("professional", "professional"),
    "005010X223A2": ("institutional", "facility"),
    "005010X224A2": ("dental", "dental"),
}
"""Claim type and provider kind by guide."""
RELATIONSHIPS = {"18": "subscriber", "01": "spouse", "19": "child", "53": "domestic_partner"}
"""Individual relationship codes (SBR02, PAT01) as the engine names them; any other: other."""
ICD10 = {"ABK": True, "ABF": False, "ABJ": False, "APR": False, "ABN": False}
"""ICD-10-CM diagnosis qualifiers of HI, and whether the code is the principal one."""
ICD9 = frozenset({"BK", "BF", "BJ", "PR", "BN"})
RENDERING = {"82": "rendering", "71": "attending"}
SUBSCRIBER_DETAILS = (
    ("payer_responsibility", 1),
    ("relationship_code", 2),
    ("group_number", 3),
    ("group_name", 4),
    ("claim_filing", 9),
)
"""What SBR says of the subscriber: SBR01, 02, 03, 04 and 09."""
ZERO_PRICING = "00"
"""HCP01 pricing methodology 00: zero pricing, not covered under the repricer's contract."""


class ClaimReader(SetReader):
    """Reads the claims of one 837 set, handing each on as soon as it is complete."""

    def __init__(self, header: SetHeader, delimiters: Delimiters) -> None:
        super().__init__(header, delimiters)
        self.claim_type, self.provider_kind = KINDS[header.reference]
        self.component = delimiters.component
        self.received = ""
        self.billing: dict[str, str] = {}
        self.billing_taxonomy = ""
        self.billing_findings: list[Finding] = []
        self.providers: dict[str, dict[str, str]] = {}
        """The provider of the documents by taxonomy, for the current billing provider."""
        self.subscriber: dict[str, Any] = {}
        self.patient: dict[str, Any] | None = None
        self.self_patient: dict[str, Any] | None = None
        self.claim: ClaimParts | None = None
        self.line: LineParts | None = None
        self.handlers = {  # the segments read, in the order of the guide
            "BHT": self._bht,
            "HL": self._hl,
            "NM1": self._nm1,
            "PRV": self._prv,
            "REF": self._ref,
            "SBR": self._sbr,
            "PAT": self._pat,
            "DMG": self._dmg,
            "CLM": self._clm,
            "DTP": self._dtp,
            "CL1": self._cl1,
            "HI": self._hi,
            "HCP": self._hcp,
            "LX": self._lx,
            "SV1": self._sv1,
            "SV2": self._sv2,
            "SV3": self._sv3,
            "TOO": self._too,
            "LIN": self._lin,
        }

    def close(self) -> list[Any]:
        return self._finish()

    # -- findings -------------------------------------------------------------------------

    def _finding(
        self,
        segment: Segment,
        set_position: int,
        loop: str,
        message: str,
        *,
        level: Level = Level.SET,
        severity: Severity = Severity.ERROR,
        **codes: Any,
    ) -> Finding:
        claim = self.claim
        return Finding(
            level,
            message,
            severity=severity,
            segment=segment.id,
            position=segment.position,
            set_position=set_position,
            set_control=self.header.control_number,
            loop=loop,
            claim=claim.id if claim is not None and level is Level.CLAIM else None,
            **codes,
        )

    def _syntax(
        self,
        segment: Segment,
        set_position: int,
        loop: str,
        element: int,
        message: str,
        code: ElementError,
        component: int | None = None,
    ) -> None:
        """A malformed element: the set is rejected (999 IK3 code 8 with this IK4)."""
        value = segment.get(element)
        if component is not None:
            parts = value.split(self.component)
            value = parts[component - 1] if component <= len(parts) else ""
        self.findings.append(
            self._finding(
                segment,
                set_position,
                loop,
                message,
                element=element,
                component=component,
                value=value or None,
                segment_code=SegmentError.HAS_ELEMENT_ERRORS,
                element_code=code,
            )
        )

    def _claim_finding(
        self,
        segment: Segment,
        set_position: int,
        loop: str,
        message: str,
        *,
        severity: Severity = Severity.ERROR,
        **codes: Any,
    ) -> None:
        if self.claim is None:
            return
        self.claim.findings.append(
            self._finding(
                segment,
                set_position,
                loop,
                message,
                level=Level.CLAIM,
                severity=severity,
                **codes,
            )
        )

    def _amount(
        self, text: str, segment: Segment, set_position: int, loop: str, element: int
    ) -> str:
        """A required amount, or "" with a syntax error."""
        amount = money(text)
        if amount is not None:
            return amount
        if not text:
            self._syntax(
                segment, set_position, loop, element, "is required", ElementError.REQUIRED_MISSING
            )
        else:
            self._syntax(
                segment,
                set_position,
                loop,
                element,
                f"{text!r} is not a decimal amount (at most 2 decimal places)",
                ElementError.INVALID_CHARACTER,
            )
        return ""

    def _quantity(
        self, text: str, segment: Segment, set_position: int, loop: str, element: int
    ) -> str:
        if not text:
            return ""
        found = quantity(text)
        if found is None or found.startswith("-"):
            self._syntax(
                segment,
                set_position,
                loop,
                element,
                f"{text!r} is not a quantity",
                ElementError.INVALID_CHARACTER,
            )
            return ""
        return found

    def _npi(
        self, segment: Segment, set_position: int, loop: str, what: str
    ) -> tuple[str, Finding | None]:
        """NM109 when NM108 is XX, and a claim-level finding when its check digit fails."""
        if segment.get(8) != "XX":
            return "", None
        npi = segment.get(9)
        if npi_valid(npi):
            return npi, None
        return npi, Finding(
            Level.CLAIM,
            f"the {what} NPI {npi!r} fails the NPI check digit (Luhn over 80840 and its first "
            "9 digits)",
            segment="NM1",
            position=segment.position,
            set_position=set_position,
            set_control=self.header.control_number,
            loop=loop,
            element=9,
            value=npi,
            element_code=ElementError.PATTERN_MISMATCH,
        )

    # -- header and hierarchical levels ---------------------------------------------------

    def _bht(self, segment: Segment, set_position: int, loop: str) -> None:
        received = iso_date(segment.get(4))
        if received is None:
            self._syntax(
                segment,
                set_position,
                loop,
                4,
                f"{segment.get(4)!r} is not a date (CCYYMMDD)",
                ElementError.INVALID_DATE,
            )
        else:
            self.received = received
        if segment.get(6) == "RP":
            self.findings.append(
                self._finding(
                    segment,
                    set_position,
                    loop,
                    "BHT06 RP: the set reports encounters (services paid otherwise, e.g. "
                    "under capitation), not claims for payment",
                    severity=Severity.WARNING,
                    element=6,
                    value="RP",
                )
            )

    def _hl(self, segment: Segment, set_position: int, loop: str) -> list[Any] | None:
        done = self._finish()
        level = segment.get(3)
        if level == "20":
            self.billing, self.billing_taxonomy, self.billing_findings = {}, "", []
            self.providers = {}
        elif level == "22":
            self.subscriber, self.patient, self.self_patient = {}, None, None
        elif level == "23":
            self.patient = {}
        return done or None

    def _nm1(self, segment: Segment, set_position: int, loop: str) -> None:
        if loop == "2010AA":
            self._billing(segment, set_position, loop)
        elif loop == "2010BA":
            self._subscriber(segment, set_position, loop)
        elif loop == "2010BB":
            self.subscriber["payer_name"] = segment.get(3)
            self.subscriber["payer_id"] = segment.get(9)
        elif loop == "2010CA" and self.patient is not None:
            self.patient.update(_names(segment))
        elif loop.startswith("2310") and self.claim is not None:
            role = RENDERING.get(segment.get(1))
            if role is not None:
                npi, finding = self._npi(segment, set_position, loop, role)
                self.claim.rendering = {"role": role, **_names(segment)}
                if npi:
                    self.claim.rendering["npi"] = npi
                if finding is not None:
                    self.claim.findings.append(replace(finding, claim=self.claim.id))

    def _billing(self, segment: Segment, set_position: int, loop: str) -> None:
        name = segment.get(3)
        if segment.get(2) == "1" and segment.get(4):
            name = f"{segment.get(4)} {name}"
        self.billing, self.providers = {"name": name}, {}
        npi, finding = self._npi(segment, set_position, loop, "billing provider")
        if npi:
            self.billing["npi"] = npi
        self.billing_findings = [finding] if finding is not None else []

    def _subscriber(self, segment: Segment, set_position: int, loop: str) -> None:
        member = segment.get(9)
        if not member:
            self._syntax(
                segment,
                set_position,
                loop,
                9,
                "the subscriber's member id is required",
                ElementError.REQUIRED_MISSING,
            )
        self.subscriber = {"member": member, **_names(segment), **self.subscriber}

    def _prv(self, segment: Segment, set_position: int, loop: str) -> None:
        if loop == "2000A":
            self.billing_taxonomy = segment.get(3)
        elif loop.startswith("2310") and self.claim is not None and self.claim.rendering:
            self.claim.rendering["taxonomy"] = segment.get(3)

    def _ref(self, segment: Segment, set_position: int, loop: str) -> None:
        qualifier, value = segment.get(1), segment.get(2)
        if loop == "2010AA" and qualifier == "EI":
            self.billing["tin"] = value
            self.providers = {}
        elif loop == "2300" and self.claim is not None:
            if qualifier == "F8":
                self.claim.replaces = value
            elif qualifier == "G1":
                self.claim.prior_auth = value
        elif loop == "2400" and self.line is not None:
            if qualifier == "G1":
                self.line.prior_auth = value
            elif qualifier == "6R":
                self.line.control_number = value

    def _sbr(self, segment: Segment, set_position: int, loop: str) -> None:
        if loop != "2000B":
            return
        fields = _fields(segment, 9)
        for key, index in SUBSCRIBER_DETAILS:
            if fields[index]:
                self.subscriber[key] = fields[index]

    def _pat(self, segment: Segment, set_position: int, loop: str) -> None:
        if loop == "2000C" and self.patient is not None:
            code = segment.get(1)
            self.patient["relationship"] = RELATIONSHIPS.get(code, "other")
            self.patient["relationship_code"] = code

    def _dmg(self, segment: Segment, set_position: int, loop: str) -> None:
        person = {"2010BA": self.subscriber, "2010CA": self.patient}.get(loop)
        if person is None:
            return
        fields = _fields(segment, 3)
        born = iso_date(fields[2])
        if born is None:
            self._syntax(
                segment,
                set_position,
                loop,
                2,
                f"{fields[2]!r} is not a date of birth (CCYYMMDD)",
                ElementError.INVALID_DATE,
            )
        else:
            person["dob"] = born
        if fields[3]:
            person["sex"] = fields[3]

    # -- the claim ------------------------------------------------------------------------

    def _clm(self, segment: Segment, set_position: int, loop: str) -> list[Any] | None:
        done = self._finish()
        fields = _fields(segment, 19)
        claim_id = fields[1]
        if not claim_id:
            self._syntax(
                segment, set_position, loop, 1, "the claim id is required",
                ElementError.REQUIRED_MISSING,
            )  # fmt: skip
        claim = self.claim = ClaimParts(claim_id, segment.position, set_position)
        claim.charge = self._amount(fields[2], segment, set_position, loop, 2)
        facility, qualifier, frequency = [*fields[5].split(self.component), "", ""][:3]
        if not facility or not frequency:
            self._syntax(
                segment,
                set_position,
                loop,
                5,
                "CLM05 needs the facility code and the claim frequency code (CLM05-1, CLM05-3)",
                ElementError.REQUIRED_MISSING,
                component=1 if not facility else 3,
            )
        claim.frequency = frequency
        if qualifier == "A":
            claim.type_of_bill = facility + frequency
        else:
            claim.pos = facility
        claim.patient = self._patient()
        if fields[19] == "PB":
            claim.predetermination = True
            self._claim_finding(
                segment,
                set_position,
                loop,
                "CLM19 PB: a predetermination of benefits asks for an estimate; it is not a "
                "claim for payment and is not adjudicated",
                element=19,
                value="PB",
            )
        return done or None

    def _patient(self) -> dict[str, Any]:
        """The 2000C patient, or the subscriber as the patient (one dict for their claims)."""
        if self.patient is not None:
            return self.patient
        if self.self_patient is None:
            subscriber = self.subscriber
            patient: dict[str, Any] = {"relationship": "subscriber", "relationship_code": "18"}
            for key in ("member", "last_name", "first_name", "middle_name", "dob", "sex"):
                if key in subscriber:
                    patient[key] = subscriber[key]
            self.self_patient = patient
        return self.self_patient

    def _dtp(self, segment: Segment, set_position: int, loop: str) -> None:
        qualifier = segment.elements[1]
        if qualifier not in ("472", "434"):
            return
        found = self._dates(segment, set_position, loop)
        if found is None:  # a syntax error already rejects the set: no claim-level echo of it
            if loop == "2400" and self.line is not None:
                self.line.date = INVALID
            elif self.claim is not None:
                self.claim.service_date = INVALID
            return
        first, last = found
        if loop == "2400" and self.line is not None and qualifier == "472":
            self.line.date, self.line.date_to = first, last
        elif loop == "2300" and self.claim is not None:
            if qualifier == "472":
                self.claim.service_date, self.claim.service_to = first, last
            else:
                self.claim.statement_from, self.claim.statement_to = first, last

    def _dates(self, segment: Segment, set_position: int, loop: str) -> tuple[str, str] | None:
        """DTP03 as a range: D8 one date, RD8 two (one date alone is read with a warning)."""
        _, _, form, text = _fields(segment, 3)[:4]
        if form == "D8":
            day = iso_date(text)
            if day is not None:
                return day, day
        elif form == "RD8":
            found = date_range(text)
            if found is not None:
                return found
            day = iso_date(text)
            if day is not None:
                self.findings.append(
                    self._finding(
                        segment,
                        set_position,
                        loop,
                        f"RD8 asks for a range (CCYYMMDD-CCYYMMDD); {text!r} is read as "
                        f"{day} to {day}",
                        severity=Severity.WARNING,
                        element=3,
                        value=text,
                    )
                )
                return day, day
        else:
            self._syntax(
                segment,
                set_position,
                loop,
                2,
                f"date format {form!r} is neither D8 nor RD8",
                ElementError.INVALID_CODE,
            )
            return None
        self._syntax(
            segment,
            set_position,
            loop,
            3,
            f"{text!r} is not a {'date (CCYYMMDD)' if form == 'D8' else 'date range'}",
            ElementError.INVALID_DATE,
        )
        return None

    def _cl1(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.claim is not None and segment.get(1) == "1":
            self.claim.emergency = True

    def _hi(self, segment: Segment, set_position: int, loop: str) -> None:
        claim = self.claim
        if claim is None or loop != "2300":
            return
        icd9_before = len(claim.icd9)
        for element in segment.elements[1:]:
            qualifier, _, rest = element.partition(self.component)
            code = rest.partition(self.component)[0]
            principal = ICD10.get(qualifier)
            if principal:
                if code in claim.diagnoses:
                    claim.diagnoses.remove(code)
                claim.diagnoses.insert(0, code)
            elif principal is not None and code not in claim.diagnoses:
                claim.diagnoses.append(code)
            elif qualifier in ICD9:
                claim.icd9.append(f"{qualifier}:{code}")
        if len(claim.icd9) > icd9_before:
            self._claim_finding(
                segment,
                set_position,
                loop,
                f"ICD-9-CM codes {', '.join(claim.icd9[icd9_before:])} are kept with the claim's "
                "source, not in its diagnoses: the engine reads ICD-10-CM only",
                severity=Severity.WARNING,
            )

    def _hcp(self, segment: Segment, set_position: int, loop: str) -> None:
        method, text = segment.get(1), segment.get(2)
        allowed = self._amount(text, segment, set_position, loop, 2) if text else ""
        if method == ZERO_PRICING:
            reason = f", reject reason {segment.get(13)}" if segment.get(13) else ""
            self._claim_finding(
                segment,
                set_position,
                loop,
                f"HCP01 00: the repricer did not price the claim (zero pricing, not covered "
                f"under its contract{reason}); no allowed amount is taken from it",
                severity=Severity.WARNING,
                element=1,
                value=method,
            )
            return
        if loop == "2400" and self.line is not None:
            self.line.allowed = allowed
        elif loop == "2300" and self.claim is not None:
            self.claim.repriced = allowed

    # -- service lines --------------------------------------------------------------------

    def _lx(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.claim is None:
            return
        self.line = LineParts(len(self.claim.lines) + 1, segment.position, set_position)
        self.claim.lines.append(self.line)

    def _procedure(
        self,
        line: LineParts,
        text: str,
        segment: Segment,
        set_position: int,
        loop: str,
        element: int,
    ) -> None:
        """A procedure composite (HC:99213:25, AD:D2150): the code and its modifiers; required
        in SV1 and SV3 (element 1), situational in SV2."""
        parts = text.split(self.component)
        if len(parts) < 2 or not parts[1]:
            if element == 1 or text:
                self._syntax(
                    segment,
                    set_position,
                    loop,
                    element,
                    "the procedure code is required",
                    ElementError.REQUIRED_MISSING,
                    component=2,
                )
            return
        line.procedure = parts[1]
        line.modifiers = [modifier for modifier in parts[2:6] if modifier]

    def _sv1(self, segment: Segment, set_position: int, loop: str) -> None:
        line = self.line
        if line is None:
            return
        fields = _fields(segment, 9)
        self._procedure(line, fields[1], segment, set_position, loop, 1)
        line.charge = self._amount(fields[2], segment, set_position, loop, 2)
        line.unit_basis = fields[3]
        line.units = self._quantity(fields[4], segment, set_position, loop, 4)
        line.pos = fields[5]
        line.emergency = fields[9] == "Y"

    def _sv2(self, segment: Segment, set_position: int, loop: str) -> None:
        line = self.line
        if line is None:
            return
        fields = _fields(segment, 5)
        line.revenue_code = fields[1]
        if not line.revenue_code:
            self._syntax(
                segment, set_position, loop, 1, "the revenue code is required",
                ElementError.REQUIRED_MISSING,
            )  # fmt: skip
        self._procedure(line, fields[2], segment, set_position, loop, 2)
        line.charge = self._amount(fields[3], segment, set_position, loop, 3)
        line.unit_basis = fields[4]
        line.units = self._quantity(fields[5], segment, set_position, loop, 5)

    def _sv3(self, segment: Segment, set_position: int, loop: str) -> None:
        line = self.line
        if line is None:
            return
        fields = _fields(segment, 6)
        self._procedure(line, fields[1], segment, set_position, loop, 1)
        line.charge = self._amount(fields[2], segment, set_position, loop, 2)
        line.pos = fields[3]
        line.units = self._quantity(fields[6], segment, set_position, loop, 6)

    def _too(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.line is None:
            return
        tooth: dict[str, Any] = {"tooth": segment.get(2)}
        surfaces = [surface for surface in segment.get(3).split(self.component) if surface]
        if surfaces:
            tooth["surfaces"] = surfaces
        self.line.teeth.append(tooth)
        if len(self.line.teeth) == 2:
            self._claim_finding(
                segment,
                set_position,
                loop,
                f"line {self.line.number} names several teeth: the engine's line carries the "
                "first, the claim's source lists them all",
                severity=Severity.WARNING,
            )

    def _lin(self, segment: Segment, set_position: int, loop: str) -> None:
        if self.line is not None and segment.get(2) == "N4":
            self.line.ndc = segment.get(3)

    # -- a complete claim -----------------------------------------------------------------

    def _finish(self) -> list[Any]:
        claim = self.claim
        if claim is None:
            return []
        self.claim, self.line = None, None
        claim.findings.extend(replace(f, claim=claim.id) for f in self.billing_findings)
        self.findings.extend(claim.check(self.header.control_number))
        document = claim.document(
            member=self.subscriber.get("member", ""),
            claim_type=self.claim_type,
            provider=self._provider(claim),
            received=self.received,
            subscriber=self.subscriber,
        )
        read = ClaimRead(self.header, document, claim.source(), tuple(claim.findings))
        if read.rejected:
            self.rejected_claims += 1
        return [read]

    def _provider(self, claim: ClaimParts) -> dict[str, str]:
        """The billing provider with the taxonomy that describes the claim's services (one dict
        for the claims that share them)."""
        taxonomy = self.billing_taxonomy
        if self.claim_type != "institutional":
            taxonomy = claim.rendering.get("taxonomy") or taxonomy
        provider = self.providers.get(taxonomy)
        if provider is None:
            provider = self.providers[taxonomy] = {**self.billing, "kind": self.provider_kind}
            if taxonomy:
                provider["taxonomy"] = taxonomy
        return provider


def _fields(segment: Segment, last: int) -> list[str]:
    """The segment's elements up to ``last`` at least, the missing ones empty."""
    elements = segment.elements
    missing = last + 1 - len(elements)
    return elements if missing <= 0 else elements + [""] * missing


def _names(segment: Segment) -> dict[str, str]:
    """A person's names from NM103 (last), NM104 (first), NM105 (middle), NM107 (suffix)."""
    fields = _fields(segment, 7)
    names = {"last_name": fields[3]}
    for key, index in (("first_name", 4), ("middle_name", 5), ("suffix", 7)):
        if fields[index]:
            names[key] = fields[index]
    return names
