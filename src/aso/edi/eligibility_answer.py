"""Answering one 270 inquiry from the members, coverages, plans and accumulators on file.

The subscriber is found by its member id (2100C NM109). A dependent the inquiry names in 2100D
is found in the subscriber's family by first name and birth date (and last name, when sent).
What cannot be answered gets an AAA at the level it concerns (005010X279A1 2100C and 2100D
request validation), and nothing of the member on file is shown:

- no member id: 72 (invalid/missing subscriber id), the request is not valid (AAA01 N);
- no member with that id: 75 (subscriber/insured not found);
- a last name or birth date that is not the member's: 73 (invalid/missing subscriber name) or
  71 (birth date does not match the patient on the database);
- no dependent like the one named: 77 (subscriber found, patient not found);

each with follow-up action C (please correct and resubmit). A provider user asks as the NPIs
it acts for (``Principal.npis``): an inquiry whose information receiver (2100B) is not one of
them by NPI (NM108 XX) gets an AAA at the receiver's level, 41 (authorization/access
restrictions) with follow-up N (resubmission not allowed), and no subscriber level, whoever it
names. A patient found is answered with
its eligibility on the date asked about in each line of coverage the service types need
(``aso.members.domain.decide_eligibility``, the rules ``GET /v1/eligibility`` uses), the plan
designs in force and the member's deductible and out-of-pocket balances
(``aso.claims.balances``), and the look-up is audit-logged as a view of the member.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from aso.claims import repository as claims_repo
from aso.claims.balances import BalanceKey, PlanLimits, balances
from aso.claims.plan_rules import compile_plan
from aso.claims.schemas import BalanceRead
from aso.claims.stored import money
from aso.edi.benefits import BenefitDate, LineCoverage, eligibility_benefits, lines_asked
from aso.edi.inquiry_reader import Demographics, Name
from aso.edi.x270 import EligibilityInquiry, Person
from aso.edi.x271 import Address, EligibilityAnswer, PersonAnswer, Rejection, birth, found_name
from aso.members import repository as member_repo
from aso.members.domain import decide_eligibility
from aso.members.models import Member
from aso.plans.domain import Line, PlanDesign, Tier
from aso.security import audit
from aso.security.domain import Principal, Role

MISSING_ID = Rejection("72", valid="N")
NOT_FOUND = Rejection("75")
NAME_MISMATCH = Rejection("73")
BIRTH_DATE_MISMATCH = Rejection("71")
PATIENT_NOT_FOUND = Rejection("77")
NOT_AUTHORIZED = Rejection("41", action="N")
"""2100B: authorization/access restrictions, resubmission not allowed."""
PLAN_BEGIN, PLAN_END = "346", "347"


def answer_inquiry(
    session: Session, actor: Principal, inquiry: EligibilityInquiry, today: date
) -> EligibilityAnswer:
    """The 271 answer to one inquiry (see the module)."""
    subscriber = inquiry.subscriber
    if actor.role is Role.PROVIDER and not actor.may_act_for_provider(inquiry.receiver.npi):
        return EligibilityAnswer(inquiry, _echo(subscriber), receiver_rejection=NOT_AUTHORIZED)
    if not subscriber.name.id:
        return _rejected(inquiry, MISSING_ID)
    member = member_repo.member_by_number(session, subscriber.name.id)
    if member is None:
        return _rejected(inquiry, NOT_FOUND)
    mismatch = _mismatch(member, subscriber.name, subscriber.demographics)
    if mismatch is not None:
        return _rejected(inquiry, mismatch)
    patient = member
    if inquiry.dependent is not None:
        found = _dependent(session, member, inquiry.dependent)
        if found is None:
            return EligibilityAnswer(
                inquiry, _echo(subscriber), _echo(inquiry.dependent, PATIENT_NOT_FOUND)
            )
        patient = found
    on = inquiry.date_of_service(today)
    answer = _patient(session, patient, inquiry, on)
    audit.record(session, actor, "view", "member", [patient.id], detail="270/271 eligibility")
    return EligibilityAnswer(inquiry, answer)


def _rejected(inquiry: EligibilityInquiry, rejection: Rejection) -> EligibilityAnswer:
    """A rejection of the subscriber: answered at its level, the dependent level left out."""
    return EligibilityAnswer(inquiry, _echo(inquiry.subscriber, rejection))


def _echo(person: Person, rejection: Rejection | None = None) -> PersonAnswer:
    """The person as the inquiry named it."""
    demographics = person.demographics
    return PersonAnswer(
        name=person.name,
        birth_date=demographics.sent,
        sex=demographics.sex,
        relationship=person.relationship,
        rejection=rejection,
    )


def _same(sent: str, on_file: str) -> bool:
    return not sent or sent.strip().casefold() == on_file.strip().casefold()


def _mismatch(member: Member, name: Name, demographics: Demographics) -> Rejection | None:
    if not _same(name.last, member.last_name):
        return NAME_MISMATCH
    if demographics.birth_date is not None and demographics.birth_date != member.birth_date:
        return BIRTH_DATE_MISMATCH
    return None


def _dependent(session: Session, member: Member, dependent: Person) -> Member | None:
    name, born = dependent.name, dependent.demographics.birth_date
    if not name.first and born is None:
        return None
    for candidate in member_repo.family(session, member.family_id):
        if candidate.id == member.id:
            continue
        if (
            _same(name.first, candidate.first_name)
            and _same(name.last, candidate.last_name)
            and (born is None or born == candidate.birth_date)
        ):
            return candidate
    return None


def _patient(
    session: Session, patient: Member, inquiry: EligibilityInquiry, on: date
) -> PersonAnswer:
    coverages = _coverages(session, patient, inquiry.service_types, on)
    return PersonAnswer(
        name=found_name(patient.last_name, patient.first_name, patient.member_number),
        birth_date=birth(patient.birth_date),
        sex=patient.sex,
        address=Address(
            patient.address1, patient.address2, patient.city, patient.state, patient.zip
        ),
        identity_changed=inquiry.dependent is not None,
        dates=_plan_dates(coverages),
        benefits=eligibility_benefits(inquiry.service_types, coverages),
    )


def _coverages(
    session: Session, patient: Member, service_types: tuple[str, ...], on: date
) -> dict[Line, LineCoverage]:
    rows = {row.id: row for row in patient.coverages}
    spans = [member_repo.span(row) for row in patient.coverages]
    person = member_repo.person(patient)
    totals: Mapping[BalanceKey, Decimal] | None = None
    found: dict[Line, LineCoverage] = {}
    for line in lines_asked(service_types):
        decision = decide_eligibility(person, spans, line, on)
        span = decision.coverage
        if not decision.covered or span is None or span.id is None:
            found[line] = LineCoverage(decision)
            continue
        if totals is None:
            totals = _totals(session, patient)
        row = rows[span.id]
        design = row.plan.design()
        limits = _limits(design, Tier(row.tier))
        found[line] = LineCoverage(decision, design, _balances(session, patient, limits, totals))
    return found


def _totals(session: Session, patient: Member) -> dict[BalanceKey, Decimal]:
    return {
        (scope, kind, group, network, start, end): money(amount)
        for (scope, _, kind, group, network, start, end), amount in claims_repo.member_totals(
            session, patient.id, patient.family_id
        ).items()
    }


def _limits(design: PlanDesign, tier: Tier) -> PlanLimits:
    rules = compile_plan(design)
    return PlanLimits(
        group=rules.group,
        period_start=rules.period_start,
        period_end=rules.period_end,
        deductible=rules.deductible,
        oop=rules.oop,
        family_tier=tier is not Tier.EMPLOYEE,
        plan=design.name,
    )


def _balances(
    session: Session, patient: Member, limits: PlanLimits, totals: Mapping[BalanceKey, Decimal]
) -> tuple[BalanceRead, ...]:
    family = session.get(Member, patient.family_id)
    assert family is not None
    return tuple(balances(patient.member_number, family.member_number, [limits], totals))


def _plan_dates(coverages: Mapping[Line, LineCoverage]) -> tuple[BenefitDate, ...]:
    """DTP*346 and DTP*347: the first and last covered days of the coverage that answers the
    first line asked about (the medical coverage for ``30``), when there is one."""
    first = next(iter(coverages.values()), None)
    if first is None or first.eligibility.coverage is None:
        return ()
    span = first.eligibility.coverage
    dates = [BenefitDate(PLAN_BEGIN, span.start)]
    if first.eligibility.covered_through is not None:
        dates.append(BenefitDate(PLAN_END, first.eligibility.covered_through))
    return tuple(dates)
