"""The claims of an accepted 837 set handed to the claims intake (``aso.claims.intake``), in one
transaction: stored as received, a claim for an unknown member included (it is denied CARC 31
when adjudicated, DESIGN 9), and the same claim sent again never stored twice.

A claim the reader rejected alone (a bad NPI check digit, a total charge that is not the sum of
its lines) was reported by the reader and is not handed on. A claim the intake refuses (its
structure breaks a rule of DESIGN 6.1 step 1 the reader does not check, or another claim with
its id is on file) is rejected alone too: the 999 names its CLM01 (IK3 CLM with the claim's id
as business unit) and the set is accepted with errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aso.claims.domain import Network
from aso.claims.intake import Submitted, parse_submission, store_claims
from aso.db.uow import UnitOfWork
from aso.edi.ack import Error
from aso.edi.claim_parts import ClaimRead
from aso.edi.codes import ElementError, SegmentError
from aso.edi.findings import Finding, Level
from aso.errors import Conflict, Problem, ValidationFailed
from aso.providers.service import directory_providers
from aso.security.domain import Principal

CLAIM_NAMED = re.compile(r"claims\[([^\]]+)\]")


@dataclass
class ClaimsOutcome:
    stored: int = 0
    on_file: int = 0
    rejected: int = 0
    claims: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "already_on_file": self.on_file,
            "rejected": self.rejected,
            "claims": self.claims,
        }


Candidate = tuple[ClaimRead, Submitted]


@dataclass
class PreparedSet:
    """A set's claims read by the intake, before anything touches the database (so a worker
    process can prepare one set while the database takes the one before)."""

    outcome: ClaimsOutcome
    candidates: list[Candidate]
    directed: list[int]
    """Positions in ``candidates`` of claims whose network the directory decides (an 837
    never says): read with a stand-in network until ``store_set`` looks it up."""


def prepare_set(reads: Sequence[ClaimRead]) -> PreparedSet:
    """The claims the reader accepted, each read by the intake (``parse_submission``); a claim
    the intake's structure rules refuse is rejected alone. No database."""
    outcome = ClaimsOutcome(rejected=sum(read.rejected for read in reads))
    accepted = [r for r in reads if not r.rejected]
    directed = set()
    for index, read in enumerate(accepted):
        provider = read.document.get("provider")
        if provider and "network" not in provider and provider.get("npi"):
            read.document["provider"] = {**provider, "network": STAND_IN.value}
            directed.add(index)
    candidates = _parsed(outcome, accepted)
    positions = {id(read): index for index, read in enumerate(accepted)}
    chosen = [i for i, (read, _) in enumerate(candidates) if positions[id(read)] in directed]
    return PreparedSet(outcome, candidates, chosen)


STAND_IN = Network.OUT
"""The network a claim is read with until the directory says (an NPI not on file stays out)."""


def store_set(*, uow: UnitOfWork, actor: Principal, prepared: PreparedSet) -> ClaimsOutcome:
    """Store a prepared set's claims in one transaction; see the module."""
    outcome = prepared.outcome
    candidates = list(prepared.candidates)
    with_network_status(uow, [candidates[i][0] for i in prepared.directed])
    while candidates:
        try:
            receipts = store_claims(
                uow=uow, actor=actor, submitted=[item for _, item in candidates]
            )
        except (Conflict, ValidationFailed) as exc:
            culprit = _named(exc, [read for read, _ in candidates])
            if culprit is None:
                raise
            candidates = [pair for pair in candidates if pair[0] is not culprit]
            problems = exc.problems if isinstance(exc, ValidationFailed) else []
            _reject(outcome, culprit, problems or [Problem("", str(exc))])
            continue
        for receipt in receipts:
            outcome.stored += receipt.stored
            outcome.on_file += not receipt.stored
            outcome.claims.append(
                {"id": receipt.id, "member": receipt.member_id, "stored": receipt.stored}
            )
        break
    return outcome


def submit_set(*, uow: UnitOfWork, actor: Principal, reads: Sequence[ClaimRead]) -> ClaimsOutcome:
    """Store the set's claims that the reader accepted; see the module."""
    return store_set(uow=uow, actor=actor, prepared=prepare_set(reads))


def with_network_status(uow: UnitOfWork, reads: Sequence[ClaimRead]) -> None:
    """An 837 does not say whether its provider is in network: the TPA's provider directory
    does. Each claim's billing provider gets the status of its contracts on the claim's first
    service date (an NPI not on file, or with no contract in effect then, is out of network),
    written into the claim's document as the intake stores it (the intake itself takes the
    network of a provider on file from the directory too: ``with_directory_network``)."""
    keys = {
        index: (_first_day(read.document), read.document["provider"]["npi"])
        for index, read in enumerate(reads)
        if read.document.get("lines")
    }
    found = directory_providers(uow=uow, wanted=set(keys.values()))
    for index, key in keys.items():
        known = found.get(key)
        network = known.network.value if known is not None else Network.OUT.value
        document = reads[index].document
        document["provider"] = {**document["provider"], "network": network}


def _first_day(document: dict[str, Any]) -> date:
    days = [str(line.get("date", "")) for line in document.get("lines", [])]
    try:
        return date.fromisoformat(min(d for d in days if d))
    except ValueError:
        return date.fromisoformat(str(document.get("received")))


def _parsed(
    outcome: ClaimsOutcome, reads: Sequence[ClaimRead]
) -> list[tuple[ClaimRead, Submitted]]:
    """The claims as the intake reads them: all at once when all pass, else one by one so
    that each claim the intake refuses is rejected alone."""
    try:
        return list(zip(reads, parse_submission([read.document for read in reads]), strict=True))
    except ValidationFailed:
        pass
    found = []
    for read in reads:
        try:
            (item,) = parse_submission([read.document])
        except ValidationFailed as exc:
            _reject(outcome, read, exc.problems)
            continue
        found.append((read, item))
    return found


def _named(exc: Exception, candidates: list[ClaimRead]) -> ClaimRead | None:
    """The claim an intake refusal names (``claims[ID]...``)."""
    texts = [p.where for p in exc.problems] if isinstance(exc, ValidationFailed) else []
    for text in [*texts, str(exc)]:
        match = CLAIM_NAMED.search(text)
        if match:
            return next((r for r in candidates if r.document.get("id") == match.group(1)), None)
    return None


def _reject(outcome: ClaimsOutcome, read: ClaimRead, problems: list[Problem]) -> None:
    outcome.rejected += 1
    claim_id = str(read.document.get("id", ""))
    message = "; ".join(str(problem) for problem in problems)
    outcome.errors.append(
        Error(
            Finding(
                Level.CLAIM,
                f"the claims intake refuses the claim: {message}",
                segment="CLM",
                position=read.source.get("position"),
                set_position=read.source.get("set_position"),
                set_control=read.header.control_number,
                loop="2300",
                element=1,
                value=claim_id,
                segment_code=SegmentError.HAS_ELEMENT_ERRORS,
                element_code=ElementError.INVALID_CODE,
                claim=claim_id,
            )
        )
    )
