"""A funding request as files the employer may see: a PDF (fpdf2) to pay from and a CSV of its
claims. Both are de-identified (DESIGN 1; 45 CFR 164.502(b) minimum necessary): each claim is the
payer's own reference (claim id and version), its service month, line of coverage, provider and
amount; never a member's name, id or birth date, nor the provider's account number for the
patient."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from aso.adminfees.documents import Issuer, tpa_issuer
from aso.money import ZERO, dollars, fmt
from aso.payments.schemas import FundingLine, FundingRequestRead
from aso.pdf import LetterDocument, latin

CSV_COLUMNS = (
    "request",
    "ein",
    "claim_reference",
    "kind",
    "service_month",
    "line_of_coverage",
    "provider_npi",
    "provider_name",
    "amount",
)
DETAIL_WIDTHS = (34, 22, 26, 24, 52, 27)
DETAIL_HEADINGS = ("Claim reference", "Kind", "Service month", "Coverage", "Provider", "Amount")


def request_csv_text(request: FundingRequestRead) -> str:
    """One row per claim; the amounts add up to the request's claims amount."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in request.lines:
        writer.writerow(
            (
                request.number,
                request.ein,
                line.reference,
                line.kind,
                line.service_month,
                line.line_of_coverage,
                line.provider_npi or "",
                line.provider_name or "",
                fmt(line.amount),
            )
        )
    return buffer.getvalue()


def request_pdf_bytes(request: FundingRequestRead, issuer: Issuer | None = None) -> bytes:
    """The request: who asks whom for what, the amounts that make it up (claims, overpayments
    to recover, funds on hand, prefunding), totals by line of coverage and service month, then
    every claim."""
    pdf = LetterDocument(f"Funding request {request.number}")
    pdf.set_title(f"Funding request {request.number}")
    issuer = issuer or tpa_issuer()
    pdf.set_author(issuer.name)
    pdf.add_page()
    _header(pdf, request, issuer)
    _summary(pdf, request)
    _by_coverage(pdf, request.lines)
    _detail(pdf, request.lines)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, height: float = 4.5, style: str = "", size: int = 9) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.cell(0, height, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _header(pdf: FPDF, request: FundingRequestRead, issuer: Issuer) -> None:
    _line(pdf, issuer.name, 8, "B", 15)
    for text in (*issuer.address, issuer.contact):
        _line(pdf, text)
    pdf.ln(4)
    _line(pdf, "CLAIMS FUNDING REQUEST", 9, "B", 16)
    _line(
        pdf,
        f"Request {request.number}, issued {request.run_on:%B} {request.run_on.day}, "
        f"{request.run_on.year}, for claims adjudicated through {request.through}",
    )
    pdf.ln(2)
    _line(pdf, request.employer, 6, "B", 11)
    for text in (*request.employer_address, f"EIN {request.ein}"):
        _line(pdf, text)
    pdf.ln(2)
    pdf.set_font("Helvetica", size=8)
    note = (
        "Your plan's claims are paid from your claims funding account. This request lists the "
        "claims of this payment cycle by the plan's own claim reference, service month, line "
        "of coverage and provider; it names no plan member (HIPAA minimum necessary)."
    )
    pdf.multi_cell(0, 4, latin(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _summary(pdf: FPDF, request: FundingRequestRead) -> None:
    pdf.ln(3)
    rows = (
        ("Claims of this cycle (net of corrections)", request.claims_amount, False),
        ("Overpayments to recover from providers", request.overpaid, False),
        ("Claims payable before recoveries", request.gross, False),
        ("Funds on hand or requested, beyond earlier claims", request.available, False),
        ("Prefunded balance to keep", request.prefund_target, False),
        ("Amount requested", request.requested, True),
        ("Deposited against this request", request.deposited, False),
    )
    for name, amount, bold in rows:
        pdf.set_font("Helvetica", "B" if bold else "", 11 if bold else 9)
        pdf.set_x(60)
        pdf.cell(100, 6, latin(name), align="R")
        pdf.cell(35, 6, dollars(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _by_coverage(pdf: FPDF, lines: list[FundingLine]) -> None:
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        key = (line.line_of_coverage, line.service_month)
        totals[key] += line.amount
        counts[key] += 1
    pdf.ln(4)
    _line(pdf, "By line of coverage and service month", 7, "B", 11)
    _row(pdf, ("Coverage", "Service month", "Claims", "Amount"), (50, 40, 30, 40), bold=True)
    for (coverage, month), amount in sorted(totals.items()):
        _row(
            pdf,
            (coverage, month, str(counts[(coverage, month)]), dollars(amount)),
            (50, 40, 30, 40),
        )


def _detail(pdf: FPDF, lines: list[FundingLine]) -> None:
    pdf.ln(4)
    _line(pdf, "Claims", 7, "B", 11)
    _row(pdf, DETAIL_HEADINGS, DETAIL_WIDTHS, bold=True)
    for line in lines:
        provider = line.provider_name or ""
        if line.provider_npi:
            provider = f"{provider} ({line.provider_npi})".strip()
        if line.payee == "member":
            provider = f"Member reimbursement {provider}".strip()
        cells = (
            line.reference,
            line.kind,
            line.service_month,
            line.line_of_coverage,
            provider[:34],
            dollars(line.amount),
        )
        _row(pdf, cells, DETAIL_WIDTHS)


def _row(pdf: FPDF, cells: tuple[str, ...], widths: tuple[int, ...], bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 8)
    last = len(cells) - 1
    for index, (text, width) in enumerate(zip(cells, widths, strict=True)):
        align = "R" if index == last else "L"
        if index == last:
            pdf.cell(width, 5, latin(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.cell(width, 5, latin(text), align=align)
