"""Cost sharing of one covered line (DESIGN 6.4 steps 1-3).

Pure arithmetic on the allowed amount and what remains of the deductible and the out-of-pocket
maximum; the engine reads the remainders from the accumulators and writes the entries.
Each computed amount is rounded half up to cents where it is computed.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from aso.claims.domain import ZERO
from aso.claims.plan_rules import Share

CENT = Decimal("0.01")

Parts = tuple[Decimal, Decimal, Decimal]
"""(copay, deductible, coinsurance)."""


def member_cost_share(
    allowed: Decimal,
    share: Share,
    *,
    remaining_deductible: Decimal | None,
    remaining_oop: Decimal | None,
    trace: list[str] | None = None,
) -> Parts:
    """Copay, deductible and coinsurance of a line, after the out-of-pocket cap.

    Each part is bounded by the allowed amount minus the parts before it. With
    ``before_deductible`` timing (the default) the copay comes first; with ``after_deductible``
    (HDHPs) the deductible does. Coinsurance is bounded by ``min_cost``/``max_cost`` when the
    tier has them (pharmacy). The out-of-pocket cap then cuts the parts in the order they were
    computed, so once the maximum is met copays are $0 too; what the cap removes the plan pays.
    A remainder of None means the plan has no such amount (no deductible; no cap).
    """
    after = share.after_deductible
    open_deductible = ZERO if remaining_deductible is None else remaining_deductible
    if after:
        deductible = min(allowed, open_deductible) if share.deductible else ZERO
        copay = min(share.copay, allowed - deductible)
    else:
        copay = min(share.copay, allowed)
        deductible = min(allowed - copay, open_deductible) if share.deductible else ZERO
    rest = allowed - copay - deductible
    coinsurance = ZERO
    if share.coinsurance:
        coinsurance = (share.coinsurance * rest).quantize(CENT, ROUND_HALF_UP)
        if share.min_cost is not None and coinsurance < share.min_cost:
            coinsurance = share.min_cost
        if share.max_cost is not None and coinsurance > share.max_cost:
            coinsurance = share.max_cost
        if coinsurance > rest:
            coinsurance = rest
    if remaining_oop is None:
        if trace is not None:
            _explain(trace, share, (copay, deductible, coinsurance), remaining_deductible, None)
        return copay, deductible, coinsurance
    room = remaining_oop
    if after:
        capped_deductible = min(deductible, room)
        room -= capped_deductible
        capped_copay = min(copay, room)
        room -= capped_copay
    else:
        capped_copay = min(copay, room)
        room -= capped_copay
        capped_deductible = min(deductible, room)
        room -= capped_deductible
    capped_coinsurance = min(coinsurance, room)
    capped = (capped_copay, capped_deductible, capped_coinsurance)
    if trace is not None:
        removed = copay + deductible + coinsurance - sum(capped)
        if removed:
            trace.append(
                f"Out-of-pocket maximum: {remaining_oop:.2f} remained, so the member's share is "
                f"cut by {removed:.2f}, which the plan pays."
            )
        _explain(trace, share, capped, remaining_deductible, remaining_oop)
    return capped


def _explain(
    trace: list[str],
    share: Share,
    parts: Parts,
    remaining_deductible: Decimal | None,
    remaining_oop: Decimal | None,
) -> None:
    """One step per amount that applies, in the order computed, with the remaining deductible
    and out-of-pocket before and after."""
    copay, deductible, coinsurance = parts
    named = [
        ("Copay", copay, bool(share.copay)),
        ("Deductible", deductible, share.deductible),
        ("Coinsurance", coinsurance, bool(share.coinsurance)),
    ]
    if share.after_deductible:
        named[0], named[1] = named[1], named[0]
    ded, oop = remaining_deductible, remaining_oop
    for name, amount, applies in named:
        if not applies and not amount:
            continue
        new_ded = ded - amount if ded is not None and name == "Deductible" else ded
        new_oop = None if oop is None else oop - amount
        trace.append(
            f"{name} {amount:.2f} (remaining: {_change('deductible', ded, new_ded)}, "
            f"{_change('out-of-pocket', oop, new_oop)})."
        )
        ded, oop = new_ded, new_oop


def _change(what: str, before: Decimal | None, after: Decimal | None) -> str:
    if before is None or after is None:
        return f"no {what} maximum" if what == "out-of-pocket" else f"no {what}"
    return f"{what} {before:.2f} -> {after:.2f}"


def cap(amount: Decimal, remaining: Decimal) -> tuple[Decimal, Decimal]:
    """``amount`` cut to what ``remaining`` allows (never below 0): (kept, excess)."""
    if remaining < 0:
        remaining = ZERO
    if amount <= remaining:
        return amount, ZERO
    return remaining, amount - remaining
