"""Real-time X12 requests for tests: 270 inquiries and 276 status requests shaped like the
guides' examples (005010X279A1 and 005010X212), from a clinic to the TPA."""

from __future__ import annotations

from collections.abc import Sequence

ISA = (
    "ISA*00*          *00*          *ZZ*CLINIC         *ZZ*ASOTPA         *260601*1200*^*00501*"
    "{control}*0*T*:~"
)
GUIDES = {"270": ("HS", "005010X279A1"), "276": ("HR", "005010X212")}
CLINIC_NPI = "1234567893"


def interchange(set_id: str, body: Sequence[str], *, control: str = "000000101") -> str:
    """An interchange holding one set of ``body`` segments (without terminators)."""
    functional_id, guide = GUIDES[set_id]
    segments = [
        f"GS*{functional_id}*CLINIC*ASOTPA*20260601*1200*101*X*{guide}",
        f"ST*{set_id}*0001*{guide}",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*101",
        f"IEA*1*{control}",
    ]
    return ISA.format(control=control) + "\n" + "".join(s + "~\n" for s in segments)


def inquiry_270(
    member_id: str,
    *,
    last: str = "",
    first: str = "",
    birth: str = "",
    on: str = "20260601",
    service_types: str = "30",
    dependent: tuple[str, str, str] | None = None,
) -> str:
    """A 270 from a clinic: the subscriber by member id (and name, birth date when given), or a
    dependent (first, last, birth date) under it."""
    body = [
        "BHT*0022*13*REQ0001*20260601*1200",
        "HL*1**20*1",
        "NM1*PR*2*ASO TPA*****PI*ASOTPA",
        "HL*2*1*21*1",
        f"NM1*1P*2*MAIN STREET CLINIC*****XX*{CLINIC_NPI}",
    ]
    patient = [f"DMG*D8*{birth}"] if birth else []
    patient += [f"DTP*291*D8*{on}", f"EQ*{service_types}"]
    if dependent is None:
        body += [
            "HL*3*2*22*0",
            "TRN*1*TRACE-1*9CLINIC0001",
            f"NM1*IL*1*{last}*{first}****MI*{member_id}",
            *patient,
        ]
    else:
        dep_first, dep_last, dep_birth = dependent
        body += [
            "HL*3*2*22*1",
            f"NM1*IL*1******MI*{member_id}",
            "HL*4*3*23*0",
            "TRN*1*TRACE-1*9CLINIC0001",
            f"NM1*03*1*{dep_last}*{dep_first}",
            f"DMG*D8*{dep_birth}",
            f"DTP*291*D8*{on}",
            f"EQ*{service_types}",
        ]
    return interchange("270", body)


def status_276(
    member_id: str,
    *,
    last: str = "",
    first: str = "",
    claims: Sequence[Sequence[str]] = (),
    npi: str = CLINIC_NPI,
    dependent: tuple[str, str, str] | None = None,
) -> str:
    """A 276 from a clinic about the claims of one patient: each claim is its segments after
    its ``TRN*1`` (REF, AMT, DTP, SVC ...), traced ``T1``, ``T2`` ..."""
    body = [
        "BHT*0010*13*STAT0001*20260601*1200",
        "HL*1**20*1",
        "NM1*PR*2*ASO TPA*****PI*ASOTPA",
        "HL*2*1*21*1",
        "NM1*41*2*MAIN STREET CLINIC*****46*CLINIC",
        "HL*3*2*19*1",
        f"NM1*1P*2*MAIN STREET CLINIC*****XX*{npi}",
        f"HL*4*3*22*{0 if dependent is None else 1}",
        f"NM1*IL*1*{last}*{first}****MI*{member_id}",
    ]
    if dependent is not None:
        dep_first, dep_last, dep_birth = dependent
        body += ["HL*5*4*23", f"DMG*D8*{dep_birth}", f"NM1*QC*1*{dep_last}*{dep_first}"]
    for number, segments in enumerate(claims, start=1):
        body += [f"TRN*1*T{number}", *segments]
    return interchange("276", body)


def segments(text: str) -> list[str]:
    """The segments of an answer, without terminators and line breaks."""
    return [s.strip() for s in text.split("~") if s.strip()]


def between(text: str, first: str, last: str) -> list[str]:
    """The segments from the first one starting with ``first`` up to the one starting with
    ``last`` (excluded)."""
    found = segments(text)
    start = next(i for i, s in enumerate(found) if s.startswith(first))
    end = next(i for i, s in enumerate(found) if i > start and s.startswith(last))
    return found[start:end]
