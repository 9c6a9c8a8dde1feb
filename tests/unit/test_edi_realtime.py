"""270/271 (005010X279A1) and 276/277 (005010X212) without a database: the guides' example
requests read into plain values, answers written from plain values, read back with the
project's reader (envelope, counts) and compared with the guides' example answers loop by loop
and segment by segment (pyx12 has no map for 271 or 277)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from aso.claims.balances import PlanLimits, balances
from aso.claims.plan_rules import compile_plan
from aso.edi import x270, x276
from aso.edi.benefits import (
    BenefitDate,
    EligibilityBenefit,
    LineCoverage,
    eligibility_benefits,
)
from aso.edi.claim_status import ClaimFacts, LineFacts, Status, claim_status, line_status
from aso.edi.envelope import Walker
from aso.edi.inquiry_reader import Name, Period
from aso.edi.outbound import amount, number
from aso.edi.reader import SegmentReader
from aso.edi.realtime import reader_for
from aso.edi.writer import Interchange, InterchangeHeader, Party
from aso.edi.x271 import Address, EligibilityAnswer, PersonAnswer, Rejection, write_271
from aso.edi.x277 import ClaimAnswer, LineAnswer, StatusAnswer, write_277
from aso.members.domain import CoverageSpan, Person, Relationship, decide_eligibility
from aso.plans.domain import Line, PlanDesign, Tier
from aso.plans.templates import get_template
from tests.unit.edi_builders import parse_text, sample, swap
from tests.unit.x12_outline import loops, outline

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
SUBSCRIBER_270 = "generic-request-by-clinic-for-patient--subscriber--eligibility.edi"
DEPENDENT_270 = "generic-request-by-physician-for-patient--dependent--eligibility.edi"
SUBSCRIBER_271 = "response-to-generic-request-by-clinic-for-patient--subscriber--eligibility.edi"
DEPENDENT_271 = "response-to-generic-request-by-physician-for-patient--dependent--eligibility.edi"


def reads(text: str) -> tuple[list[Any], list[Any]]:
    """The inquiries of a request, and its ``SetClosed`` events."""
    found, closed = [], []
    for event in Walker(SegmentReader(io.StringIO(text)), reader_for):
        if isinstance(event, x270.InquiryRead):
            found.append(event.inquiry)
        elif isinstance(event, x276.StatusRequested):
            found.append(event.request)
        elif type(event).__name__ == "SetClosed":
            closed.append(event)
    return found, closed


def interchange() -> Interchange:
    header = InterchangeHeader(
        sender=Party("ZZ", "123456789012346"),
        receiver=Party("ZZ", "123456789012345"),
        control_number=7,
        created=NOW,
        usage="T",
    )
    return Interchange(header)


def set_segments(text: str) -> list[str]:
    """The segments from the ST to the SE of a file's one set, without terminators."""
    found = [s.strip() for s in text.split("~") if s.strip()]
    start = next(i for i, s in enumerate(found) if s.startswith("ST*"))
    end = next(i for i, s in enumerate(found) if s.startswith("SE*"))
    return found[start : end + 1]


def read_back(text: str, set_id: str) -> dict[str, Any]:
    """The answer read with the project's reader: one accepted set, no finding."""
    document = parse_text(text)
    assert document["errors"] == [] and document["warnings"] == []
    (transaction,) = document["transactions"]
    assert (transaction["set"], transaction["status"]) == (set_id, "accepted")
    assert transaction["errors"] == [] and transaction["warnings"] == []
    return transaction


# reading the guides' requests -------------------------------------------------------------------


def test_the_guides_270_for_a_subscriber_is_one_inquiry() -> None:
    (inquiry,), (closed,) = reads(sample("X279A1-HS270", SUBSCRIBER_270))
    assert closed.status == "accepted" and closed.findings == ()
    assert inquiry.reference == "10001234"
    assert inquiry.source.elements == ("PR", "2", "ABC COMPANY", "", "", "", "", "PI", "842610001")
    assert (inquiry.receiver.last, inquiry.receiver.id) == ("BONE AND JOINT CLINIC", "2000035")
    subscriber = inquiry.subscriber
    assert (subscriber.name.last, subscriber.name.first, subscriber.name.id) == (
        "SMITH",
        "ROBERT",
        "11122333301",
    )
    assert subscriber.demographics.birth_date == date(1943, 5, 19)
    assert inquiry.dependent is None
    assert [(t.type, t.number, t.originator) for t in inquiry.traces] == [
        ("1", "93175-012547", "9877281234")
    ]
    assert inquiry.service_types == ("30",)
    assert inquiry.date_of_service(date(2026, 1, 1)) == date(2006, 5, 1)
    assert inquiry.levels == ("1", "2", "3")


def test_the_guides_270_for_a_dependent_names_it_under_its_subscriber() -> None:
    (inquiry,), _ = reads(sample("X279A1-HS270", DEPENDENT_270))
    assert inquiry.subscriber.name.id == "11122333301"
    assert inquiry.subscriber.name.last == ""
    dependent = inquiry.dependent
    assert dependent is not None
    assert (dependent.name.entity, dependent.name.last, dependent.name.first) == (
        "03",
        "SMITH",
        "MARY",
    )
    assert dependent.demographics.birth_date == date(1978, 10, 14)
    assert inquiry.patient is dependent
    assert [t.number for t in inquiry.traces] == ["93175-012547"]
    assert inquiry.date_of_service(date(2026, 1, 1)) == date(2006, 5, 1)


def test_the_guides_276_asks_about_three_claims() -> None:
    requests, (closed,) = reads(sample("X212-HR276", "claim-request.edi"))
    assert closed.status == "accepted"
    first, second, third = requests
    assert (first.trace.number, first.patient_control, first.bill_type) == (
        "ABCXYZ1",
        "SM123456",
        "111",
    )
    assert first.charge == Decimal("8513.88")
    assert first.dates == Period(date(2005, 8, 31), date(2005, 9, 6))
    assert (first.provider.npi, first.subscriber.id) == ("1666666661", "123456789A")
    assert first.subscriber_demographics.birth_date == date(1930, 12, 10)
    assert second.subscriber.id == "234567890A" and second.levels == ("1", "2", "3", "5", "")
    assert third.dependent is not None and third.dependent.first == "JOSEPH"
    assert third.dependent_demographics.birth_date == date(1995, 11, 1)
    assert third.levels == ("1", "2", "6", "7", "8")
    (svc,) = third.lines
    assert (svc.procedure, svc.code, svc.charge, svc.units) == (
        ("HC", "99203"),
        "99203",
        Decimal("150.00"),
        Decimal("1"),
    )
    assert svc.date == Period(date(2005, 5, 1), date(2005, 5, 1))


def test_the_guides_ncpdp_276_asks_by_prescription_number() -> None:
    (request,), _ = reads(sample("X212-HR276", "claim-ncpdp-request.edi"))
    assert (request.prescription, request.charge) == ("7654321", Decimal("85.00"))


@pytest.mark.parametrize(
    ("old", "new", "element", "message"),
    [
        ("DMG*D8*19430519", "DMG*D8*19431319", "DMG02", "'19431319' is not a date (CCYYMMDD)"),
        ("DTP*291*D8*20060501", "DTP*291*XX*20060501", "DTP02", "DTP02 'XX' is neither"),
        ("EQ*30", "EQ*3!", "EQ01", "'3!' is not a service type code"),
        ("EQ*30", "EQ", "EQ01", "EQ01 (service type codes) or EQ02"),
        ("BHT*0022*13", "BHT*0022*11", "BHT02", "BHT02 '11' is not a purpose of a 270"),
    ],
)
def test_a_malformed_270_element_rejects_the_set(
    old: str, new: str, element: str, message: str
) -> None:
    text = swap(sample("X279A1-HS270", SUBSCRIBER_270), old, new)
    _, (closed,) = reads(text)
    assert closed.status == "rejected"
    (finding,) = closed.findings
    assert finding.element_name == element and message in finding.message


def test_a_276_with_a_bad_amount_or_no_claim_is_rejected() -> None:
    text = sample("X212-HR276", "info-receiver-request.edi")
    _, (closed,) = reads(swap(text, "AMT*T3*8513.88", "AMT*T3*85.138"))
    (finding,) = closed.findings
    assert (closed.status, finding.element_name) == ("rejected", "AMT02")
    nothing = swap(text, "TRN*1*ABCXYZ1~", "")
    nothing = swap(nothing, "SE*17*0001", "SE*16*0001")
    requests, (closed,) = reads(nothing)
    assert requests == [] and closed.status == "rejected"
    (finding,) = closed.findings
    assert finding.segment_code is not None and finding.segment_code.value == "I7"
    assert "asks about no claim" in finding.message


def test_a_270_asking_by_procedure_is_answered_for_the_plan() -> None:
    text = swap(sample("X279A1-HS270", SUBSCRIBER_270), "EQ*30", "EQ**HC:99213")
    (inquiry,), (closed,) = reads(text)
    assert inquiry.service_types == ("30",)
    assert closed.status == "accepted" and "procedure (EQ02)" in closed.findings[0].message


# 271 from plain values ---------------------------------------------------------------------------


def ppo() -> PlanDesign:
    return get_template("PPO1500")


def medical(design: PlanDesign, tier: Tier, member_met: str, family_met: str) -> LineCoverage:
    """Covered on 2026-06-01 by ``design`` on ``tier``, in-network deductible and out-of-pocket
    met as given (individual, family)."""
    span = CoverageSpan(Line.MEDICAL, design.id, design.name, tier, date(2026, 1, 1), None,
                        date(2026, 12, 31), id=1)  # fmt: skip
    person = Person(Relationship.SUBSCRIBER, date(1980, 3, 2))
    eligibility = decide_eligibility(person, [span], Line.MEDICAL, date(2026, 6, 1))
    rules = compile_plan(design)
    limits = PlanLimits(rules.group, rules.period_start, rules.period_end, rules.deductible,
                        rules.oop, tier is not Tier.EMPLOYEE)  # fmt: skip
    key = (rules.group, "in", rules.period_start, rules.period_end)
    totals = {
        ("member", "deductible", *key): Decimal(member_met),
        ("member", "out_of_pocket", *key): Decimal(member_met),
        ("family", "deductible", *key): Decimal(family_met),
        ("family", "out_of_pocket", *key): Decimal(family_met),
    }
    rows = balances("M000000018", "M000000018", [limits], totals)
    return LineCoverage(eligibility, design, tuple(rows))


def test_benefits_of_a_family_on_the_ppo_worked_example() -> None:
    """PPO 1500 (plan template): deductible 1500/3000 in network, 3000/6000 out; out-of-pocket
    5000/10000 and 10000/20000; the member met 400 in network, the family 900. An office
    visit (98) costs a 25 copay in network, 40% out; the plan pays nothing for what it does
    not list as covered out of network."""
    coverage = medical(ppo(), Tier.FAMILY, "400", "900")
    found = eligibility_benefits(["98"], {Line.MEDICAL: coverage})
    shown = [
        (b.code, b.level, b.service_type, b.period, b.amount, b.percent, b.network) for b in found
    ]
    d = Decimal
    assert shown == [
        ("1", "FAM", "30", "", None, None, ""),
        ("C", "IND", "30", "23", d("1500"), None, "Y"),
        ("C", "IND", "30", "29", d("1100"), None, "Y"),
        ("C", "FAM", "30", "23", d("3000"), None, "Y"),
        ("C", "FAM", "30", "29", d("2100"), None, "Y"),
        ("C", "IND", "30", "23", d("3000"), None, "N"),
        ("C", "IND", "30", "29", d("3000"), None, "N"),
        ("C", "FAM", "30", "23", d("6000"), None, "N"),
        ("C", "FAM", "30", "29", d("6000"), None, "N"),
        ("G", "IND", "30", "23", d("5000"), None, "Y"),
        ("G", "IND", "30", "29", d("4600"), None, "Y"),
        ("G", "FAM", "30", "23", d("10000"), None, "Y"),
        ("G", "FAM", "30", "29", d("9100"), None, "Y"),
        ("G", "IND", "30", "23", d("10000"), None, "N"),
        ("G", "IND", "30", "29", d("10000"), None, "N"),
        ("G", "FAM", "30", "23", d("20000"), None, "N"),
        ("G", "FAM", "30", "29", d("20000"), None, "N"),
        ("1", "", "98", "", None, None, ""),
        ("B", "", "98", "27", d("25"), None, "Y"),
        ("A", "", "98", "", None, d("0.4"), "N"),
    ]
    assert found[0].plan == "PPO 1500"
    assert [(x.qualifier, x.first, x.last) for x in found[0].dates] == [
        ("291", date(2026, 1, 1), date(2026, 12, 31))
    ]


def test_an_aggregate_deductible_on_a_family_tier_shows_the_family_amount_alone() -> None:
    design = ppo().model_copy(
        update={"deductible": ppo().deductible.model_copy(update={"embedded": False})}  # type: ignore[union-attr]
    )
    family = eligibility_benefits(["30"], {Line.MEDICAL: medical(design, Tier.FAMILY, "0", "0"),
                                           Line.PHARMACY: _none(), Line.DENTAL: _none(),
                                           Line.VISION: _none()})  # fmt: skip
    deductibles = {(b.level, b.network) for b in family if b.code == "C"}
    assert deductibles == {("FAM", "Y"), ("FAM", "N")}
    single = eligibility_benefits(["98"], {Line.MEDICAL: medical(design, Tier.EMPLOYEE, "0", "0")})
    assert {(b.level, b.network) for b in single if b.code == "C"} == {("IND", "Y"), ("IND", "N")}
    assert next(b for b in single if b.code == "1").level == "EMP"


def _none() -> LineCoverage:
    person = Person(Relationship.SUBSCRIBER, date(1980, 3, 2))
    return LineCoverage(decide_eligibility(person, [], Line.DENTAL, date(2026, 6, 1)))


def test_cost_shares_say_prior_authorization_limits_and_shared_networks() -> None:
    coverage = medical(ppo(), Tier.EMPLOYEE, "0", "0")
    rest = {Line.PHARMACY: _none(), Line.DENTAL: _none(), Line.VISION: _none()}
    found = eligibility_benefits(["48", "86", "33"], {Line.MEDICAL: coverage, **rest})
    wanted = [b for b in found if b.service_type in ("48", "86", "33") and b.code != "1"]
    assert [(b.code, b.service_type, b.period, b.amount, b.percent, b.quantity,
             b.authorization, b.network) for b in wanted] == [
        ("A", "48", "", None, Decimal("0.2"), None, "Y", "Y"),
        ("A", "48", "", None, Decimal("0.4"), None, "Y", "N"),
        ("B", "86", "27", Decimal("250"), None, None, "", "W"),
        ("A", "86", "", None, Decimal("0.2"), None, "", "W"),
        ("B", "33", "27", Decimal("35"), None, None, "", "Y"),
        ("A", "33", "", None, Decimal("0.4"), None, "", "N"),
        ("F", "33", "23", None, None, ("VS", 20), "", ""),
    ]  # fmt: skip


def test_an_inactive_coverage_answers_with_its_dates() -> None:
    design = ppo()
    span = CoverageSpan(Line.MEDICAL, design.id, design.name, Tier.EMPLOYEE, date(2026, 1, 1),
                        date(2026, 3, 31), date(2026, 12, 31), id=1)  # fmt: skip
    person = Person(Relationship.SUBSCRIBER, date(1980, 3, 2))
    eligibility = decide_eligibility(person, [span], Line.MEDICAL, date(2026, 6, 1))
    (found,) = eligibility_benefits(["98"], {Line.MEDICAL: LineCoverage(eligibility)})
    assert (found.code, found.level, found.service_type, found.plan) == (
        "6",
        "EMP",
        "30",
        "PPO 1500",
    )
    assert [(x.qualifier, x.first) for x in found.dates] == [
        ("356", date(2026, 1, 1)),
        ("357", date(2026, 3, 31)),
    ]


def test_a_271_written_from_plain_values_reads_back_and_follows_the_guides_example() -> None:
    """The X279 example answer to the guide's subscriber request, rebuilt from values: the same
    segments up to its first EB (after which the example uses repetitions and LS/LE loops the
    writer does not), and an outline whose every loop and segment the example has."""
    (inquiry,), _ = reads(sample("X279A1-HS270", SUBSCRIBER_270))
    person = PersonAnswer(
        name=Name(("IL", "1", "SMITH", "JOHN", "", "", "", "MI", "123456789")),
        birth_date="19630519",
        sex="M",
        address=Address("15197 BROADWAY AVENUE", "APT 215", "KANSAS CITY", "MO", "64108"),
        dates=(BenefitDate("346", date(2006, 1, 1)),),
        benefits=(
            EligibilityBenefit("1", "30", plan="GOLD 123 PLAN"),
            EligibilityBenefit("B", "98", period="27", amount=Decimal("10"), network="Y"),
        ),
    )
    built = interchange()
    group = built.group("HB", sender="1234567890", receiver="1234567890", control_number=7,
                        version=x270.GUIDE)  # fmt: skip
    write_271(group, [EligibilityAnswer(inquiry, person)], now=NOW)
    text = built.render()
    read_back(text, "271")
    example = sample("X279-HB271", SUBSCRIBER_271)
    ours, theirs = set_segments(text), set_segments(example)
    assert ours[0] == "ST*271*0001*005010X279A1"
    assert ours[1] == "BHT*0022*11*10001234*20260601*0930"
    first_eb = theirs.index("EB*1**30**GOLD 123 PLAN")
    assert ours[2 : first_eb + 1] == theirs[2 : first_eb + 1]
    assert ours[first_eb + 1] == "EB*B**98***27*10*****Y"
    assert set(outline(text)) <= set(outline(example))
    assert loops(outline(text)) == loops(outline(example))[: len(loops(outline(text)))]


def test_a_rejected_inquiry_answers_with_an_aaa_where_the_guide_places_it() -> None:
    (inquiry,), _ = reads(sample("X279A1-HS270", DEPENDENT_270))
    subscriber = PersonAnswer(name=inquiry.subscriber.name)
    dependent = PersonAnswer(
        name=inquiry.dependent.name,  # type: ignore[union-attr]
        birth_date="19781014",
        rejection=Rejection("77"),
    )
    built = interchange()
    group = built.group("HB", sender="1234567890", receiver="1234567890", control_number=7,
                        version=x270.GUIDE)  # fmt: skip
    write_271(group, [EligibilityAnswer(inquiry, subscriber, dependent)], now=NOW)
    text = built.render()
    read_back(text, "271")
    assert set_segments(text)[2:-1] == [
        "HL*1**20*1",
        "NM1*PR*2*ABC COMPANY*****PI*842610001",
        "HL*2*1*21*1",
        "NM1*1P*1*JONES*MARCUS****SV*0202034",
        "HL*3*2*22*1",
        "NM1*IL*1******MI*11122333301",
        "HL*4*3*23*0",
        "TRN*2*93175-012547*9877281234",
        "NM1*03*1*SMITH*MARY",
        "AAA*Y**77*C",
        "DMG*D8*19781014",
    ]
    guide = sample("X279-HB271", DEPENDENT_271)
    ours = loops(outline(text))
    assert ours == loops(outline(guide))[: len(ours)]
    assert set(outline(text)) - set(outline(guide)) == {("2100D", "AAA")}


# 277 from plain values ---------------------------------------------------------------------------


def test_a_277_written_from_plain_values_is_the_guides_example_answer() -> None:
    """The guide's 276 (three claims: two subscribers of one provider, a dependent of another)
    answered with the statuses of the guide's example 277: the same segments, ST to SE, but
    for the BHT (the 277 repeats the request's BHT03, the time is now) and the third trace
    number, which the example misspells (ABCXYC3 for the request's ABCXYZ3)."""
    requests, _ = reads(sample("X212-HR276", "claim-request.edi"))
    first, second, third = requests
    answers = [
        StatusAnswer(first, (ClaimAnswer(
            Status("P3", "317"), date(2005, 9, 13), Decimal("8513.88"), payer_claim="05347006051",
            bill_type="111", patient_control="SM123456", dates=first.dates),)),
        StatusAnswer(second, (ClaimAnswer(
            Status("F0", "3"), date(2005, 9, 15), Decimal("7599"), paid=Decimal("7599"),
            payer_claim="0529675341", bill_type="111", patient_control="JO234567",
            dates=second.dates),)),
        StatusAnswer(third, (ClaimAnswer(
            Status("F2", "88", "QC"), date(2005, 6, 12), Decimal("150"), paid=Decimal("0"),
            payer_claim="051681010827", patient_control="MA345678",
            lines=(LineAnswer(("HC", "99203"), Decimal("150"), Decimal("0"),
                              Status("F2", "88", "QC"), date(2005, 6, 12), units=Decimal("1"),
                              date=third.lines[0].date),)),)),
    ]  # fmt: skip
    built = interchange()
    group = built.group("HN", sender="1234567890", receiver="1234567890", control_number=7,
                        version=x276.GUIDE)  # fmt: skip
    write_277(group, answers, now=NOW)
    text = built.render()
    read_back(text, "277")
    ours = set_segments(text)
    theirs = set_segments(sample("X212-HN277", "claim-response.edi"))
    quirk = theirs.index("TRN*2*ABCXYC3")  # the guide's example misspells the request's trace
    theirs[quirk] = "TRN*2*ABCXYZ3"
    assert ours[1] == "BHT*0010*08*ABC276XXX*20260601*0930*DG"
    assert theirs[1] == "BHT*0010*08*277X212*20050916*0810*DG"
    assert ours[:1] + ours[2:] == theirs[:1] + theirs[2:]


def test_a_claim_not_found_echoes_what_the_request_sent() -> None:
    (request,), _ = reads(sample("X212-HR276", "info-receiver-request.edi"))
    answer = ClaimAnswer(Status("A4", "35"), date(2026, 6, 1), request.charge or Decimal(0),
                         patient_control=request.patient_control, dates=request.dates)  # fmt: skip
    built = interchange()
    group = built.group("HN", sender="1234567890", receiver="1234567890", control_number=7,
                        version=x276.GUIDE)  # fmt: skip
    write_277(group, [StatusAnswer(request, (answer,))], now=NOW)
    text = built.render()
    read_back(text, "277")
    assert set_segments(text)[-5:] == [
        "TRN*2*ABCXYZ1",
        "STC*A4:35*20260601**8513.88",
        "REF*EJ*SM123456",
        "DTP*472*RD8*20050831-20050906",
        "SE*15*0001",
    ]


# claim status codes ------------------------------------------------------------------------------

PAID = LineFacts("paid", Decimal("80.00"))
UNPAID = LineFacts("paid", Decimal("0.00"))


@pytest.mark.parametrize(
    ("facts", "patient", "wanted"),
    [
        (ClaimFacts("received"), "IL", ("P1", "20", "")),
        (ClaimFacts("pended", [LineFacts("pended", Decimal(0), pend_reason="high_dollar")]),
         "IL", ("P2", "40", "")),
        (ClaimFacts("pended", [LineFacts("pended", Decimal(0), pend_reason="no_price")]),
         "IL", ("P2", "110", "")),
        (ClaimFacts("pended", [LineFacts("pended", Decimal(0), pend_reason="odd")]),
         "IL", ("P2", "41", "")),
        (ClaimFacts("approved", [PAID]), "IL", ("F0", "3", "")),
        (ClaimFacts("approved", [UNPAID]), "IL", ("F4", "104", "")),
        (ClaimFacts("paid", [PAID]), "IL", ("F1", "65", "")),
        (ClaimFacts("denied", [LineFacts("denied", Decimal(0), carc="27")]), "QC",
         ("F2", "88", "QC")),
        (ClaimFacts("denied", [LineFacts("denied", Decimal(0), carc="31")]), "IL",
         ("F2", "33", "")),
        (ClaimFacts("denied", [LineFacts("denied", Decimal(0), carc="50")]), "IL",
         ("F2", "1", "")),
        (ClaimFacts("paid", [PAID], revised=True), "IL", ("F3", "65", "")),
        (ClaimFacts("voided", [LineFacts("reversed", Decimal("-80.00"))]), "IL",
         ("F3", "1", "")),
    ],
)  # fmt: skip
def test_claim_status_codes(facts: ClaimFacts, patient: str, wanted: tuple[str, ...]) -> None:
    assert claim_status(facts, patient).composite() == wanted


def test_line_status_codes_follow_the_claim() -> None:
    claim = ClaimFacts("approved", [PAID, LineFacts("denied", Decimal(0), carc="204")])
    assert line_status(claim.lines[0], claim, "IL").composite() == ("F0", "3", "")
    assert line_status(claim.lines[1], claim, "IL").composite() == ("F2", "104", "")
    paid = ClaimFacts("paid", [PAID])
    assert line_status(PAID, paid, "IL").composite() == ("F1", "65", "")


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1500.00", "1500"), ("8513.88", "8513.88"), ("0.20", ".2"), ("0", "0"), ("-3.50", "-3.5"),
     ("0.00", "0"), ("1", "1")],
)  # fmt: skip
def test_numbers_as_x12_writes_them(value: str, shown: str) -> None:
    assert number(Decimal(value)) == shown
    assert amount(Decimal(value)) == shown
