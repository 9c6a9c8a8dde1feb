"""The ledger entries of claims funding and payments (``aso.ledger.domain`` chart), built as
plain ``Entry`` values that the use cases post with ``aso.ledger.service.write_entries``.

An employer's claims money moves through its books like this (debits = credits each time):

==========================  ====================================  ===============================
event                       debit                                 credit
==========================  ====================================  ===============================
cycle run: claims approved  claims expense (net claims),          claims payable (gross: what the
                            overpayments receivable (what          claims owe payees before any
                            corrections take back from payees)     recovery)
cycle run: funding request  funding requested (receivable)         employer deposits and
                                                                   prefunding (equity)
deposit                     claims funding bank                    funding requested (up to what
                                                                   is open), employer deposits
                                                                   (the rest: prefunding)
payment released            claims payable (gross)                 overpayments receivable (what
                                                                   it recovers), provider or
                                                                   member payments outstanding
payment settled             provider or member payments            claims funding bank
                            outstanding
==========================  ====================================  ===============================

A payment is settled when its money leaves the funding account: an EFT on the ACH file's
effective date, a check when it is drawn (the book balance; an uncashed check is a reconciling
item with the bank, not an available balance). A void or an ACH return reverses the payment's
release and settlement (``write_reversal``) and withdraws its claims from claims payable
(``withdrawn``), so the claims are approved and unpaid again, to be recognized by the cycle
that pays them. A claim changed between the cycle's run and its release is withdrawn the same
way. A reissued check reverses the old check's settlement and settles the new one.

So claims expense is the plan's net cost of the claims paid and being paid, the bank balance is
deposits less payments, and the trial balance nets to zero after every event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from aso.ledger.domain import Entry, Leg, credit, debit

BANK = "claims_funding_bank"
RECEIVABLE = "funding_receivable"
OVERPAYMENTS = "overpayment_receivable"
PAYABLE = "claims_payable"
PROVIDERS = "provider_payable"
MEMBERS = "member_payable"
DEPOSITS = "employer_deposits"
EXPENSE = "claims_expense"


def outstanding_account(qualifier: str) -> str:
    """Payments to providers (``XX``) and reimbursements to members (``FI``) apart."""
    return PROVIDERS if qualifier == "XX" else MEMBERS


def _legs(signed: Mapping[str, Decimal]) -> tuple[Leg, ...]:
    """Legs from amounts by account, debits positive; zeros left out."""
    return tuple(
        debit(account, amount) if amount > 0 else credit(account, -amount)
        for account, amount in signed.items()
        if amount
    )


def _entry(
    employer_id: int, on: date, kind: str, memo: str, reference: str, signed: dict[str, Decimal]
) -> Entry | None:
    legs = _legs(signed)
    if not legs:
        return None
    return Entry(on, employer_id, memo[:200], kind, legs, reference[:80])


def recognized(
    employer_id: int, on: date, cycle: str, claims: Decimal, overpaid: Decimal
) -> Entry | None:
    """A cycle's claims: expense at their net, what corrections take back as receivable, and
    what payees are owed before recoveries as payable."""
    signed = {EXPENSE: claims, OVERPAYMENTS: overpaid, PAYABLE: -(claims + overpaid)}
    return _entry(
        employer_id, on, "claims_approved", f"Claims of payment cycle {cycle}", cycle, signed
    )


def withdrawn(
    employer_id: int, on: date, reference: str, claims: Decimal, overpaid: Decimal, why: str
) -> Entry | None:
    """Claims taken out of a payment (changed before release, or the payment voided or
    returned): the recognition undone for them."""
    signed = {EXPENSE: -claims, OVERPAYMENTS: -overpaid, PAYABLE: claims + overpaid}
    return _entry(employer_id, on, "claims_withdrawn", why, reference, signed)


def requested(employer_id: int, on: date, cycle: str, amount: Decimal) -> Entry | None:
    signed = {RECEIVABLE: amount, DEPOSITS: -amount}
    return _entry(
        employer_id, on, "funding_requested", f"Funding request of {cycle}", cycle, signed
    )


def deposited(
    employer_id: int, on: date, amount: Decimal, matched: Decimal, reference: str
) -> Entry | None:
    """A deposit: what pays open requests clears them, the rest is prefunding."""
    signed = {BANK: amount, RECEIVABLE: -matched, DEPOSITS: -(amount - matched)}
    return _entry(
        employer_id,
        on,
        "deposit",
        "Employer deposit to the claims funding account",
        reference,
        signed,
    )


def released(
    employer_id: int,
    on: date,
    reference: str,
    qualifier: str,
    gross: Decimal,
    recovered: Decimal,
    amount: Decimal,
) -> Entry | None:
    """A payment released: its claims leave claims payable, recoveries reduce the
    overpayments receivable, the rest is owed to the payee until settled."""
    signed = {PAYABLE: gross, OVERPAYMENTS: -recovered, outstanding_account(qualifier): -amount}
    memo = f"Payment {reference} released"
    return _entry(employer_id, on, "payment_released", memo, reference, signed)


def settled(
    employer_id: int, on: date, reference: str, qualifier: str, amount: Decimal
) -> Entry | None:
    """A payment's money leaving the funding account (an EFT, or a check drawn)."""
    signed = {outstanding_account(qualifier): amount, BANK: -amount}
    memo = f"Payment {reference} paid from the claims funding account"
    return _entry(employer_id, on, "payment_settled", memo, reference, signed)
