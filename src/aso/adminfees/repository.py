"""Loading and saving admin fees. Never commits.

The enrollment snapshot holds subscribers' coverages only (employees are who PEPM fees count),
as opaque ids, lines, tiers and dates: no member data leaves this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aso.adminfees import months
from aso.adminfees.domain import (
    FEE_LINE_OF_CLAIM_TYPE,
    Billed,
    Charge,
    ChargeKey,
    ChargeKind,
    EnrolledSpan,
    FeeAgreement,
    FeeLine,
    PaidClaims,
    describe,
)
from aso.adminfees.models import BilledRow, FeeAgreementRow, InvoiceLineRow, InvoiceRow
from aso.claims.models import ClaimRow, ClaimVersionRow, LineResultRow
from aso.claims.repository import current_version
from aso.employers.models import Employer, OfferedPlan
from aso.members.models import Coverage, Member
from aso.money import ZERO
from aso.plans.domain import Line, Tier
from aso.yamlio import load_json_text

# --- agreements ------------------------------------------------------------------------------


def agreement_rows(session: Session, employer_id: int) -> Sequence[FeeAgreementRow]:
    return session.scalars(
        select(FeeAgreementRow)
        .where(FeeAgreementRow.employer_id == employer_id)
        .order_by(FeeAgreementRow.effective)
    ).all()


def terms_of(row: FeeAgreementRow) -> FeeAgreement:
    """The stored terms, validated again (amounts come back as Decimals)."""
    return FeeAgreement.model_validate(load_json_text(row.terms_json))


def employers_with_agreements(session: Session, month: date) -> Sequence[Employer]:
    """Employers with an agreement in effect by ``month``, by EIN."""
    return session.scalars(
        select(Employer)
        .where(
            Employer.id.in_(
                select(FeeAgreementRow.employer_id).where(FeeAgreementRow.effective <= month)
            )
        )
        .order_by(Employer.ein)
    ).all()


def lock_employer(session: Session, employer_id: int) -> Employer | None:
    """The employer, locked on PostgreSQL so that two invoice runs for it queue up."""
    return session.scalars(
        select(Employer).where(Employer.id == employer_id).with_for_update()
    ).one_or_none()


# --- what a month holds ----------------------------------------------------------------------


def enrollment(session: Session, employer_id: int, since: date) -> list[EnrolledSpan]:
    """Subscribers' coverages in force on or after ``since`` (an open end runs to the end of
    the plan's period)."""
    rows = session.execute(
        select(
            Member.id,
            Coverage.line,
            Coverage.tier,
            Coverage.start_date,
            Coverage.end_date,
            OfferedPlan.period_end,
        )
        .join(Member, Member.id == Coverage.member_id)
        .join(OfferedPlan, OfferedPlan.id == Coverage.plan_id)
        .where(
            Member.employer_id == employer_id,
            Member.subscriber_id.is_(None),
            OfferedPlan.period_end >= since,
        )
    ).all()
    spans = []
    for member_id, line, tier, start, end, plan_end in rows:
        last = plan_end if end is None else min(end, plan_end)
        if last >= since:
            spans.append(EnrolledSpan(member_id, Line(line), Tier(tier), start, last))
    return spans


def paid_claims(session: Session, employer_id: int, first: date, last: date) -> list[PaidClaims]:
    """Claims paid from ``first`` to ``last`` (both days), per month and fee line: how many,
    and what the plan paid on their current version."""
    rows = session.execute(
        select(
            ClaimRow.paid_on,
            ClaimRow.type,
            func.count(func.distinct(ClaimRow.id)),
            func.sum(LineResultRow.plan_paid_cents),
        )
        .join(
            ClaimVersionRow,
            current_version(),
        )
        .join(LineResultRow, LineResultRow.version_id == ClaimVersionRow.id)
        .where(
            ClaimRow.employer_id == employer_id,
            ClaimRow.status == "paid",
            ClaimRow.paid_on >= first,
            ClaimRow.paid_on <= last,
        )
        .group_by(ClaimRow.paid_on, ClaimRow.type)
    ).all()
    counts: dict[tuple[date, FeeLine], int] = defaultdict(int)
    amounts: dict[tuple[date, FeeLine], Decimal] = defaultdict(lambda: ZERO)
    for paid_on, claim_type, count, plan_paid in rows:
        line = FEE_LINE_OF_CLAIM_TYPE.get(claim_type)
        if line is None or paid_on is None:
            continue
        key = (months.first_of(paid_on), line)
        counts[key] += int(count)
        amounts[key] += plan_paid
    return [
        PaidClaims(month, line, counts[(month, line)], amounts[(month, line)])
        for month, line in sorted(counts)
    ]


# --- invoices ---------------------------------------------------------------------------------


def issued_invoice(session: Session, employer_id: int, month: date) -> InvoiceRow | None:
    return session.scalars(
        select(InvoiceRow).where(
            InvoiceRow.employer_id == employer_id,
            InvoiceRow.month == month,
            InvoiceRow.status == "issued",
        )
    ).one_or_none()


def invoiced_months(session: Session, employer_id: int, since: date) -> list[date]:
    return list(
        session.scalars(
            select(InvoiceRow.month).where(
                InvoiceRow.employer_id == employer_id,
                InvoiceRow.status == "issued",
                InvoiceRow.month >= since,
            )
        )
    )


def invoice_count(session: Session, employer_id: int, month: date) -> int:
    return int(
        session.scalar(
            select(func.count(InvoiceRow.id)).where(
                InvoiceRow.employer_id == employer_id, InvoiceRow.month == month
            )
        )
        or 0
    )


def invoice_by_number(session: Session, number: str) -> InvoiceRow | None:
    return session.scalars(select(InvoiceRow).where(InvoiceRow.number == number)).one_or_none()


def latest_issued_id(session: Session, employer_id: int) -> int | None:
    return session.scalar(
        select(func.max(InvoiceRow.id)).where(
            InvoiceRow.employer_id == employer_id, InvoiceRow.status == "issued"
        )
    )


def invoices_of(session: Session, employer_id: int) -> Sequence[InvoiceRow]:
    return session.scalars(
        select(InvoiceRow)
        .where(InvoiceRow.employer_id == employer_id)
        .order_by(InvoiceRow.month.desc(), InvoiceRow.id.desc())
    ).all()


def lines_of(session: Session, invoice_id: int) -> Sequence[InvoiceLineRow]:
    return session.scalars(
        select(InvoiceLineRow)
        .where(InvoiceLineRow.invoice_id == invoice_id)
        .order_by(InvoiceLineRow.seq)
    ).all()


def line_rows(invoice_id: int, charges: Sequence[Charge]) -> list[InvoiceLineRow]:
    return [
        InvoiceLineRow(
            invoice_id=invoice_id,
            seq=seq,
            kind=charge.kind.value,
            line=charge.key.line.value if charge.key.line else None,
            tier=charge.key.tier.value if charge.key.tier else None,
            label=charge.key.label,
            month_corrected=charge.month_corrected,
            description=describe(charge)[:200],
            quantity_e2=charge.quantity,
            rate_e6=charge.rate,
            amount_cents=charge.amount,
        )
        for seq, charge in enumerate(charges, start=1)
    ]


def to_charge(row: InvoiceLineRow) -> Charge:
    return Charge(
        ChargeKey(
            ChargeKind(row.kind),
            FeeLine(row.line) if row.line else None,
            Tier(row.tier) if row.tier else None,
            row.label,
            row.rate_e6,
        ),
        row.quantity_e2,
        row.amount_cents,
        row.month_corrected,
    )


# --- what was billed ---------------------------------------------------------------------------


def key_code(key: ChargeKey) -> str:
    """The key written out, the same for equal keys (the rate in millionths)."""
    rate = "" if key.rate is None else str(int(key.rate.scaleb(6)))
    parts = (key.kind.value, key.line or "", key.tier or "", key.label, rate)
    return "|".join(str(part) for part in parts)


def billed_rows(session: Session, employer_id: int, months_: Iterable[date]) -> list[BilledRow]:
    wanted = sorted(set(months_))
    if not wanted:
        return []
    return list(
        session.scalars(
            select(BilledRow).where(
                BilledRow.employer_id == employer_id, BilledRow.month.in_(wanted)
            )
        )
    )


def billed_by_month(rows: Iterable[BilledRow]) -> dict[date, dict[ChargeKey, Billed]]:
    billed: dict[date, dict[ChargeKey, Billed]] = defaultdict(dict)
    for row in rows:
        key = ChargeKey(
            ChargeKind(row.kind),
            FeeLine(row.line) if row.line else None,
            Tier(row.tier) if row.tier else None,
            row.label,
            row.rate_e6,
        )
        billed[row.month][key] = Billed(row.quantity_e2, row.amount_cents)
    return billed


def add_billed(
    session: Session,
    employer_id: int,
    invoice_month: date,
    charges: Iterable[Charge],
    *,
    sign: int = 1,
) -> None:
    """Add the charges (``sign`` -1: take them away, when an invoice is voided) to what was
    billed for the months they bill."""
    charges = list(charges)
    billing_months = {c.month_corrected or invoice_month for c in charges}
    existing = {(r.month, r.key): r for r in billed_rows(session, employer_id, billing_months)}
    for charge in charges:
        month = charge.month_corrected or invoice_month
        code = key_code(charge.key)
        row = existing.get((month, code))
        if row is None:
            row = BilledRow(
                employer_id=employer_id,
                month=month,
                key=code,
                kind=charge.kind.value,
                line=charge.key.line.value if charge.key.line else None,
                tier=charge.key.tier.value if charge.key.tier else None,
                label=charge.key.label,
                rate_e6=charge.rate,
                quantity_e2=ZERO,
                amount_cents=ZERO,
            )
            session.add(row)
            existing[(month, code)] = row
        row.quantity_e2 = row.quantity_e2 + sign * (charge.quantity or ZERO)
        row.amount_cents = row.amount_cents + sign * charge.amount
