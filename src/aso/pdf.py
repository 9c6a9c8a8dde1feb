"""What every PDF the platform prints (invoices, funding requests, EOBs) shares: fpdf2's core
fonts cover Latin-1 only, and dates are written out in words."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF


def latin(text: str) -> str:
    """The text in Latin-1, as the core fonts draw it: anything else becomes '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def long_date(day: date) -> str:
    """``April 1, 2026``."""
    return f"{day:%B} {day.day}, {day.year}"


class LetterDocument(FPDF):
    """A US-letter portrait document whose footer names it and counts its pages
    (``Invoice 2026-03-0001 - page 1 of 2``)."""

    def __init__(self, label: str, margin: float = 15) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.label = label
        self.alias_nb_pages()
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(margin, margin, margin)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 5, latin(f"{self.label} - page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(0)
