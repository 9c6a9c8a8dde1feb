"""A member's ID card as a PDF (fpdf2): two card-sized pages (85.6 x 54 mm, ISO/IEC 7810
ID-1), the front and the back, to print or keep on a phone."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from aso.members.schemas import CardCoverage, IdCardRead
from aso.pdf import latin

WIDTH, HEIGHT = 85.6, 53.98
MARGIN = 3.5
BRAND = (11, 110, 79)
COLUMN_SHARES = {0: (), 1: (1.0,), 2: (0.56, 0.44)}
"""How the front's width is shared by the one or two coverages it details."""


def id_card_pdf_bytes(card: IdCardRead) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format=(HEIGHT, WIDTH))
    pdf.set_title(f"ID card {card.member_id}")
    pdf.set_author(card.claims_address[0])
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    _front(pdf, card)
    _back(pdf, card)
    return bytes(pdf.output())


def _front(pdf: FPDF, card: IdCardRead) -> None:
    pdf.add_page()
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, WIDTH, 9, style="F")
    pdf.set_text_color(255)
    pdf.set_xy(MARGIN, 1.5)
    pdf.set_font("Helvetica", "B", 8.5)
    pdf.cell(WIDTH - 2 * MARGIN - 20, 6, latin(card.employer)[:40])
    pdf.set_font("Helvetica", size=6)
    pdf.cell(20, 6, latin(f"Group {card.group}"), align="R")
    pdf.set_text_color(0)
    pdf.set_xy(MARGIN, 10.5)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 4.5, latin(card.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=6.5)
    tiers = {c.tier for c in card.coverages}
    identity = f"Member ID {card.member_id}"
    if len(tiers) == 1:
        identity += f"  -  {next(iter(tiers))} coverage"
    pdf.cell(0, 3.5, latin(identity), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if card.subscriber_id != card.member_id:
        subscriber = f"Subscriber {card.subscriber} ({card.subscriber_id})"
        pdf.cell(0, 3.5, latin(subscriber), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    columns = card.coverages[:2]
    shares = COLUMN_SHARES[len(columns)]
    top, x = pdf.get_y(), MARGIN
    for coverage, share in zip(columns, shares, strict=True):
        width = (WIDTH - 2 * MARGIN) * share
        title = coverage.plan if len(tiers) <= 1 else f"{coverage.plan} ({coverage.tier})"
        _coverage(pdf, coverage, title, x, top, width - 1)
        x += width
    if len(card.coverages) > 2:
        others = ", ".join(f"{c.line.value}: {c.plan}" for c in card.coverages[2:])
        pdf.set_xy(MARGIN, HEIGHT - 5.5)
        pdf.set_font("Helvetica", size=5.5)
        pdf.cell(0, 3, latin(f"Also covered - {others} (details on the back)")[:90])


def _coverage(
    pdf: FPDF, coverage: CardCoverage, title: str, x: float, y: float, width: float
) -> None:
    pdf.set_xy(x, y)
    pdf.set_font("Helvetica", "B", 6)
    pdf.cell(width, 3.5, _fit(pdf, title, width))
    y += 3.8
    pdf.set_font("Helvetica", size=5.2)
    labels = max((pdf.get_string_width(latin(b.label)) for b in coverage.benefits), default=0)
    for benefit in coverage.benefits:
        pdf.set_xy(x, y)
        pdf.set_font("Helvetica", size=5.2)
        pdf.cell(labels + 1.2, 3, latin(benefit.label))
        pdf.set_font("Helvetica", "B", 5.2)
        pdf.cell(width - labels - 1.2, 3, _fit(pdf, benefit.value, width - labels - 1.2))
        y += 3


def _back(pdf: FPDF, card: IdCardRead) -> None:
    pdf.add_page()
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font("Helvetica", "B", 7)
    pdf.cell(0, 4, latin(f"Member services {card.member_services}"), new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font("Helvetica", size=5.5)
    lines = [
        f"Providers: check eligibility (X12 270) and claim status (276) and send claims "
        f"electronically (837) to payer ID {card.payer_id}, or mail claims to:",
        ", ".join(card.claims_address),
    ]
    for coverage in card.coverages[2:]:
        shares = "; ".join(f"{b.label} {b.value}" for b in coverage.benefits)
        lines.append(f"{coverage.line.value.capitalize()}: {coverage.plan} - {shares}")
    lines.append(
        f"Coverage as of {card.as_of:%m/%d/%Y}. This card does not guarantee coverage or "
        "payment; call member services to confirm eligibility and benefits."
    )
    for text in lines:
        pdf.multi_cell(0, 2.8, latin(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.8)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text, cut with an ellipsis where it would overflow ``width``."""
    text = latin(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."
