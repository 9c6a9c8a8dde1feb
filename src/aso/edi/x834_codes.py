"""The code lists of the 834 (005010X220A1) the reader checks, and what their codes mean here.

Relationship (INS02), maintenance type (INS03, HD01), insurance line (HD03) and coverage level
(HD05) codes as the guide lists them, with the ones this TPA maps to its own vocabulary
(DESIGN 2 and 3): a relationship, a line of coverage, a tier.
"""

from __future__ import annotations

from enum import StrEnum

from aso.members.domain import Relationship
from aso.plans.domain import Line, Tier


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


class Maintenance(StrEnum):
    """INS03 and HD01 maintenance type codes."""

    CHANGE = "001"
    DELETE = "002"
    ADDITION = "021"
    TERMINATION = "024"
    """Cancellation or termination."""
    REINSTATEMENT = "025"
    CORRECTION = "026"
    AUDIT = "030"
    """Audit or compare: the member's state as the sponsor has it."""
    NOT_APPLICABLE = "032"
    """Employee information not applicable (HD01 only)."""


INS_MAINTENANCE = frozenset({"001", "021", "024", "025", "030"})
HD_MAINTENANCE = frozenset(m.value for m in Maintenance)
STATED = frozenset(
    {Maintenance.CHANGE, Maintenance.ADDITION, Maintenance.CORRECTION, Maintenance.AUDIT}
)
"""HD01 codes that state a coverage (plan, tier, dates) as it is to be on file."""

BGN_PURPOSES = frozenset({"00", "15", "22"})
"""BGN01: original, re-submission, information copy."""


class Action(StrEnum):
    """BGN08: how the set's member loops apply."""

    CHANGE = "2"
    """Change (update): each member loop is a maintenance transaction."""
    VERIFY = "4"
    """Verify: the sponsor's enrollment to compare with ours; nothing is changed."""
    REPLACE = "RX"
    """Replace: the whole enrollment (a full file); members left out are no longer enrolled."""


RELATIONSHIP_CODES = _codes(
    "01 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 23 24 25 26 31 38 53 60 D2 G8 G9"
)
RELATIONSHIPS: dict[str, Relationship] = {
    "18": Relationship.SUBSCRIBER,
    "01": Relationship.SPOUSE,
    "53": Relationship.DOMESTIC_PARTNER,
    "19": Relationship.CHILD,
    "09": Relationship.CHILD,
    "10": Relationship.CHILD,
    "15": Relationship.CHILD,
    "17": Relationship.CHILD,
}
"""Self, spouse, life partner; child, adopted child, foster child, ward and stepchild are the
children a group health plan covers to 26 (PHS Act 2714, 45 CFR 147.120). Other relatives
(INS02 03..08, 11..14, 16, 23..26, 31, 38, 60, D2, G8, G9) are not dependents of these plans."""

BENEFIT_STATUSES = frozenset({"A", "C", "S", "T"})
"""INS05: active, COBRA, surviving insured, tax equity and fiscal responsibility act."""

INSURANCE_LINE_CODES = _codes(
    "AG AH AJ AK DCP DEN EPO FAC HE HLT HMO LTC LTD MM MOD PDG POS PPO PRA STD UR VIS"
)
INSURANCE_LINES: dict[str, Line] = {
    "HLT": Line.MEDICAL,
    "HMO": Line.MEDICAL,
    "PPO": Line.MEDICAL,
    "POS": Line.MEDICAL,
    "EPO": Line.MEDICAL,
    "MM": Line.MEDICAL,
    "PDG": Line.PHARMACY,
    "MOD": Line.PHARMACY,
    "DEN": Line.DENTAL,
    "DCP": Line.DENTAL,
    "VIS": Line.VISION,
    "STD": Line.STD,
    "LTD": Line.LTD,
}
"""HD03 codes of the lines this TPA administers: health (and its managed-care forms and major
medical), prescription drugs (and mail order), dental (and dental capitation), vision, short-
and long-term disability. The others (AG preventive care, AH 24-hour care, AJ Medicare risk,
AK mental health, FAC facility, HE hearing, LTC long-term care, PRA practitioners, UR utilization
review) are benefits inside the medical plan or products other vendors administer: such a
coverage loop is read and reported, not enrolled."""

COVERAGE_LEVEL_CODES = _codes(
    "CHD DEP E1D E2D E3D E5D E6D E7D E8D E9D ECH EMP ESP FAM IND SPC SPO TWO"
)
COVERAGE_LEVELS: dict[str, Tier] = {
    "EMP": Tier.EMPLOYEE,
    "IND": Tier.EMPLOYEE,
    "ESP": Tier.EMPLOYEE_SPOUSE,
    "ECH": Tier.EMPLOYEE_CHILDREN,
    "FAM": Tier.FAMILY,
}
COUNTED_LEVELS = frozenset(["E1D", "E2D", "E3D", "E5D", "E6D", "E7D", "E8D", "E9D", "TWO"])
"""Levels that count the covered dependents without saying who they are: the tier follows from
the dependents enrolled (a spouse, children, or both)."""
WITHOUT_EMPLOYEE = frozenset({"CHD", "DEP", "SPC", "SPO"})
"""Children only, dependents only, spouse and children, spouse only: coverage without the
employee, which none of this TPA's tiers is."""

SEXES = frozenset({"F", "M", "U"})
