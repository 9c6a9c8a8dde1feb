"""Builders for 835 export tests: a generated 837P of our own members' claims (each patient is
its own subscriber, as a member with its own id is sent), imported as a clearinghouse sends
it, adjudicated by the batch, and the adjudication results compared with an 835 read back."""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from aso.bootstrap import App
from aso.claims.schemas import LineResultRead
from aso.claims.service import get_claim
from aso.db.uow import UnitOfWork
from aso.edi.schemas import ImportSummary
from aso.edi.service import import_file
from aso.members.crypto import SsnCipher
from aso.security.domain import SYSTEM
from tests.integration.claims_builders import EXAMINER
from tests.unit.x835_reading import ClaimRead

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Line:
    procedure: str
    charge: str
    day: date
    modifiers: tuple[str, ...] = ()
    units: int = 1
    allowed: str | None = None
    """The repricer's allowed amount (HCP*03 in loop 2400)."""


@dataclass(frozen=True)
class Claim837:
    number: str
    member: str
    lines: tuple[Line, ...]
    npi: str = "1234567893"
    frequency: int = 1
    replaces: str | None = None
    names: tuple[str, str] = ("LEE", "ANN")


@dataclass
class _Writer:
    segments: list[str] = field(default_factory=list)
    hl: int = 0

    def add(self, *elements: str) -> None:
        self.segments.append("*".join(elements))

    def billing(self, npi: str) -> int:
        self.hl += 1
        self.add("HL", str(self.hl), "", "20", "1")
        self.add("PRV", "BI", "PXC", "207Q00000X")
        self.add("NM1", "85", "2", f"CLINIC {npi}", "", "", "", "", "XX", npi)
        self.add("N3", "10 ELM ST")
        self.add("N4", "COLUMBUS", "OH", "432150000")
        self.add("REF", "EI", "311234567")
        return self.hl

    def claim(self, claim: Claim837, parent: int) -> None:
        self.hl += 1
        last, first = claim.names
        self.add("HL", str(self.hl), str(parent), "22", "0")
        self.add("SBR", "P", "18", "GRP1001", "", "", "", "", "", "CI")
        self.add("NM1", "IL", "1", last, first, "", "", "", "MI", claim.member)
        self.add("N3", "1 MAIN ST")
        self.add("N4", "COLUMBUS", "OH", "43215")
        self.add("DMG", "D8", "19800302", "F")
        self.add("NM1", "PR", "2", "ASO HEALTH PLAN", "", "", "", "", "PI", "ASO01")
        total = sum(Decimal(line.charge) for line in claim.lines)
        self.add("CLM", claim.number, str(total), "", "", f"11:B:{claim.frequency}", "Y", "A",
                 "Y", "Y")  # fmt: skip
        if claim.replaces:
            self.add("REF", "F8", claim.replaces)
        self.add("HI", "ABK:J069")
        for number, line in enumerate(claim.lines, start=1):
            code = ":".join(("HC", line.procedure, *line.modifiers))
            self.add("LX", str(number))
            self.add("SV1", code, line.charge, "UN", str(line.units), "", "", "1")
            self.add("DTP", "472", "D8", f"{line.day:%Y%m%d}")
            if line.allowed is not None:
                self.add("HCP", "03", line.allowed)


def professional_837(claims: Sequence[Claim837], *, control: int = 1, sent: date) -> str:
    """An 837P (005010X222A1) of the claims, a billing provider level per NPI."""
    writer = _Writer()
    writer.add("ST", "837", "0001", "005010X222A1")
    writer.add("BHT", "0019", "00", f"B{control}", f"{sent:%Y%m%d}", "1200", "CH")
    writer.add("NM1", "41", "2", "ACME CLEARINGHOUSE", "", "", "", "", "46", "CH0001")
    writer.add("PER", "IC", "EDI SUPPORT", "TE", "8005551212")
    writer.add("NM1", "40", "2", "ASO TPA", "", "", "", "", "46", "ASOTPA")
    parents: dict[str, int] = {}
    for npi in dict.fromkeys(claim.npi for claim in claims):
        parents[npi] = writer.billing(npi)
        for claim in claims:
            if claim.npi == npi:
                writer.claim(claim, parents[npi])
    body = writer.segments
    stamp = f"{sent:%y%m%d}"
    return (
        "~\n".join(
            [
                "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*ASOTPA         "
                f"*{stamp}*1200*^*00501*{control:09d}*0*P*:",
                f"GS*HC*CLEARINGHOUSE*ASOTPA*{sent:%Y%m%d}*1200*{control}*X*005010X222A1",
                *body,
                f"SE*{len(body) + 1}*0001",
                f"GE*1*{control}",
                f"IEA*1*{control:09d}",
            ]
        )
        + "~\n"
    )


def import_837(app: App, uow: UnitOfWork, text: str, name: str) -> ImportSummary:
    data = text.encode()
    summary = import_file(
        uow=uow,
        actor=SYSTEM,
        opener=lambda: io.BytesIO(data),
        filename=name,
        cipher=SsnCipher(app.settings.resolved_ssn_key()),
        today=NOW.date(),
        now=NOW,
        rng=random.Random(7),
    )
    assert summary.status == "processed", summary
    return summary


def current_results(uow: UnitOfWork, number: str) -> tuple[str, list[LineResultRead]]:
    """The claim's status and the line results of its current version."""
    claim = get_claim(uow=uow, actor=EXAMINER, claim_id=number)
    version = claim.versions[-1]
    return version.status, version.lines


def merged(adjustments: Sequence[Any]) -> Counter[tuple[str, str]]:
    """Adjustment amounts by (group, CARC), zeros left out: as CAS reports them."""
    found: Counter[tuple[str, str]] = Counter()
    for adjustment in adjustments:
        found[(adjustment[0], adjustment[1])] += adjustment[2]
    return Counter({key: amount for key, amount in found.items() if amount})


def assert_reports(read: ClaimRead, status: str, lines: Sequence[LineResultRead]) -> None:
    """The CLP and its SVC loops carry exactly the adjudication's amounts, to the cent."""
    assert read.status == {"approved": "1", "denied": "4"}[status]
    assert read.charge == sum(line.charge for line in lines)
    assert read.paid == sum(line.plan_paid for line in lines)
    responsibility = sum(a.amount for line in lines for a in line.adjustments if a.group == "PR")
    assert read.responsibility == responsibility
    assert len(read.lines) == len(lines)
    for svc, result in zip(read.lines, lines, strict=True):
        assert (svc.charge, svc.paid) == (result.charge, result.plan_paid)
        expected = merged([(a.group, a.carc, a.amount) for a in result.adjustments])
        assert merged(svc.adjustments) == expected
        assert svc.allowed == (result.allowed if result.status == "paid" else None)
        assert svc.remarks == result.remarks
