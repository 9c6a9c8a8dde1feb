"""Claim intake: claims in the shape of DESIGN 7 (one, or a list), checked and stored as
``received``.

Structure (DESIGN 6.1 step 1) is checked for every claim first, with the engine's own reader:
any error rejects the whole request with every problem named by claim, line and field, and
nothing is stored. A claim is identified by its public id and its submitter (the provider's
NPI; '' when the claim names none):

- the same claim sent again with the same content is not stored twice: its receipt says so;
- the same id with different content is a conflict (409), unless the claim is a replacement
  or a void (frequency 7 or 8), which names the claim it corrects in ``replaces`` (often its
  own id, as X12 corrections do) and is stored as a claim of its own;
- a claim for an unknown member is stored all the same and denied (CARC 31) when adjudicated,
  never rejected (DESIGN 9);
- the provider directory, not the claim, decides the network of a provider it knows
  (``with_directory_network``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from aso.claims import repository as repo
from aso.claims.bulk import Bulk, Row
from aso.claims.domain import Claim, Frequency, Provider
from aso.claims.models import units_e4
from aso.claims.parsing import Reader, read_claim
from aso.claims.schemas import ClaimReceipt
from aso.claims.stored import LINE_COLUMNS, cents, join_codes
from aso.db.base import utcnow
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, Forbidden, Problem, ValidationFailed
from aso.providers.service import directory_providers
from aso.security import audit
from aso.security.domain import TPA_STAFF, Principal, Role

SUBMITTERS = TPA_STAFF | {Role.PROVIDER}
"""Who may submit claims: TPA staff (paper claims keyed in) and providers."""
LIMITS = {"id": 50, "member": 40, "replaces": 50}


@dataclass(frozen=True, slots=True)
class Submitted:
    """One structurally valid claim of a request, with its document and fingerprint."""

    claim: Claim
    document: Mapping[str, Any]
    fingerprint: str

    @property
    def submitter(self) -> str:
        return self.claim.provider.npi or ""


def parse_submission(documents: object) -> list[Submitted]:
    """Every claim of a request, or ``ValidationFailed`` listing every structural problem
    (``claims[C1].lines[2].charge: must be >= 0``)."""
    items = documents if isinstance(documents, list) else [documents]
    reader = Reader()
    found: list[Submitted] = []
    for index, item in enumerate(items):
        claim = read_claim(reader, item, index)
        if claim is None:
            continue
        assert isinstance(item, Mapping)
        _intake_rules(reader, item, claim)
        found.append(Submitted(claim, item, fingerprint(claim)))
    _repeats(reader, found)
    if reader.problems or not items:
        problems = reader.problems or [Problem("claims", "no claim in the request")]
        raise ValidationFailed(problems, summary="invalid claims")
    return found


def _intake_rules(reader: Reader, raw: Mapping[str, Any], claim: Claim) -> None:
    """What a scenario may carry but a submitted claim may not, and column sizes."""
    where = f"claims[{claim.id}]"
    for field, size in LIMITS.items():
        value = raw.get(field)
        if value is not None and len(str(value)) > size:
            reader.problem(f"{where}.{field}", f"at most {size} characters")
    for number, line in enumerate(raw.get("lines") or (), start=1):
        if isinstance(line, Mapping) and line.get("release") is not None:
            reader.problem(
                f"{where}.lines[{number}].release", "only an examiner releases a pended line"
            )
        auth = line.get("prior_auth") if isinstance(line, Mapping) else None
        if auth is not None and len(str(auth)) > LIMITS["id"]:
            reader.problem(f"{where}.lines[{number}].prior_auth", "at most 50 characters")


def _repeats(reader: Reader, found: Sequence[Submitted]) -> None:
    """The same original claim twice in one request, with different content."""
    seen: dict[tuple[str, str], str] = {}
    for item in found:
        if item.claim.frequency is not Frequency.ORIGINAL:
            continue
        key = (item.submitter, item.claim.id)
        if key in seen and seen[key] != item.fingerprint:
            reader.problem(f"claims[{item.claim.id}].id", "sent twice with different content")
        seen[key] = item.fingerprint


EXAMINER_FIELDS = ("override_allowed", "denial")
"""Line fields an examiner's decision fills later, never a submitter: not part of the claim's
content, so fingerprints stay as they were before these fields existed."""


def fingerprint(claim: Claim) -> str:
    """A hash of the claim as read (amounts, dates and codes normalized): equal content,
    equal fingerprint, however the document spelled it. The provider's network is left out:
    the directory decides it, not the claim (an 837 does not even say)."""
    lines = [_values(line, skip=EXAMINER_FIELDS) for line in claim.lines]
    provider = _values(claim.provider, skip=("network",))
    content = [*_values(claim, skip=("provider", "lines")), provider, lines]
    text = json.dumps(_plain(content))
    return hashlib.sha256(text.encode()).hexdigest()


def _values(value: Any, skip: tuple[str, ...] = ()) -> list[Any]:
    """A dataclass's field values, in field order."""
    key = (type(value).__name__, skip)
    names = _FIELD_NAMES.get(key)
    if names is None:
        names = _FIELD_NAMES[key] = tuple(f.name for f in fields(value) if f.name not in skip)
    return [getattr(value, name) for name in names]


_FIELD_NAMES: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
"""Field names by dataclass (its name: the claim, line and provider types) and fields skipped."""


_AS_IS = frozenset({str, int, bool, type(None)})


def _plain(value: object) -> object:
    """``value`` as JSON writes it: amounts normalized (``25`` = ``25.00``), sets sorted,
    dates and enumerations as their text (a ``StrEnum`` is its value)."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list or kind is tuple:
        return [item if type(item) in _AS_IS else _plain(item) for item in value]  # type: ignore[attr-defined]
    if isinstance(value, int):  # an IntEnum: JSON writes it as its number
        return int(value)
    if kind is Decimal:
        return format(value.normalize(), "f")  # type: ignore[attr-defined]
    if kind is frozenset:
        return sorted(value)  # type: ignore[call-overload]
    return str(value)


def submit_claims(*, uow: UnitOfWork, actor: Principal, documents: object) -> list[ClaimReceipt]:
    """Store the claims of a request as received (all of them, or none); see the module."""
    _may_submit(actor)
    return store_claims(uow=uow, actor=actor, submitted=parse_submission(documents))


def _may_submit(actor: Principal) -> None:
    if actor.role not in SUBMITTERS:
        raise Forbidden("only providers and TPA staff submit claims")


def _own_providers(actor: Principal, submitted: Sequence[Submitted]) -> None:
    """A provider user submits for the NPIs it acts for only: nothing is stored otherwise."""
    foreign = [item for item in submitted if not actor.may_act_for_provider(item.submitter or None)]
    if foreign:
        named = "; ".join(
            f"claims[{item.claim.id}].provider.npi {item.submitter or '(none)'}"
            for item in foreign[:10]
        )
        raise Forbidden(
            f"this user submits claims only for the NPIs it acts for "
            f"({', '.join(sorted(actor.npis)) or 'none'}): {named}"
        )


def store_claims(
    *, uow: UnitOfWork, actor: Principal, submitted: Sequence[Submitted]
) -> list[ClaimReceipt]:
    """Store claims already read by ``parse_submission`` (all of them, or none): a file's
    claims read one by one, so that one bad claim is rejected alone, are stored together."""
    _may_submit(actor)
    _own_providers(actor, submitted)
    reader = Reader()
    _repeats(reader, submitted)
    if reader.problems:
        raise ValidationFailed(reader.problems, summary="invalid claims")
    submitted = with_directory_network(uow, submitted)
    with uow:
        session = uow.session
        intake = _Intake(session, actor, submitted)
        receipts = [intake.take(item) for item in submitted]
        intake.write()
        audit.record(session, actor, "create", "claim", intake.new_ids)
        uow.commit()
    return receipts


def with_directory_network(uow: UnitOfWork, submitted: Sequence[Submitted]) -> list[Submitted]:
    """The provider directory decides a claim's network, not the claim (DESIGN 3: network
    status by contract): a billing NPI on file takes the status of its contracts on the claim's
    first service date, and the directory's taxonomy and kind when the claim gives none. A
    claim whose NPI is not on file keeps the network it states."""
    wanted = {
        (_first_day(item.claim), item.claim.provider.npi)
        for item in submitted
        if item.claim.provider.npi and item.claim.lines
    }
    if not wanted:
        return list(submitted)
    found = directory_providers(uow=uow, wanted=wanted)
    return [_directed(item, found) for item in submitted]


def _first_day(claim: Claim) -> date:
    return min(line.date for line in claim.lines)


def _directed(item: Submitted, found: dict[tuple[date, str], Provider]) -> Submitted:
    claim = item.claim
    stated = claim.provider
    directory = None
    if stated.npi is not None and claim.lines:
        directory = found.get((_first_day(claim), stated.npi))
    if directory is None:
        return item
    provider = Provider(
        directory.network,
        stated.npi,
        stated.taxonomy or directory.taxonomy,
        directory.kind or stated.kind,
    )
    return replace(item, claim=replace(claim, provider=provider))


OnFile = tuple[int, str, int, str]
"""(id, fingerprint, frequency, status) of a claim with a given submitter and public id."""


class _Intake:
    """Decides, claim by claim, what is new, what is on file and what conflicts."""

    def __init__(self, session: Session, actor: Principal, submitted: Sequence[Submitted]) -> None:
        self.session = session
        self.actor = actor
        self.writer = Bulk(session)
        self.stamp = self.writer.stamp(utcnow())
        self.claims: list[Row] = []
        self.lines: list[Row] = []
        self.documents: list[Row] = []
        self.new_ids: list[int] = []
        self.free = iter(self.writer.allocate_ids(repo.CLAIMS, len(submitted)))
        numbers = {item.claim.id for item in submitted}
        numbers |= {item.claim.replaces for item in submitted if item.claim.replaces}
        self.on_file = repo.claims_on_file(session, numbers)
        self.members = repo.members_by_number(session, {item.claim.member for item in submitted})

    def take(self, item: Submitted) -> ClaimReceipt:
        claim = item.claim
        on_file = self.on_file.get((item.submitter, claim.id), [])
        for pk, sha, _, status in on_file:
            if sha == item.fingerprint:
                return ClaimReceipt(
                    id=claim.id, key=pk, member_id=claim.member, status=status, stored=False
                )
        if claim.frequency is Frequency.ORIGINAL and any(f == 1 for _, _, f, _ in on_file):
            raise Conflict(
                f"claims[{claim.id}]: a different claim {claim.id} from this provider is on "
                "file; send a replacement (frequency 7) or a void (8) to correct it"
            )
        replaces = self._corrected(item)
        pk = next(self.free)
        self.new_ids.append(pk)
        self._rows(pk, item, replaces)
        on_file.append((pk, item.fingerprint, int(claim.frequency), "received"))
        self.on_file[(item.submitter, claim.id)] = on_file
        return ClaimReceipt(
            id=claim.id, key=pk, member_id=claim.member, status="received", stored=True
        )

    def _corrected(self, item: Submitted) -> int | None:
        """The id of the latest claim a replacement or void corrects."""
        claim = item.claim
        if claim.frequency is Frequency.ORIGINAL or claim.replaces is None:
            return None
        found = self.on_file.get((item.submitter, claim.replaces))
        if not found:
            raise ValidationFailed(
                [
                    Problem(
                        f"claims[{claim.id}].replaces",
                        f"no claim {claim.replaces} from this provider is on file",
                    )
                ]
            )
        return found[-1][0]

    def _rows(self, pk: int, item: Submitted, replaces: int | None) -> None:
        claim = item.claim
        member = self.members.get(repo.normalized_member_number(claim.member))
        day = self.writer.day
        provider = claim.provider
        self.claims.append(
            (
                pk,
                pk,
                claim.id,
                item.submitter,
                item.fingerprint,
                None if member is None else member.employer_id,
                claim.member,
                None if member is None else member.id,
                None if member is None else member.family_id,
                claim.type.value,
                provider.npi,
                provider.network.value,
                provider.taxonomy,
                provider.kind,
                day(claim.received),
                join_codes(claim.diagnoses),
                claim.type_of_bill,
                None if claim.facility_network is None else claim.facility_network.value,
                int(claim.frequency),
                claim.replaces,
                replaces,
                "received",
                0,
                self.stamp,
                self.actor.username,
            )
        )
        self.documents.append((pk, json.dumps(item.document, default=str)))
        for line in claim.lines:
            self.lines.append(
                (
                    pk,
                    line.number,
                    day(line.date),
                    line.category,
                    line.procedure,
                    join_codes(line.modifiers),
                    line.pos,
                    line.revenue_code,
                    line.ndc,
                    line.tooth,
                    units_e4(line.units),
                    cents(line.charge),
                    None if line.allowed is None else cents(line.allowed),
                    None if line.usual_and_customary is None else cents(line.usual_and_customary),
                    line.prior_auth,
                    line.emergency,
                )
            )

    def write(self) -> None:
        self.writer.insert(repo.CLAIMS, CLAIM_INSERT_COLUMNS, self.claims)
        self.writer.insert(repo.LINES, LINE_COLUMNS, self.lines)
        self.writer.insert(repo.DOCUMENTS, ("claim_id", "document"), self.documents)


CLAIM_INSERT_COLUMNS = (
    "id",
    "sequence",
    "claim_number",
    "submitter",
    "content_sha256",
    "employer_id",
    "member_number",
    "member_id",
    "family_id",
    "type",
    "provider_npi",
    "provider_network",
    "provider_taxonomy",
    "provider_kind",
    "received",
    "diagnoses",
    "type_of_bill",
    "facility_network",
    "frequency",
    "replaces_number",
    "replaces_id",
    "status",
    "current_version",
    "submitted_at",
    "submitted_by",
)
