"""The status of a stored claim as a 277 says it (005010X212): a claim status category code and
a claim status code (STC01), for the claim and for each of its lines. Pure: plain values in,
codes out; the code table is ``claim_status.yaml``.

A claim not adjudicated yet is pending in process (``P1``); one the engine pended waits for
review (``P2``, the code saying why: DESIGN 6.5); an adjudicated claim is finalized: awaiting
the payment run (``F0``; ``F4`` when the plan pays nothing), paid (``F1``) or denied (``F2``, the
code from the CARC that denied it). A finalized claim decided again after an earlier final
decision, a replacement claim (frequency 7) and a claim a void or replacement corrected are
revised (``F3``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from aso.yamlio import load_yaml_text

FINALIZED = frozenset({"approved", "paid", "denied"})
"""Claim statuses of an adjudication that decided the claim."""
REPLACEMENT = 7


@dataclass(frozen=True, slots=True)
class Status:
    """STC01: category (external code source 507), status (508) and, when the status code
    needs one, the entity it concerns."""

    category: str
    code: str
    entity: str = ""

    @property
    def finalized(self) -> bool:
        return self.category.startswith("F")

    def composite(self) -> tuple[str, ...]:
        return (self.category, self.code, self.entity)


@dataclass(frozen=True, slots=True)
class LineFacts:
    """How the claim's current version decided one line."""

    status: str
    """``paid`` (the engine's word for a line the plan covers), ``denied``, ``pended``,
    ``reversed``."""
    plan_paid: Decimal
    carc: str | None = None
    """The reason code of the line's first adjustment (what denied a denied line)."""
    pend_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the status of a claim depends on."""

    status: str
    """``received``, ``pended``, ``denied``, ``approved``, ``paid`` or ``voided``."""
    lines: Sequence[LineFacts] = ()
    revised: bool = False
    """An earlier version of the claim decided it already, or it replaces an earlier claim."""

    @property
    def plan_paid(self) -> Decimal:
        return sum((line.plan_paid for line in self.lines), Decimal("0"))


@dataclass(frozen=True, slots=True)
class _Table:
    data: Mapping[str, Any]

    def fixed(self, name: str) -> Status:
        entry = self.data[name]
        return Status(str(entry["category"]), str(entry["code"]))

    def pended(self, reason: str | None) -> Status:
        entry = self.data["pended"]
        code = entry["reasons"].get(reason, entry["default"]) if reason else entry["default"]
        return Status(str(entry["category"]), str(code))

    def denied(self, carc: str | None, patient: str) -> Status:
        entry = self.data["denied"]
        found = entry["carcs"].get(carc) if carc else None
        if found is None:
            return Status(str(entry["category"]), str(entry["default"]))
        entity = patient if found.get("entity") == "patient" else ""
        return Status(str(entry["category"]), str(found["code"]), entity)

    @property
    def revised_category(self) -> str:
        return str(self.data["revised_category"])


@cache
def _table() -> _Table:
    text = files("aso.edi").joinpath("claim_status.yaml").read_text(encoding="utf-8")
    return _Table(load_yaml_text(text))


def not_found() -> Status:
    """No claim matches the request (A4 not found)."""
    return _table().fixed("not_found")


def line_not_found() -> Status:
    """The claim has no line like the one the request names."""
    return _table().fixed("line_not_found")


def claim_status(facts: ClaimFacts, patient: str) -> Status:
    """STC01 of a claim; ``patient`` is the entity code of the patient (IL or QC)."""
    table = _table()
    status = facts.status
    if status == "received":
        return table.fixed("received")
    if status == "voided":
        return table.fixed("voided")
    if status == "pended":
        reason = next((x.pend_reason for x in facts.lines if x.status == "pended"), None)
        return table.pended(reason)
    if status == "denied":
        carc = next((x.carc for x in facts.lines if x.status == "denied"), None)
        found = table.denied(carc, patient)
    elif status == "paid":
        found = table.fixed("paid")
    else:
        found = table.fixed("approved" if facts.plan_paid > 0 else "approved_no_payment")
    return _revised(found, facts.revised)


def line_status(line: LineFacts, claim: ClaimFacts, patient: str) -> Status:
    """STC01 of one line of the claim's current version."""
    table = _table()
    if line.status == "reversed":
        return table.fixed("voided")
    if line.status == "pended":
        return table.pended(line.pend_reason)
    if line.status == "denied":
        found = table.denied(line.carc, patient)
    elif claim.status == "paid":
        found = table.fixed("paid")
    else:
        found = table.fixed("approved" if line.plan_paid > 0 else "approved_no_payment")
    return _revised(found, claim.revised)


def received_line() -> Status:
    """A line of a claim not adjudicated yet."""
    return _table().fixed("received")


def _revised(status: Status, revised: bool) -> Status:
    if not revised:
        return status
    return Status(_table().revised_category, status.code, status.entity)
