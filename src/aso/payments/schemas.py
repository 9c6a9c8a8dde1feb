"""Request and response shapes of claims funding and payments (amounts as decimal strings in
JSON, dates ISO 8601). Bank account numbers are only ever shown masked (``******6789``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from aso.ledger.schemas import Amount


class FundingAccountSet(BaseModel):
    bank_name: str = Field(min_length=1, max_length=23)
    routing: str
    account_number: str
    account_type: Literal["checking", "savings"] = "checking"
    prefund_days: int = Field(default=0, ge=0, le=365)
    first_check_number: int | None = Field(default=None, gt=0, lt=10**10)


class FundingAccountRead(BaseModel):
    employer_id: int
    ein: str
    bank_name: str
    routing: str
    account: str
    account_type: str
    prefund_days: int
    next_check_number: int


class BankAccountSet(BaseModel):
    """A payee's EFT account: ``npi`` for a provider, ``member`` (a subscriber's member id)
    for member reimbursements. ``verified``: the payee's bank confirmed the account (an EFT
    authorization agreement), so no prenote is sent."""

    npi: str | None = None
    member: str | None = None
    routing: str
    account_number: str
    account_type: Literal["checking", "savings"] = "checking"
    verified: bool = False


class BankAccountRead(BaseModel):
    id: int
    payee_qualifier: str
    payee_id: str
    routing: str
    account: str
    account_type: str
    status: str
    prenote_effective: date | None


class CycleCreate(BaseModel):
    employer_id: int
    through: date
    run_on: date | None = None


class CycleRead(BaseModel):
    number: str
    employer_id: int
    ein: str
    through: date
    run_on: date
    status: str
    claims: int
    payees: int
    claims_amount: Amount
    """The claims' CLP04s added up (reversals of corrected claims negative)."""
    overpaid: Amount
    """What corrections take back from payees (recovered from this or later payments)."""
    gross: Amount
    prefund_target: Amount
    available: Amount
    requested: Amount
    deposited: Amount
    pending: int
    released: int
    remitted_elsewhere: int = 0
    """Claims an ``aso edi export`` 835 remitted before payments did (not paid here)."""


class FundingLine(BaseModel):
    reference: str
    """The payer's own claim reference (claim id and version, the 835's CLP07): no member
    identifier and nothing the provider's account number could be traced from."""
    kind: Literal["claim", "reversal"]
    payee: Literal["provider", "member"]
    """Who is paid: the provider, or the subscriber reimbursed (never named here)."""
    service_month: str
    line_of_coverage: str
    provider_npi: str | None
    provider_name: str | None
    amount: Amount


class FundingRequestRead(BaseModel):
    """A cycle's funding request as the employer sees it: claim-level detail without any
    member's name, id or birth date (45 CFR 164.502(b), minimum necessary)."""

    number: str
    employer: str
    ein: str
    employer_address: list[str]
    run_on: date
    through: date
    claims_amount: Amount
    overpaid: Amount
    gross: Amount
    available: Amount
    prefund_target: Amount
    requested: Amount
    deposited: Amount
    lines: list[FundingLine]


class DepositCreate(BaseModel):
    amount: Decimal = Field(gt=0)
    received_on: date
    reference: str | None = Field(default=None, max_length=80)


class DepositMatchRead(BaseModel):
    cycle: str
    amount: Amount


class DepositRead(BaseModel):
    id: int
    employer_id: int
    ein: str
    amount: Amount
    received_on: date
    reference: str | None
    matched: list[DepositMatchRead]
    prefunding: Amount
    """What the deposit added beyond open funding requests."""


class RequestStatusRead(BaseModel):
    cycle: str
    run_on: date
    requested: Amount
    deposited: Amount
    outstanding: Amount
    cycle_status: str


class FundingStatusRead(BaseModel):
    """An employer's claims money per the ledger and its funding requests."""

    employer_id: int
    ein: str
    bank_balance: Amount
    funding_requested: Amount
    claims_payable: Amount
    payments_outstanding: Amount
    overpayments_receivable: Amount
    available: Amount
    uncommitted: Amount
    """Beyond every approved claim: the prefunded balance kept (negative: a shortfall)."""
    prefund_days: int
    prefund_target: Amount
    requests: list[RequestStatusRead]
    deposits: list[DepositRead]
    open_recoveries: int
    recoveries_outstanding: Amount


class PaymentRead(BaseModel):
    id: int
    cycle: str
    payee_qualifier: str
    payee_id: str
    payee_name: str | None
    status: str
    method: str | None
    claims_amount: Amount
    recovered: Amount
    deferred: Amount
    amount: Amount
    trace: str | None
    check_number: int | None
    ach_trace: str | None
    released_on: date | None
    effective_on: date | None


class FileRead(BaseModel):
    name: str
    kind: str
    sha256: str


class ReleaseCreate(BaseModel):
    released_on: date | None = None


class ReleaseRead(BaseModel):
    cycle: str
    batch: str | None
    released_on: date
    effective_on: date
    cycle_status: str
    released: int
    released_amount: Amount
    eft: int
    eft_amount: Amount
    checks: int
    checks_amount: Amount
    no_payment: int
    pending: int
    pending_amount: Amount
    shortfall: Amount
    """What a deposit must still bring for the pending payments."""
    changed_claims: int
    """Claims changed since the cycle ran: taken out, to be paid by a later cycle."""
    claims_paid: int
    prenotes: int
    available_after: Amount
    files: list[FileRead]
    payments: list[PaymentRead]


class VoidCreate(BaseModel):
    reissue: bool = False
    reason: str = Field(min_length=1, max_length=200)
    on: date | None = None


class VoidRead(BaseModel):
    batch: str
    """Names the files of the void (``aso payments void --out``)."""
    payment: PaymentRead
    voided_check: int
    new_check: int | None
    files: list[FileRead]


class NoticeRead(BaseModel):
    line: int
    trace: str
    code: str
    description: str
    outcome: str
    applied: bool
    payment_id: int | None


class ReturnsRead(BaseModel):
    notices: list[NoticeRead]
    applied: int
    skipped: int
    batches: list[str]
    """The returns' file batches (their 835 reversals)."""
    files: list[FileRead]
