"""ACH returns and notifications of change (``aso payments returns FILE``).

The bank reports, for an entry of an ACH file, a **return** (``R01``, ``R03``, ...: the money
came back) or a **notification of change** (``C01``, ``C02``, ...: the entry was posted, but the
payee's bank details must be corrected before the next one). The file is a CSV with a header
row: ``trace`` (the entry's trace number, or the payment's TRN02), ``code``, and optionally
``corrected_data`` (of a NOC, as NACHA addenda 98 carries it), ``date`` (when the bank reported
it; default today) and ``amount`` (to tell apart entries of different files with the same
trace number).

- A return undoes the payment (``aso.payments.voids.undo``: its claims approved and unpaid again,
  its 835 reversed, its ledger entries reversed) and takes the payee's account out of use unless
  the code says nothing against the account (``aso.payments.domain.KEEPS_ACCOUNT``); the next
  cycle pays the payee by check. A returned prenote takes the account out of use.
- A NOC corrects the account the entry went to (routing number, account number, account type);
  the payment stands.

The file is read whole before anything changes: a row that cannot be read rejects the file. Each
(trace, code) is applied once: the same notice again is reported, not applied. A row that names
no entry, or a return that cannot undo its payment alone, is reported and the rest go on.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aso.db.uow import UnitOfWork
from aso.errors import AsoError, Forbidden, Problem, ValidationFailed
from aso.members.crypto import SsnCipher
from aso.money import to_money
from aso.payments import repository as repo
from aso.payments.domain import (
    NOC_REASONS,
    RETURN_REASONS,
    Correction,
    deactivates,
    masked,
    parse_correction,
)
from aso.payments.models import AchNoticeRow, PayeeAccountRow, PaymentFileRow, PaymentRow
from aso.payments.schemas import NoticeRead, ReturnsRead
from aso.payments.views import file_reads
from aso.payments.voids import undo
from aso.security import audit
from aso.security.domain import Principal, Role

COLUMNS = ("trace", "code")
OPTIONAL = ("corrected_data", "date", "amount")


@dataclass(frozen=True, slots=True)
class Notice:
    line: int
    trace: str
    code: str
    corrected: Correction
    corrected_text: str
    day: date | None
    amount: Decimal | None

    @property
    def is_return(self) -> bool:
        return self.code.startswith("R")

    @property
    def description(self) -> str:
        reasons = RETURN_REASONS if self.is_return else NOC_REASONS
        return reasons.get(self.code, "return" if self.is_return else "notification of change")


def read_notices(text: str) -> list[Notice]:
    """The file's rows, or ``ValidationFailed`` naming every row and column that is wrong."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ValidationFailed([Problem("header", f"columns {missing} are missing")])
    notices: list[Notice] = []
    problems: list[Problem] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            notices.append(_notice(line, row))
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems, "the returns file cannot be used")
    if not notices:
        raise ValidationFailed([Problem("file", "no returns or notifications of change")])
    return notices


def _notice(line: int, row: dict[str, str]) -> Notice:
    where = f"line {line}"
    trace, code = row.get("trace", ""), row.get("code", "").upper()
    problems = []
    if not trace:
        problems.append(Problem(f"{where}.trace", "the entry's trace number is required"))
    if not (len(code) == 3 and code[0] in "RC" and code[1:].isdigit()):
        problems.append(Problem(f"{where}.code", f"{code!r} is not a return (Rnn) or NOC (Cnn)"))
    day = amount = None
    try:
        day = date.fromisoformat(row["date"]) if row.get("date") else None
    except ValueError:
        problems.append(Problem(f"{where}.date", f"{row['date']!r} is not YYYY-MM-DD"))
    try:
        amount = to_money(row["amount"]) if row.get("amount") else None
    except (ValueError, InvalidOperation):
        problems.append(Problem(f"{where}.amount", f"{row['amount']!r} is not an amount"))
    text = row.get("corrected_data", "")
    corrected = Correction()
    if not problems and code.startswith("C"):
        corrected = parse_correction(code, text, f"{where}.corrected_data")
    if problems:
        raise ValidationFailed(problems)
    return Notice(line, trace, code, corrected, text, day, amount)


def apply_notices(
    *,
    uow: UnitOfWork,
    actor: Principal,
    text: str,
    cipher: SsnCipher,
    now: datetime | None = None,
) -> ReturnsRead:
    """Apply a returns and NOC file (TPA administrators); see the module docstring."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only a TPA administrator applies ACH returns")
    notices = read_notices(text)
    now = now or datetime.now(UTC)
    reads: list[NoticeRead] = []
    kept: list[PaymentFileRow] = []
    with uow:
        session = uow.session
        for notice in notices:
            read, made = _apply(session, actor, cipher, notice, now)
            reads.append(read)
            kept += made
        uow.commit()
    applied = sum(1 for r in reads if r.applied)
    return ReturnsRead(
        notices=reads,
        applied=applied,
        skipped=len(reads) - applied,
        batches=sorted({f.batch for f in kept}),
        files=file_reads(kept),
    )


def _apply(
    session: Session, actor: Principal, cipher: SsnCipher, notice: Notice, now: datetime
) -> tuple[NoticeRead, list[PaymentFileRow]]:
    def read(outcome: str, applied: bool, payment_id: int | None = None) -> NoticeRead:
        return NoticeRead(
            line=notice.line,
            trace=notice.trace,
            code=notice.code,
            description=notice.description,
            outcome=outcome,
            applied=applied,
            payment_id=payment_id,
        )

    seen = session.scalars(
        select(AchNoticeRow).where(
            AchNoticeRow.trace == notice.trace, AchNoticeRow.code == notice.code
        )
    ).one_or_none()
    if seen is not None:
        return read(f"already applied: {seen.outcome}", False, seen.payment_id), []
    payment = _payment(session, notice)
    account = _account(session, notice, payment)
    if payment is None and account is None:
        return read("no ACH entry with this trace number", False), []
    day = notice.day or now.date()
    made: list[PaymentFileRow] = []
    try:
        with session.begin_nested():
            if notice.is_return:
                outcome, made = _return(session, actor, notice, payment, account, day, now)
            else:
                outcome = _correct(cipher, notice, account)
            session.add(
                AchNoticeRow(
                    trace=notice.trace,
                    code=notice.code,
                    corrected=_masked(notice),
                    received_on=day,
                    payment_id=payment.id if payment else None,
                    bank_account_id=account.id if account else None,
                    outcome=outcome[:200],
                    created_by=actor.username,
                )
            )
            session.flush()
    except AsoError as exc:
        return read(f"not applied: {exc}", False, payment.id if payment else None), []
    audit.record(session, actor, notice.code, "ach_notice", [notice.trace], detail=outcome[:200])
    return read(outcome, True, payment.id if payment else None), made


def _payment(session: Session, notice: Notice) -> PaymentRow | None:
    """The latest released EFT whose entry (or TRN02) carries the trace."""
    query = (
        select(PaymentRow)
        .where(
            or_(PaymentRow.ach_trace == notice.trace, PaymentRow.trace == notice.trace),
            PaymentRow.method == "EFT",
        )
        .order_by(PaymentRow.id.desc())
    )
    found = list(session.scalars(query))
    if notice.amount is not None:
        found = [p for p in found if p.amount_cents == notice.amount]
    released = [p for p in found if p.status == "released"]
    candidates = released or found
    return candidates[0] if candidates else None


def _account(
    session: Session, notice: Notice, payment: PaymentRow | None
) -> PayeeAccountRow | None:
    if payment is not None and payment.bank_account_id is not None:
        return session.get(PayeeAccountRow, payment.bank_account_id)
    query = (
        select(PayeeAccountRow)
        .where(PayeeAccountRow.prenote_trace == notice.trace)
        .order_by(PayeeAccountRow.id.desc())
    )
    return session.scalars(query).first()


def _return(
    session: Session,
    actor: Principal,
    notice: Notice,
    payment: PaymentRow | None,
    account: PayeeAccountRow | None,
    day: date,
    now: datetime,
) -> tuple[str, list[PaymentFileRow]]:
    made: list[PaymentFileRow] = []
    done = []
    if payment is not None and payment.status == "released":
        employer = repo.lock_employer(session, payment.employer_id)
        assert employer is not None
        why = f"ACH return {notice.code}: {notice.description}"
        made = undo(
            session,
            actor,
            employer,
            payment,
            on=day,
            now=now,
            why=why,
            status="returned",
            reference=payment.trace or notice.trace,
            batch=f"RETURN-{payment.id}",
        )
        payment.return_code = notice.code
        done.append(f"payment {payment.id} returned: its claims are unpaid again")
    elif payment is not None:
        done.append(f"payment {payment.id} is already {payment.status}")
    if account is not None and account.status != "inactive" and deactivates(notice.code):
        account.status = "inactive"
        account.inactive_reason = f"{notice.code} {notice.description}"[:120]
        account.updated_at = now
        done.append(f"bank account {account.id} taken out of use")
    return "; ".join(done) or "nothing to change", made


def _correct(cipher: SsnCipher, notice: Notice, account: PayeeAccountRow | None) -> str:
    if account is None:
        return "no bank account to correct"
    fix = notice.corrected
    changed = []
    if fix.routing is not None:
        account.routing = fix.routing
        changed.append("routing number")
    if fix.account is not None:
        account.account_encrypted = cipher.encrypt(fix.account)
        account.account_last4 = fix.account[-4:]
        changed.append("account number")
    if fix.account_type is not None:
        account.account_type = fix.account_type
        changed.append("account type")
    if not changed:
        return f"{notice.code} noted: nothing in the bank details to change"
    return f"bank account {account.id}: {', '.join(changed)} corrected"


def _masked(notice: Notice) -> str | None:
    """The corrected data as kept: an account number masked."""
    fix = notice.corrected
    parts = [
        fix.routing or "",
        masked(fix.account) if fix.account else "",
        fix.account_type or "",
    ]
    text = " ".join(p for p in parts if p)
    return text[:40] or None
