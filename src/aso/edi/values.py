"""Element values of X12 data types read into the scenario format's strings (DESIGN 7 and 9).

Amounts (type R) become decimal strings with two places, never floats; dates (type DT,
``CCYYMMDD``) become ISO 8601. Each reader returns None for a value it cannot read, so the
caller reports the element that held it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache


def decimal(text: str) -> Decimal | None:
    """A decimal number as X12 writes it (``-12.5``, ``.75``, ``827``), else None."""
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.replace(".", "", 1).isdecimal()):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the check above lets no such text through
        return None


@lru_cache(maxsize=4096)
def money(text: str) -> str | None:
    """A monetary amount (data element 782) as a two-place string; None when not one (more
    than two decimal places included). Read as text: it is exact and fast."""
    sign = "-" if text[:1] == "-" else ""
    whole, _, fraction = text[len(sign) :].partition(".")
    if len(fraction) > 2 or not (whole or fraction):
        return None
    if whole and not (whole.isascii() and whole.isdecimal()):
        return None
    if fraction and not (fraction.isascii() and fraction.isdecimal()):
        return None
    return f"{sign}{int(whole or 0)}.{fraction:0<2}"


def cents(amount: str) -> int:
    """A two-place amount string (as ``money`` gives) in integer cents."""
    return int(amount.replace(".", ""))


def quantity(text: str) -> str | None:
    """A quantity (units, minutes) as sent, without a useless trailing point; None if not one."""
    if text.isascii() and text.isdecimal():
        return str(int(text))
    number = decimal(text)
    if number is None:
        return None
    shown = str(number)
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


@lru_cache(maxsize=8192)
def iso_date(text: str) -> str | None:
    """``CCYYMMDD`` as ``CCYY-MM-DD``; None when not a calendar date."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None


def date_range(text: str) -> tuple[str, str] | None:
    """``CCYYMMDD-CCYYMMDD`` (format RD8) as two ISO dates, the first not after the second."""
    start, dash, end = text.partition("-")
    first, last = iso_date(start), iso_date(end)
    if not dash or first is None or last is None or last < first:
        return None
    return first, last
