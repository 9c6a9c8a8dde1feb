"""Element values of an answer as X12 writes them (X12.6 data types; 005010 guides, appendix B).

- Amounts and percents (type R): a decimal number without trailing zeros after the point and
  without a leading zero before it (``1500``, ``8513.88``, ``.2``), rounded to cents first for
  money: a Decimal, never a float.
- Dates (type DT): ``CCYYMMDD``; a DTP date is ``D8`` or, for a range, ``RD8`` with
  ``CCYYMMDD-CCYYMMDD``.
- Text echoed from a request or taken from a record: the delimiters of the answer (``*``, ``:``,
  ``^``, ``~``) cannot be escaped in X12, so each one becomes a space.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aso.edi.writer import DEFAULT_DELIMITERS
from aso.money import round_cents

_DELIMITERS = str.maketrans(
    {
        char: " "
        for char in (
            DEFAULT_DELIMITERS.element,
            DEFAULT_DELIMITERS.component,
            DEFAULT_DELIMITERS.repetition,
            DEFAULT_DELIMITERS.segment,
        )
    }
)


def text(value: str) -> str:
    """``value`` with the answer's delimiters made spaces (and line breaks removed)."""
    return value.translate(_DELIMITERS).replace("\r", "").replace("\n", " ")


def number(value: Decimal) -> str:
    """A decimal number as type R writes it: ``1500``, ``7.5``, ``.2``, ``-3``, ``0``."""
    if isinstance(value, float):
        raise TypeError("an X12 number must not come from a float")
    shown = f"{value:f}"
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    if shown in ("", "-", "-0"):
        return "0"
    if shown.startswith("0.") or shown.startswith("-0."):
        shown = shown.replace("0.", ".", 1)
    return shown


def amount(value: Decimal) -> str:
    """A monetary amount (element 782), rounded half up to cents."""
    return number(round_cents(value))


def day(value: date) -> str:
    return f"{value:%Y%m%d}"


def period(first: date, last: date | None = None) -> tuple[str, str]:
    """DTP02 and DTP03: ``D8`` for one day, ``RD8`` for a range of several."""
    if last is None or last == first:
        return "D8", day(first)
    return "RD8", f"{day(first)}-{day(last)}"
