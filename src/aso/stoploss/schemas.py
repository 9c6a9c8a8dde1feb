"""Request and response shapes of stop-loss (apart from the tables). Amounts are ``Decimal``
dollars, written in JSON as decimal strings with two places; rates as decimal strings
("0.5000").

A contract document (YAML or JSON; ``aso stoploss contract add`` also takes ``employer``, the
EIN)::

    period: {start: 2026-01-01, end: 2026-12-31}
    basis: 12/15                 # incurred/paid months
    lines: [medical, pharmacy]   # the default; employees are counted in the first
    carrier: Example Re
    policy_number: SL-2026-001
    specific:
      deductible: 100000
      reimbursement: 1.0         # the carrier's share of the excess
      notification: 0.5          # large-case notification at 50% of the deductible
      lasers:
        - {member: M000000123, deductible: 250000}
    aggregate:                   # optional
      attachment_factors: {employee: 450, employee_spouse: 900, employee_children: 850,
                           family: 1300}
      minimum_attachment: 500000
      reimbursement: 1.0

In the views an employer's users get (``deidentified``), members are "Claimant 1", "Claimant
2", ...: no member id, name, claim number or date tied to a person (DESIGN 1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from aso.money import fmt
from aso.plans.domain import Line, Tier
from aso.stoploss.domain import Kind

Amount = Annotated[Decimal, PlainSerializer(fmt, return_type=str)]
RateText = Annotated[Decimal, PlainSerializer(lambda r: f"{r:.4f}", return_type=str)]
_STRICT = ConfigDict(frozen=True, extra="forbid")


class PeriodCreate(BaseModel):
    model_config = _STRICT

    start: date
    end: date


class LaserCreate(BaseModel):
    model_config = _STRICT

    member: Annotated[str, Field(min_length=1, max_length=10)]
    """The public member id."""
    deductible: Decimal


class SpecificCreate(BaseModel):
    model_config = _STRICT

    deductible: Decimal
    reimbursement: Decimal = Decimal("1")
    notification: Decimal = Decimal("0.5")
    lasers: list[LaserCreate] = []


class AggregateCreate(BaseModel):
    model_config = _STRICT

    attachment_factors: dict[Tier, Decimal]
    minimum_attachment: Decimal = Decimal("0")
    reimbursement: Decimal = Decimal("1")


class ContractCreate(BaseModel):
    model_config = _STRICT

    period: PeriodCreate
    basis: Annotated[str, Field(min_length=3, max_length=5)]
    lines: list[Line] = [Line.MEDICAL, Line.PHARMACY]
    carrier: Annotated[str | None, Field(max_length=120)] = None
    policy_number: Annotated[str | None, Field(max_length=40)] = None
    specific: SpecificCreate
    aggregate: AggregateCreate | None = None


class LaserRead(BaseModel):
    member_id: str
    deductible: Amount


class AggregateTermsRead(BaseModel):
    attachment_factors: dict[str, Amount]
    minimum_attachment: Amount
    reimbursement: RateText


class ContractRead(BaseModel):
    id: int
    employer_id: int
    period_start: date
    period_end: date
    basis: str
    incurred_from: date
    incurred_to: date
    paid_from: date
    paid_to: date
    lines: list[str]
    carrier: str | None
    policy_number: str | None
    specific_deductible: Amount
    specific_reimbursement: RateText
    notification: RateText
    laser_count: int
    lasers: list[LaserRead] | None
    """None in a de-identified view (a laser names a member)."""
    aggregate: AggregateTermsRead | None


class ClaimantRead(BaseModel):
    """One large claimant's specific position."""

    label: str
    """"Claimant 1", ...: stable as claims are paid (the order claimants reached the
    notification threshold)."""
    member_id: str | None
    name: str | None
    lasered: bool | None
    deductible: Amount
    threshold: Amount
    paid: Amount
    toward_aggregate: Amount
    excess: Amount
    reimbursable: Amount
    requested: Amount
    received: Amount
    notified: bool
    notified_on: date | None


class OtherMembersRead(BaseModel):
    """Every other member with eligible paid claims, together."""

    members: int
    paid: Amount
    toward_aggregate: Amount


class MonthRead(BaseModel):
    month: date
    enrolled: dict[str, int]
    attachment: Amount


class AggregateRead(BaseModel):
    months: list[MonthRead]
    from_enrollment: Amount
    minimum_attachment: Amount
    attachment: Amount
    final: bool
    """Every month of the policy is counted: the attachment point is known."""
    eligible: Amount
    excess: Amount
    reimbursable: Amount
    requested: Amount
    received: Amount


class RequestClaimRead(BaseModel):
    claim_id: str
    """The claim's public id (CLM01)."""
    paid: Amount
    counted: Amount


class RequestRead(BaseModel):
    id: int
    contract_id: int
    kind: Kind
    claimant: str | None
    member_id: str | None
    requested_on: date
    amount: Amount
    counted: Amount
    attachment: Amount | None
    received: Amount
    written_off: Amount
    outstanding: Amount
    status: str
    """``open``, ``paid`` (received in full) or ``settled`` (closed short)."""
    closed_on: date | None
    ledger_transaction_id: int | None
    claims: list[RequestClaimRead] | None
    """The claims behind the request (not in a report or a de-identified view)."""


class ContractPositionRead(BaseModel):
    contract: ContractRead
    settled: bool
    """The paid window has closed: nothing more counts."""
    paid: Amount
    specific_excess: Amount
    specific_reimbursable: Amount
    claimants: list[ClaimantRead]
    other_members: OtherMembersRead
    aggregate: AggregateRead | None
    requested: Amount
    received: Amount
    outstanding: Amount
    requests: list[RequestRead]


class StopLossReportRead(BaseModel):
    employer_id: int
    ein: str
    employer: str
    as_of: date
    deidentified: bool
    contracts: list[ContractPositionRead]


class NotificationRead(BaseModel):
    contract_id: int
    claimant: str
    member_id: str
    name: str
    threshold: Amount
    paid: Amount
    reached_on: date
    notified_on: date


class TrackRead(BaseModel):
    """Positions as of a day and the large-case notifications this tracking made."""

    employer_id: int
    as_of: date
    notifications: list[NotificationRead]
    report: StopLossReportRead


class TrackCreate(BaseModel):
    model_config = _STRICT

    as_of: date | None = None
    contract_id: int | None = None


class RequestCreate(BaseModel):
    model_config = _STRICT

    as_of: date | None = None
    kind: Kind = Kind.SPECIFIC
    contract_id: int | None = None


class ReceiptCreate(BaseModel):
    model_config = _STRICT

    amount: Decimal
    received_on: date
    reference: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    final: bool = False
    """Settle the request: what the carrier will not pay is written off."""


class ReceiptRead(BaseModel):
    id: int
    request_id: int
    received_on: date
    amount: Amount
    written_off: Amount
    final: bool
    reference: str | None
    receipt_transaction_id: int | None
    writeoff_transaction_id: int | None
    request: RequestRead
