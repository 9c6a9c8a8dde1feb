"""What every PDF the platform prints (invoices, funding requests, EOBs) shares: fpdf2's core
fonts cover Latin-1 only, and dates are written out in words."""

from __future__ import annotations

from datetime import date


def latin(text: str) -> str:
    """The text in Latin-1, as the core fonts draw it: anything else becomes '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def long_date(day: date) -> str:
    """``April 1, 2026``."""
    return f"{day:%B} {day.day}, {day.year}"
