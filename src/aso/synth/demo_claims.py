"""A year of claims for a demo employer, through the same intake and batch a TPA runs.

Members and coverage are read back from the database (public member ids, as claims carry them),
the generator of :mod:`aso.synth.claims` draws the year as of ``DEMO_AS_OF`` (fixed, so every
rebuild gives the same claims), the prior authorizations it relies on are recorded, the claims
are submitted and then adjudicated family by family.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from aso.bootstrap import App
from aso.claims.authorizations import add_authorization
from aso.claims.domain import Coverage, Member, Relationship
from aso.claims.intake import submit_claims
from aso.claims.schemas import AuthorizationCreate
from aso.employers.models import OfferedPlan
from aso.members.models import Coverage as CoverageRow
from aso.members.models import Member as MemberRow
from aso.plans.domain import PlanDesign, Tier
from aso.security.domain import SYSTEM
from aso.synth.claims import generate_claim_set
from aso.synth.providers import SyntheticProvider

DEMO_AS_OF = date(2026, 11, 15)
"""The day the demo's claim history runs to: services and receipts on or before it."""


def members_and_coverage(app: App, employer_id: int) -> tuple[list[Member], list[Coverage]]:
    """The employer's members and coverage rows as the engine's plain values."""
    subscriber = aliased(MemberRow)
    with app.uow() as uow:
        people = uow.session.execute(
            select(
                MemberRow.member_number,
                subscriber.member_number,
                MemberRow.relationship,
                MemberRow.birth_date,
                MemberRow.sex,
            )
            .outerjoin(subscriber, subscriber.id == MemberRow.subscriber_id)
            .where(MemberRow.employer_id == employer_id)
            .order_by(MemberRow.id)
        ).all()
        spans = uow.session.execute(
            select(
                MemberRow.member_number,
                OfferedPlan.code,
                CoverageRow.tier,
                CoverageRow.start_date,
                CoverageRow.end_date,
            )
            .join(CoverageRow, CoverageRow.member_id == MemberRow.id)
            .join(OfferedPlan, OfferedPlan.id == CoverageRow.plan_id)
            .where(MemberRow.employer_id == employer_id)
            .order_by(CoverageRow.id)
        ).all()
    members = [
        Member(id=number, family=family or number, relationship=Relationship(rel), dob=dob, sex=sex)
        for number, family, rel, dob, sex in people
    ]
    coverage = [Coverage(m, plan, Tier(tier), start, end) for m, plan, tier, start, end in spans]
    return members, coverage


def build_claims(
    app: App,
    *,
    employer_id: int,
    seed: int,
    plans: tuple[PlanDesign, ...],
    roster: list[SyntheticProvider],
    id_prefix: str,
) -> None:
    """Generate the employer's year of claims and their authorizations and submit them (the
    demo adjudicates them month by month, ``aso.synth.demo_money``)."""
    members, coverage = members_and_coverage(app, employer_id)
    claim_set = generate_claim_set(
        seed=seed,
        members=members,
        coverages=coverage,
        plans=plans,
        providers=roster,
        year=DEMO_AS_OF.year,
        through=DEMO_AS_OF,
        id_prefix=id_prefix,
    )
    # Authorization numbers are the TPA's, unique across employers: prefix them like the claims.
    for claim in claim_set.claims:
        for line in claim["lines"]:
            if line.get("prior_auth"):
                line["prior_auth"] = id_prefix + line["prior_auth"]
    for auth in claim_set.authorizations:
        add_authorization(
            uow=app.uow(),
            actor=SYSTEM,
            data=AuthorizationCreate(
                number=id_prefix + auth.number,
                member_id=auth.member,
                start=auth.start,
                end=auth.end,
                categories=sorted(auth.categories),
                procedures=sorted(auth.procedures),
                units=auth.units,
                status="approved",
            ),
        )
    submit_claims(uow=app.uow(), actor=SYSTEM, documents=claim_set.claims)
