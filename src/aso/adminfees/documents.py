"""An invoice as files: a PDF (fpdf2) the employer can pay from, and a CSV with one row per
invoice line. Both show counts and amounts only: no member appears on an invoice (HIPAA
"minimum necessary", DESIGN 1)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from aso.adminfees import months
from aso.adminfees.domain import percent
from aso.adminfees.schemas import InvoiceLineRead, InvoiceRead
from aso.config import tpa_identity
from aso.money import dollars, fmt
from aso.pdf import LetterDocument, latin, long_date


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who bills: the TPA, with where to send payment."""

    name: str
    address: tuple[str, ...]
    contact: str


def tpa_issuer() -> Issuer:
    """The TPA as configured (``ASO_TPA_NAME``, ``ASO_TPA_ADDRESS``, ``ASO_TPA_BILLING_CONTACT``):
    named on invoices and funding requests unless a caller gives another issuer."""
    tpa = tpa_identity()
    return Issuer(tpa.name, tpa.address, tpa.billing_contact)


CSV_COLUMNS = (
    "invoice",
    "ein",
    "month",
    "seq",
    "kind",
    "line_of_coverage",
    "tier",
    "label",
    "month_corrected",
    "description",
    "quantity",
    "rate",
    "amount",
    "pass_through",
)


def invoice_csv_text(invoice: InvoiceRead) -> str:
    """One row per invoice line, amounts as decimal strings; the amounts add up to the total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in invoice.lines:
        writer.writerow(
            (
                invoice.number,
                invoice.ein,
                months.code(invoice.month),
                line.seq,
                line.kind,
                line.line or "",
                line.tier or "",
                line.label,
                months.code(line.month_corrected) if line.month_corrected else "",
                line.description,
                line.quantity or "",
                line.rate or "",
                fmt(line.amount),
                "yes" if line.pass_through else "no",
            )
        )
    return buffer.getvalue()


# --- PDF -------------------------------------------------------------------------------------

CURRENT_COLUMNS = ("Description", "Quantity", "Rate", "Amount")
CURRENT_WIDTHS = (100, 25, 30, 30)
ADJUSTMENT_COLUMNS = ("Month corrected", "Description", "Quantity", "Rate", "Amount")
ADJUSTMENT_WIDTHS = (28, 82, 25, 22, 28)
RIGHT = ("LEFT", "RIGHT", "RIGHT", "RIGHT")


def invoice_pdf_bytes(invoice: InvoiceRead, issuer: Issuer | None = None) -> bytes:
    """A one-or-more page invoice: the TPA, the employer billed, number, month, issue and due
    dates, the month's charges, the adjustments of earlier months (each with the month it
    corrects), and the totals."""
    pdf = LetterDocument(f"Invoice {invoice.number}")
    pdf.set_title(f"Invoice {invoice.number}")
    issuer = issuer or tpa_issuer()
    pdf.set_author(issuer.name)
    pdf.add_page()
    _header(pdf, invoice, issuer)
    _bill_to(pdf, invoice)
    current = [line for line in invoice.lines if line.month_corrected is None]
    adjustments = [line for line in invoice.lines if line.month_corrected is not None]
    _section(pdf, f"Charges for {months.label(invoice.month)}")
    _current_table(pdf, current)
    if adjustments:
        _section(pdf, "Adjustments for earlier months (retroactive enrollment and claims changes)")
        _adjustment_table(pdf, adjustments)
    _totals(pdf, invoice)
    return bytes(pdf.output())


def _header(pdf: FPDF, invoice: InvoiceRead, issuer: Issuer) -> None:
    top = pdf.get_y()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(110, 8, latin(issuer.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    for text in (*issuer.address, issuer.contact):
        pdf.cell(110, 4.5, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    after_issuer = pdf.get_y()
    pdf.set_xy(130, top)
    pdf.set_font("Helvetica", "B", 20)
    title = "INVOICE - VOID" if invoice.status == "void" else "INVOICE"
    pdf.cell(70, 9, title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    facts = (
        ("Invoice number", invoice.number),
        ("Month billed", months.label(invoice.month)),
        ("Issued", long_date(invoice.issued_on)),
        ("Due", long_date(invoice.due_on)),
    )
    for name, value in facts:
        pdf.set_x(110)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(40, 5, name, align="R")
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(50, 5, latin(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(after_issuer, pdf.get_y()) + 6)


def _bill_to(pdf: FPDF, invoice: InvoiceRead) -> None:
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "Bill to", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, latin(invoice.employer), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    for text in (*invoice.employer_address, f"EIN {invoice.ein}"):
        pdf.cell(0, 4.5, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    note = (
        f"Administrative services for {months.label(invoice.month)}. Employees are counted when "
        f"{invoice.count_rule}. This invoice shows counts and amounts only."
    )
    pdf.multi_cell(0, 4.5, latin(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, latin(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)


def _current_table(pdf: FPDF, lines: Sequence[InvoiceLineRead]) -> None:
    rows = [(_text(line), *_figures(line)) for line in lines]
    _table(pdf, CURRENT_COLUMNS, CURRENT_WIDTHS, RIGHT, rows or [("No charges", "", "", "")])


def _adjustment_table(pdf: FPDF, lines: Sequence[InvoiceLineRead]) -> None:
    rows = [
        (
            months.label(line.month_corrected) if line.month_corrected else "",
            _text(line),
            *_figures(line),
        )
        for line in lines
    ]
    _table(pdf, ADJUSTMENT_COLUMNS, ADJUSTMENT_WIDTHS, ("LEFT", *RIGHT), rows)


def _table(
    pdf: FPDF,
    headings: Sequence[str],
    widths: Sequence[int],
    align: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> None:
    with pdf.table(
        col_widths=tuple(widths),
        width=sum(widths),
        align="LEFT",
        text_align=tuple(align),
        line_height=5,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        for row in (headings, *rows):
            cells = table.row()
            for value in row:
                cells.cell(latin(value))


def _text(line: InvoiceLineRead) -> str:
    return f"{line.description} (pass-through)" if line.pass_through else line.description


def _figures(line: InvoiceLineRead) -> tuple[str, str, str]:
    quantity, rate = line.quantity or "", line.rate or ""
    if line.kind == "percent_of_paid":
        quantity = dollars(Decimal(quantity)) if quantity else ""
        rate = percent(Decimal(rate)) if rate else ""
    elif rate:
        rate = dollars(Decimal(rate))
    return quantity, rate, dollars(line.amount)


def _totals(pdf: FPDF, invoice: InvoiceRead) -> None:
    pdf.ln(5)
    rows = (
        (f"Charges for {months.label(invoice.month)}", invoice.current, False),
        ("Adjustments for earlier months", invoice.adjustments, False),
        ("Total due", invoice.total, True),
    )
    for name, amount, bold in rows:
        pdf.set_font("Helvetica", "B" if bold else "", 11 if bold else 9)
        pdf.set_x(95)
        pdf.cell(70, 6, name, align="R")
        pdf.cell(35, 6, dollars(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=8)
    pdf.ln(2)
    split = (
        f"Of the total, {dollars(invoice.fees)} is administrative fees and "
        f"{dollars(invoice.pass_through)} is stop-loss premium passed through to the carrier. "
        f"Please pay by {long_date(invoice.due_on)}, quoting invoice {invoice.number}."
    )
    pdf.multi_cell(0, 4, latin(split), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if invoice.status == "void":
        pdf.set_font("Helvetica", "B", 9)
        reason = f"VOID: {invoice.void_reason or 'voided'}"
        pdf.multi_cell(0, 5, latin(reason), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
