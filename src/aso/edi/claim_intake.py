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
from typing import Any

from aso.claims.intake import parse_submission, submit_claims
from aso.db.uow import UnitOfWork
from aso.edi.ack import Error
from aso.edi.claim_parts import ClaimRead
from aso.edi.codes import ElementError, SegmentError
from aso.edi.findings import Finding, Level
from aso.errors import Conflict, Problem, ValidationFailed
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


def submit_set(*, uow: UnitOfWork, actor: Principal, reads: Sequence[ClaimRead]) -> ClaimsOutcome:
    """Store the set's claims that the reader accepted; see the module."""
    outcome = ClaimsOutcome(rejected=sum(read.rejected for read in reads))
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
