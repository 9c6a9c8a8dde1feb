"""A member's ID card (DESIGN 1: a member sees its ID card; DESIGN 9: PDF ID cards).

The card shows who the member is (name, member id, subscriber, employer and group number), each
line of coverage in force on the day asked about with its plan, tier and the in-network cost
shares people ask about at the front desk (office visits, urgent care, the emergency room,
prescriptions by tier, dental and vision services; the medical deductible and out-of-pocket
maximum), and on the back where to call (``ASO_TPA_MEMBER_SERVICES``) and where providers send
claims and inquiries (the TPA's interchange id and address, from ``aso.config.TpaIdentity``).
Disability lines are not on a card: nobody presents them at a provider's desk.

Who may see it is who may see the member (``aso.members.service``); the view is audit-logged.
"""

from __future__ import annotations

from datetime import date

from aso.config import tpa_identity
from aso.db.uow import UnitOfWork
from aso.employers.models import Employer
from aso.errors import Conflict
from aso.members.models import Coverage, Member
from aso.members.schemas import CardBenefit, CardCoverage, IdCardRead
from aso.members.service import visible_member_record
from aso.money import usd
from aso.plans.domain import DISABILITY_LINES, Accumulation, Line, PlanDesign
from aso.plans.wording import benefit_words
from aso.security import audit
from aso.security.domain import Principal

ON_CARD: dict[Line, tuple[tuple[str, str], ...]] = {
    Line.MEDICAL: (
        ("Primary care", "office_visit_pcp"),
        ("Specialist", "office_visit_specialist"),
        ("Urgent care", "urgent_care"),
        ("ER", "emergency_room"),
    ),
    Line.PHARMACY: (
        ("Generic", "rx_generic"),
        ("Preferred brand", "rx_preferred_brand"),
        ("Non-preferred", "rx_non_preferred_brand"),
        ("Specialty", "rx_specialty"),
    ),
    Line.DENTAL: (
        ("Preventive", "dental_preventive"),
        ("Basic", "dental_basic"),
        ("Major", "dental_major"),
    ),
    Line.VISION: (
        ("Exam", "vision_exam"),
        ("Lenses", "vision_lenses"),
        ("Frames", "vision_frames"),
    ),
}
"""The benefits each line's card shows, by label and benefit category."""
LINE_ORDER = (Line.MEDICAL, Line.PHARMACY, Line.DENTAL, Line.VISION)


def id_card(
    *, uow: UnitOfWork, actor: Principal, member_id: str, on: date | None = None
) -> IdCardRead:
    """The member's card for the coverage in force on ``on`` (today); Conflict when none is."""
    on = on or date.today()
    with uow:
        session = uow.session
        member = visible_member_record(session, actor, member_id, on)
        subscriber = session.get(Member, member.family_id)
        employer = session.get(Employer, member.employer_id)
        assert subscriber is not None and employer is not None
        coverages = [_coverage(c) for c in _in_force(member, on)]
        if not coverages:
            raise Conflict(f"member {member.member_number} has no coverage in force on {on}")
        audit.record(session, actor, "view", "member", [member.id], detail="ID card")
        tpa = tpa_identity()
        card = IdCardRead(
            member_id=member.member_number,
            name=f"{member.first_name} {member.last_name}",
            subscriber=f"{subscriber.first_name} {subscriber.last_name}",
            subscriber_id=subscriber.member_number,
            employer=employer.name,
            group=employer.ein,
            as_of=on,
            coverages=sorted(coverages, key=lambda c: LINE_ORDER.index(c.line)),
            member_services=tpa.member_services,
            payer_id=tpa.interchange_id,
            claims_address=[tpa.name, *tpa.address],
        )
        uow.commit()
    return card


def _in_force(member: Member, on: date) -> list[Coverage]:
    return [
        c
        for c in member.coverages
        if c.start_date <= on
        and (c.end_date is None or c.end_date >= on)
        and Line(c.line) not in DISABILITY_LINES
    ]


def _coverage(coverage: Coverage) -> CardCoverage:
    design = coverage.plan.design()
    line = Line(coverage.line)
    benefits = [
        CardBenefit(label=label, value=benefit_words(design.benefits.get(category)))
        for label, category in ON_CARD.get(line, ())
    ]
    benefits += _limits(design)
    return CardCoverage(
        line=line,
        plan=design.name,
        tier=coverage.tier,
        since=coverage.start_date,
        benefits=benefits,
    )


def _limits(design: PlanDesign) -> list[CardBenefit]:
    """In-network deductible and out-of-pocket maximum, individual / family."""
    found = []
    for label, accumulation in (
        ("Deductible", design.deductible),
        ("Out-of-pocket", design.oop_max),
    ):
        amounts = _in_network(accumulation)
        if amounts is not None:
            found.append(CardBenefit(label=label, value=amounts))
    return found


def _in_network(accumulation: Accumulation | None) -> str | None:
    if accumulation is None or accumulation.in_ is None:
        return None
    return f"{usd(accumulation.in_.individual)} / {usd(accumulation.in_.family)} family"
