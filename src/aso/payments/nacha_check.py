"""A structure checker for NACHA ACH files: reads a file back and reports every rule of the
record format it breaks, each finding naming the record number and the field positions.

What it checks (NACHA Operating Rules, Appendix Three, ACH Record Format Specifications, with
the layouts of ``aso.payments.nacha``):

- every record is 94 printable ASCII characters and of a known type; the file is a whole number
  of blocks of ten, the last filled with records of all 9s (fewer than ten of them);
- record order: a file header (1), batches of a header (5), entries (6) each followed by its
  addenda (7), a control (8), then the file control (9);
- the file header's record size ``094``, blocking factor ``10`` and format code ``1``;
- each entry: a known transaction code, the RDFI's ABA check digit, a zero amount on a prenote,
  its addenda indicator against the addenda that follow, trace numbers that start with the
  batch's ODFI and ascend within the batch;
- each addenda: type 05, sequence numbers from 0001, the entry's sequence number (the last seven
  digits of its trace number); at most one for CCD and PPD entries; a healthcare EFT credit
  (``HCCLAIMPMT``) carries the 835 ``TRN`` reassociation segment;
- each batch control against its entries: service class (and credits only in 220, debits only in
  225), entry/addenda count, entry hash, debit and credit totals, company id, ODFI, batch number;
  batch numbers ascend;
- the file control against the whole file: batch count, block count, entry/addenda count, entry
  hash, debit and credit totals.

It is independent of the writer's bookkeeping: every count and sum is recomputed from the
entry records themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aso.errors import Problem
from aso.payments.nacha import (
    ADDENDA,
    BATCH_CONTROL,
    BATCH_HEADER,
    BLOCKING_FACTOR,
    ENTRY_DETAIL,
    FILE_CONTROL,
    FILE_HEADER,
    HEALTHCARE_DESCRIPTION,
    LAYOUTS,
    PADDING,
    PRINTABLE,
    RECORD_LENGTH,
    Field,
    ServiceClass,
    TransactionCode,
    block_count,
    entry_hash,
    routing_problem,
)

ONE_ADDENDA = frozenset({"CCD", "PPD"})
"""SEC codes whose entries carry at most one addenda record."""
TRN_PREFIX = "TRN*1*"


class Findings(list[Problem]):
    def add(self, number: int, message: str, spec: Field | None = None) -> None:
        where = f"record {number}"
        if spec is not None:
            where += f" positions {spec.start}-{spec.end} ({spec.name})"
        self.append(Problem(where, message))

    def number(self, number: int, record: str, spec: Field) -> int | None:
        """The field as a number, or None (and a finding) when it is not one."""
        text = spec.read(record)
        if not text.isdigit():
            self.add(number, f"{text!r} is not a number", spec)
            return None
        return int(text)

    def expect(self, number: int, record: str, spec: Field, expected: int | str) -> None:
        """A finding when the field does not hold ``expected``."""
        value: int | str | None = spec.read(record)
        if isinstance(expected, int):
            value = self.number(number, record, spec)
            if value is None:
                return
        if value != expected:
            self.add(number, f"is {value!r}, the records say {expected!r}", spec)


@dataclass
class _Entry:
    number: int
    record: str
    addenda: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Batch:
    number: int
    header: str
    entries: list[_Entry] = field(default_factory=list)
    control: tuple[int, str] | None = None


@dataclass(frozen=True)
class _Sums:
    count: int
    hash: int
    debit: int
    credit: int


def check_nacha(text: str) -> list[Problem]:
    """Every rule of the format ``text`` breaks; an empty list for a well-formed file."""
    records = _records(text)
    found = Findings()
    _shape(found, records)
    if found or not records:
        return found or [Problem("file", "the file is empty")]
    _blocking(found, len(records))
    body = _body(found, records)
    if not body:
        return found
    _file_header(found, body[0])
    if body[-1][1][0] != "9":
        found.add(body[-1][0], "the last record before the padding is not a file control (9)")
        return found
    batches = _batches(found, body[1:-1])
    sums = [_batch(found, batch) for batch in batches]
    _batch_numbers(found, batches)
    _file_control(found, body[-1], len(batches), len(records), sums)
    return found


def _records(text: str) -> list[str]:
    """The records, one a line (LF or CRLF), the final line break optional."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _shape(found: Findings, records: list[str]) -> None:
    for number, record in enumerate(records, start=1):
        if len(record) != RECORD_LENGTH:
            found.add(number, f"is {len(record)} characters long, not {RECORD_LENGTH}")
        elif not PRINTABLE.fullmatch(record):
            found.add(number, "holds characters outside printable ASCII")
        elif record[0] not in LAYOUTS:
            found.add(number, f"record type {record[0]!r} is none of 1, 5, 6, 7, 8, 9")


def _blocking(found: Findings, count: int) -> None:
    if count % BLOCKING_FACTOR:
        found.append(
            Problem(
                "file",
                f"{count} records: not a whole number of blocks of {BLOCKING_FACTOR} "
                "(pad the last block with records of all 9s)",
            )
        )


def _body(found: Findings, records: list[str]) -> list[tuple[int, str]]:
    """The numbered records before the padding; the padding fills the last block only."""
    end = len(records)
    while end and records[end - 1] == PADDING:
        end -= 1
    if len(records) - end >= BLOCKING_FACTOR:
        found.add(end + 1, "a whole block of padding: padding only fills the last block")
    body = list(enumerate(records[:end], start=1))
    if not body or body[0][1][0] != "1":
        found.add(1, "the file does not start with a file header (1)")
        return []
    return body


def _file_header(found: Findings, numbered: tuple[int, str]) -> None:
    number, record = numbered
    found.expect(number, record, FILE_HEADER["priority_code"], "01")
    found.expect(number, record, FILE_HEADER["record_size"], "094")
    found.expect(number, record, FILE_HEADER["blocking_factor"], "10")
    found.expect(number, record, FILE_HEADER["format_code"], "1")
    destination = FILE_HEADER["immediate_destination"]
    value = destination.read(record)
    message = routing_problem(value[1:]) if value[0] == " " else "not a blank and a routing number"
    if message:
        found.add(number, message, destination)


def _batches(found: Findings, records: list[tuple[int, str]]) -> list[_Batch]:
    """The batches in record order; records out of place are findings."""
    batches: list[_Batch] = []
    current: _Batch | None = None
    for number, record in records:
        kind = record[0]
        if kind == "5":
            if current is not None:
                found.add(number, f"a batch header before the control of record {current.number}")
                batches.append(current)
            current = _Batch(number, record)
        elif current is None:
            found.add(number, f"a record of type {kind} outside any batch")
        elif kind == "6":
            current.entries.append(_Entry(number, record))
        elif kind == "7" and current.entries:
            current.entries[-1].addenda.append((number, record))
        elif kind == "7":
            found.add(number, "an addenda record before any entry of its batch")
        elif kind == "8":
            current.control = (number, record)
            batches.append(current)
            current = None
        else:
            found.add(number, f"a record of type {kind} inside batch {current.number}")
    if current is not None:
        found.add(current.number, "the batch has no batch control (8)")
        batches.append(current)
    return batches


def _batch(found: Findings, batch: _Batch) -> _Sums:
    """Checks a batch's entries and control; returns what its entries add up to."""
    header = batch.header
    odfi = BATCH_HEADER["odfi"].read(header)
    sec = BATCH_HEADER["sec_code"].read(header)
    healthcare = BATCH_HEADER["entry_description"].read(header) == HEALTHCARE_DESCRIPTION
    service_class = _service_class(found, batch)
    if healthcare and sec != "CCD":
        found.add(batch.number, "a healthcare EFT batch is CCD", BATCH_HEADER["sec_code"])
    if not batch.entries:
        found.add(batch.number, "the batch has no entries")
    last_trace = ""
    debit = credit = 0
    for entry in batch.entries:
        code, cents = _entry(found, entry, sec=sec, healthcare=healthcare)
        trace = ENTRY_DETAIL["trace_number"].read(entry.record)
        _trace(found, entry.number, trace, odfi=odfi, previous=last_trace)
        last_trace = max(last_trace, trace)
        if code is not None and cents is not None:
            debit += cents if code.is_debit else 0
            credit += 0 if code.is_debit else cents
            _direction(found, entry.number, code, service_class)
    sums = _Sums(
        count=len(batch.entries) + sum(len(e.addenda) for e in batch.entries),
        hash=entry_hash(r for r in _rdfis(batch) if r.isdigit()),
        debit=debit,
        credit=credit,
    )
    _batch_control(found, batch, sums)
    return sums


def _rdfis(batch: _Batch) -> list[str]:
    return [ENTRY_DETAIL["rdfi"].read(entry.record) for entry in batch.entries]


def _service_class(found: Findings, batch: _Batch) -> ServiceClass | None:
    spec = BATCH_HEADER["service_class"]
    value = found.number(batch.number, batch.header, spec)
    if value is None:
        return None
    try:
        return ServiceClass(value)
    except ValueError:
        found.add(batch.number, f"{value} is not 200, 220 or 225", spec)
        return None


def _direction(
    found: Findings, number: int, code: TransactionCode, service_class: ServiceClass | None
) -> None:
    if service_class is ServiceClass.CREDITS_ONLY and code.is_debit:
        found.add(number, "a debit in a credits-only batch (220)", ENTRY_DETAIL["transaction_code"])
    if service_class is ServiceClass.DEBITS_ONLY and not code.is_debit:
        found.add(number, "a credit in a debits-only batch (225)", ENTRY_DETAIL["transaction_code"])


def _entry(
    found: Findings, entry: _Entry, *, sec: str, healthcare: bool
) -> tuple[TransactionCode | None, int | None]:
    """Checks one entry and its addenda; returns its transaction code and amount in cents."""
    number, record = entry.number, entry.record
    code = _transaction_code(found, number, record)
    routing = ENTRY_DETAIL["rdfi"].read(record) + ENTRY_DETAIL["check_digit"].read(record)
    message = routing_problem(routing)
    if message:
        found.add(number, message, ENTRY_DETAIL["rdfi"])
    cents = found.number(number, record, ENTRY_DETAIL["amount"])
    if code is not None and code.is_prenote and cents:
        found.add(number, "a prenote carries no amount", ENTRY_DETAIL["amount"])
    found.number(number, record, ENTRY_DETAIL["trace_number"])
    _addenda(found, entry, sec=sec)
    if healthcare and code is not None and not code.is_debit and not code.is_prenote:
        _reassociation(found, entry)
    return code, cents


def _transaction_code(found: Findings, number: int, record: str) -> TransactionCode | None:
    spec = ENTRY_DETAIL["transaction_code"]
    value = found.number(number, record, spec)
    if value is None:
        return None
    try:
        return TransactionCode(value)
    except ValueError:
        found.add(number, f"{value} is not a transaction code for checking or savings", spec)
        return None


def _addenda(found: Findings, entry: _Entry, *, sec: str) -> None:
    indicator = ENTRY_DETAIL["addenda_indicator"]
    flag = indicator.read(entry.record)
    if flag not in ("0", "1"):
        found.add(entry.number, f"{flag!r} is neither 0 nor 1", indicator)
    elif (flag == "1") != bool(entry.addenda):
        found.add(entry.number, f"says {flag} but {len(entry.addenda)} addenda follow", indicator)
    if sec in ONE_ADDENDA and len(entry.addenda) > 1:
        found.add(entry.number, f"a {sec} entry carries at most one addenda record")
    sequence = ENTRY_DETAIL["trace_number"].read(entry.record)[-7:]
    for expected, (number, record) in enumerate(entry.addenda, start=1):
        found.expect(number, record, ADDENDA["addenda_type"], 5)
        found.expect(number, record, ADDENDA["addenda_sequence"], expected)
        found.expect(number, record, ADDENDA["entry_sequence"], sequence)


def _reassociation(found: Findings, entry: _Entry) -> None:
    """A healthcare EFT credit's addenda carries the 835 TRN segment (CCD+)."""
    information = ADDENDA["payment_information"]
    if not entry.addenda or not information.read(entry.addenda[0][1]).startswith(TRN_PREFIX):
        found.add(entry.number, "a healthcare EFT credit without the TRN reassociation addenda")


def _trace(found: Findings, number: int, trace: str, *, odfi: str, previous: str) -> None:
    spec = ENTRY_DETAIL["trace_number"]
    if trace[:8] != odfi:
        found.add(number, f"{trace} does not start with the batch's ODFI {odfi}", spec)
    if previous and trace <= previous:
        found.add(number, f"{trace} does not ascend (after {previous})", spec)


def _batch_control(found: Findings, batch: _Batch, sums: _Sums) -> None:
    if batch.control is None:
        return
    number, control = batch.control
    header = batch.header
    for name in ("service_class", "company_id", "odfi", "batch_number"):
        found.expect(number, control, BATCH_CONTROL[name], BATCH_HEADER[name].read(header))
    found.expect(number, control, BATCH_CONTROL["entry_addenda_count"], sums.count)
    found.expect(number, control, BATCH_CONTROL["entry_hash"], sums.hash)
    found.expect(number, control, BATCH_CONTROL["total_debit"], sums.debit)
    found.expect(number, control, BATCH_CONTROL["total_credit"], sums.credit)


def _batch_numbers(found: Findings, batches: list[_Batch]) -> None:
    spec = BATCH_HEADER["batch_number"]
    previous = 0
    for batch in batches:
        value = found.number(batch.number, batch.header, spec)
        if value is not None and value <= previous:
            found.add(batch.number, f"batch number {value} does not ascend", spec)
        previous = value if value is not None else previous


def _file_control(
    found: Findings, numbered: tuple[int, str], batches: int, records: int, sums: list[_Sums]
) -> None:
    number, control = numbered
    found.expect(number, control, FILE_CONTROL["batch_count"], batches)
    found.expect(number, control, FILE_CONTROL["block_count"], block_count(records))
    found.expect(number, control, FILE_CONTROL["entry_addenda_count"], sum(s.count for s in sums))
    found.expect(number, control, FILE_CONTROL["entry_hash"], entry_hash(s.hash for s in sums))
    found.expect(number, control, FILE_CONTROL["total_debit"], sum(s.debit for s in sums))
    found.expect(number, control, FILE_CONTROL["total_credit"], sum(s.credit for s in sums))
    found.expect(number, control, FILE_CONTROL["reserved"], " " * FILE_CONTROL["reserved"].width)
