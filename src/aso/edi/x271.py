"""271 eligibility answers (005010X279A1) written from plain values, one per 270 inquiry.

The answer mirrors the inquiry's hierarchy: the information source (2000A) and receiver (2000B)
as the inquiry named them, then for each patient a subscriber level (2000C) and, when the answer
is about a dependent the platform could not tell apart by an id of its own, a dependent level
(2000D). The patient's trace numbers come back with trace type 2 (referenced) at the patient's
level, the BHT repeats the inquiry's BHT03 with purpose 11 (response).

A patient found is answered with its name and member id as on file (NM1), its address (N3,
N4), birth date and gender (DMG) and its coverage dates (DTP*346 plan begin, DTP*347 plan end),
then the EB lines of ``aso.edi.benefits`` each followed by its dates. Every member has an id of
its own, so a dependent the inquiry named in 2100D (by name and birth date under its
subscriber) is answered in 2100C as the subscriber of its own coverage, with INS*Y*18*001*25
(maintenance reason 25: the identifying data changed), as section 1.4.7 of the guide asks. A
request that cannot be answered gets an AAA (request validation: valid request indicator,
reject reason, follow-up action) at the level it concerns, after the names as sent, and no EB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from aso.edi.benefits import BenefitDate, EligibilityBenefit
from aso.edi.inquiry_reader import Name, Trace
from aso.edi.outbound import amount, day, number, period, text
from aso.edi.writer import FunctionalGroup, TransactionSet
from aso.edi.x270 import GUIDE, EligibilityInquiry

RESPONSE = "11"
"""BHT02: response."""
REFERENCED = "2"
"""TRN01 of a trace number the inquiry sent."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """An AAA: why the request cannot be answered, and what the sender should do."""

    reason: str
    """AAA03 reject reason code (75 subscriber not found, 71 birth date mismatch, ...)."""
    action: str = "C"
    """AAA04 follow-up action code (C: please correct and resubmit)."""
    valid: str = "Y"
    """AAA01: Y when the request was valid but cannot be answered, N when it was not."""


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    line2: str | None
    city: str
    state: str
    zip: str


@dataclass(frozen=True, slots=True)
class PersonAnswer:
    """A subscriber (2100C) or dependent (2100D) answer."""

    name: Name
    """The NM1 to write: as on file for a patient found, as sent otherwise."""
    birth_date: str = ""
    """DMG02 (CCYYMMDD), as on file or as sent."""
    sex: str = ""
    address: Address | None = None
    identity_changed: bool = False
    """INS*Y*18*001*25: a dependent of the inquiry answered as the subscriber."""
    relationship: str = ""
    """INS02 of a dependent answered in 2100D."""
    dates: tuple[BenefitDate, ...] = ()
    rejection: Rejection | None = None
    benefits: tuple[EligibilityBenefit, ...] = ()


@dataclass(frozen=True, slots=True)
class EligibilityAnswer:
    inquiry: EligibilityInquiry
    subscriber: PersonAnswer
    dependent: PersonAnswer | None = None
    receiver_rejection: Rejection | None = None
    """An AAA of the information receiver (2100B): the inquiry is answered at that level only,
    with no subscriber level (the receiver may not ask)."""


def found_name(last: str, first: str, member_id: str, entity: str = "IL") -> Name:
    """The NM1 of a person found: a person (NM102 1), its names and its member id (MI)."""
    return Name((entity, "1", last, first, "", "", "", "MI", member_id))


class _Levels:
    """HL numbering of the answer (HL01 counts from 1, HL02 names the parent)."""

    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self.count = 0

    def open(self, parent: int | None, code: str, children: bool) -> int:
        self.count += 1
        self.transaction.add(
            "HL", str(self.count), "" if parent is None else str(parent), code,
            "1" if children else "0",
        )  # fmt: skip
        return self.count


def write_271(
    group: FunctionalGroup, answers: Sequence[EligibilityAnswer], *, now: datetime
) -> TransactionSet:
    """The 271 set answering the inquiries of one 270 set (at least one)."""
    transaction = group.transaction("271", reference=GUIDE)
    reference = text(answers[0].inquiry.reference)
    transaction.add("BHT", "0022", RESPONSE, reference, f"{now:%Y%m%d}", f"{now:%H%M}")
    levels = _Levels(transaction)
    source_key = receiver_key = None
    source = receiver = 0
    for answer in answers:
        inquiry = answer.inquiry
        keys = inquiry.levels
        if keys[0] != source_key:
            source_key, receiver_key = keys[0], None
            source = levels.open(None, "20", True)
            _name(transaction, inquiry.source)
        rejected = answer.receiver_rejection
        if keys[1] != receiver_key:
            receiver_key = keys[1]
            receiver = levels.open(source, "21", rejected is None)
            _name(transaction, inquiry.receiver)
            if rejected is not None:
                _aaa(transaction, rejected)
        if rejected is not None:
            continue  # 2000C is sent only for a receiver the source answers
        dependent = answer.dependent
        subscriber = levels.open(receiver, "22", dependent is not None)
        if dependent is None:
            _traces(transaction, inquiry.traces)
        _person(transaction, answer.subscriber, subscriber=True)
        if dependent is not None:
            levels.open(subscriber, "23", False)
            _traces(transaction, inquiry.traces)
            _person(transaction, dependent, subscriber=False)
    return transaction


def _name(transaction: TransactionSet, name: Name) -> None:
    transaction.add("NM1", *(text(value) for value in name.elements))


def _traces(transaction: TransactionSet, traces: Sequence[Trace]) -> None:
    for trace in traces:
        transaction.add(
            "TRN", REFERENCED, text(trace.number), text(trace.originator),
            text(trace.supplemental),
        )  # fmt: skip


def _person(transaction: TransactionSet, person: PersonAnswer, *, subscriber: bool) -> None:
    _name(transaction, person.name)
    address = person.address
    if address is not None:
        transaction.add("N3", text(address.line1), text(address.line2 or ""))
        transaction.add("N4", text(address.city), text(address.state), _zip(address.zip))
    rejection = person.rejection
    if rejection is not None:
        _aaa(transaction, rejection)
    if person.birth_date or person.sex:
        transaction.add("DMG", "D8" if person.birth_date else "", person.birth_date, person.sex)
    if person.identity_changed and subscriber:
        transaction.add("INS", "Y", "18", "001", "25")
    elif person.relationship and not subscriber:
        transaction.add("INS", "N", text(person.relationship))
    for dated in person.dates:
        _date(transaction, dated)
    for benefit in person.benefits:
        _benefit(transaction, benefit)


def _aaa(transaction: TransactionSet, rejection: Rejection) -> None:
    transaction.add("AAA", rejection.valid, "", rejection.reason, rejection.action)


def _zip(code: str) -> str:
    return "".join(char for char in code if char.isdigit())


def _date(transaction: TransactionSet, dated: BenefitDate) -> None:
    transaction.add("DTP", dated.qualifier, *period(dated.first, dated.last))


def _benefit(transaction: TransactionSet, benefit: EligibilityBenefit) -> None:
    quantity = benefit.quantity
    transaction.add(
        "EB",
        benefit.code,
        benefit.level,
        benefit.service_type,
        "",
        text(benefit.plan),
        benefit.period,
        "" if benefit.amount is None else amount(benefit.amount),
        "" if benefit.percent is None else number(benefit.percent),
        "" if quantity is None else quantity[0],
        "" if quantity is None else str(quantity[1]),
        benefit.authorization,
        benefit.network,
    )
    for dated in benefit.dates:
        _date(transaction, dated)


def birth(value: date | None) -> str:
    return "" if value is None else day(value)
