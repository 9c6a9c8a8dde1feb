"""The 835 builder (005010X221A1): amounts that balance as the guide requires (line, claim,
transaction), CAS grouped and split six reasons to a segment, reversals, provider-level
adjustments (WO recovery, FB forward balance) and a payment that is never negative. Every 835
written here passes pyx12 and reads back with the project's own reader; the guide's own example
files are reproduced segment for segment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aso.claims.domain import Adjustment, Group
from aso.edi.writer import DEFAULT_DELIMITERS, Party, TransactionSet
from aso.edi.x835 import (
    NO_ST03,
    Address,
    BankAccount,
    ClaimPayment,
    ClaimStatusCode,
    Contact,
    Payee,
    Payer,
    Payment,
    PaymentMethod,
    Person,
    PlbReason,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
    add_835,
    amount_text,
    cas_segments,
    settle,
    write_835,
)
from aso.errors import ValidationFailed
from tests.unit.edi_builders import sample
from tests.unit.x834_builders import pyx12_findings
from tests.unit.x835_reading import only_remittance

NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
D = Decimal
CO, PR, OA = Group.CONTRACTUAL, Group.PATIENT, Group.OTHER
PAYER = Payer(
    name="ACME WIDGETS HEALTH PLAN",
    tin="311234567",
    address=Address("1 MAIN ST", "COLUMBUS", "OH", "43215"),
    contact=Contact("ASO TPA EDI SUPPORT", phone="8005551212"),
)
PAYEE = Payee.provider(
    name="ANN LEE MD",
    npi="1234567893",
    tin="31-1234567",
    address=Address("10 ELM ST", "COLUMBUS", "OH", "43215-1234"),
)
CHECK = Payment(PaymentMethod.CHECK, date(2026, 6, 16), "ASO000000042")
ANN = Person("LEE", "ANN", "M000000001")
BO = Person("LEE", "BO", "M000000002")


def office_visit(number: str = "PCN-1", paid_line: Decimal = D("85.00")) -> ClaimPayment:
    """A visit of 180.00 allowed 110.00: CO 45 70.00, PR 3 (copay) 25.00, plan paid 85.00;
    a venipuncture of 12.00 denied PR 204 (not covered)."""
    visit = ServiceLine(
        charge=D("180.00"),
        paid=paid_line,
        procedure="99213",
        modifiers=("25",),
        service_date=date(2026, 2, 2),
        allowed=D("110.00"),
        adjustments=(Adjustment(CO, "45", D("70.00")), Adjustment(PR, "3", D("25.00"))),
    )
    lab = ServiceLine(
        charge=D("12.00"),
        paid=D("0.00"),
        procedure="36415",
        service_date=date(2026, 2, 2),
        adjustments=(Adjustment(PR, "204", D("12.00")),),
        remarks=("N130",),
    )
    return ClaimPayment(
        patient_control_number=number,
        status=ClaimStatusCode.PROCESSED_AS_PRIMARY,
        charge=D("192.00"),
        paid=paid_line,
        payer_control_number=f"{number}-1",
        patient=BO,
        insured=ANN,
        frequency="1",
        received=date(2026, 2, 10),
        lines=(visit, lab),
    )


def denied(number: str = "PCN-2") -> ClaimPayment:
    line = ServiceLine(
        charge=D("240.00"),
        paid=D("0.00"),
        procedure="99204",
        units=D(2),
        service_date=date(2026, 2, 3),
        adjustments=(Adjustment(CO, "29", D("240.00")),),
    )
    return ClaimPayment(
        patient_control_number=number,
        status=ClaimStatusCode.DENIED,
        charge=D("240.00"),
        paid=D("0.00"),
        payer_control_number=f"{number}-1",
        patient=ANN,
        lines=(line,),
    )


def remittance(*claims: ClaimPayment, **fields: object) -> Remittance:
    return Remittance(
        payer=PAYER,
        payee=PAYEE,
        payment=CHECK,
        claims=tuple(claims),
        **fields,  # type: ignore[arg-type]
    )


def write(value: Remittance) -> str:
    return write_835(
        value,
        sender=Party("ZZ", "ASOTPA"),
        receiver=Party("ZZ", value.payee.identifier),
        control_number=42,
        now=NOW,
    )


def valid(text: str, folder: Path) -> str:
    assert pyx12_findings(text, folder, "remittance.835") == [], text
    return text


def segments(text: str) -> list[str]:
    return [line for line in text.replace("\r", "").replace("\n", "").split("~") if line]


# balancing --------------------------------------------------------------------------------


def test_a_remittance_is_written_balanced_and_reads_back(tmp_path: Path) -> None:
    text = valid(write(remittance(office_visit(), denied())), tmp_path)
    read = only_remittance(text)
    assert read.bpr[1:5] == ["I", "85", "C", "CHK"] and read.bpr[16] == "20260616"
    assert read.trace == "ASO000000042"
    assert read.payee[1:] == ["PE", "ANN LEE MD", "XX", "1234567893"]
    assert read.payee_tin == "311234567"
    first, second = read.claims
    assert (first.status, first.charge, first.paid, first.responsibility) == (
        "1",
        D("192"),
        D("85"),
        D("37"),
    )
    assert first.people["QC"][3:5] == ["LEE", "BO"] and first.people["IL"][9] == "M000000001"
    visit, lab = first.lines
    assert visit.code == ["HC", "99213", "25"]
    assert (visit.charge, visit.paid, visit.allowed) == (D("180"), D("85"), D("110"))
    assert visit.adjustments == [("CO", "45", D("70")), ("PR", "3", D("25"))]
    assert visit.dates == [("472", "20260202")]
    assert (lab.paid, lab.allowed, lab.remarks) == (D("0"), None, ["N130"])
    assert (second.status, second.paid, second.lines[0].units) == ("4", D("0"), "2")
    for claim in read.claims:
        line_adjustments = sum(a[2] for line in claim.lines for a in line.adjustments)
        assert claim.charge - line_adjustments == claim.paid
        for line in claim.lines:
            assert line.charge - sum(a[2] for a in line.adjustments) == line.paid
    assert read.amount == sum(claim.paid for claim in read.claims)
    assert ("SVC", "2110") in read.loops and ("CLP", "2100") in read.loops


def test_a_line_that_does_not_balance_is_refused_with_where_it_is() -> None:
    broken = office_visit(paid_line=D("86.00"))
    with pytest.raises(ValidationFailed) as caught:
        write(remittance(broken))
    messages = [str(problem) for problem in caught.value.problems]
    assert messages == [
        "claims[0] (PCN-1): charge 192.00 - adjustments 107.00 is not the payment 86.00",
        "claims[0] (PCN-1).lines[1]: charge 180.00 - adjustments 95.00 is not the payment 86.00",
    ]


def test_the_lines_must_add_up_to_the_claim_charge() -> None:
    claim = replace(office_visit(), charge=D("200.00"), adjustments=(Adjustment(OA, "23", D("8")),))
    with pytest.raises(ValidationFailed, match=r"the lines' charges do not add up to 200\.00"):
        write(remittance(claim))


def test_a_line_needs_a_code() -> None:
    claim = denied()
    codeless = replace(claim, lines=(replace(claim.lines[0], procedure=None),))
    with pytest.raises(ValidationFailed, match="needs a procedure, NDC or revenue code"):
        write(remittance(codeless))


# CAS --------------------------------------------------------------------------------------


def test_cas_is_one_segment_per_group_six_reasons_to_a_segment() -> None:
    adjustments = [Adjustment(CO, str(code), D("1.00")) for code in range(1, 9)]
    adjustments += [Adjustment(PR, "1", D("5.00")), Adjustment(CO, "1", D("2.50"))]
    adjustments += [Adjustment(PR, "2", D("3.00")), Adjustment(PR, "2", D("-3.00"))]
    assert cas_segments(adjustments) == [
        (
            "CO",
            "1",
            "3.5",
            "",
            "2",
            "1",
            "",
            "3",
            "1",
            "",
            "4",
            "1",
            "",
            "5",
            "1",
            "",
            "6",
            "1",
            "",
        ),
        ("CO", "7", "1", "", "8", "1", ""),
        ("PR", "1", "5", ""),
    ]


def test_a_line_with_many_reasons_passes_pyx12(tmp_path: Path) -> None:
    reasons = tuple(
        Adjustment(CO, code, D("10.00")) for code in ("45", "59", "94", "97", "B7", "B20", "131")
    )
    line = ServiceLine(
        charge=D("100.00"), paid=D("30.00"), procedure="99213", service_date=date(2026, 2, 2),
        adjustments=reasons,
    )  # fmt: skip
    claim = replace(denied(), status=ClaimStatusCode.PROCESSED_AS_PRIMARY, charge=D("100"),
                    paid=D("30.00"), lines=(line,))  # fmt: skip
    text = valid(write(remittance(claim)), tmp_path)
    assert [s for s in segments(text) if s.startswith("CAS")] == [
        "CAS*CO*45*10**59*10**94*10**97*10**B7*10**B20*10",
        "CAS*CO*131*10",
    ]
    assert only_remittance(text).claims[0].lines[0].adjustments[-1] == ("CO", "131", D("10"))


# reversals and provider-level adjustments -------------------------------------------------


def test_a_correction_is_a_reversal_then_the_claim_as_it_stands(tmp_path: Path) -> None:
    original = office_visit()
    corrected = office_visit(paid_line=D("95.00"))
    corrected = replace(
        corrected,
        payer_control_number="PCN-1-2",
        lines=(
            replace(
                corrected.lines[0],
                adjustments=(Adjustment(CO, "45", D("60.00")), Adjustment(PR, "3", D("25.00"))),
                allowed=D("120.00"),
            ),
            corrected.lines[1],
        ),
    )
    text = valid(write(remittance(original.reversal(), corrected)), tmp_path)
    reversal, correction = only_remittance(text).claims
    assert (reversal.status, reversal.charge, reversal.paid, reversal.responsibility) == (
        "22",
        D("-192"),
        D("-85"),
        D("-37"),
    )
    assert reversal.control == "PCN-1-1"
    assert reversal.lines[0].adjustments == [("CO", "45", D("-70")), ("PR", "3", D("-25"))]
    assert (reversal.lines[0].allowed, reversal.lines[0].units) == (D("-110"), "")
    assert (correction.status, correction.paid) == ("1", D("95"))
    assert only_remittance(text).amount == D("10")


def test_a_negative_net_is_carried_forward_and_taken_back_next_time(tmp_path: Path) -> None:
    void = office_visit().reversal()
    first = settle([void], reference="ASO000000042")
    assert (first.amount, first.owed) == (D("0"), D("85.00"))
    assert first.adjustments == (
        ProviderAdjustment(PlbReason.FORWARD_BALANCE, D("-85.00"), "ASO000000042"),
    )
    text = valid(write(remittance(void, adjustments=first.adjustments)), tmp_path)
    read = only_remittance(text)
    assert read.bpr[1:5] == ["H", "0", "C", "NON"]
    assert read.plb == [("FB", "ASO000000042", D("-85"))]
    assert [s for s in segments(text) if s.startswith("PLB")] == [
        "PLB*1234567893*20261231*FB:ASO000000042*-85"
    ]

    later = [denied(), office_visit("PCN-3", D("85.00")), office_visit("PCN-4", D("85.00"))]
    second = settle(later[:2], owed=first.owed, owed_reference="ASO000000042", reference="ASO43")
    assert (second.amount, second.owed) == (D("0.00"), D("0.00"))
    assert second.adjustments == (ProviderAdjustment("FB", D("85.00"), "ASO000000042"),)
    partial = settle(later[:2], owed=D("100.00"), owed_reference="ASO000000042")
    assert (partial.amount, partial.owed) == (D("0.00"), D("15.00"))
    plenty = settle(later, owed=D("100.00"), owed_reference="ASO000000042")
    assert (plenty.amount, plenty.owed) == (D("70.00"), D("0.00"))
    text = valid(write(remittance(*later, adjustments=plenty.adjustments)), tmp_path)
    assert only_remittance(text).amount == D("70")


def test_an_overpayment_is_recovered_with_wo(tmp_path: Path) -> None:
    recovery = ProviderAdjustment(PlbReason.OVERPAYMENT_RECOVERY, D("20.00"), "PCN-0-1")
    settled = settle([office_visit()], [recovery])
    assert settled.amount == D("65.00") and settled.adjustments == (recovery,)
    text = valid(write(remittance(office_visit(), adjustments=settled.adjustments)), tmp_path)
    read = only_remittance(text)
    assert read.amount == D("65") and read.plb == [("WO", "PCN-0-1", D("20"))]


def test_plb_holds_six_adjustments_to_a_segment(tmp_path: Path) -> None:
    """The guide repeats PLB (>1) for a seventh adjustment. pyx12's map puts PLB in a footer
    loop that may occur once and so reads a second PLB as a second loop: that, and only that,
    is what it says of this file."""
    small = tuple(ProviderAdjustment("WO", D("1.00"), f"PCN-{n}") for n in range(7))
    text = write(remittance(office_visit(), adjustments=small))
    assert pyx12_findings(text, tmp_path, "remittance.835") == [
        "segment 30 (PLB, segment 28 of set 0001): Loop FOOTER exceeded max count.  Found 2, "
        "should have 1"
    ]
    plbs = [s for s in segments(text) if s.startswith("PLB")]
    assert len(plbs) == 2 and plbs[1] == "PLB*1234567893*20261231*WO:PCN-6*1"
    assert only_remittance(text).amount == D("78")


def test_a_payment_is_never_negative() -> None:
    with pytest.raises(ValidationFailed, match=r"BPR02: the payment -85\.00 is negative"):
        write(remittance(office_visit().reversal()))
    with pytest.raises(ValueError):
        settle([office_visit()], owed=D("-1"))


def test_no_payment_says_non_and_a_payment_never_does() -> None:
    nothing = Payment(PaymentMethod.NONE, date(2026, 6, 16), "T1")
    text = write(replace(remittance(denied()), payment=nothing))
    assert segments(text)[3] == "BPR*H*0*C*NON************20260616"
    with pytest.raises(ValidationFailed, match=r"NON \(no payment\) with a payment of 85\.00"):
        write(replace(remittance(office_visit()), payment=nothing))


def test_an_ach_payment_carries_both_bank_accounts(tmp_path: Path) -> None:
    ach = Payment(
        PaymentMethod.ACH,
        date(2026, 6, 16),
        "EFT1",
        payer_account=BankAccount("044000037", "12345678"),
        payee_account=BankAccount("021000021", "98765"),
    )
    text = valid(write(replace(remittance(office_visit()), payment=ach)), tmp_path)
    assert segments(text)[3] == (
        "BPR*I*85*C*ACH*CCP*01*044000037*DA*12345678*1311234567**01*021000021*DA*98765*20260616"
    )
    with pytest.raises(ValidationFailed, match="an ACH payment needs both bank accounts"):
        write(replace(remittance(office_visit()), payment=replace(ach, payee_account=None)))


# claims without service lines, remarks ----------------------------------------------------


def test_a_claim_reported_at_claim_level_carries_its_remarks_in_moa_or_mia(tmp_path: Path) -> None:
    outpatient = ClaimPayment(
        patient_control_number="PCN-9",
        status=ClaimStatusCode.PROCESSED_AS_PRIMARY,
        charge=D("500.00"),
        paid=D("300.00"),
        payer_control_number="9-1",
        patient=ANN,
        adjustments=(Adjustment(CO, "45", D("150.00")), Adjustment(PR, "2", D("50.00"))),
        remarks=("N130", "M15"),
    )
    inpatient = replace(
        outpatient, patient_control_number="PCN-10", inpatient=True, facility_code="11",
        frequency="1", remarks=("N130", "M15", "MA01"),
    )  # fmt: skip
    text = valid(write(remittance(outpatient, inpatient)), tmp_path)
    assert "MOA***N130*M15" in segments(text)
    assert "MIA*0****N130***************M15*MA01" in segments(text)
    first, second = only_remittance(text).claims
    assert (first.remarks, second.remarks, second.responsibility) == (
        ["N130", "M15"],
        ["N130", "M15", "MA01"],
        D("50"),
    )
    with pytest.raises(ValidationFailed, match="more than 5 claim-level remark codes"):
        write(remittance(replace(outpatient, remarks=("N1", "N2", "N3", "N4", "N5", "N6"))))


def test_service_codes_by_kind(tmp_path: Path) -> None:
    def line(**codes: object) -> ServiceLine:
        return ServiceLine(charge=D("10"), paid=D("10"), service_date=date(2026, 2, 2), **codes)  # type: ignore[arg-type]

    lines = (
        line(procedure="D0120"),
        line(procedure="99213", modifiers=("25", "59", "76", "77", "91")),
        line(ndc="00409499101", units=D("2.5")),
        line(revenue_code="0450"),
        line(procedure="71046", revenue_code="0320"),
    )
    claim = ClaimPayment("PCN-5", ClaimStatusCode.PROCESSED_AS_PRIMARY, D("50"), D("50"), "5-1",
                         ANN, lines=lines)  # fmt: skip
    text = valid(write(remittance(claim)), tmp_path)
    assert [s for s in segments(text) if s.startswith("SVC")] == [
        "SVC*AD:D0120*10*10",
        "SVC*HC:99213:25:59:76:77*10*10",
        "SVC*N4:00409499101*10*10**2.5",
        "SVC*NU:0450*10*10",
        "SVC*HC:71046*10*10*0320",
    ]


def test_free_text_never_carries_a_delimiter() -> None:
    odd = replace(PAYEE, name="SMITH*JONES~ASSOC: PC^")
    text = write(replace(remittance(office_visit()), payee=odd))
    assert "N1*PE*SMITH JONES ASSOC PC*XX*1234567893" in segments(text)


def test_amounts_are_written_as_x12_decimals() -> None:
    assert [amount_text(D(v)) for v in ("100.00", "12.50", "0.00", "-0.00", "-1.27", "0.005")] == [
        "100",
        "12.5",
        "0",
        "0",
        "-1.27",
        ".01",  # type R: no leading zero (X12.6), as every answer we write
    ]


# the guide's examples -----------------------------------------------------------------------


def test_the_guides_dollars_and_data_sent_separate_example_is_reproduced() -> None:
    """X221A1 example "dollars and data sent separately" (ACH, claim-level CAS CO A2, lines
    with service date ranges): the same remittance as values gives the same segments."""
    example = segments(sample("X221A1", "dollars-and-data-sent-separate.edi"))
    payer = Payer(
        "RUSHMORE LIFE", "935665544", Address("10 SOUTH AVENUE", "RAPID CITY", "SD", "55111"),
        Contact("JOHN WAYNE", phone="8005551212", extension="123"),
    )  # fmt: skip
    payee = Payee.provider(name="ACME MEDICAL CENTER", npi="5544667733", tin="777667755")
    payment = Payment(
        PaymentMethod.ACH, date(2002, 3, 16), "71700666555",
        payer_account=BankAccount("888999777", "24681012"),
        payee_account=BankAccount("111333555", "144444"),
    )  # fmt: skip

    def claim(
        number: str,
        icn: str,
        who: Person,
        code: str,
        days: tuple[int, int],
        amounts: tuple[str, ...],
        line_cas: tuple[Adjustment, ...],
    ) -> ClaimPayment:
        charge, paid, line_paid, claim_cas = map(D, amounts)
        line = ServiceLine(
            charge=charge, paid=line_paid, procedure=code,
            service_date=date(2002, 3, days[0]), service_to=date(2002, 3, days[1]),
            adjustments=line_cas,
        )  # fmt: skip
        return ClaimPayment(
            number, ClaimStatusCode.PROCESSED_AS_PRIMARY, charge, paid, icn, who,
            adjustments=(Adjustment(CO, "A2", claim_cas),), lines=(line,),
        )  # fmt: skip

    claims = (
        claim("5554555444", "94060555410000", Person("BUDD", "WILLIAM", "33344555510"),
              "99211", (1, 4), ("800", "450", "500", "50"), (Adjustment(PR, "1", D(300)),)),
        claim("8765432112", "9407779923000", Person("SETTLE", "SUSAN", "44455666610"),
              "93555", (10, 12), ("1200", "495", "550", "55"),
              (Adjustment(PR, "1", D(600)), Adjustment(CO, "45", D(50)))),
    )  # fmt: skip
    value = Remittance(payer, payee, payment, claims, production_date=date(2002, 3, 14))
    transaction = TransactionSet("835", "112233", NO_ST03)
    add_835(transaction, value, created=date(2002, 3, 14))
    written = [s.rstrip("~") for s in transaction.lines(DEFAULT_DELIMITERS)]
    start = example.index("ST*835*112233")
    assert written[1:] == example[start + 1 : start + len(written)]


def test_the_guides_dental_lines_are_reproduced() -> None:
    """X221A1 example "ERA sample" (a dental claim paid by check): the payer, the payee named by
    its TIN, and each service line (SVC, DTM, CAS, AMT*B6) as the guide writes them."""
    example = segments(sample("X221A1", "era-sample.edi"))
    codes = (("D0120", "46", "25"), ("D0220", "25", "14"), ("D0230", "22", "10"),
             ("D0274", "60", "34"), ("D1110", "73", "49"))  # fmt: skip
    lines = tuple(
        ServiceLine(
            charge=D(charge), paid=D(paid), procedure=code, service_date=date(2014, 3, 24),
            allowed=D(paid), adjustments=(Adjustment(CO, "131", D(charge) - D(paid)),),
        )
        for code, charge, paid in codes
    )  # fmt: skip
    sally = Person("DOE", "SALLY", "SJD11111")
    claim = ClaimPayment("7722337", ClaimStatusCode.PROCESSED_AS_PRIMARY, D(226), D(132),
                         "119932404007801", sally, lines=lines)  # fmt: skip
    payer = Payer("DELTA DENTAL OF ABC", "512345678",
                  Address("225 MAIN STREET", "CENTERVILLE", "PA", "17111"),
                  Contact("JANE DOE", phone="9005555555"))  # fmt: skip
    value = Remittance(
        payer, Payee("BAN DDS LLC", "FI", "999994703"),
        Payment(PaymentMethod.CHECK, date(2014, 3, 31), "12345"), (claim,),
    )  # fmt: skip
    transaction = TransactionSet("835", "35681", NO_ST03)
    add_835(transaction, value, created=date(2014, 4, 1))
    written = [s.rstrip("~") for s in transaction.lines(DEFAULT_DELIMITERS)]
    assert written[1:3] == example[3:5]  # BPR, TRN
    for segment in ("N1*PR*DELTA DENTAL OF ABC", "PER*BL*JANE DOE*TE*9005555555",
                    "N1*PE*BAN DDS LLC*FI*999994703", "CLP*7722337*1*226*132**12*119932404007801",
                    "NM1*QC*1*DOE*SALLY****MI*SJD11111"):  # fmt: skip
        assert segment in written and segment in example
    first_svc = example.index("SVC*AD:D0120*46*25")
    last_svc = example.index("SE*35*35681")
    assert written[written.index("SVC*AD:D0120*46*25") : -1] == example[first_svc:last_svc]
