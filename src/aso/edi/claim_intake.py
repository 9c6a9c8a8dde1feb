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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aso.claims.domain import Network
from aso.claims.intake import parse_submission, submit_claims
from aso.db.uow import UnitOfWork
from aso.edi.ack import Error
from aso.edi.claim_parts import ClaimRead
from aso.edi.codes import ElementError, SegmentError
from aso.edi.findings import Finding, Level
from aso.errors import Conflict, Problem, ValidationFailed
from aso.providers.service import pricing_reference
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


def with_network_status(uow: UnitOfWork, reads: Sequence[ClaimRead]) -> None:
    """An 837 does not say whether its provider is in network: the TPA's provider directory
    does. Each claim's billing provider gets the status of its contracts on the claim's first
    service date (an NPI not on file, or with no contract in effect then, is out of network)."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for read in reads:
        provider = read.document.get("provider") or {}
        if "network" not in provider and provider.get("npi") and read.document.get("lines"):
            by_day[_first_day(read.document)].add(provider["npi"])
    status: dict[tuple[date, str], str] = {}
    for day, npis in by_day.items():
        reference = pricing_reference(uow=uow, on=day, npis=npis)
        for npi in npis:
            found = reference.providers.get(npi)
            status[day, npi] = found.network.value if found else Network.OUT.value
    for read in reads:
        provider = read.document.get("provider") or {}
        key = (_first_day(read.document), provider.get("npi", "")) if provider else None
        if key in status:
            read.document["provider"] = {**provider, "network": status[key]}


def _first_day(document: dict[str, Any]) -> date:
    days = [str(line.get("date", "")) for line in document.get("lines", [])]
    try:
        return date.fromisoformat(min(d for d in days if d))
    except ValueError:
        return date.fromisoformat(str(document.get("received")))


def submit_set(*, uow: UnitOfWork, actor: Principal, reads: Sequence[ClaimRead]) -> ClaimsOutcome:
    """Store the set's claims that the reader accepted; see the module."""
    outcome = ClaimsOutcome(rejected=sum(read.rejected for read in reads))
    with_network_status(uow, [r for r in reads if not r.rejected])
    candidates = []
    for read in (r for r in reads if not r.rejected):
        try:
            parse_submission([read.document])
        except ValidationFailed as exc:
            _reject(outcome, read, exc.problems)
            continue
        candidates.append(read)
    while candidates:
        try:
            receipts = submit_claims(
                uow=uow, actor=actor, documents=[read.document for read in candidates]
            )
        except (Conflict, ValidationFailed) as exc:
            culprit = _named(exc, candidates)
            if culprit is None:
                raise
            candidates.remove(culprit)
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
