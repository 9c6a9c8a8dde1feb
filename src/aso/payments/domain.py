"""The rules of paying claims, as plain values: what a payment pays and takes back, how
overpayments are netted and recovered, what a funding request asks for, banking days, prenote
waiting periods, and what ACH returns and notifications of change mean.

**Overpayments** (X12 835 TR3 005010X221A1, 1.10.2.8 "Reversals and Corrections" and
1.10.2.17 "Claim Overpayment Recovery"). A claim paid and later corrected (a replacement, a
void, a new decision) is reversed in the payee's next payment (CLP02 22, every amount
negated) beside its correction. Per chain of corrections, when the reversal takes back more
than the correction pays, the payee was overpaid by the difference. The payment's other
claims absorb it at once where they can (the reversal and the correction simply net); what they
cannot absorb is deferred with PLB ``WO`` and a negative amount, the reversed claim's CLP07 in
PLB03-2, so that the 835 balances with a payment never below zero; each later payment to the
payee then takes back what it can with PLB ``WO`` and a positive amount naming the same claim,
until the overpayment is recovered (the guide's option of reversal and correction with a
delayed recoupment).

**Funding.** An ASO employer pays its claims with its own money: each cycle asks it to deposit
what the approved claims need, topped up to keep a prefunded balance (some days of expected
claims) in its claims funding account, less what the account already holds beyond what is
owed. Payments are released only while the account (per the ledger) covers them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from aso.edi.x835 import PlbReason, ProviderAdjustment
from aso.errors import Problem, ValidationFailed
from aso.money import ZERO, round_cents

PayeeKey = tuple[str, str]
"""(N103 qualifier, N104 identifier): ``XX`` and an NPI, or ``FI`` and a subscriber's member
id (``aso.edi.remittance_claims`` decides who is paid)."""
VOIDED_CHECK = "CS"
"""PLB03-1 of the 835 that reverses a voided or returned payment: ``CS`` (adjustment) with the
check or trace number in PLB03-2 and the payment's amount negative, so that the reversals of
its claims net to zero (the money never reached the payee)."""
EXPECTED_CLAIMS_WINDOW = 90
"""Days of paid claims the prefunding target averages (or fewer, for a younger plan)."""
PRENOTE_WAIT = 3
"""Banking days after a prenote's settlement date before live entries to the account
(NACHA Operating Rules, Subsection 2.6.2, Waiting Period Following Prenotification)."""


class Method(StrEnum):
    EFT = "EFT"
    CHECK = "CHK"
    NONE = "NON"
    """Nothing to pay (denied claims, or recoveries took it all): the 835 alone."""


class Role(StrEnum):
    PAYMENT = "payment"
    REVERSAL = "reversal"


def control_reference(claim_id: int, version: int) -> str:
    """A claim version's CLP07, as ``aso.edi.remittance_claims.claim_payment`` writes it: the
    reference a PLB WO names an overpayment by."""
    return f"{claim_id}-{version}"


# --- what a payment carries -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """A claim version in a payment: paid (``paid`` as its CLP04) or reversed (negative)."""

    claim_id: int
    version_id: int
    version: int
    role: Role
    paid: Decimal
    charge: Decimal
    root: int
    """The first claim of the chain of corrections the claim belongs to."""

    @property
    def reversal(self) -> bool:
        return self.role is Role.REVERSAL


@dataclass(frozen=True, slots=True)
class Overpayment:
    """What a chain's reversal took back beyond its correction."""

    root: int
    claim_id: int
    reference: str
    amount: Decimal


def overpayments(items: Iterable[Item]) -> list[Overpayment]:
    """Per chain of corrections with a reversal, the part of the reversal its correction does
    not pay back, named by the first reversed version's CLP07; in the order chains first
    appear."""
    net: dict[int, Decimal] = {}
    reversed_: dict[int, Item] = {}
    for item in items:
        net[item.root] = net.get(item.root, ZERO) + item.paid
        if item.reversal and item.root not in reversed_:
            reversed_[item.root] = item
    found = []
    for root, total in net.items():
        first = reversed_.get(root)
        if total < 0 and first is not None:
            reference = control_reference(first.claim_id, first.version)
            found.append(Overpayment(root, first.claim_id, reference, -total))
    return found


@dataclass(frozen=True, slots=True)
class OpenRecovery:
    """An overpayment of the payee from an earlier payment, not yet fully taken back."""

    id: int
    reference: str
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class Settlement:
    """What a payment comes to.

    ``claims`` the CLP04s added up; ``new`` this payment's overpayments, each with what the
    payment absorbs at once (``immediate``) and what it defers (PLB WO negative); ``offsets``
    what it takes back of earlier overpayments (PLB WO positive); ``amount`` BPR02.
    """

    claims: Decimal
    new: tuple[tuple[Overpayment, Decimal, Decimal], ...]
    offsets: tuple[tuple[OpenRecovery, Decimal], ...]
    amount: Decimal

    @property
    def overpaid(self) -> Decimal:
        return sum((o.amount for o, _, _ in self.new), ZERO)

    @property
    def gross(self) -> Decimal:
        """What the claims owe the payee before any recovery: claims + overpaid."""
        return self.claims + self.overpaid

    @property
    def deferred(self) -> Decimal:
        return sum((deferred for _, _, deferred in self.new), ZERO)

    @property
    def recovered(self) -> Decimal:
        """Overpayments this payment takes: its own absorbed at once, and earlier ones."""
        absorbed = sum((immediate for _, immediate, _ in self.new), ZERO)
        return absorbed + sum((amount for _, amount in self.offsets), ZERO)

    @property
    def adjustments(self) -> tuple[ProviderAdjustment, ...]:
        """The 835's PLB: deferrals (WO negative), then recoveries (WO positive)."""
        wo = PlbReason.OVERPAYMENT_RECOVERY.value
        deferred = [ProviderAdjustment(wo, -d, o.reference) for o, _, d in self.new if d > 0]
        taken = [ProviderAdjustment(wo, a, r.reference) for r, a in self.offsets if a > 0]
        return (*deferred, *taken)


def settle(items: Sequence[Item], open_recoveries: Sequence[OpenRecovery] = ()) -> Settlement:
    """A payment's amount: its claims net; its own overpayments are absorbed by its other
    claims first and deferred for the rest; then earlier overpayments (oldest first) are taken
    back as far as the payment goes. The amount is never negative: BPR02 = claims - PLB."""
    claims = sum((item.paid for item in items), ZERO)
    new = overpayments(items)
    left = claims + sum((o.amount for o in new), ZERO)
    assert left >= 0, "a payment's claims never owe more than its corrections reversed"
    settled_new = []
    for overpayment in new:
        immediate = min(overpayment.amount, left)
        left -= immediate
        settled_new.append((overpayment, immediate, overpayment.amount - immediate))
    offsets = []
    for recovery in open_recoveries:
        taken = min(recovery.remaining, left)
        if taken > 0:
            offsets.append((recovery, taken))
            left -= taken
    return Settlement(claims, tuple(settled_new), tuple(offsets), left)


def void_adjustments(
    original: Sequence[ProviderAdjustment], amount: Decimal, reference: str
) -> tuple[ProviderAdjustment, ...]:
    """The PLB of the 835 that reverses a voided or returned payment: each of the original's
    adjustments negated, and the payment's amount as ``CS`` negative (see ``VOIDED_CHECK``)."""
    undone = [ProviderAdjustment(a.reason, -a.amount, a.reference) for a in original if a.amount]
    if amount > 0:
        undone.append(ProviderAdjustment(VOIDED_CHECK, -amount, reference))
    return tuple(undone)


# --- funding ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FundingPosition:
    """An employer's claims money per the ledger: ``bank`` the funding account's balance,
    ``receivable`` funding requested and not yet deposited, ``payable`` approved claims not
    yet paid (gross of recoveries), ``outstanding`` payments released and not yet settled."""

    bank: Decimal
    receivable: Decimal
    payable: Decimal
    outstanding: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        """What the account can pay out now."""
        return self.bank - self.outstanding

    @property
    def uncommitted(self) -> Decimal:
        """What the account holds (or is owed) beyond every approved claim: the prefunded
        balance actually kept (negative: a shortfall the next deposit must cover)."""
        return self.available + self.receivable - self.payable


def requested_amount(position: FundingPosition, prefund_target: Decimal) -> Decimal:
    """What the employer must deposit so that, every approved claim paid, its account keeps
    the prefunded balance; nothing when it already does."""
    return max(ZERO, prefund_target - position.uncommitted)


def prefund_target(days: int, paid_in_window: Decimal, history_days: int) -> Decimal:
    """``days`` of expected claims: the claims of the last ``EXPECTED_CLAIMS_WINDOW`` days (or
    of the plan's shorter history) averaged per day."""
    if days <= 0 or history_days <= 0 or paid_in_window <= 0:
        return ZERO
    per_day = paid_in_window / min(history_days, EXPECTED_CLAIMS_WINDOW)
    return round_cents(per_day * days)


@dataclass(frozen=True, slots=True)
class OpenRequest:
    cycle_id: int
    number: str
    outstanding: Decimal


def match_deposit(
    amount: Decimal, requests: Sequence[OpenRequest], reference: str | None = None
) -> list[tuple[OpenRequest, Decimal]]:
    """The funding requests a deposit pays: the one its reference names first, then the
    oldest; what is left over is prefunding."""
    named = [r for r in requests if reference is not None and r.number == reference]
    order = named + [r for r in requests if r not in named]
    matched = []
    left = amount
    for request in order:
        share = min(left, request.outstanding)
        if share > 0:
            matched.append((request, share))
            left -= share
    return matched


# --- banking days -------------------------------------------------------------------------


def banking_days_after(day: date, count: int) -> date:
    """The ``count``-th weekday after ``day`` (Federal Reserve holidays are not modelled)."""
    found = day
    while count > 0:
        found += timedelta(days=1)
        if found.weekday() < 5:
            count -= 1
    return found


def effective_date(release: date) -> date:
    """The effective entry date of a release's ACH file: the next banking day."""
    return banking_days_after(release, 1)


def prenote_matured(prenote_effective: date, effective: date) -> bool:
    """May a live entry with this effective date follow a prenote that settled then?"""
    return effective >= banking_days_after(prenote_effective, PRENOTE_WAIT)


# --- returns and notifications of change ---------------------------------------------------

RETURN_REASONS = {
    "R01": "insufficient funds",
    "R02": "account closed",
    "R03": "no account / unable to locate account",
    "R04": "invalid account number structure",
    "R06": "returned per ODFI's request",
    "R07": "authorization revoked by customer",
    "R08": "payment stopped",
    "R09": "uncollected funds",
    "R10": "customer advises not authorized",
    "R11": "customer advises entry not in accordance with the authorization",
    "R12": "account sold to another DFI",
    "R13": "invalid ACH routing number",
    "R14": "representative payee deceased",
    "R15": "beneficiary or account holder deceased",
    "R16": "account frozen / entry returned per OFAC instruction",
    "R17": "file record edit criteria",
    "R20": "non-transaction account",
    "R23": "credit entry refused by receiver",
    "R24": "duplicate entry",
    "R29": "corporate customer advises not authorized",
}
"""NACHA Operating Rules, Appendix Four (Return Entries), the codes a credit may come back
with."""
KEEPS_ACCOUNT = frozenset({"R01", "R06", "R09", "R24"})
"""Returns that say nothing against the account itself: it stays in use."""
NOC_REASONS = {
    "C01": "incorrect DFI account number",
    "C02": "incorrect routing number",
    "C03": "incorrect routing number and DFI account number",
    "C05": "incorrect transaction code",
    "C06": "incorrect DFI account number and transaction code",
    "C07": "incorrect routing number, DFI account number and transaction code",
    "C09": "incorrect individual identification number",
}
"""NACHA Operating Rules, Appendix Five (Notification of Change): the originator makes the
change within six banking days or before its next entry, whichever is later."""
SAVINGS_CODES = frozenset({"32", "33", "37", "38"})
CHECKING_CODES = frozenset({"22", "23", "27", "28"})
ROUTING = re.compile(r"[0-9]{9}")
ACCOUNT = re.compile(r"[0-9A-Za-z-]{1,17}")


def deactivates(code: str) -> bool:
    """Does a return with this code take the payee's account out of use?"""
    return code not in KEEPS_ACCOUNT


@dataclass(frozen=True, slots=True)
class Correction:
    """What a notification of change corrects (None: unchanged)."""

    routing: str | None = None
    account: str | None = None
    account_type: str | None = None


def parse_correction(code: str, data: str, where: str = "corrected_data") -> Correction:
    """The corrected data of a notification of change (addenda 98, positions 36-64), as the
    NACHA layout writes it or as words separated by spaces: C01 the account, C02 the routing
    number, C03 both (routing, then account), C05 the transaction code, C06 the account and
    the transaction code, C07 routing, account and transaction code."""
    words = data.split()
    if code == "C07" and len(words) == 2 and len(words[0]) > 9:
        words = [words[0][:9], words[0][9:], words[1]]
    shapes = {
        "C01": ("account",),
        "C02": ("routing",),
        "C03": ("routing", "account"),
        "C05": ("code",),
        "C06": ("account", "code"),
        "C07": ("routing", "account", "code"),
    }
    shape = shapes.get(code)
    if shape is None:
        return Correction()
    if len(words) != len(shape):
        raise ValidationFailed([Problem(where, f"{code} corrects {', '.join(shape)}: {data!r}")])
    values = dict(zip(shape, words, strict=True))
    problems = []
    routing, account, kind = values.get("routing"), values.get("account"), values.get("code")
    if routing is not None and not ROUTING.fullmatch(routing):
        problems.append(Problem(where, f"{routing!r} is not a routing number"))
    if account is not None and not ACCOUNT.fullmatch(account):
        problems.append(Problem(where, "the corrected account number is not 1 to 17 characters"))
    account_type = None
    if kind is not None:
        if kind in SAVINGS_CODES:
            account_type = "savings"
        elif kind in CHECKING_CODES:
            account_type = "checking"
        else:
            problems.append(Problem(where, f"{kind!r} is not a transaction code"))
    if problems:
        raise ValidationFailed(problems)
    return Correction(routing, account, account_type)


def masked(account: str) -> str:
    return "*" * max(0, len(account) - 4) + account[-4:]
