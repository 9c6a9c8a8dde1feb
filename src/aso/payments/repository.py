"""Loading and saving for claims funding and payments. Never commits.

What a cycle gathers (``due_claims``, ``due_reversals``) is read with a few set-based queries
(a cycle may gather a hundred thousand claims): amounts are summed in the database from the
line results, and rows, not entities, come back.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Row,
    exists,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased

from aso.claims.bulk import Bulk
from aso.claims.models import ClaimLineRow, ClaimRow, ClaimVersionRow, LineResultRow
from aso.claims.repository import chunks, current_version
from aso.db.base import Base
from aso.edi.remittance_models import RemittedClaimRow
from aso.employers.models import Employer
from aso.ledger.repository import net_by_account
from aso.members.models import Member
from aso.money import ZERO, from_cents, to_cents
from aso.payments import postings
from aso.payments.domain import FundingPosition, Item, OpenRecovery, OpenRequest, PayeeKey, Role
from aso.payments.models import (
    FundingAccountRow,
    FundingMatchRow,
    PayeeAccountRow,
    PaymentClaimRow,
    PaymentCycleRow,
    PaymentRow,
    RecoveryOffsetRow,
    RecoveryRow,
)
from aso.providers.models import ProviderRow

PAYABLE_STATUSES = ("approved", "denied")
ITEMS = Base.metadata.tables[PaymentClaimRow.__tablename__]
"""A payment's claims are read and written as rows (Core), not entities: a cycle may carry a
hundred thousand."""


def lock_employer(session: Session, employer_id: int) -> Employer | None:
    """The employer, locked on PostgreSQL: an employer's cycles run, and its payments are
    released, one at a time (the funds check and the check numbers depend on it)."""
    return session.scalars(
        select(Employer).where(Employer.id == employer_id).with_for_update()
    ).one_or_none()


def funding_account(session: Session, employer_id: int) -> FundingAccountRow | None:
    return session.get(FundingAccountRow, employer_id)


def position(session: Session, employer_id: int) -> FundingPosition:
    """The employer's claims money per its ledger."""
    net = net_by_account(session, employer_id=employer_id)
    return FundingPosition(
        bank=net.get(postings.BANK, ZERO),
        receivable=net.get(postings.RECEIVABLE, ZERO),
        payable=-net.get(postings.PAYABLE, ZERO),
        outstanding=-(net.get(postings.PROVIDERS, ZERO) + net.get(postings.MEMBERS, ZERO)),
    )


def overpayments_receivable(session: Session, employer_id: int) -> Decimal:
    net = net_by_account(session, employer_id=employer_id, account=postings.OVERPAYMENTS)
    return net.get(postings.OVERPAYMENTS, ZERO)


# --- what a cycle gathers ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueClaim:
    """A claim's current version a cycle may pay (an approved claim) or remit (a denied one)."""

    version_id: int
    claim_id: int
    version: int
    status: str
    replaces_id: int | None
    row: Row[Any]
    """The claim's payee columns (``provider_npi``, ``family_id``, ``member_number``)."""
    paid: Decimal
    charge: Decimal


@dataclass(frozen=True, slots=True)
class DueReversal:
    """A paid version whose claim has since changed: taken back from whoever was paid."""

    item: Item
    payee: PayeeKey


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def _not_in_a_payment() -> Any:
    return ~exists().where(
        PaymentClaimRow.version_id == ClaimVersionRow.id,
        PaymentClaimRow.role == Role.PAYMENT.value,
        PaymentClaimRow.active,
    )


def _not_remitted_elsewhere() -> Any:
    """No 835 outside payments (an ``aso edi export`` advice) has remitted the version."""
    ours = exists().where(PaymentRow.remittance_id == RemittedClaimRow.remittance_id)
    return ~exists().where(
        RemittedClaimRow.version_id == ClaimVersionRow.id,
        RemittedClaimRow.role == "payment",
        ~ours,
    )


def _due_query(employer_id: int) -> Any:
    paid = func.coalesce(func.sum(type_coerce(LineResultRow.plan_paid_cents, BigInteger)), 0)
    charge = func.coalesce(func.sum(type_coerce(LineResultRow.charge_cents, BigInteger)), 0)
    return (
        select(
            ClaimVersionRow.id,
            ClaimRow.id.label("claim_id"),
            ClaimVersionRow.version,
            ClaimVersionRow.status,
            ClaimRow.replaces_id,
            ClaimRow.provider_npi,
            ClaimRow.family_id,
            ClaimRow.member_number,
            paid.label("paid"),
            charge.label("charge"),
        )
        .join(
            ClaimVersionRow,
            current_version(),
        )
        .outerjoin(LineResultRow, LineResultRow.version_id == ClaimVersionRow.id)
        .where(
            ClaimRow.employer_id == employer_id,
            ClaimRow.status.in_(PAYABLE_STATUSES),
            ClaimVersionRow.status == ClaimRow.status,
            _not_in_a_payment(),
        )
        .group_by(
            ClaimVersionRow.id,
            ClaimRow.id,
            ClaimVersionRow.version,
            ClaimVersionRow.status,
            ClaimRow.replaces_id,
            ClaimRow.provider_npi,
            ClaimRow.family_id,
            ClaimRow.member_number,
        )
    )


def _due(rows: Iterable[Row[Any]]) -> list[DueClaim]:
    return [
        DueClaim(
            version_id=row.id,
            claim_id=row.claim_id,
            version=row.version,
            status=row.status,
            replaces_id=row.replaces_id,
            row=row,
            paid=Decimal(int(row.paid)).scaleb(-2),
            charge=Decimal(int(row.charge)).scaleb(-2),
        )
        for row in rows
    ]


def due_claims(session: Session, employer_id: int, through: date) -> list[DueClaim]:
    """Current versions of approved and denied claims adjudicated up to ``through`` that no
    payment carries and no 835 export has remitted, in claim order."""
    query = (
        _due_query(employer_id)
        .where(ClaimVersionRow.adjudicated_at < _end_of(through), _not_remitted_elsewhere())
        .order_by(ClaimRow.id)
    )
    return _due(session.execute(query))


def due_claims_of(session: Session, employer_id: int, claim_ids: Collection[int]) -> list[DueClaim]:
    """The same, for the given claims whatever their date (corrections of paid claims)."""
    found: list[DueClaim] = []
    for batch in chunks(sorted(claim_ids)):
        query = _due_query(employer_id).where(ClaimRow.id.in_(batch), _not_remitted_elsewhere())
        found += _due(session.execute(query))
    return found


def remitted_elsewhere(session: Session, employer_id: int, through: date) -> int:
    """Approved or denied claims an 835 export remitted before payments did: not paid here."""
    ours = exists().where(PaymentRow.remittance_id == RemittedClaimRow.remittance_id)
    query = (
        select(func.count())
        .select_from(ClaimRow)
        .join(
            ClaimVersionRow,
            current_version(),
        )
        .join(RemittedClaimRow, RemittedClaimRow.version_id == ClaimVersionRow.id)
        .where(
            ClaimRow.employer_id == employer_id,
            ClaimRow.status.in_(PAYABLE_STATUSES),
            ClaimVersionRow.adjudicated_at < _end_of(through),
            RemittedClaimRow.role == "payment",
            ~ours,
        )
    )
    return int(session.scalar(query) or 0)


def due_reversals(session: Session, employer_id: int) -> list[DueReversal]:
    """Versions paid by a released payment, not reversed (nor being reversed), whose claim has
    since been decided again or corrected (replaced or voided)."""
    reversal = aliased(PaymentClaimRow)
    being_reversed = exists().where(
        reversal.version_id == PaymentClaimRow.version_id,
        reversal.role == Role.REVERSAL.value,
        reversal.active,
    )
    query = (
        select(PaymentClaimRow, PaymentRow.payee_qualifier, PaymentRow.payee_id)
        .join(PaymentRow, PaymentRow.id == PaymentClaimRow.payment_id)
        .join(ClaimRow, ClaimRow.id == PaymentClaimRow.claim_id)
        .where(
            PaymentRow.employer_id == employer_id,
            PaymentRow.status == "released",
            PaymentClaimRow.role == Role.PAYMENT.value,
            PaymentClaimRow.active,
            or_(ClaimRow.current_version != PaymentClaimRow.version, ClaimRow.status == "voided"),
            ~being_reversed,
        )
        .order_by(PaymentClaimRow.id)
    )
    return [
        DueReversal(
            Item(
                claim_id=row.claim_id,
                version_id=row.version_id,
                version=row.version,
                role=Role.REVERSAL,
                paid=-row.paid_cents,
                charge=-row.charge_cents,
                root=row.root_claim_id,
            ),
            (qualifier, payee_id),
        )
        for row, qualifier, payee_id in session.execute(query)
    ]


def successors(session: Session, claim_ids: Collection[int]) -> set[int]:
    """Claims that correct the given ones, directly or through later corrections."""
    found: set[int] = set()
    todo = set(claim_ids)
    while todo:
        step: set[int] = set()
        for batch in chunks(sorted(todo)):
            query = select(ClaimRow.id).where(ClaimRow.replaces_id.in_(batch))
            step.update(session.scalars(query))
        todo = step - found
        found |= step
    return found


def roots(session: Session, claims: dict[int, int | None]) -> dict[int, int]:
    """Each claim's chain root: the claim its chain of corrections starts from. ``claims``
    maps each claim to the claim it replaces (None for an original)."""
    replaces = dict(claims)
    todo = {r for r in replaces.values() if r is not None and r not in replaces}
    while todo:
        for batch in chunks(sorted(todo)):
            query = select(ClaimRow.id, ClaimRow.replaces_id).where(ClaimRow.id.in_(batch))
            replaces.update((pk, previous) for pk, previous in session.execute(query))
        todo = {r for r in replaces.values() if r is not None and r not in replaces}
    found = {}
    for claim_id in claims:
        current, seen = claim_id, {claim_id}
        while (previous := replaces.get(current)) is not None and previous not in seen:
            seen.add(previous)
            current = previous
        found[claim_id] = current
    return found


def payee_people(
    session: Session, due: Sequence[DueClaim]
) -> tuple[dict[int, Member], dict[str, ProviderRow]]:
    """The subscribers and directory providers the payee rule needs."""
    family_ids = sorted({d.row.family_id for d in due if d.row.family_id})
    npis = sorted({d.row.provider_npi for d in due if d.row.provider_npi})
    members: dict[int, Member] = {}
    for batch in chunks(family_ids):
        members.update(
            (m.id, m) for m in session.scalars(select(Member).where(Member.id.in_(batch)))
        )
    providers: dict[str, ProviderRow] = {}
    for batch in chunks(npis):
        query = select(ProviderRow).where(ProviderRow.npi.in_(batch))
        providers.update((p.npi, p) for p in session.scalars(query))
    return members, providers


ITEM_COLUMNS = (
    "payment_id",
    "claim_id",
    "version_id",
    "version",
    "role",
    "root_claim_id",
    "charge_cents",
    "paid_cents",
    "active",
)


def insert_items(session: Session, rows: Sequence[tuple[int, Item]]) -> None:
    """The payments' claims, (payment id, item) each, through the driver's bulk path."""
    Bulk(session).insert(
        ITEMS,
        ITEM_COLUMNS,
        [
            (
                payment_id,
                i.claim_id,
                i.version_id,
                i.version,
                i.role.value,
                i.root,
                to_cents(i.charge),
                to_cents(i.paid),
                True,
            )
            for payment_id, i in rows
        ],
    )


# --- cycles, payments and their claims -------------------------------------------------------


def cycle_by_number(session: Session, number: str, *, lock: bool = False) -> PaymentCycleRow | None:
    query = select(PaymentCycleRow).where(PaymentCycleRow.number == number)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def next_sequence(session: Session, employer_id: int) -> int:
    query = select(func.coalesce(func.max(PaymentCycleRow.sequence), 0)).where(
        PaymentCycleRow.employer_id == employer_id
    )
    return int(session.scalar(query) or 0) + 1


def payments_of(
    session: Session, cycle_id: int, *, status: str | None = None, lock: bool = False
) -> list[PaymentRow]:
    query = select(PaymentRow).where(PaymentRow.cycle_id == cycle_id).order_by(PaymentRow.id)
    if status is not None:
        query = query.where(PaymentRow.status == status)
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def items_of(
    session: Session, payment_ids: Collection[int], *, active: bool | None = True
) -> dict[int, list[Row[Any]]]:
    """The payments' claims (rows of ``payment_claims``), by payment, in order."""
    found: dict[int, list[Row[Any]]] = {pk: [] for pk in payment_ids}
    for batch in chunks(sorted(payment_ids)):
        query = select(*ITEMS.c).where(ITEMS.c.payment_id.in_(batch))
        if active is not None:
            query = query.where(ITEMS.c.active == active)
        for row in session.execute(query.order_by(ITEMS.c.id)):
            found[row.payment_id].append(row)
    return found


def to_item(row: Row[Any]) -> Item:
    return Item(
        claim_id=row.claim_id,
        version_id=row.version_id,
        version=row.version,
        role=Role(row.role),
        paid=row.paid_cents,
        charge=row.charge_cents,
        root=row.root_claim_id,
    )


def claim_states(
    session: Session, claim_ids: Collection[int], *, lock: bool = False
) -> dict[int, tuple[int, str]]:
    """(current version, status) of each claim; locked on PostgreSQL when asked, so that no
    decision changes a claim between the check and its payment."""
    found: dict[int, tuple[int, str]] = {}
    for batch in chunks(sorted(claim_ids)):
        query = select(ClaimRow.id, ClaimRow.current_version, ClaimRow.status).where(
            ClaimRow.id.in_(batch)
        )
        if lock:
            query = query.with_for_update()
        found.update((pk, (version, status)) for pk, version, status in session.execute(query))
    return found


def paid_versions(session: Session, version_ids: Collection[int]) -> set[int]:
    """Of the versions, those a released payment pays (what a reversal takes back)."""
    found: set[int] = set()
    for batch in chunks(sorted(version_ids)):
        query = (
            select(PaymentClaimRow.version_id)
            .join(PaymentRow, PaymentRow.id == PaymentClaimRow.payment_id)
            .where(
                PaymentClaimRow.version_id.in_(batch),
                PaymentClaimRow.role == Role.PAYMENT.value,
                PaymentClaimRow.active,
                PaymentRow.status == "released",
            )
        )
        found.update(session.scalars(query))
    return found


def end_items(session: Session, item_ids: Collection[int], why: str) -> None:
    for batch in chunks(sorted(item_ids)):
        session.execute(
            update(PaymentClaimRow)
            .where(PaymentClaimRow.id.in_(batch))
            .values(active=False, ended=why)
        )


def mark_paid(session: Session, claim_ids: Collection[int], on: date) -> int:
    """Approved claims become paid on the release day; returns how many did."""
    count = 0
    for batch in chunks(sorted(claim_ids)):
        result = session.execute(
            update(ClaimRow)
            .where(ClaimRow.id.in_(batch), ClaimRow.status == "approved")
            .values(status="paid", paid_on=on)
            .execution_options(synchronize_session=False)
        )
        count += cast("CursorResult[Any]", result).rowcount
    return count


def mark_unpaid(session: Session, versions: Collection[tuple[int, int]]) -> None:
    """Claims paid under these (claim id, version)s whose payment did not reach the payee are
    approved and unpaid again; a claim decided again or corrected since keeps its status."""
    for claim_id, version in sorted(versions):
        session.execute(
            update(ClaimRow)
            .where(
                ClaimRow.id == claim_id,
                ClaimRow.current_version == version,
                ClaimRow.status == "paid",
            )
            .values(status="approved", paid_on=None)
            .execution_options(synchronize_session=False)
        )


def reversed_since(session: Session, payment_id: int, version_ids: Collection[int]) -> list[int]:
    """Released payments, other than this one, that reverse any of these versions."""
    found: set[int] = set()
    for batch in chunks(sorted(version_ids)):
        query = (
            select(PaymentClaimRow.payment_id)
            .join(PaymentRow, PaymentRow.id == PaymentClaimRow.payment_id)
            .where(
                PaymentClaimRow.version_id.in_(batch),
                PaymentClaimRow.role == Role.REVERSAL.value,
                PaymentClaimRow.active,
                PaymentRow.status == "released",
                PaymentRow.id != payment_id,
            )
        )
        found.update(session.scalars(query))
    return sorted(found)


# --- recoveries ---------------------------------------------------------------------------


def open_recoveries(
    session: Session, employer_id: int, payee: PayeeKey | None = None
) -> dict[PayeeKey, list[OpenRecovery]]:
    """Overpayments not yet recovered, by payee (of one payee, or of all the employer's),
    oldest first, with what remains of each."""
    taken = (
        select(func.coalesce(func.sum(type_coerce(RecoveryOffsetRow.amount_cents, BigInteger)), 0))
        .where(RecoveryOffsetRow.recovery_id == RecoveryRow.id, RecoveryOffsetRow.active)
        .scalar_subquery()
    )
    query = (
        select(
            RecoveryRow.id,
            RecoveryRow.payee_qualifier,
            RecoveryRow.payee_id,
            RecoveryRow.reference,
            RecoveryRow.amount_cents,
            taken,
        )
        .where(RecoveryRow.employer_id == employer_id, RecoveryRow.status == "open")
        .order_by(RecoveryRow.id)
    )
    if payee is not None:
        query = query.where(
            RecoveryRow.payee_qualifier == payee[0], RecoveryRow.payee_id == payee[1]
        )
    found: dict[PayeeKey, list[OpenRecovery]] = {}
    for pk, qualifier, payee_id, reference, amount, recovered_cents in session.execute(query):
        remaining = amount - from_cents(int(recovered_cents))
        if remaining > 0:
            found.setdefault((qualifier, payee_id), []).append(
                OpenRecovery(pk, reference, remaining)
            )
    return found


def recovered(session: Session, recovery_id: int) -> Decimal:
    query = select(
        func.coalesce(func.sum(type_coerce(RecoveryOffsetRow.amount_cents, BigInteger)), 0)
    ).where(RecoveryOffsetRow.recovery_id == recovery_id, RecoveryOffsetRow.active)
    return from_cents(int(session.scalar(query) or 0))


def refresh_recovery(session: Session, recovery: RecoveryRow) -> None:
    """Open while anything remains to recover; recovered when nothing does."""
    if recovery.status == "cancelled":
        return
    remaining = recovery.amount_cents - recovered(session, recovery.id)
    recovery.status = "open" if remaining > 0 else "recovered"


# --- funding requests -------------------------------------------------------------------------


def open_requests(session: Session, employer_id: int) -> list[OpenRequest]:
    """The employer's funding requests not yet fully deposited, oldest first."""
    matched = (
        select(func.coalesce(func.sum(type_coerce(FundingMatchRow.amount_cents, BigInteger)), 0))
        .where(FundingMatchRow.cycle_id == PaymentCycleRow.id)
        .scalar_subquery()
    )
    query = (
        select(PaymentCycleRow.id, PaymentCycleRow.number, PaymentCycleRow.requested_cents, matched)
        .where(PaymentCycleRow.employer_id == employer_id, PaymentCycleRow.requested_cents > 0)
        .order_by(PaymentCycleRow.id)
    )
    found = []
    for pk, number, requested, deposited in session.execute(query):
        outstanding = requested - from_cents(int(deposited))
        if outstanding > 0:
            found.append(OpenRequest(pk, number, outstanding))
    return found


def deposited_for(session: Session, cycle_ids: Collection[int]) -> dict[int, Decimal]:
    found: dict[int, Decimal] = {}
    for batch in chunks(sorted(cycle_ids)):
        query = (
            select(
                FundingMatchRow.cycle_id,
                func.sum(type_coerce(FundingMatchRow.amount_cents, BigInteger)),
            )
            .where(FundingMatchRow.cycle_id.in_(batch))
            .group_by(FundingMatchRow.cycle_id)
        )
        found.update((pk, from_cents(int(total))) for pk, total in session.execute(query))
    return found


def paid_in_window(session: Session, employer_id: int, through: date) -> tuple[Decimal, int]:
    """The plan's payments on approved and paid claims adjudicated in the window before
    ``through`` (expected claims), and how many days of history the window holds."""
    start = datetime.combine(through - timedelta(days=89), time(), UTC)
    query = (
        select(
            func.coalesce(func.sum(type_coerce(LineResultRow.plan_paid_cents, BigInteger)), 0),
            func.min(ClaimVersionRow.adjudicated_at),
        )
        .select_from(ClaimRow)
        .join(
            ClaimVersionRow,
            current_version(),
        )
        .join(LineResultRow, LineResultRow.version_id == ClaimVersionRow.id)
        .where(
            ClaimRow.employer_id == employer_id,
            ClaimRow.status.in_(("approved", "paid")),
            ClaimVersionRow.adjudicated_at >= start,
            ClaimVersionRow.adjudicated_at < _end_of(through),
        )
    )
    total, first = session.execute(query).one()
    if first is None:
        return ZERO, 0
    first_day = first.date() if isinstance(first, datetime) else date.fromisoformat(str(first)[:10])
    return from_cents(int(total)), (through - first_day).days + 1


# --- bank accounts --------------------------------------------------------------------------


def account_in_use(
    session: Session, payee: PayeeKey, *, lock: bool = False
) -> PayeeAccountRow | None:
    query = select(PayeeAccountRow).where(
        PayeeAccountRow.payee_qualifier == payee[0],
        PayeeAccountRow.payee_id == payee[1],
        PayeeAccountRow.status != "inactive",
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def accounts_in_use(
    session: Session, payees: Collection[PayeeKey]
) -> dict[PayeeKey, PayeeAccountRow]:
    found: dict[PayeeKey, PayeeAccountRow] = {}
    ids = sorted({payee_id for _, payee_id in payees})
    for batch in chunks(ids):
        query = select(PayeeAccountRow).where(
            PayeeAccountRow.payee_id.in_(batch), PayeeAccountRow.status != "inactive"
        )
        for row in session.scalars(query):
            key = (row.payee_qualifier, row.payee_id)
            if key in payees:
                found[key] = row
    return found


# --- the funding request's detail --------------------------------------------------------------


def request_lines(session: Session, cycle_id: int) -> list[Row[Any]]:
    """Each claim version of the cycle's payments as the funding request shows it: role,
    amount, claim type, first service day, the billing NPI and the directory's name."""
    first_day = (
        select(func.min(ClaimLineRow.service_date))
        .where(ClaimLineRow.claim_id == PaymentClaimRow.claim_id)
        .scalar_subquery()
    )
    query = (
        select(
            PaymentClaimRow.claim_id,
            PaymentClaimRow.version,
            PaymentClaimRow.role,
            PaymentClaimRow.paid_cents,
            ClaimRow.type,
            ClaimRow.provider_npi,
            ProviderRow.name.label("provider_name"),
            first_day.label("service_date"),
            PaymentRow.payee_qualifier,
        )
        .join(PaymentRow, PaymentRow.id == PaymentClaimRow.payment_id)
        .join(ClaimRow, ClaimRow.id == PaymentClaimRow.claim_id)
        .outerjoin(ProviderRow, ProviderRow.npi == ClaimRow.provider_npi)
        .where(PaymentRow.cycle_id == cycle_id, PaymentClaimRow.paid_cents != 0)
        .order_by(PaymentClaimRow.id)
    )
    return list(session.execute(query))
