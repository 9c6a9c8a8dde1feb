"""Money is ``decimal.Decimal`` in the domain and integer cents in the database, never float.

Amounts are rounded half up to cents where they are computed (DESIGN 6.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: object) -> Decimal:
    """A Decimal in cents from a Decimal, int or numeric string. Floats are refused."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    if isinstance(value, bool):
        raise TypeError("money must be a number")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    return int(round_cents(amount) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def fmt(amount: Decimal) -> str:
    """A decimal string with two places, as the JSON contracts use."""
    return f"{round_cents(amount):.2f}"


def split(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` by ``weights`` into cents that add up exactly (largest remainder)."""
    if not weights:
        return []
    cents = to_cents(total)
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raw = [Decimal(cents) / len(weights)] * len(weights)
    else:
        raw = [Decimal(cents) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    left = cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [from_cents(c) for c in floors]


def dollars(amount: Decimal) -> str:
    """``$1,234.50``, ``-$38.50``: an amount as people read it."""
    text = f"${abs(round_cents(amount)):,.2f}"
    return f"-{text}" if amount < 0 else text


def usd(amount: Decimal) -> str:
    """``$10,600`` or ``$12.50``: a plan figure as people read it (cents only when there are)."""
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"
