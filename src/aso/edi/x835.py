"""The 835 Health Care Claim Payment/Advice (005010X221A1): a remittance as plain values, the
rules that make its amounts balance, and its X12 text.

A ``Remittance`` is one payment (or one notice that nothing is paid) from a payer to a payee:
the claims it settles (``ClaimPayment``, loop 2100, with their service lines, loop 2110) and the
provider-level adjustments (``ProviderAdjustment``, PLB). It knows nothing of how its claims were
gathered: the export shell (``aso.edi.remittance``) builds one per payee per adjudication batch,
and a payment run will build one per payment.

The guide's balancing rules (X221A1 front matter, "Balancing") are checked before anything is
written, and a remittance that breaks one is refused (``ValidationFailed``):

- service line: SVC02 charge - the line's CAS amounts = SVC03 paid;
- claim: CLP03 charge - claim CAS - every line's CAS = CLP04 paid (and the lines' SVC02 add up
  to CLP03); CLP05 patient responsibility is the sum of the PR adjustments;
- transaction: BPR02 = the CLP04s - the PLB amounts, and BPR02 is never negative.

A claim corrected after it was remitted is first reversed ("Reversals and Corrections"): the
claim as it was sent, with status 22 and every amount negated (charges, payments, adjustments,
allowed amounts; unit counts stay as they were), then, for a replacement, the claim as it now
stands. When what the payee is owed comes out negative (a reversal larger than the payments
beside it), the difference is carried as a forward balance ("Balance Forward Processing"): PLB
``FB`` with the negative amount brings BPR02 to zero, and the payee's next remittance takes it
back with a positive ``FB`` (``settle``). An overpayment found outside a reversal is taken back
with PLB ``WO`` (overpayment recovery), given by the caller.

Adjustments are written one CAS per group code (CO, PR, OA, PI), the same reason code of a group
summed, at most six reasons to a segment and another CAS of the same group when there are more.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from aso.claims.domain import Adjustment, Group
from aso.edi import outbound
from aso.edi.writer import Element, Interchange, InterchangeHeader, Party, TransactionSet
from aso.errors import Problem, ValidationFailed
from aso.money import ZERO

GUIDE = "005010X221A1"
FUNCTIONAL_ID = "HP"
NO_ST03 = ""
"""X221A1 does not use ST03 (the guide is named in GS08 only): the set's header is ``ST*835*n``."""
ONE = Decimal(1)
CAS_REASONS = 6
"""Reason/amount/quantity triplets one CAS segment holds."""
PLB_ADJUSTMENTS = 6
"""Adjustment pairs one PLB segment holds."""
CLAIM_REMARKS = 5
"""MOA03-07 (and MIA05, MIA20-23) hold five claim-level remark codes."""
FORBIDDEN = "*:^~\r\n"
"""The writer's delimiters (and line breaks): never inside a free-text value."""


class PaymentMethod(StrEnum):
    """BPR04."""

    CHECK = "CHK"
    ACH = "ACH"
    NONE = "NON"
    """No payment (BPR02 is zero)."""


class ClaimStatusCode(StrEnum):
    """CLP02."""

    PROCESSED_AS_PRIMARY = "1"
    DENIED = "4"
    REVERSAL = "22"
    """Reversal of a previous payment: the claim as sent before, every amount negated."""


class PlbReason(StrEnum):
    """PLB03-1 codes the platform writes."""

    FORWARD_BALANCE = "FB"
    OVERPAYMENT_RECOVERY = "WO"
    INTEREST = "L6"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    zip: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """The payer's technical contact (PER*BL, required in loop 1000A)."""

    name: str
    phone: str | None = None
    extension: str | None = None
    email: str | None = None
    url: str | None = None

    def numbers(self) -> list[tuple[str, str]]:
        """(qualifier, number) pairs as PER03..PER08 hold them (three at most): TE with its
        extension EX, EM, UR."""
        found = [
            ("TE", self.phone),
            ("EX", self.extension if self.phone else None),
            ("EM", self.email),
            ("UR", self.url),
        ]
        return [(qualifier, value) for qualifier, value in found if value][:3]


@dataclass(frozen=True, slots=True)
class Payer:
    """The plan that pays (loop 1000A): for a self-funded plan, the employer's plan; ``tin`` is
    its EIN (nine digits), which also identifies it in TRN03 and BPR10 (``1`` + EIN)."""

    name: str
    tin: str
    address: Address
    contact: Contact

    @property
    def company_id(self) -> str:
        return "1" + self.tin.replace("-", "")


@dataclass(frozen=True, slots=True)
class Payee:
    """Who is paid (loop 1000B): N103 ``XX`` with the NPI, ``FI`` with a taxpayer id; ``tin``
    goes in REF*TJ when N1 names the payee by another id."""

    name: str
    qualifier: str
    identifier: str
    tin: str | None = None
    address: Address | None = None

    @classmethod
    def provider(
        cls, *, name: str, npi: str, tin: str | None, address: Address | None = None
    ) -> Payee:
        return cls(name, "XX", npi, None if tin is None else tin.replace("-", ""), address)


@dataclass(frozen=True, slots=True)
class BankAccount:
    """A routing number (ABA, BPR07/BPR13) and an account (BPR09/BPR15) for an ACH payment."""

    routing: str
    account: str


@dataclass(frozen=True, slots=True)
class Payment:
    """How the payment is made (BPR) and its trace number (TRN02: the check or EFT number)."""

    method: PaymentMethod
    date: date
    trace: str
    payer_account: BankAccount | None = None
    payee_account: BankAccount | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A patient (NM1*QC) or insured (NM1*IL): names and the member id (``MI``)."""

    last_name: str
    first_name: str | None
    identifier: str
    middle_name: str | None = None
    qualifier: str = "MI"


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """A service line (loop 2110): the code it was paid under, its charge and payment, its
    adjustments (CAS), allowed amount (AMT*B6) and remarks (LQ*HE)."""

    charge: Decimal
    paid: Decimal
    procedure: str | None = None
    modifiers: tuple[str, ...] = ()
    revenue_code: str | None = None
    ndc: str | None = None
    units: Decimal = ONE
    service_date: date | None = None
    service_to: date | None = None
    """The last day of a range of service dates (DTM*150 and DTM*151 then)."""
    allowed: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    control_number: str | None = None
    """The line item control number the claim sent (REF*6R), echoed back."""

    def negated(self) -> ServiceLine:
        return replace(
            self,
            charge=-self.charge,
            paid=-self.paid,
            allowed=None if self.allowed is None else -self.allowed,
            adjustments=tuple(adjustment.negated() for adjustment in self.adjustments),
        )

    def code(self) -> tuple[str, ...] | None:
        """SVC01: the procedure (HCPCS/CPT ``HC`` with its modifiers, CDT ``AD``), else the NDC
        (``N4``), else the revenue code (``NU``)."""
        if self.procedure:
            if self.procedure.startswith("D") and len(self.procedure) == 5:
                return ("AD", self.procedure, *self.modifiers[:4])
            return ("HC", self.procedure, *self.modifiers[:4])
        if self.ndc:
            return ("N4", self.ndc)
        if self.revenue_code:
            return ("NU", self.revenue_code)
        return None


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """A claim's payment (loop 2100). Without service lines, the claim's own adjustments carry
    everything (the guide lets a claim be reported at claim level only)."""

    patient_control_number: str
    """CLP01: the claim id the provider sent (CLM01)."""
    status: ClaimStatusCode
    charge: Decimal
    paid: Decimal
    payer_control_number: str
    """CLP07: the payer's own id of the claim; a reversal repeats the original's."""
    patient: Person
    insured: Person | None = None
    """The subscriber, when the patient is someone else (NM1*IL)."""
    filing_indicator: str = "12"
    """CLP06: 12 preferred provider organization."""
    facility_code: str | None = None
    """CLP08: the first two digits of an institutional claim's type of bill."""
    frequency: str | None = None
    """CLP09: the claim frequency code the claim was sent with."""
    received: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    """Claim-level remark codes: MIA for an inpatient claim, MOA otherwise."""
    inpatient: bool = False
    lines: tuple[ServiceLine, ...] = ()

    @property
    def patient_responsibility(self) -> Decimal:
        """CLP05: the PR adjustments of the claim and of its lines."""
        return sum((a.amount for a in self.all_adjustments() if a.group is Group.PATIENT), ZERO)

    def all_adjustments(self) -> Iterator[Adjustment]:
        yield from self.adjustments
        for line in self.lines:
            yield from line.adjustments

    def reversal(self) -> ClaimPayment:
        """This claim as sent, reversed (CLP02 22, every amount negated)."""
        return replace(
            self,
            status=ClaimStatusCode.REVERSAL,
            charge=-self.charge,
            paid=-self.paid,
            adjustments=tuple(adjustment.negated() for adjustment in self.adjustments),
            lines=tuple(line.negated() for line in self.lines),
        )


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A PLB adjustment: a positive amount is taken from the payment, a negative one adds to
    it; ``reference`` (PLB03-2) names what it is about (a claim, an earlier remittance)."""

    reason: str
    amount: Decimal
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Remittance:
    payer: Payer
    payee: Payee
    payment: Payment
    claims: tuple[ClaimPayment, ...]
    adjustments: tuple[ProviderAdjustment, ...] = ()
    production_date: date | None = None
    """DTM*405: when the payer's system produced the remittance."""
    fiscal_period_end: date | None = None
    """PLB02: the end of the payee's fiscal year (31 December of the payment's year if not
    known)."""

    @property
    def claims_paid(self) -> Decimal:
        return sum((claim.paid for claim in self.claims), ZERO)

    @property
    def adjustments_total(self) -> Decimal:
        return sum((adjustment.amount for adjustment in self.adjustments), ZERO)

    @property
    def amount(self) -> Decimal:
        """BPR02: what the claims pay, less the provider-level adjustments."""
        return self.claims_paid - self.adjustments_total


# settling a payee's balance -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settlement:
    """The provider-level adjustments of a remittance, the amount paid (BPR02) and what the
    payee still owes afterwards (carried to its next remittance)."""

    adjustments: tuple[ProviderAdjustment, ...]
    amount: Decimal
    owed: Decimal


def settle(
    claims: Sequence[ClaimPayment],
    adjustments: Sequence[ProviderAdjustment] = (),
    *,
    owed: Decimal = ZERO,
    owed_reference: str | None = None,
    reference: str | None = None,
) -> Settlement:
    """Balance forward processing: ``owed`` (from the payee's earlier remittances) is taken
    back (PLB FB, positive) as far as this remittance pays; a negative net is carried forward
    (PLB FB, negative, ``reference`` naming this remittance) so that BPR02 is zero, never
    negative."""
    if owed < 0:
        raise ValueError("a balance owed is not negative")
    found = list(adjustments)
    net = sum((claim.paid for claim in claims), ZERO) - sum((a.amount for a in found), ZERO)
    recovered = min(owed, max(net, ZERO))
    if recovered > 0:
        found.append(ProviderAdjustment(PlbReason.FORWARD_BALANCE, recovered, owed_reference))
        net -= recovered
    owed -= recovered
    if net < 0:
        found.append(ProviderAdjustment(PlbReason.FORWARD_BALANCE, net, reference))
        owed -= net
        net = ZERO
    return Settlement(tuple(found), net, owed)


# the guide's rules ------------------------------------------------------------------------


def problems(remittance: Remittance) -> list[Problem]:
    """Every balancing or content rule the remittance breaks (none: it may be written)."""
    found: list[Problem] = []
    for index, claim in enumerate(remittance.claims):
        found += _claim_problems(claim, f"claims[{index}] ({claim.patient_control_number})")
    amount = remittance.amount
    if amount < 0:
        found.append(
            Problem("BPR02", f"the payment {amount} is negative: carry it as a forward balance")
        )
    payment = remittance.payment
    unpaid = payment.payer_account is None or payment.payee_account is None
    if payment.method is PaymentMethod.ACH and amount > 0 and unpaid:
        found.append(Problem("BPR", "an ACH payment needs both bank accounts"))
    if payment.method is PaymentMethod.NONE and amount > 0:
        found.append(Problem("BPR04", f"NON (no payment) with a payment of {amount}"))
    return found


def _claim_problems(claim: ClaimPayment, where: str) -> list[Problem]:
    found = []
    adjusted = sum((a.amount for a in claim.all_adjustments()), ZERO)
    if claim.charge - adjusted != claim.paid:
        found.append(
            Problem(
                where,
                f"charge {claim.charge} - adjustments {adjusted} is not the payment {claim.paid}",
            )
        )
    if claim.lines and sum((line.charge for line in claim.lines), ZERO) != claim.charge:
        found.append(Problem(where, f"the lines' charges do not add up to {claim.charge}"))
    if len(claim.remarks) > CLAIM_REMARKS:
        found.append(Problem(where, f"more than {CLAIM_REMARKS} claim-level remark codes"))
    for number, line in enumerate(claim.lines, start=1):
        found += _line_problems(line, f"{where}.lines[{number}]")
    return found


def _line_problems(line: ServiceLine, where: str) -> list[Problem]:
    found = []
    adjusted = sum((a.amount for a in line.adjustments), ZERO)
    if line.charge - adjusted != line.paid:
        found.append(
            Problem(
                where,
                f"charge {line.charge} - adjustments {adjusted} is not the payment {line.paid}",
            )
        )
    if line.code() is None:
        found.append(Problem(where, "a service line needs a procedure, NDC or revenue code"))
    return found


# writing ------------------------------------------------------------------------------------


def write_835(
    remittance: Remittance,
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    now: datetime,
    usage: str = "P",
) -> str:
    """The remittance as an interchange of its own (one group, one 835); ``ValidationFailed``
    when it breaks a rule of the guide (``problems``)."""
    interchange = Interchange(
        InterchangeHeader(
            sender=sender, receiver=receiver, control_number=control_number, created=now,
            usage=usage,
        )
    )  # fmt: skip
    group = interchange.group(
        FUNCTIONAL_ID,
        sender=sender.id,
        receiver=receiver.id,
        control_number=control_number,
        version=GUIDE,
    )
    add_835(group.transaction("835", reference=NO_ST03), remittance, created=now.date())
    return interchange.render()


def add_835(transaction: TransactionSet, remittance: Remittance, *, created: date) -> None:
    """The segments of the 835 between its ST and SE."""
    found = problems(remittance)
    if found:
        raise ValidationFailed(found, "the remittance does not balance")
    _header(transaction, remittance, created)
    if remittance.claims:
        transaction.add("LX", "1")
    for claim in remittance.claims:
        _claim(transaction, claim)
    _plb(transaction, remittance)


def _header(transaction: TransactionSet, remittance: Remittance, created: date) -> None:
    payer, payee = remittance.payer, remittance.payee
    transaction.add("BPR", *_bpr(remittance))
    transaction.add("TRN", "1", _text(remittance.payment.trace, 50), payer.company_id)
    transaction.add("DTM", "405", _day(remittance.production_date or created))
    transaction.add("N1", "PR", _text(payer.name, 60))
    _address(transaction, payer.address)
    contact = payer.contact
    numbers = [part for pair in contact.numbers() for part in pair]
    transaction.add("PER", "BL", _text(contact.name, 60), *numbers)
    transaction.add("N1", "PE", _text(payee.name, 60), payee.qualifier, payee.identifier)
    if payee.address is not None:
        _address(transaction, payee.address)
    if payee.tin and payee.qualifier != "FI":
        transaction.add("REF", "TJ", payee.tin)


def _bpr(remittance: Remittance) -> list[Element]:
    """BPR01 H (notification only) with NON when nothing is paid; otherwise I (remittance
    information only: the check or the ACH credit travels apart)."""
    amount, payment = remittance.amount, remittance.payment
    elements: list[Element] = ["I", amount_text(amount), "C", payment.method.value]
    if amount == 0:
        elements[0], elements[3] = "H", PaymentMethod.NONE.value
    elif payment.method is PaymentMethod.ACH:
        payer, payee = payment.payer_account, payment.payee_account
        assert payer is not None and payee is not None
        elements += ["CCP", "01", payer.routing, "DA", payer.account]
        elements += [remittance.payer.company_id, "", "01", payee.routing, "DA", payee.account]
    elements += [""] * (15 - len(elements)) + [_day(payment.date)]
    return elements


def _address(transaction: TransactionSet, address: Address) -> None:
    transaction.add("N3", _text(address.line1, 55), _text(address.line2 or "", 55))
    zip_code = "".join(ch for ch in address.zip if ch.isdigit())
    transaction.add("N4", _text(address.city, 30), address.state, zip_code)


def _claim(transaction: TransactionSet, claim: ClaimPayment) -> None:
    responsibility = claim.patient_responsibility
    transaction.add(
        "CLP",
        _text(claim.patient_control_number, 38),
        claim.status.value,
        amount_text(claim.charge),
        amount_text(claim.paid),
        amount_text(responsibility) if responsibility else "",
        claim.filing_indicator,
        _text(claim.payer_control_number, 50),
        claim.facility_code or "",
        claim.frequency or "",
    )
    for segment in cas_segments(claim.adjustments):
        transaction.add("CAS", *segment)
    _person(transaction, "QC", claim.patient)
    if claim.insured is not None:
        _person(transaction, "IL", claim.insured)
    if claim.remarks:
        _claim_remarks(transaction, claim)
    if claim.received is not None:
        transaction.add("DTM", "050", _day(claim.received))
    for line in claim.lines:
        _line(transaction, line)


def _person(transaction: TransactionSet, role: str, person: Person) -> None:
    transaction.add(
        "NM1",
        role,
        "1",
        _text(person.last_name, 60),
        _text(person.first_name or "", 35),
        _text(person.middle_name or "", 25),
        "",
        "",
        person.qualifier,
        _text(person.identifier, 80),
    )


def _claim_remarks(transaction: TransactionSet, claim: ClaimPayment) -> None:
    """MIA (inpatient: MIA01 covered days, unknown here, 0; remarks in MIA05 and MIA20-23) or
    MOA (remarks in MOA03-07)."""
    codes = list(claim.remarks)
    if claim.inpatient:
        rest = codes[1:]
        transaction.add("MIA", "0", "", "", "", codes[0], *[""] * 14, *rest)
    else:
        transaction.add("MOA", "", "", *codes)


def _line(transaction: TransactionSet, line: ServiceLine) -> None:
    code = line.code()
    assert code is not None
    revenue = line.revenue_code if code[0] != "NU" and line.revenue_code else ""
    units = "" if line.units == ONE else quantity_text(line.units)
    transaction.add("SVC", code, amount_text(line.charge), amount_text(line.paid), revenue, units)
    first, last = line.service_date, line.service_to
    if first is not None and last is not None and last != first:
        transaction.add("DTM", "150", _day(first))
        transaction.add("DTM", "151", _day(last))
    elif first is not None:
        transaction.add("DTM", "472", _day(first))
    for segment in cas_segments(line.adjustments):
        transaction.add("CAS", *segment)
    if line.control_number:
        transaction.add("REF", "6R", _text(line.control_number, 50))
    if line.allowed is not None:
        transaction.add("AMT", "B6", amount_text(line.allowed))
    for remark in line.remarks:
        transaction.add("LQ", "HE", remark)


def _plb(transaction: TransactionSet, remittance: Remittance) -> None:
    """PLB: six adjustments to a segment, each a (reason:reference) composite and an amount."""
    adjustments = [a for a in remittance.adjustments if a.amount != 0]
    if not adjustments:
        return
    period = remittance.fiscal_period_end or date(remittance.payment.date.year, 12, 31)
    for start in range(0, len(adjustments), PLB_ADJUSTMENTS):
        pairs: list[Element] = []
        for adjustment in adjustments[start : start + PLB_ADJUSTMENTS]:
            reference = _text(adjustment.reference or "", 50)
            pairs += [(adjustment.reason, reference), amount_text(adjustment.amount)]
        transaction.add("PLB", remittance.payee.identifier, _day(period), *pairs)


def cas_segments(adjustments: Iterable[Adjustment]) -> list[tuple[str, ...]]:
    """CAS elements: one segment per group code (in the order the groups first appear), the
    amounts of a reason code summed, zero amounts left out, six reasons to a segment."""
    groups: dict[str, dict[str, Decimal]] = {}
    for adjustment in adjustments:
        reasons = groups.setdefault(adjustment.group.value, {})
        reasons[adjustment.carc] = reasons.get(adjustment.carc, ZERO) + adjustment.amount
    segments = []
    for group, reasons in groups.items():
        kept = [(reason, amount) for reason, amount in reasons.items() if amount != 0]
        for start in range(0, len(kept), CAS_REASONS):
            elements = [group]
            for reason, amount in kept[start : start + CAS_REASONS]:
                elements += [reason, amount_text(amount), ""]
            segments.append(tuple(elements))
    return segments


# values -----------------------------------------------------------------------------------


amount_text = outbound.amount
"""An X12 monetary amount (type R, ``aso.edi.outbound``): rounded to cents, ``.2``, ``1500``."""
quantity_text = outbound.number
_day = outbound.day


def _text(value: str, width: int) -> str:
    """Free text as X12 carries it: the delimiters replaced by spaces, at most ``width``."""
    cleaned = "".join(" " if ch in FORBIDDEN else ch for ch in value)
    return " ".join(cleaned.split())[:width]
