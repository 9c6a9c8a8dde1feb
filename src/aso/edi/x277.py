"""277 claim status answers (005010X212) written from plain values, one per claim asked about.

The answer mirrors the 276's hierarchy as the guide's example pair does: the payer (2000A),
the information receiver (2000B), the service provider (2000C), the subscriber (2000D) and the
dependent (2000E) as the request named them, then for each claim (2200D or 2200E) the request's
trace number with trace type 2 (referenced), the claim's status (STC: category and status codes,
the status date, the total charge in STC04 and, once finalized, the plan's payment in STC05),
the payer's claim control number (REF*1K), the type of bill of an institutional claim
(REF*BLT), the provider's claim number (REF*EJ), the prescription number asked about (REF*XZ)
and the service dates (DTP*472). Lines asked about (2220) come back with the procedure as sent
(SVC01), the line's charge and payment, revenue code and units, their status (STC), the line
item control number (REF*FJ) and the line's date. A claim that cannot be found is answered with
its status alone (A4:35), the request's amounts and dates echoed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from aso.edi.claim_status import Status
from aso.edi.inquiry_reader import Period
from aso.edi.outbound import amount, day, number, period, text
from aso.edi.writer import FunctionalGroup, TransactionSet
from aso.edi.x276 import GUIDE, SERVICE_DATE, StatusRequest

RESPONSE = "08"
"""BHT02: status."""
STATUS = "DG"
"""BHT06: response."""
REFERENCED = "2"


@dataclass(frozen=True, slots=True)
class LineAnswer:
    procedure: tuple[str, ...]
    """SVC01 as the request sent it."""
    charge: Decimal
    paid: Decimal
    status: Status
    status_date: date
    revenue_code: str = ""
    units: Decimal | None = None
    control_number: str = ""
    date: Period | None = None


@dataclass(frozen=True, slots=True)
class ClaimAnswer:
    status: Status
    status_date: date
    charge: Decimal
    paid: Decimal | None = None
    """STC05, for a finalized claim."""
    payer_claim: str = ""
    bill_type: str = ""
    patient_control: str = ""
    prescription: str = ""
    dates: Period | None = None
    lines: tuple[LineAnswer, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    request: StatusRequest
    claims: tuple[ClaimAnswer, ...]
    """At least one: a claim not found is answered too."""


def write_277(
    group: FunctionalGroup, answers: Sequence[StatusAnswer], *, now: datetime
) -> TransactionSet:
    """The 277 set answering the claims asked about in one 276 set (at least one)."""
    transaction = group.transaction("277", reference=GUIDE)
    reference = text(answers[0].request.reference)
    transaction.add("BHT", "0010", RESPONSE, reference, f"{now:%Y%m%d}", f"{now:%H%M}", STATUS)
    count = 0
    opened: list[tuple[str, int]] = []
    """The levels open, as (the request's HL01, ours), from the payer down."""
    for index, answer in enumerate(answers):
        request = answer.request
        keys = request.levels
        depth = _shared(opened, keys)
        del opened[depth:]
        names = (
            request.source,
            request.receiver,
            request.provider,
            request.subscriber,
            request.dependent,
        )
        for level in range(depth, 5):
            if level == 4 and request.dependent is None:
                break
            count += 1
            parent = opened[-1][1] if opened else None
            code = ("20", "21", "19", "22", "23")[level]
            transaction.add("HL", *_hl(count, parent, code, _children(answers, index, level)))
            name = names[level]
            assert name is not None
            transaction.add("NM1", *(text(value) for value in name.elements))
            opened.append((keys[level], count))
        for claim in answer.claims:
            _claim(transaction, request, claim)
    return transaction


def _shared(opened: list[tuple[str, int]], keys: tuple[str, ...]) -> int:
    """How many of the open levels the next request shares."""
    depth = 0
    while depth < len(opened) and opened[depth][0] == keys[depth]:
        depth += 1
    return depth


def _children(answers: Sequence[StatusAnswer], index: int, level: int) -> str | None:
    """HL04: 1 when a lower level follows within this one, 0 when none; a dependent's is not
    sent (the guide's example leaves it out)."""
    if level == 4:
        return None
    if level < 3:
        return "1"
    request = answers[index].request
    for later in answers[index:]:
        if later.request.levels[:4] != request.levels[:4]:
            break
        if later.request.dependent is not None:
            return "1"
    return "0"


def _hl(number: int, parent: int | None, code: str, children: str | None) -> tuple[str, ...]:
    elements = (str(number), "" if parent is None else str(parent), code)
    return elements if children is None else (*elements, children)


def _claim(transaction: TransactionSet, request: StatusRequest, claim: ClaimAnswer) -> None:
    transaction.add("TRN", REFERENCED, text(request.trace.number))
    status = claim.status
    transaction.add(
        "STC",
        status.composite(),
        day(claim.status_date),
        "",
        amount(claim.charge),
        "" if claim.paid is None else amount(claim.paid),
    )
    for qualifier, value in (
        ("1K", claim.payer_claim),
        ("BLT", claim.bill_type),
        ("EJ", claim.patient_control),
        ("XZ", claim.prescription),
    ):
        if value:
            transaction.add("REF", qualifier, text(value))
    if claim.dates is not None:
        transaction.add("DTP", SERVICE_DATE, *period(claim.dates.first, claim.dates.last))
    for line in claim.lines:
        _line(transaction, line)


def _line(transaction: TransactionSet, line: LineAnswer) -> None:
    transaction.add(
        "SVC",
        tuple(text(part) for part in line.procedure),
        amount(line.charge),
        amount(line.paid),
        text(line.revenue_code),
        "",
        "",
        "" if line.units is None else number(line.units),
    )
    transaction.add("STC", line.status.composite(), day(line.status_date))
    if line.control_number:
        transaction.add("REF", "FJ", text(line.control_number))
    if line.date is not None:
        transaction.add("DTP", SERVICE_DATE, *period(line.date.first, line.date.last))
