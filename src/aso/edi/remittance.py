"""Exporting 835 remittances (issue 4 item 4; DESIGN 8 and 9): for one employer's plan, the
claim versions adjudicated in a window (or given by id) that no remittance has carried yet, one
835 per payee, recorded so that no export remits a claim version twice.

Until payments exist, an export is the remittance advice of the adjudication batches it covers
("per adjudication batch until payments exist"): each 835 says what the plan pays and why
(BPR01 ``I``, remittance information only, by check, the trace number the export's own; ``H``
and ``NON`` when nothing is paid). The payment runs will build one ``x835.Remittance`` per
payment instead; the builder does not care how its claims were gathered.

What is due and to whom is ``remittance_claims``: payments of approved and denied versions,
reversals of versions remitted before and since corrected. Each payee's remittance settles its
balance (``x835.settle``): what it owes from an earlier remittance whose reversals outweighed
its payments (PLB FB) is taken back first, and a negative net is carried forward, never paid.

The payer (loop 1000A) is the employer's self-funded plan: its name, address and EIN; the
interchange comes from the TPA (``sender()``) and goes to the payee (its NPI, or the reimbursed
subscriber's member id: the guide knows only providers as payees and has no qualifier for a
member, so ``FI`` carries the member id until member reimbursements get EOBs of their own).

A file is handed to ``deliver`` before the export commits: a file that cannot be written
leaves nothing recorded. Two exports at once cannot both remit a version (it is the key of
``edi_remitted_claims``): the second fails with ``Conflict`` and changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aso.config import tpa_identity
from aso.db.uow import UnitOfWork
from aso.edi import remittance_claims as due_claims
from aso.edi import repository as edi_repo
from aso.edi.remittance_claims import Due, Loaded, PayeeKey
from aso.edi.remittance_models import RemittanceRow, RemittedClaimRow
from aso.edi.writer import Party
from aso.edi.x835 import (
    Address,
    ClaimPayment,
    ClaimStatusCode,
    Contact,
    Payer,
    Payment,
    PaymentMethod,
    Remittance,
    settle,
    write_835,
)
from aso.employers.domain import normalize_ein
from aso.employers.models import Employer
from aso.employers.repository import employer_by_ein
from aso.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from aso.money import ZERO, fmt
from aso.security import audit
from aso.security.domain import Principal, Role

EXPORTERS = frozenset({Role.ADMIN, Role.EXAMINER})


def sender() -> Party:
    """The TPA's interchange id as configured (``ASO_TPA_INTERCHANGE_ID``): the one trading
    partners send their 837s to."""
    tpa = tpa_identity()
    return Party(tpa.interchange_qualifier, tpa.interchange_id)


def edi_contact() -> Contact:
    """PER*BL, the payer's technical contact: the TPA's EDI desk answers for every plan."""
    tpa = tpa_identity()
    return Contact(tpa.edi_contact, email=tpa.edi_email)


Progress = Callable[[int, int], None]
"""Called after each payee's 835 with (835s written, 835s in the export)."""


@dataclass(frozen=True, slots=True)
class RemittanceFile:
    """One 835 written: its file, its payee and its amounts."""

    filename: str
    text: str
    sha256: str
    payee_name: str
    payee_id: str
    control_number: int
    trace: str
    claims: int
    reversals: int
    claims_paid: Decimal
    adjustments: Decimal
    amount: Decimal
    owed: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "payee": self.payee_name,
            "payee_id": self.payee_id,
            "control_number": self.control_number,
            "trace": self.trace,
            "claims": self.claims,
            "reversals": self.reversals,
            "claims_paid": fmt(self.claims_paid),
            "adjustments": fmt(self.adjustments),
            "amount": fmt(self.amount),
            "owed": fmt(self.owed),
        }


Deliver = Callable[[RemittanceFile], None]


@dataclass(slots=True)
class ExportSummary:
    employer: str
    files: list[RemittanceFile] = field(default_factory=list)

    @property
    def claims(self) -> int:
        return sum(f.claims for f in self.files)

    @property
    def reversals(self) -> int:
        return sum(f.reversals for f in self.files)

    @property
    def total_paid(self) -> Decimal:
        return sum((f.amount for f in self.files), ZERO)

    def to_json(self) -> dict[str, Any]:
        return {
            "employer": self.employer,
            "files": [f.to_json() for f in self.files],
            "payees": len(self.files),
            "claims": self.claims,
            "reversals": self.reversals,
            "total_paid": fmt(self.total_paid),
        }


def _not_paid_by_cycles(session: Session, employer: Employer) -> None:
    """An employer whose claims are paid by payment cycles gets each 835 with its payment
    (``aso payments release``): an export beside them would remit versions no payment has
    paid yet, and a cycle could then never pay them (a version is remitted once)."""
    from aso.db.models import metadata  # every table, the payments package's among them

    cycles = metadata.tables["payment_cycles"]
    found = session.execute(
        select(cycles.c.id).where(cycles.c.employer_id == employer.id).limit(1)
    ).first()
    if found is not None:
        raise Conflict(
            f"{employer.ein} is paid through payment cycles: its 835s go out with each "
            "payment (aso payments release), not by export"
        )


def export_835(
    *,
    uow: UnitOfWork,
    actor: Principal,
    ein: str,
    since: date | None = None,
    until: date | None = None,
    version_ids: Collection[int] | None = None,
    payment_date: date | None = None,
    now: datetime | None = None,
    deliver: Deliver | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """The 835s due for the employer with this EIN: versions adjudicated from ``since`` to
    ``until`` (days, inclusive, UTC), or only ``version_ids``; see the module docstring.
    Administrators and claims examiners only."""
    if actor.role not in EXPORTERS:
        raise Forbidden("only administrators and claims examiners export remittances")
    if since is not None and until is not None and since > until:
        raise ValidationFailed([Problem("since", f"{since} is after until, {until}")])
    now = now or datetime.now(UTC)
    with uow:
        session = uow.session
        employer = _employer(session, ein)
        _not_paid_by_cycles(session, employer)
        summary = ExportSummary(employer.ein)
        due = due_claims.due_versions(
            session,
            employer_id=employer.id,
            window=_window(since, until),
            version_ids=version_ids,
        )
        loaded = due_claims.load(session, due)
        export = _Export(session, employer, loaded, actor, now, payment_date or now.date())
        groups = _by_payee(loaded, due)
        try:
            for done, (key, items) in enumerate(groups.items(), start=1):
                written = export.remit(key, items)
                summary.files.append(written)
                if deliver is not None:
                    deliver(written)
                if progress is not None:
                    progress(done, len(groups))
            if summary.files:
                traces = [f.trace for f in summary.files]
                audit.record(session, actor, "export", "remittance", traces, detail=employer.ein)
            uow.commit()
        except IntegrityError as exc:
            raise Conflict(
                "another export remitted some of these claims at the same moment: "
                "nothing was recorded; run the export again"
            ) from exc
    return summary


def _employer(session: Session, ein: str) -> Employer:
    try:
        normalized = normalize_ein(ein)
    except ValueError as exc:
        raise ValidationFailed([Problem("ein", str(exc))]) from exc
    employer = employer_by_ein(session, normalized)
    if employer is None:
        raise NotFound(f"no employer with EIN {normalized}")
    return employer


def _window(since: date | None, until: date | None) -> due_claims.Window:
    start = None if since is None else datetime.combine(since, time(), UTC)
    end = None if until is None else datetime.combine(until + timedelta(days=1), time(), UTC)
    return start, end


def _by_payee(loaded: Loaded, due: Sequence[Due]) -> dict[PayeeKey, list[Due]]:
    """The due versions by payee, in order: a reversal to whoever was paid, a payment to the
    claim's payee."""
    groups: dict[PayeeKey, list[Due]] = {}
    for item in due:
        if item.payee is not None:
            key = item.payee
        else:
            claim = loaded.claims[loaded.versions[item.version_id].claim_id]
            key = loaded.payee_key(claim)
        groups.setdefault(key, []).append(item)
    return groups


@dataclass
class _Export:
    """One export's remittances, each written, recorded and returned."""

    session: Session
    employer: Employer
    loaded: Loaded
    actor: Principal
    now: datetime
    payment_date: date

    def remit(self, key: PayeeKey, items: Sequence[Due]) -> RemittanceFile:
        session = self.session
        control = edi_repo.next_control_number(session)
        trace = f"ASO{control:09d}"
        claims = [self.loaded.payment(item) for item in items]
        owed, owed_reference = _owed(session, self.employer.id, key)
        settled = settle(claims, owed=owed, owed_reference=owed_reference, reference=trace)
        method = PaymentMethod.CHECK if settled.amount > 0 else PaymentMethod.NONE
        remittance = Remittance(
            payer=_payer(self.employer),
            payee=due_claims.payee(self.loaded, key, session),
            payment=Payment(method, self.payment_date, trace),
            claims=tuple(claims),
            adjustments=settled.adjustments,
            production_date=self.now.date(),
        )
        text = write_835(
            remittance,
            sender=sender(),
            receiver=Party("ZZ", key[1]),
            control_number=control,
            now=self.now,
        )
        written = RemittanceFile(
            filename=f"835-{self.employer.ein.replace('-', '')}-{key[1]}-{control:09d}.x12",
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            payee_name=remittance.payee.name,
            payee_id=key[1],
            control_number=control,
            trace=trace,
            claims=sum(not item.reversal for item in items),
            reversals=sum(item.reversal for item in items),
            claims_paid=remittance.claims_paid,
            adjustments=remittance.adjustments_total,
            amount=settled.amount,
            owed=settled.owed,
        )
        self._record(key, written, method, items, claims)
        return written

    def _record(
        self,
        key: PayeeKey,
        written: RemittanceFile,
        method: PaymentMethod,
        items: Sequence[Due],
        claims: Sequence[ClaimPayment],
    ) -> None:
        row = RemittanceRow(
            employer_id=self.employer.id,
            payee_qualifier=key[0],
            payee_id=key[1],
            payee_name=written.payee_name[:60],
            control_number=written.control_number,
            trace_number=written.trace,
            payment_method=method.value,
            payment_date=self.payment_date,
            amount_cents=written.amount,
            claims_paid_cents=written.claims_paid,
            adjustments_cents=written.adjustments,
            owed_cents=written.owed,
            claims=written.claims,
            reversals=written.reversals,
            filename=written.filename,
            sha256=written.sha256,
            content=written.text,
            created_at=self.now,
            created_by=self.actor.username,
        )
        self.session.add(row)
        self.session.flush()
        carried = [
            {
                "version_id": item.version_id,
                "role": "reversal" if claim.status is ClaimStatusCode.REVERSAL else "payment",
                "remittance_id": row.id,
                "claim_id": item.claim_id,
                "position": position,
                "charge_cents": claim.charge,
                "paid_cents": claim.paid,
            }
            for position, (item, claim) in enumerate(zip(items, claims, strict=True), start=1)
        ]
        self.session.execute(insert(RemittedClaimRow), carried)


def _owed(session: Session, employer_id: int, key: PayeeKey) -> tuple[Decimal, str | None]:
    """What the payee owes the plan from its last remittance, and that remittance's trace."""
    last = session.execute(
        select(RemittanceRow.owed_cents, RemittanceRow.trace_number)
        .where(
            RemittanceRow.employer_id == employer_id,
            RemittanceRow.payee_qualifier == key[0],
            RemittanceRow.payee_id == key[1],
        )
        .order_by(RemittanceRow.id.desc())
        .limit(1)
    ).one_or_none()
    if last is None:
        return ZERO, None
    return last[0], last[1]


def _payer(employer: Employer) -> Payer:
    return Payer(
        name=employer.name,
        tin=employer.ein.replace("-", ""),
        address=Address(
            employer.address1, employer.city, employer.state, employer.zip, employer.address2
        ),
        contact=edi_contact(),
    )
