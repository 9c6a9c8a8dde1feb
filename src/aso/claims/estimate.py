"""A member's cost estimate: what the plan would pay and the member would owe for one service
before it is had (DESIGN 1: a member estimates a cost; the self-service price tool of the
Transparency in Coverage rule, 45 CFR 147.211).

The estimate is the engine's own answer, not a second set of rules: a one-line claim for the
service is adjudicated, in memory, against the member's family as it stands (its stored
accumulator entries and earlier claims, so the deductible and out-of-pocket met so far count)
and the plans and fee schedules in force on the day of the service; nothing is stored. The
line is treated as released from the pends an examiner would clear (high dollar, suspect
duplicate), so that a large or repeated service is still estimated.

The provider, named by NPI, is priced by its contract in the directory; without an NPI the
service is priced by the network's general schedule. When no charge is given, the contract
price stands for it: the claim is adjudicated with two different large charges and, when the
allowed amount does not move, that is the contract price. A price that follows the charge (a
percent-of-charge contract) or no price at all needs the expected charge, and the request is
refused naming ``charge``.

Who may ask is who may see the member's claims (``aso.claims.access``): the member (and a
subscriber for its minor dependents) and TPA staff; each estimate is audit-logged as a view of
the member.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from aso.claims.access import visible_member
from aso.claims.accumulators import AccumulatorState
from aso.claims.batch import load_pricing
from aso.claims.domain import (
    Claim,
    ClaimLine,
    ClaimResult,
    ClaimType,
    LineStatus,
    Network,
    Provider,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import adjudicate_claim
from aso.claims.eob import category_label, notes_for, provider_names
from aso.claims.reference_data import EmployerReference, load_employer
from aso.claims.rework import Family, load_family
from aso.claims.schemas import EobNoteRead, EstimateRead, EstimateRequest
from aso.db.uow import UnitOfWork
from aso.errors import Problem, ValidationFailed
from aso.money import round_cents
from aso.providers.service import directory_providers
from aso.security import audit
from aso.security.domain import Principal

PROBES = (Decimal("1000000.00"), Decimal("2000000.00"))
"""Charges that find a contract price: an allowed amount the same under both is the price."""
RELEASED = frozenset({"high_dollar", "suspect_duplicate"})
DISCLAIMER = (
    "An estimate, not a promise of payment: the claim your provider sends decides, with your "
    "coverage and the deductible and out-of-pocket you have met when it is processed. Your "
    "provider may bill other services for the same visit."
)
UNPRICED = EobNoteRead(
    code="NOPRICE",
    kind="remark",
    text="No contract price was found for this service: the estimate takes the charge as the "
    "allowed amount, so the actual cost may be lower.",
)
PENDED = EobNoteRead(
    code="PENDED",
    kind="remark",
    text="This service would be reviewed before the plan decides on it: there is no estimate.",
)
OUT_OF_NETWORK = EobNoteRead(
    code="OUT",
    kind="remark",
    text="This provider is out of network: it may bill you more than the plan allows, and "
    "that amount does not count toward your out-of-pocket maximum.",
)


def estimate(
    *,
    uow: UnitOfWork,
    actor: Principal,
    member_id: str,
    request: EstimateRequest,
    today: date | None = None,
) -> EstimateRead:
    """The estimate of one service for the member (see the module)."""
    today = today or date.today()
    on = request.service_date or today
    if request.procedure is None and request.category is None:
        raise ValidationFailed(
            [Problem("procedure", "give a procedure code or a benefit category")]
        )
    provider = _provider(uow, request, on)
    pricing = load_pricing(uow=uow, on=on)
    with uow:
        session = uow.session
        member = visible_member(session, actor, member_id, today)
        reference = load_employer(session, member.employer_id, pricing)
        family = load_family(session, reference, pricing, member.family_id)
        claim = Claim(
            id="ESTIMATE",
            member=member.member_number,
            provider=provider,
            received=on,
            lines=(_line(request, on),),
            type=_claim_type(request),
        )
        charge = None if request.charge is None else round_cents(request.charge)
        assumed = charge is None
        if charge is None:
            charge = _contract_price(family, reference, claim, request)
        result = _run(family, reference, _charged(claim, charge))
        unpriced = result.lines[0].pend_reason == "no_price"
        if unpriced:  # the charge stands for the allowed amount: the most the member could owe
            priced = replace(claim.lines[0], charge=charge, allowed=charge)
            result = _run(family, reference, replace(claim, lines=(priced,)))
        name = provider_names(session, [provider.npi]).get(provider.npi or "")
        audit.record(session, actor, "view", "member", [member.id], detail="cost estimate")
        uow.commit()
    found = _read(member.member_number, on, request, provider, name, result, charge, assumed)
    if unpriced:
        found.notes.append(UNPRICED)
    return found


def _provider(uow: UnitOfWork, request: EstimateRequest, on: date) -> Provider:
    if request.npi is None:
        return Provider(Network(request.network or "in"))
    found = directory_providers(uow=uow, wanted=[(on, request.npi)]).get((on, request.npi))
    if found is None:
        raise ValidationFailed([Problem("npi", f"no provider {request.npi} in the directory")])
    return found


def _line(request: EstimateRequest, on: date) -> ClaimLine:
    return ClaimLine(
        number=1,
        date=on,
        charge=PROBES[0],
        category=request.category,
        procedure=request.procedure,
        pos=request.pos,
        released=RELEASED,
    )


def _claim_type(request: EstimateRequest) -> ClaimType:
    procedure, category = request.procedure or "", request.category or ""
    if procedure.startswith("D") or category.startswith(("dental", "orthodontia")):
        return ClaimType.DENTAL
    if category.startswith("vision"):
        return ClaimType.VISION
    return ClaimType.PROFESSIONAL


def _charged(claim: Claim, charge: Decimal) -> Claim:
    return replace(claim, lines=tuple(replace(line, charge=charge) for line in claim.lines))


def _run(family: Family, reference: EmployerReference, claim: Claim) -> ClaimResult:
    """The claim adjudicated against the family as stored (its state is not changed)."""
    state = AccumulatorState.from_entries(item.entry for item in family.entries)
    history = ClaimHistory.from_prior(
        (family.claims[pk].claim, family.results[pk]) for pk in family.order
    )
    return adjudicate_claim(claim, context=reference.context, state=state, history=history)


def _contract_price(
    family: Family, reference: EmployerReference, claim: Claim, request: EstimateRequest
) -> Decimal:
    first, second = (_run(family, reference, _charged(claim, p)).lines[0] for p in PROBES)
    service = _service(request.procedure, request.category)
    if first.status is LineStatus.DENIED:
        why = " ".join(note.text for note in notes_for([first])) or "It is not covered."
        message = (
            f"the plan would not pay for {service}: {why} Give the charge you expect to see "
            "what you would owe."
        )
        raise ValidationFailed([Problem("charge", message)])
    if first.allowed and first.allowed == second.allowed:
        return first.allowed
    message = f"no contract price for {service} with this provider: give the charge you expect"
    raise ValidationFailed([Problem("charge", message)])


def _service(procedure: str | None, category: str | None) -> str:
    label = category_label(category)
    if procedure and label:
        return f"{procedure} ({label})"
    return procedure or label


def _read(
    member_number: str,
    on: date,
    request: EstimateRequest,
    provider: Provider,
    name: str | None,
    result: ClaimResult,
    charge: Decimal,
    assumed: bool,
) -> EstimateRead:
    line = result.lines[0]
    notes = [PENDED if note.code == "PENDED" else note for note in notes_for([line])]
    if provider.network is Network.OUT:
        notes.append(OUT_OF_NETWORK)
    return EstimateRead(
        member_id=member_number,
        service_date=on,
        service=_service(request.procedure, request.category or line.category),
        provider_npi=provider.npi,
        provider_name=name,
        network=provider.network.value,
        status=line.status.value,
        charge=charge,
        charge_assumed=assumed,
        allowed=line.allowed,
        plan_pays=line.plan_paid,
        deductible=line.deductible,
        copay=line.copay,
        coinsurance=line.coinsurance,
        not_covered=line.not_covered,
        balance_bill=line.balance_bill,
        you_pay=line.member_responsibility + line.balance_bill,
        notes=notes,
        disclaimer=DISCLAIMER,
    )
