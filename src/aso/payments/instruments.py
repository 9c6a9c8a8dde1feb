"""How a released payment's money travels: the ACH file of a release's EFTs and prenotes, and
the positive pay file and register of its checks (``nacha`` and ``checks`` write the formats).

An ACH file is one per release, to the bank that holds the employer's claims funding account
(its ODFI), from the TPA: a ``CCD`` batch with Company Entry Description ``HCCLAIMPMT`` for
providers (the healthcare EFT of 45 CFR 162.1602: the payment's 835 TRN in the addenda, CCD+) and
a ``PPD`` batch for member reimbursements, which go to consumer accounts; a payee account not
yet prenoted gets a zero-dollar prenote in the batch of its kind. The effective entry date is
the next banking day. Names are written as the files take them: ASCII, upper case.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from aso.config import tpa_identity
from aso.edi.remittance_claims import Due
from aso.edi.x835 import Payee
from aso.employers.models import Employer
from aso.members.crypto import SsnCipher
from aso.money import ZERO
from aso.payments import checks, files, nacha
from aso.payments.domain import Method, PayeeKey, Settlement
from aso.payments.models import FundingAccountRow, PayeeAccountRow, PaymentFileRow, PaymentRow

REIMBURSEMENT = "CLAIMREIMB"
"""Company Entry Description of member reimbursements (PPD: consumer accounts)."""
MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
"""File ID Modifiers, in order, of the files sent to the bank the same day."""


def ascii_name(name: str) -> str:
    """A name as NACHA and positive pay files carry it: ASCII, upper case."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.upper().split()) or "PAYEE"


@dataclass
class Payout:
    """A payment being released: its claims (rows of ``payment_claims``), its settlement, and
    how it travels."""

    payment: PaymentRow
    items: list[Row[Any]]
    settlement: Settlement
    method: Method = Method.NONE
    account: PayeeAccountRow | None = None
    payee: Payee | None = None
    check: int | None = None
    ach_trace: str | None = None

    @property
    def key(self) -> PayeeKey:
        return (self.payment.payee_qualifier, self.payment.payee_id)

    @property
    def amount(self) -> Decimal:
        return self.settlement.amount

    @property
    def trace(self) -> str:
        """TRN02: the check number, or the EFT's own trace."""
        if self.check is not None:
            return str(self.check)
        return f"E{self.payment.id:09d}"

    def dues(self) -> list[Due]:
        return [Due(r.version_id, r.claim_id, r.role == "reversal", self.key) for r in self.items]


Owner = Payout | PayeeAccountRow
"""Whose entry a trace number is: a payout's, or a prenote's account."""


@dataclass(frozen=True, slots=True)
class AchFile:
    text: str
    traces: list[tuple[Owner, str]]


def ach_file(
    *,
    employer: Employer,
    account: FundingAccountRow,
    cipher: SsnCipher,
    payouts: Sequence[Payout],
    prenotes: Sequence[tuple[PayeeAccountRow, str]],
    effective: date,
    created: datetime,
    modifier: str,
    reference: str,
) -> AchFile:
    """The ACH file of EFT payouts and prenotes ((account, payee name) each), and the trace
    number each entry was given (what a return or a NOC names)."""
    payer = "1" + employer.ein.replace("-", "")
    groups: dict[str, list[tuple[nacha.Payment, Owner]]] = {"XX": [], "FI": []}
    for payout in payouts:
        assert payout.account is not None and payout.payee is not None
        entry = _entry(payout.account, cipher, payout.payee.name, payer, payout)
        groups[payout.payment.payee_qualifier].append((entry, payout))
    for prenoted, name in prenotes:
        entry = _entry(prenoted, cipher, name, payer, None)
        groups[prenoted.payee_qualifier].append((entry, prenoted))
    originator = nacha.Originator(
        company_name=ascii_name(employer.name)[:16],
        company_id=payer,
        odfi=account.routing,
        funding=nacha.BankAccount(
            account.routing, account.account_number, nacha.AccountType(account.account_type)
        ),
    )
    batches, owners = [], []
    for qualifier, description, sec in (
        ("XX", nacha.HEALTHCARE_DESCRIPTION, nacha.SecCode.CCD),
        ("FI", REIMBURSEMENT, nacha.SecCode.PPD),
    ):
        if groups[qualifier]:
            entries = tuple(entry for entry, _ in groups[qualifier])
            batches.append(nacha.Batch(originator, effective, entries, description, sec_code=sec))
            owners += [owner for _, owner in groups[qualifier]]
    tpa = tpa_identity()
    written = nacha.write_nacha(
        transmission=nacha.Transmission(
            destination=account.routing,
            destination_name=ascii_name(account.bank_name),
            origin=tpa.ach_origin,
            origin_name=ascii_name(tpa.name),
            created=created.replace(tzinfo=None),
            file_id_modifier=modifier,
            reference_code=reference,
        ),
        batches=batches,
    )
    traces = [trace for batch in written.traces for trace in batch]
    return AchFile(written.text, list(zip(owners, traces, strict=True)))


def _entry(
    account: PayeeAccountRow, cipher: SsnCipher, name: str, payer: str, payout: Payout | None
) -> nacha.Payment:
    """A payout's credit, or (without one) a prenote to the account."""
    return nacha.Payment(
        payee_id=account.payee_id,
        payee_name=ascii_name(name),
        account=nacha.BankAccount(
            account.routing,
            cipher.decrypt(account.account_encrypted),
            nacha.AccountType(account.account_type),
        ),
        amount=payout.amount if payout is not None else ZERO,
        trace=payout.trace if payout is not None else "",
        payer_id=payer,
        prenote=payout is None,
    )


def check_files(
    session: Session,
    employer_id: int,
    account: FundingAccountRow,
    batch: str,
    issued: Sequence[checks.Check],
) -> list[PaymentFileRow]:
    """The positive pay issue file (issued and voided checks) and the register, kept."""
    positive = checks.positive_pay(account=account.account_number, checks=issued)
    register = checks.check_register_csv(issued)
    return [
        files.keep(
            session, employer_id, batch, f"{batch}-positive-pay.txt", "positive_pay", positive
        ),
        files.keep(
            session, employer_id, batch, f"{batch}-check-register.csv", "check_register", register
        ),
    ]
