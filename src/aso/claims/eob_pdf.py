"""An explanation of benefits as a PDF (fpdf2): what a member gets in the mail or downloads.

One claim per EOB: the TPA as configured, "This is not a bill", the patient, plan and provider,
a summary (billed, plan paid, you may owe, network savings), the service lines, every reason and
remark code in words, the patient's deductible and out-of-pocket progress as bars, and the
member's appeal rights (29 CFR 2560.503-1: 180 days to appeal an adverse benefit determination).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import cache

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from aso.claims.eob import APPEAL_RIGHTS
from aso.claims.schemas import BalanceRead, EobLineRead, EobRead
from aso.config import tpa_identity
from aso.money import dollars
from aso.pdf import LetterDocument, latin, long_date

COLUMNS = (
    ("Date", 16, "L"),
    ("Service", 31, "L"),
    ("Billed", 16, "R"),
    ("Allowed", 16, "R"),
    ("Plan paid", 16, "R"),
    ("Deductible", 16, "R"),
    ("Copay", 12, "R"),
    ("Coinsurance", 17, "R"),
    ("Not covered", 16, "R"),
    ("You owe", 15, "R"),
    ("Notes", 18, "L"),
)
BAR_WIDTH = 90


def eob_pdf_bytes(eob: EobRead) -> bytes:
    """The EOB of one claim (see the module)."""
    tpa = tpa_identity()
    pdf = LetterDocument(f"Claim {eob.claim_id}", margin=13)
    pdf.set_title(f"Explanation of benefits {eob.claim_id}")
    pdf.set_author(tpa.name)
    pdf.add_page()
    top = pdf.get_y()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(110, 7, latin(tpa.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    for text in (*tpa.address, tpa.billing_contact):
        pdf.cell(110, 4.5, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    after = pdf.get_y()
    pdf.set_xy(120, top)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(80, 7, "EXPLANATION OF BENEFITS", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(120)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(80, 6, "THIS IS NOT A BILL", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(after, pdf.get_y()) + 4)
    _facts(pdf, eob)
    _summary(pdf, eob)
    _lines(pdf, eob.lines, eob)
    _notes(pdf, eob)
    _balances(pdf, eob.balances)
    _section(pdf, "Your right to appeal")
    pdf.set_font("Helvetica", size=8.5)
    _paragraph(pdf, APPEAL_RIGHTS, 4)
    return bytes(pdf.output())


def _facts(pdf: FPDF, eob: EobRead) -> None:
    left = (
        ("Patient", eob.patient),
        ("Member ID", eob.member_id),
        ("Subscriber", eob.subscriber),
        ("Plan", eob.plan or ""),
        ("Employer", eob.employer or ""),
    )
    provider = eob.provider_name or (f"NPI {eob.provider_npi}" if eob.provider_npi else "Provider")
    network = "in network" if eob.network == "in" else "out of network"
    right = (
        ("Claim", f"{eob.claim_id} (version {eob.version})"),
        ("Provider", f"{provider} ({network})"),
        ("NPI", eob.provider_npi or ""),
        ("Received", long_date(eob.received)),
        ("Processed", long_date(eob.processed)),
    )
    top = pdf.get_y()
    for column, facts in ((13, left), (108, right)):
        pdf.set_y(top)
        for name, value in facts:
            pdf.set_x(column)
            pdf.set_font("Helvetica", size=9)
            pdf.cell(22, 5, name)
            pdf.set_font("Helvetica", "B", 9)
            pdf.cell(73, 5, latin(value)[:48], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _summary(pdf: FPDF, eob: EobRead) -> None:
    boxes = (
        ("Provider billed", eob.charge),
        ("Your plan paid", eob.plan_paid),
        ("You may owe the provider", eob.member_responsibility),
        ("Network savings", eob.savings),
    )
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(boxes)
    top = pdf.get_y()
    for index, (label, amount) in enumerate(boxes):
        x = pdf.l_margin + index * width
        pdf.set_fill_color(238, 243, 248)
        pdf.rect(x + 1, top, width - 2, 16, style="F")
        pdf.set_xy(x + 1, top + 2)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(width - 2, 4, label, align="C")
        pdf.set_xy(x + 1, top + 7)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(width - 2, 7, dollars(amount), align="C")
    pdf.set_y(top + 20)


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, latin(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _lines(pdf: FPDF, lines: Sequence[EobLineRead], eob: EobRead) -> None:
    _section(pdf, "Services on this claim")
    pdf.set_font("Helvetica", "B", 7.5)
    pdf.set_fill_color(225, 230, 236)
    for title, width, align in COLUMNS:
        pdf.cell(width, 6, title, align=align, fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", size=7.5)
    for line in lines:
        service = latin(line.service)
        while service and pdf.get_string_width(service) > COLUMNS[1][1] - 1:
            service = service[:-1]
        cells = (
            f"{line.date:%m/%d/%Y}",
            service,
            *(dollars(v) for v in _amounts(line)),
            ", ".join(line.codes)[:18],
        )
        _row(pdf, cells)
    pdf.set_font("Helvetica", "B", 7.5)
    totals = (
        eob.charge,
        eob.allowed,
        eob.plan_paid,
        sum((line.deductible for line in lines), Decimal(0)),
        sum((line.copay for line in lines), Decimal(0)),
        sum((line.coinsurance for line in lines), Decimal(0)),
        sum((line.not_covered for line in lines), Decimal(0)),
        eob.member_responsibility,
    )
    _row(pdf, ("Total", "", *(dollars(v) for v in totals), ""), border="T")


def _amounts(line: EobLineRead) -> tuple[Decimal, ...]:
    return (
        line.charge,
        line.allowed,
        line.plan_paid,
        line.deductible,
        line.copay,
        line.coinsurance,
        line.not_covered,
        line.member_responsibility,
    )


def _row(pdf: FPDF, cells: Sequence[str], border: str = "") -> None:
    for text, (_, width, align) in zip(cells, COLUMNS, strict=True):
        pdf.cell(width, 5, text, align=align, border=border)
    pdf.ln()


def _notes(pdf: FPDF, eob: EobRead) -> None:
    if not eob.notes:
        return
    _section(pdf, "What the notes mean")
    for note in eob.notes:
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.cell(18, 4.5, latin(note.code))
        pdf.set_font("Helvetica", size=8.5)
        _paragraph(pdf, note.text, 4.5)


def _balances(pdf: FPDF, balances: Sequence[BalanceRead]) -> None:
    shown = [
        b
        for b in balances
        if b.network == "in" and (b.deductible_limit is not None or b.out_of_pocket_limit)
    ]
    if not shown:
        return
    _section(pdf, "Your deductible and out-of-pocket maximum (in network)")
    several_groups = len({b.group for b in shown}) > 1
    for balance in shown:
        who = "You" if balance.scope == "member" else "Your family"
        period = f"{balance.period_start:%m/%d/%Y} - {balance.period_end:%m/%d/%Y}"
        plans = ", ".join(balance.plans) or balance.group
        title = ", ".join([who, *([plans] if several_groups else []), period])
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.cell(0, 5, latin(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for name, met, limit in (
            ("Deductible", balance.deductible, balance.deductible_limit),
            ("Out-of-pocket", balance.out_of_pocket, balance.out_of_pocket_limit),
        ):
            if limit is None:
                continue
            _bar(pdf, name, met, limit)


def _bar(pdf: FPDF, name: str, met: Decimal, limit: Decimal) -> None:
    """A progress bar: ``met`` of ``limit``, with the figures beside it."""
    pdf.set_font("Helvetica", size=8.5)
    pdf.cell(28, 5, name)
    x, y = pdf.get_x(), pdf.get_y() + 1
    share = float(min(met / limit, Decimal(1))) if limit > 0 else 1.0  # a length, not money
    pdf.set_fill_color(225, 230, 236)
    pdf.rect(x, y, BAR_WIDTH, 3, style="F")
    if share > 0:
        pdf.set_fill_color(38, 110, 180)
        pdf.rect(x, y, BAR_WIDTH * share, 3, style="F")
    pdf.set_x(x + BAR_WIDTH + 4)
    remaining = max(limit - met, Decimal(0))
    text = f"{dollars(met)} of {dollars(limit)} met, {dollars(remaining)} to go"
    pdf.cell(0, 5, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraph(pdf: FPDF, text: str, height: float) -> None:
    """Text wrapped to the rest of the line, as ``multi_cell`` would, from lines broken once
    per text, width and font: the same appeal rights and code descriptions recur on every EOB
    of a run, and breaking lines is most of what an EOB costs to draw."""
    width = pdf.w - pdf.r_margin - pdf.get_x()
    x = pdf.get_x()
    for line in _broken(latin(text), round(width, 2), pdf.font_family, pdf.font_style,
                        pdf.font_size_pt):  # fmt: skip
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


@cache
def _broken(text: str, width: float, family: str, style: str, size: float) -> tuple[str, ...]:
    measure = FPDF(unit="mm", format="letter")
    measure.add_page()
    measure.set_font(family, style, size)
    lines = measure.multi_cell(width, 4, text, dry_run=True, output=MethodReturnValue.LINES)
    assert isinstance(lines, list)
    return tuple(lines)
