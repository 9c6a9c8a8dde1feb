"""834 files for tests, written segment by segment: an interchange of enrollment sets, each a
header (BGN, sponsor, payer) and member loops (INS, REF*0F, NM1, N3/N4, DMG, HD/DTP).

Defaults describe Acme Widgets (EIN 31-1234567) enrolling Ana Rivera (employee E100) and her
family in PPO1500 (medical), DENTAL-PPO and VISION for plan year 2026.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from aso.edi.check import FileCheck, check_file
from aso.edi.validate import validate_file

EIN = "311234567"
GUIDE = "005010X220A1"


def interchange(
    *sets: list[str],
    control: int = 101,
    sender: str = "BENADMIN",
    acknowledgment: str = "0",
    functional_id: str = "BE",
    set_id: str = "834",
    version: str = GUIDE,
) -> str:
    """One interchange, one functional group, one transaction set per ``sets`` item (its
    segments between ST and SE), every count and control number right."""
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{'ASOTPA':<15}*260510*1200*^*00501*"
        f"{control:09d}*{acknowledgment}*P*:",
        f"GS*{functional_id}*{sender}*ASOTPA*20260510*1200*{control}*X*{version}",
    ]
    for number, body in enumerate(sets, start=1):
        st = f"{number:04d}"
        segments += [f"ST*{set_id}*{st}*{version}", *body, f"SE*{len(body) + 2}*{st}"]
    segments += [f"GE*{len(sets)}*{control}", f"IEA*1*{control:09d}"]
    return "~\n".join(segments) + "~\n"


def enrollment(
    *members: list[str],
    action: str = "2",
    ein: str = EIN,
    created: str = "20260510",
    effective: str | None = None,
    purpose: str = "00",
) -> list[str]:
    """The segments of one 834 set: its header, then the member loops."""
    header = [f"BGN*{purpose}*ENR{created}*{created}*1200****{action}"]
    if effective:
        header.append(f"DTP*007*D8*{effective}")
    header += [f"N1*P5*ACME WIDGETS*FI*{ein}", "N1*IN*ASO TPA*FI*311234567"]
    return header + [segment for member in members for segment in member]


def coverage(
    line: str = "HLT",
    plan: str = "PPO1500",
    level: str = "FAM",
    start: str | None = "20260101",
    end: str | None = None,
    maintenance: str = "021",
) -> list[str]:
    """An HD loop with its benefit begin and end dates."""
    segments = [f"HD*{maintenance}**{line}*{plan}*{level}".rstrip("*")]
    if start:
        segments.append(f"DTP*348*D8*{start}")
    if end:
        segments.append(f"DTP*349*D8*{end}")
    return segments


def member(
    *coverages: list[str],
    relationship: str = "18",
    number: str = "E100",
    first: str = "ANA",
    last: str = "RIVERA",
    dob: str | None = "19800302",
    sex: str = "F",
    maintenance: str = "021",
    reason: str = "28",
    ssn: str | None = None,
    address: bool | None = None,
    dates: dict[str, str] | None = None,
    prior: tuple[str, str] | None = None,
) -> list[str]:
    """A member loop: the subscriber by default (with an address), a dependent with
    ``relationship`` 01, 19, 53, ..."""
    subscriber = relationship == "18"
    ins = f"INS*{'Y' if subscriber else 'N'}*{relationship}*{maintenance}*{reason}*A"
    segments = [ins + ("***FT" if subscriber else ""), f"REF*0F*{number}"]
    for qualifier, day in (dates or {}).items():
        segments.append(f"DTP*{qualifier}*D8*{day}")
    name = f"NM1*IL*1*{last}*{first}"
    segments.append(f"{name}****34*{ssn}" if ssn else name)
    if address if address is not None else subscriber:
        segments += ["N3*12 OAK ST", "N4*COLUMBUS*OH*43215"]
    if dob:
        segments.append(f"DMG*D8*{dob}*{sex}")
    if prior:
        segments += [f"NM1*70*1*{last}*{prior[0]}", f"DMG*D8*{prior[1]}*{sex}"]
    for loop in coverages:
        segments += loop
    return segments


def family(maintenance: str = "021", start: str = "20260101", **more: Any) -> list[list[str]]:
    """Ana (subscriber), Luis (spouse) and Mia (child, born 2015) on PPO1500 family tier."""
    medical = coverage(start=start, maintenance=maintenance)
    return [
        member(medical, maintenance=maintenance, **more),
        member(
            medical,
            relationship="01",
            first="LUIS",
            dob="19790611",
            sex="M",
            maintenance=maintenance,
        ),
        member(medical, relationship="19", first="MIA", dob="20150901", maintenance=maintenance),
    ]


def check(text: str) -> FileCheck:
    return check_file(lambda: io.BytesIO(text.encode()))


def pyx12_findings(text: str, folder: Path, name: str = "ack.x12") -> list[str]:
    """What pyx12 finds in a file we wrote (nothing, for a valid one)."""
    path = folder / name
    path.write_text(text)
    return [str(finding) for finding in validate_file(path)]
