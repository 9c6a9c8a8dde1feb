"""The NACHA ACH file that carries a payment cycle's EFT claim payments from an employer's claims
funding account to its payees, written from plain values.

Each batch is one originator (the employer that owns the funding account) and is a healthcare
EFT in the sense of the NACHA Operating Rules (Health Care EFT Transactions, in force since
20 September 2013) and of 45 CFR 162.1602: SEC code ``CCD``, Company Entry Description
``HCCLAIMPMT``, and with every payment one addenda record (type 05) whose Payment Related
Information is the X12 835 ``TRN`` reassociation segment, ``TRN*1*<trace>*<payer id>~``: the
same TRN02 and TRN03 as the payment's 835, so the payee's bank can join money and remittance
(CCD+). The rule accepts ``~`` as well as ``\\`` as the segment terminator; ``~`` is written.

Record layouts (NACHA Operating Rules, Appendix Three, ACH Record Format Specifications) are
data below (``FILE_HEADER`` ... ``FILE_CONTROL``): each field with its first and last position,
1-based and inclusive, as the Rules number them. Numeric fields are right-justified and
zero-filled, alphameric fields left-justified and blank-filled. Every record is 94 characters,
records are grouped in blocks of 10 (blocking factor 10) and the last block is filled with
records of all 9s.

Money comes in as ``Decimal`` and is written as integer cents; an amount with a fraction of a
cent is refused, never rounded. Input that breaks a rule raises ``ValidationFailed`` naming the
batch, the payment and the field; names too long for their field are cut (as banks do), while
identifiers and account numbers that do not fit are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum, StrEnum

from aso.errors import Problem, ValidationFailed
from aso.money import CENT

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
PADDING = "9" * RECORD_LENGTH
"""A record of all 9s: fills the last block of ten."""
HEALTHCARE_DESCRIPTION = "HCCLAIMPMT"
"""Company Entry Description of a healthcare EFT (NACHA Health Care EFT Transactions rule)."""
TERMINATOR = "~"
TRN_DELIMITERS = "*~\\"
"""The TRN's element separator and both terminators the rule allows: never inside a value."""
HASH_MODULUS = 10**10
"""The entry hash keeps the rightmost ten digits of the sum."""
MAX_ENTRY_CENTS = 10**10 - 1
"""Entry Detail positions 30-39: ten digits of cents, $99,999,999.99."""
MAX_TOTAL_CENTS = 10**12 - 1
"""Batch and file control totals: twelve digits of cents."""
MAX_SEQUENCE = 10**7 - 1
"""Trace number positions 9-15: a seven-digit entry sequence."""
MAX_BATCH_RECORDS = 10**6 - 1
"""Batch Control positions 5-10: a six-digit entry/addenda count."""
MAX_FILE_RECORDS = (10**6 - 1) * BLOCKING_FACTOR
"""File Control positions 8-13: a six-digit block count."""
MAX_TRN02 = 50
"""X12 TRN02 is at most 50 characters (835 TR3, 005010X221A1)."""
PRINTABLE = re.compile(r"[\x20-\x7e]*")
"""NACHA alphameric fields take characters above hex 1F; the file is ASCII, so up to hex 7E."""
ACCOUNT_NUMBER = re.compile(r"[0-9A-Za-z-]{1,17}")
ROUTING = re.compile(r"[0-9]{9}")
FILE_ID_MODIFIER = re.compile(r"[A-Z0-9]")
ABA_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"


class TransactionCode(IntEnum):
    """Entry Detail positions 2-3: the account type and the direction of the entry."""

    CHECKING_CREDIT = 22
    CHECKING_CREDIT_PRENOTE = 23
    CHECKING_DEBIT = 27
    CHECKING_DEBIT_PRENOTE = 28
    SAVINGS_CREDIT = 32
    SAVINGS_CREDIT_PRENOTE = 33
    SAVINGS_DEBIT = 37
    SAVINGS_DEBIT_PRENOTE = 38

    @property
    def is_debit(self) -> bool:
        return self.value % 10 in (7, 8)

    @property
    def is_prenote(self) -> bool:
        return self.value % 10 in (3, 8)


class SecCode(StrEnum):
    """Batch Header positions 51-53, the Standard Entry Class."""

    CCD = "CCD"
    """Corporate credit: payments to providers' business accounts; the healthcare EFT's."""
    PPD = "PPD"
    """Prearranged payment to a consumer account: member reimbursements, where the bank asks
    for it. Same entry and addenda layouts as CCD; never with ``HCCLAIMPMT``."""


class ServiceClass(IntEnum):
    """Batch Header positions 2-4 (and Batch Control 2-4)."""

    MIXED = 200
    CREDITS_ONLY = 220
    DEBITS_ONLY = 225


CREDIT_CODES = {
    (AccountType.CHECKING, False): TransactionCode.CHECKING_CREDIT,
    (AccountType.CHECKING, True): TransactionCode.CHECKING_CREDIT_PRENOTE,
    (AccountType.SAVINGS, False): TransactionCode.SAVINGS_CREDIT,
    (AccountType.SAVINGS, True): TransactionCode.SAVINGS_CREDIT_PRENOTE,
}
DEBIT_CODES = {
    AccountType.CHECKING: TransactionCode.CHECKING_DEBIT,
    AccountType.SAVINGS: TransactionCode.SAVINGS_DEBIT,
}


# --- record layouts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record: positions ``start``..``end`` (1-based, inclusive)."""

    name: str
    start: int
    end: int
    numeric: bool = False
    constant: str | None = None

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    def read(self, record: str) -> str:
        return record[self.start - 1 : self.end]

    def write(self, value: str | int) -> str:
        """The value filled to the field's width: numbers zero-filled on the left, text
        blank-filled on the right. A value that does not fit is a bug of the caller (inputs
        are validated before any record is built)."""
        text = str(value)
        filled = text.rjust(self.width, "0") if self.numeric else text.ljust(self.width)
        if len(filled) != self.width or (self.numeric and not filled.isdigit()):
            raise ValueError(f"{self.name}: {text!r} does not fit {self.width} positions")
        return filled


@dataclass(frozen=True, slots=True)
class Layout:
    """A record type's fields in position order, covering positions 1-94."""

    name: str
    fields: tuple[Field, ...]

    def __getitem__(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def build(self, values: Mapping[str, str | int]) -> str:
        """The record from ``values`` by field name; constants fill themselves, fields left
        out are blank (text) or zero (numbers)."""
        unknown = set(values) - {f.name for f in self.fields}
        if unknown:
            raise ValueError(f"{self.name}: no field {sorted(unknown)}")
        parts = []
        for spec in self.fields:
            default: str | int = 0 if spec.numeric else ""
            value = spec.constant if spec.constant is not None else values.get(spec.name, default)
            parts.append(spec.write(value))
        return "".join(parts)


def _n(name: str, start: int, end: int) -> Field:
    return Field(name, start, end, numeric=True)


def _a(name: str, start: int, end: int) -> Field:
    return Field(name, start, end)


def _c(name: str, start: int, end: int, constant: str) -> Field:
    return Field(name, start, end, constant=constant)


FILE_HEADER = Layout(
    "file header",
    (
        _c("record_type", 1, 1, "1"),
        _c("priority_code", 2, 3, "01"),
        _a("immediate_destination", 4, 13),  # bTTTTAAAAC: a blank, then the routing number
        _a("immediate_origin", 14, 23),
        _n("creation_date", 24, 29),  # YYMMDD
        _n("creation_time", 30, 33),  # HHMM
        _a("file_id_modifier", 34, 34),
        _c("record_size", 35, 37, "094"),
        _c("blocking_factor", 38, 39, "10"),
        _c("format_code", 40, 40, "1"),
        _a("destination_name", 41, 63),
        _a("origin_name", 64, 86),
        _a("reference_code", 87, 94),
    ),
)
BATCH_HEADER = Layout(
    "batch header",
    (
        _c("record_type", 1, 1, "5"),
        _n("service_class", 2, 4),
        _a("company_name", 5, 20),
        _a("discretionary_data", 21, 40),
        _a("company_id", 41, 50),
        _a("sec_code", 51, 53),
        _a("entry_description", 54, 63),
        _a("descriptive_date", 64, 69),
        _n("effective_date", 70, 75),  # YYMMDD
        _a("settlement_date", 76, 78),  # Julian day, inserted by the ACH Operator: blank
        _c("originator_status", 79, 79, "1"),
        _n("odfi", 80, 87),
        _n("batch_number", 88, 94),
    ),
)
ENTRY_DETAIL = Layout(
    "entry detail",
    (
        _c("record_type", 1, 1, "6"),
        _n("transaction_code", 2, 3),
        _n("rdfi", 4, 11),  # Receiving DFI Identification: routing number without check digit
        _n("check_digit", 12, 12),
        _a("account_number", 13, 29),
        _n("amount", 30, 39),  # cents
        _a("identification_number", 40, 54),
        _a("receiver_name", 55, 76),
        _a("discretionary_data", 77, 78),
        _n("addenda_indicator", 79, 79),
        _n("trace_number", 80, 94),  # ODFI (8) + entry sequence (7)
    ),
)
ADDENDA = Layout(
    "addenda",
    (
        _c("record_type", 1, 1, "7"),
        _n("addenda_type", 2, 3),
        _a("payment_information", 4, 83),
        _n("addenda_sequence", 84, 87),
        _n("entry_sequence", 88, 94),  # the last seven digits of the entry's trace number
    ),
)
BATCH_CONTROL = Layout(
    "batch control",
    (
        _c("record_type", 1, 1, "8"),
        _n("service_class", 2, 4),
        _n("entry_addenda_count", 5, 10),
        _n("entry_hash", 11, 20),
        _n("total_debit", 21, 32),
        _n("total_credit", 33, 44),
        _a("company_id", 45, 54),
        _a("authentication_code", 55, 73),
        _a("reserved", 74, 79),
        _n("odfi", 80, 87),
        _n("batch_number", 88, 94),
    ),
)
FILE_CONTROL = Layout(
    "file control",
    (
        _c("record_type", 1, 1, "9"),
        _n("batch_count", 2, 7),
        _n("block_count", 8, 13),
        _n("entry_addenda_count", 14, 21),
        _n("entry_hash", 22, 31),
        _n("total_debit", 32, 43),
        _n("total_credit", 44, 55),
        _a("reserved", 56, 94),
    ),
)
LAYOUTS = {
    "1": FILE_HEADER,
    "5": BATCH_HEADER,
    "6": ENTRY_DETAIL,
    "7": ADDENDA,
    "8": BATCH_CONTROL,
    "9": FILE_CONTROL,
}
ADDENDA_TYPE_CCD = 5
"""Addenda Type Code 05: the one addenda record a CCD entry may carry."""


# --- routing numbers, hash, TRN -------------------------------------------------------------


def routing_check_digit(first_eight: str) -> int:
    """The ABA check digit of a routing number's first eight digits: weights 3, 7, 1 repeated,
    and the ninth digit brings the weighted sum to a multiple of ten."""
    total = sum(int(d) * w for d, w in zip(first_eight, ABA_WEIGHTS[:8], strict=True))
    return (10 - total % 10) % 10


def routing_problem(routing: str) -> str | None:
    """Why ``routing`` is not an ABA routing number (nine digits, check digit), or None."""
    if not ROUTING.fullmatch(routing):
        return f"{routing!r} is not a routing number: nine digits"
    expected = routing_check_digit(routing[:8])
    if int(routing[8]) != expected:
        return f"routing number {routing} fails the ABA check digit (it should end in {expected})"
    return None


def entry_hash(rdfis: Iterable[str | int]) -> int:
    """The sum of the entries' eight-digit Receiving DFI Identifications (positions 4-11), its
    rightmost ten digits kept (Batch Control 11-20, File Control 22-31)."""
    return sum(int(rdfi) for rdfi in rdfis) % HASH_MODULUS


def trn_segment(trace: str, payer_id: str) -> str:
    """The 835 reassociation trace as the addenda carries it: TRN01 ``1`` (current transaction
    trace numbers), TRN02 the check or EFT trace number, TRN03 the payer's id (``1`` + EIN)."""
    return f"TRN*1*{trace}*{payer_id}{TERMINATOR}"


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BankAccount:
    routing: str
    """Nine digits: the eight-digit DFI identification and its check digit."""
    number: str
    """The DFI account number (Entry Detail 13-29): up to 17 letters, digits or hyphens."""
    type: AccountType = AccountType.CHECKING


@dataclass(frozen=True, slots=True)
class Payment:
    """One EFT credit to a payee, with the 835 it is reassociated with (TRN02, TRN03)."""

    payee_id: str
    """Entry Detail 40-54 (Identification Number): the payee's id in the TPA's books."""
    payee_name: str
    """Entry Detail 55-76 (Receiving Company Name); cut to 22 characters."""
    account: BankAccount
    amount: Decimal
    trace: str
    """TRN02 of the payment's 835: the check or EFT trace number (at most 50 characters)."""
    payer_id: str
    """TRN03 of the payment's 835: ``1`` followed by the payer's EIN (ten characters)."""
    prenote: bool = False
    """A zero-dollar prenotification (23/33) that tests the account; it carries no addenda."""


@dataclass(frozen=True, slots=True)
class Originator:
    """The employer whose claims funding account pays: Batch Header 5-20 and 41-50."""

    company_name: str
    """Cut to 16 characters: the name the payee will see for the payer."""
    company_id: str
    """Up to ten characters, by convention ``1`` followed by the EIN."""
    odfi: str
    """Routing number of the originating bank; its first eight digits identify it (80-87)."""
    funding: BankAccount | None = None
    """The claims funding account: debited by the offset entry of a balanced batch."""
    discretionary_data: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    originator: Originator
    effective_date: date
    payments: tuple[Payment, ...]
    description: str = HEALTHCARE_DESCRIPTION
    descriptive_date: date | None = None
    sec_code: SecCode = SecCode.CCD


@dataclass(frozen=True, slots=True)
class Transmission:
    """The File Header's parties: the bank the file goes to and the TPA that sends it."""

    destination: str
    """Routing number of the receiving point (the ODFI or its processor)."""
    destination_name: str
    origin: str
    """Ten characters (e.g. ``1`` + the TPA's EIN), or a nine-digit routing number."""
    origin_name: str
    created: datetime
    file_id_modifier: str = "A"
    """A-Z or 0-9: tells apart files created the same day for the same destination."""
    reference_code: str = ""


@dataclass(frozen=True, slots=True)
class NachaFile:
    text: str
    traces: tuple[tuple[str, ...], ...]
    """The trace number given to each payment, batch by batch, in the order of the payments:
    what an ACH return or notification of change names."""


# --- validation -----------------------------------------------------------------------------


def _text_problems(where: str, value: str, *, width: int, required: bool) -> list[Problem]:
    if not isinstance(value, str):
        return [Problem(where, f"{value!r} is not text")]
    if required and not value.strip():
        return [Problem(where, "is required")]
    if not PRINTABLE.fullmatch(value):
        bad = sorted({ch for ch in value if not PRINTABLE.fullmatch(ch)})
        return [Problem(where, f"{value!r} has characters NACHA does not allow: {bad!r}")]
    if width and len(value) > width:
        return [Problem(where, f"{value!r} is longer than {width} characters")]
    return []


def _name_problems(where: str, value: str) -> list[Problem]:
    """Names are cut to their field, so only presence and characters are checked."""
    return _text_problems(where, value, width=0, required=True)


def _routing_problems(where: str, routing: str) -> list[Problem]:
    message = routing_problem(routing) if isinstance(routing, str) else f"{routing!r} is not text"
    return [Problem(where, message)] if message else []


def _account_problems(where: str, account: BankAccount) -> list[Problem]:
    found = _routing_problems(f"{where}.routing", account.routing)
    if not isinstance(account.number, str) or not ACCOUNT_NUMBER.fullmatch(account.number):
        found.append(
            Problem(f"{where}.number", f"{account.number!r}: 1 to 17 letters, digits or hyphens")
        )
    if not isinstance(account.type, AccountType):
        found.append(Problem(f"{where}.type", f"{account.type!r}: checking or savings"))
    return found


def _amount_problems(where: str, amount: object, *, prenote: bool) -> list[Problem]:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return [Problem(where, f"{amount!r} is not a Decimal amount")]
    if amount != amount.quantize(CENT):
        return [Problem(where, f"{amount} has fractions of a cent")]
    if prenote and amount != 0:
        return [Problem(where, f"{amount}: a prenote is for zero dollars")]
    if not prenote and amount <= 0:
        return [Problem(where, f"{amount} must be positive")]
    if amount * 100 > MAX_ENTRY_CENTS:
        return [Problem(where, f"{amount} is more than one entry holds ($99,999,999.99)")]
    return []


def _trn_problems(where: str, payment: Payment) -> list[Problem]:
    found = _text_problems(f"{where}.trace", payment.trace, width=MAX_TRN02, required=True)
    found += _text_problems(f"{where}.payer_id", payment.payer_id, width=0, required=True)
    for name in ("trace", "payer_id"):
        value = getattr(payment, name)
        if isinstance(value, str) and any(ch in TRN_DELIMITERS for ch in value):
            found.append(Problem(f"{where}.{name}", f"{value!r} holds a TRN delimiter (* ~ \\)"))
    if not found and len(payment.payer_id) != 10:
        found.append(Problem(f"{where}.payer_id", "TRN03 is ten characters: 1 + the EIN"))
    return found


def payment_problems(where: str, payment: Payment) -> list[Problem]:
    """Everything wrong with one payment, each problem naming the field; ``where`` names the
    payment (and its payee id, so a long list still says which one)."""
    where = f"{where} (payee {payment.payee_id!r})"
    found = _text_problems(f"{where}.payee_id", payment.payee_id, width=15, required=True)
    found += _name_problems(f"{where}.payee_name", payment.payee_name)
    found += _account_problems(f"{where}.account", payment.account)
    found += _amount_problems(f"{where}.amount", payment.amount, prenote=payment.prenote)
    if not payment.prenote:
        found += _trn_problems(where, payment)
    return found


def _originator_problems(where: str, originator: Originator, *, balanced: bool) -> list[Problem]:
    found = _name_problems(f"{where}.company_name", originator.company_name)
    found += _text_problems(f"{where}.company_id", originator.company_id, width=10, required=True)
    found += _routing_problems(f"{where}.odfi", originator.odfi)
    found += _text_problems(
        f"{where}.discretionary_data", originator.discretionary_data, width=20, required=False
    )
    if originator.funding is not None:
        found += _account_problems(f"{where}.funding", originator.funding)
    elif balanced:
        found.append(Problem(f"{where}.funding", "a balanced file debits the funding account"))
    return found


def batch_problems(where: str, batch: Batch, *, balanced: bool) -> list[Problem]:
    found = _originator_problems(f"{where}.originator", batch.originator, balanced=balanced)
    found += _text_problems(f"{where}.description", batch.description, width=10, required=True)
    if not isinstance(batch.sec_code, SecCode):
        found.append(Problem(f"{where}.sec_code", f"{batch.sec_code!r}: CCD or PPD"))
    elif batch.description == HEALTHCARE_DESCRIPTION and batch.sec_code is not SecCode.CCD:
        found.append(Problem(f"{where}.sec_code", "a healthcare EFT (HCCLAIMPMT) is CCD"))
    if not batch.payments:
        found.append(Problem(f"{where}.payments", "a batch needs at least one payment"))
    for i, payment in enumerate(batch.payments):
        found += payment_problems(f"{where}.payments[{i}]", payment)
    if not found and _credit_cents(batch) > MAX_TOTAL_CENTS:
        found.append(Problem(f"{where}.payments", "the batch total is more than 12 digits"))
    return found


def transmission_problems(transmission: Transmission) -> list[Problem]:
    where = "transmission"
    found = _routing_problems(f"{where}.destination", transmission.destination)
    origin = transmission.origin
    if isinstance(origin, str) and ROUTING.fullmatch(origin):
        found += _routing_problems(f"{where}.origin", origin)
    elif not isinstance(origin, str) or len(origin) != 10 or not origin.isalnum():
        found.append(Problem(f"{where}.origin", f"{origin!r}: ten characters or a routing number"))
    found += _name_problems(f"{where}.destination_name", transmission.destination_name)
    found += _name_problems(f"{where}.origin_name", transmission.origin_name)
    if not FILE_ID_MODIFIER.fullmatch(str(transmission.file_id_modifier)):
        found.append(Problem(f"{where}.file_id_modifier", "one of A-Z or 0-9"))
    found += _text_problems(
        f"{where}.reference_code", transmission.reference_code, width=8, required=False
    )
    return found


def file_problems(
    transmission: Transmission, batches: Sequence[Batch], *, balanced: bool
) -> list[Problem]:
    found = transmission_problems(transmission)
    if not batches:
        found.append(Problem("batches", "a file needs at least one batch"))
    for i, batch in enumerate(batches):
        found += batch_problems(f"batches[{i}]", batch, balanced=balanced)
    return found + _repeated_traces(batches)


def _repeated_traces(batches: Sequence[Batch]) -> list[Problem]:
    """Each payment has its own 835 and so its own trace: a TRN02 given twice by one payer
    would join two payments to one remittance (and is how a payment sent twice shows)."""
    first: dict[tuple[str, str], str] = {}
    found = []
    for i, batch in enumerate(batches):
        for j, payment in enumerate(batch.payments):
            if payment.prenote:
                continue
            where = f"batches[{i}].payments[{j}]"
            seen = first.setdefault((payment.payer_id, payment.trace), where)
            if seen != where:
                message = f"trace {payment.trace!r} is also the trace of {seen}"
                found.append(Problem(f"{where} (payee {payment.payee_id!r}).trace", message))
    return found


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    code: TransactionCode
    account: BankAccount
    cents: int
    identification: str
    name: str
    addenda: str | None


@dataclass
class _Sequence:
    """Entry sequence numbers, unique in the file and ascending within each batch."""

    last: int = 0

    def next(self, odfi: str) -> str:
        self.last += 1
        if self.last > MAX_SEQUENCE:
            raise _too_big("more entries than seven-digit trace sequences number")
        return f"{odfi[:8]}{self.last:07d}"


def _too_big(message: str) -> ValidationFailed:
    return ValidationFailed([Problem("batches", message)], "the ACH file cannot be written")


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _credit_cents(batch: Batch) -> int:
    return sum(_cents(p.amount) for p in batch.payments)


def _payment_entry(payment: Payment) -> _Entry:
    code = CREDIT_CODES[(payment.account.type, payment.prenote)]
    addenda = None if payment.prenote else trn_segment(payment.trace, payment.payer_id)
    return _Entry(
        code=code,
        account=payment.account,
        cents=_cents(payment.amount),
        identification=payment.payee_id,
        name=payment.payee_name,
        addenda=addenda,
    )


def _offset_entries(originator: Originator, cents: int) -> list[_Entry]:
    """The debits to the funding account that balance a batch's credits: one entry, or more
    when the credits exceed what one entry holds ($99,999,999.99)."""
    funding = originator.funding
    assert funding is not None  # checked by batch_problems
    amounts = [MAX_ENTRY_CENTS] * (cents // MAX_ENTRY_CENTS)
    if cents % MAX_ENTRY_CENTS:
        amounts.append(cents % MAX_ENTRY_CENTS)
    return [
        _Entry(
            code=DEBIT_CODES[funding.type],
            account=funding,
            cents=amount,
            identification=originator.company_id,
            name=originator.company_name,
            addenda=None,
        )
        for amount in amounts
    ]


def _entries(batch: Batch, *, balanced: bool) -> list[_Entry]:
    entries = [_payment_entry(p) for p in batch.payments]
    if balanced:
        entries += _offset_entries(batch.originator, _credit_cents(batch))
    return entries


def _entry_records(entry: _Entry, trace: str) -> list[str]:
    """Entry Detail (6) and, for a payment, its addenda (7) with sequence number 0001 and the
    entry's sequence number (the last seven digits of its trace number)."""
    routing = entry.account.routing
    records = [
        ENTRY_DETAIL.build(
            {
                "transaction_code": int(entry.code),
                "rdfi": routing[:8],
                "check_digit": routing[8],
                "account_number": entry.account.number,
                "amount": entry.cents,
                "identification_number": entry.identification,
                "receiver_name": entry.name[:22],
                "addenda_indicator": 0 if entry.addenda is None else 1,
                "trace_number": trace,
            }
        )
    ]
    if entry.addenda is not None:
        records.append(
            ADDENDA.build(
                {
                    "addenda_type": ADDENDA_TYPE_CCD,
                    "payment_information": entry.addenda,
                    "addenda_sequence": 1,
                    "entry_sequence": trace[-7:],
                }
            )
        )
    return records


def _service_class(entries: Sequence[_Entry]) -> ServiceClass:
    debits = any(e.code.is_debit for e in entries)
    credits = any(not e.code.is_debit for e in entries)
    if debits and credits:
        return ServiceClass.MIXED
    return ServiceClass.DEBITS_ONLY if debits else ServiceClass.CREDITS_ONLY


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def _batch_header(batch: Batch, number: int, service_class: ServiceClass) -> str:
    originator = batch.originator
    descriptive = _yymmdd(batch.descriptive_date) if batch.descriptive_date else ""
    return BATCH_HEADER.build(
        {
            "service_class": int(service_class),
            "company_name": originator.company_name[:16],
            "discretionary_data": originator.discretionary_data,
            "company_id": originator.company_id,
            "sec_code": batch.sec_code.value,
            "entry_description": batch.description,
            "descriptive_date": descriptive,
            "effective_date": _yymmdd(batch.effective_date),
            "odfi": originator.odfi[:8],
            "batch_number": number,
        }
    )


@dataclass(frozen=True, slots=True)
class _Totals:
    """What control records add up: entry and addenda records, entry hash, debits, credits."""

    count: int = 0
    hash: int = 0
    debit: int = 0
    credit: int = 0

    def __add__(self, other: _Totals) -> _Totals:
        return _Totals(
            self.count + other.count,
            (self.hash + other.hash) % HASH_MODULUS,
            self.debit + other.debit,
            self.credit + other.credit,
        )


def _totals(entries: Sequence[_Entry]) -> _Totals:
    return _Totals(
        count=len(entries) + sum(1 for e in entries if e.addenda is not None),
        hash=entry_hash(e.account.routing[:8] for e in entries),
        debit=sum(e.cents for e in entries if e.code.is_debit),
        credit=sum(e.cents for e in entries if not e.code.is_debit),
    )


def _batch_control(batch: Batch, number: int, service_class: ServiceClass, totals: _Totals) -> str:
    return BATCH_CONTROL.build(
        {
            "service_class": int(service_class),
            "entry_addenda_count": totals.count,
            "entry_hash": totals.hash,
            "total_debit": totals.debit,
            "total_credit": totals.credit,
            "company_id": batch.originator.company_id,
            "odfi": batch.originator.odfi[:8],
            "batch_number": number,
        }
    )


def _batch_records(
    batch: Batch, number: int, sequence: _Sequence, *, balanced: bool
) -> tuple[list[str], _Totals, tuple[str, ...]]:
    entries = _entries(batch, balanced=balanced)
    service_class = _service_class(entries)
    records = [_batch_header(batch, number, service_class)]
    traces = []
    for entry in entries:
        trace = sequence.next(batch.originator.odfi)
        traces.append(trace)
        records += _entry_records(entry, trace)
    totals = _totals(entries)
    if totals.count > MAX_BATCH_RECORDS:
        raise _too_big(f"batch {number} has more entry and addenda records than six digits count")
    records.append(_batch_control(batch, number, service_class, totals))
    return records, totals, tuple(traces[: len(batch.payments)])


def _file_header(transmission: Transmission) -> str:
    origin = transmission.origin
    return FILE_HEADER.build(
        {
            "immediate_destination": " " + transmission.destination,
            "immediate_origin": " " + origin if len(origin) == 9 else origin,
            "creation_date": transmission.created.strftime("%y%m%d"),
            "creation_time": transmission.created.strftime("%H%M"),
            "file_id_modifier": transmission.file_id_modifier,
            "destination_name": transmission.destination_name[:23],
            "origin_name": transmission.origin_name[:23],
            "reference_code": transmission.reference_code,
        }
    )


def block_count(records: int) -> int:
    """Blocks of ten records the file fills, the last one padded."""
    return -(-records // BLOCKING_FACTOR)


def _file_control(batches: int, records: int, totals: _Totals) -> str:
    return FILE_CONTROL.build(
        {
            "batch_count": batches,
            "block_count": block_count(records),
            "entry_addenda_count": totals.count,
            "entry_hash": totals.hash,
            "total_debit": totals.debit,
            "total_credit": totals.credit,
        }
    )


def write_nacha(
    *, transmission: Transmission, batches: Sequence[Batch], balanced: bool = False
) -> NachaFile:
    """The ACH file of ``batches``, batch numbers from 1 and trace numbers ascending.

    ``balanced`` adds to each batch an offsetting debit to the originator's funding account for
    the batch's credits (service class 200), as some banks require; otherwise the batch holds
    credits only (service class 220) and the bank settles the funding side.
    """
    found = file_problems(transmission, batches, balanced=balanced)
    if found:
        raise ValidationFailed(found, "the ACH file cannot be written")
    records = [_file_header(transmission)]
    totals = _Totals()
    sequence = _Sequence()
    traces = []
    for number, batch in enumerate(batches, start=1):
        batch_records, batch_totals, batch_traces = _batch_records(
            batch, number, sequence, balanced=balanced
        )
        records += batch_records
        totals += batch_totals
        traces.append(batch_traces)
    if totals.debit > MAX_TOTAL_CENTS or totals.credit > MAX_TOTAL_CENTS:
        raise _too_big("the file total is more than 12 digits")
    if len(records) + 1 > MAX_FILE_RECORDS:
        raise _too_big("more records than the six-digit block count of the file control counts")
    records.append(_file_control(len(batches), len(records) + 1, totals))
    records += [PADDING] * (-len(records) % BLOCKING_FACTOR)
    return NachaFile(text="\n".join(records) + "\n", traces=tuple(traces))
