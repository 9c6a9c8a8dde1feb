"""837 throughput: parse a generated 837P (2 service lines per claim) and compare with pyx12.

``make bench`` prints the project's parsing throughput in claims per second on a file of
``CLAIMS`` claims, and pyx12's validation throughput on a smaller file of ``PYX12_CLAIMS`` claims
from the same generator, in the same run. Target: parsing >= 40x pyx12. A bare ``str.split``
pass over the big file is printed too, as the ceiling of any pure-Python reader. Times are the
CPU time of this process (both are single-threaded and CPU-bound), so that other work on a
shared machine does not skew the comparison; file generation is not timed.

``write_837p`` is the generator other tests reuse: deterministic, valid for pyx12 (every NPI
passes its check digit, ZIP+4 where the guide asks for it), one ST..SE per ``claims_per_set``
claims (the guide's recommended maximum is 5,000), streamed to a text file so a file of any size
is written in constant memory.
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from aso.edi.claim_parts import ClaimRead
from aso.edi.parse import iter_events
from aso.edi.validate import validate_file

CLAIMS = 100_000
PYX12_CLAIMS = 2_000
START = date(2026, 1, 5)
BILLING_NPI = "1234567893"
PROCEDURES = (("99213", "", "125.00"), ("99214", "25", "180.00"), ("85025", "", "28.50"))
SECOND = (("87880", "QW", "35.00"), ("36415", "", "12.00"), ("81002", "", "9.75"))
DIAGNOSES = (("J069", "R509"), ("E119", "I10"), ("Z0000", "Z23"))


def _header(control: str) -> Iterator[str]:
    yield f"ST*837*{control}*005010X222A1"
    yield f"BHT*0019*00*{control}*20260115*1200*CH"
    yield "NM1*41*2*BENCH CLEARINGHOUSE*****46*BENCH01"
    yield "PER*IC*EDI DESK*TE*5555551212"
    yield "NM1*40*2*ASO TPA*****46*ASOTPA"
    yield "HL*1**20*1"
    yield "PRV*BI*PXC*207Q00000X"
    yield f"NM1*85*2*BENCH FAMILY MEDICINE*****XX*{BILLING_NPI}"
    yield "N3*1 CLINIC WAY"
    yield "N4*SPRINGFIELD*IL*627010000"
    yield "REF*EI*371234567"


def _claim(number: int, hl: int) -> Iterator[str]:
    """One claim of a subscriber who is the patient: 15 segments, 2 service lines."""
    first = PROCEDURES[number % 3]
    second = SECOND[number % 3]
    diagnosis = DIAGNOSES[number % 3]
    day = (START + timedelta(days=number % 300)).strftime("%Y%m%d")
    total = Decimal(first[2]) + Decimal(second[2])
    yield f"HL*{hl}*1*22*0"
    yield "SBR*P*18*GRP1001******CI"
    yield f"NM1*IL*1*DOE*JANE*Q***MI*M{number % 50_000:08d}"
    yield "N3*100 MAIN ST"
    yield "N4*SPRINGFIELD*IL*62701"
    yield f"DMG*D8*19{70 + number % 30:02d}0302*{'FM'[number % 2]}"
    yield "NM1*PR*2*ASO HEALTH PLAN*****PI*99999"
    yield f"CLM*C{number:09d}*{total}***11:B:1*Y*A*Y*Y"
    yield f"HI*ABK:{diagnosis[0]}*ABF:{diagnosis[1]}"
    for index, (code, modifier, charge) in enumerate((first, second), start=1):
        procedure = f"HC:{code}:{modifier}" if modifier else f"HC:{code}"
        yield f"LX*{index}"
        yield f"SV1*{procedure}*{charge}*UN*1***1"
        yield f"DTP*472*D8*{day}"


def write_837p(out: TextIO, claims: int, *, claims_per_set: int = 5_000) -> None:
    """Write an 837P of ``claims`` claims with 2 service lines each to ``out``."""
    sets = max(1, -(-claims // claims_per_set))
    out.write(
        "ISA*00*          *00*          *ZZ*BENCH01        *ZZ*ASOTPA         "
        "*260115*1200*^*00501*000000001*0*P*:~\n"
    )
    out.write("GS*HC*BENCH01*ASOTPA*20260115*1200*1*X*005010X222A1~\n")
    number = 0
    for set_index in range(sets):
        control = f"{set_index + 1:04d}"
        count = 0
        for segment in _header(control):
            out.write(segment + "~\n")
            count += 1
        for hl in range(2, 2 + min(claims_per_set, claims - number)):
            for segment in _claim(number, hl):
                out.write(segment + "~\n")
                count += 1
            number += 1
        out.write(f"SE*{count + 1}*{control}~\n")
    out.write(f"GE*{sets}*1~\nIEA*1*000000001~\n")


def generate_837p(claims: int, *, claims_per_set: int = 5_000) -> str:
    """The whole generated file as text (for small files in tests)."""
    buffer = io.StringIO()
    write_837p(buffer, claims, claims_per_set=claims_per_set)
    return buffer.getvalue()


def parse_seconds(path: Path) -> tuple[float, int, int]:
    """Seconds to parse the file through the streaming reader; claims and lines read."""
    claims = lines = 0
    started = time.process_time()
    with path.open("rb") as stream:
        for event in iter_events(stream):
            if isinstance(event, ClaimRead):
                claims += 1
                lines += len(event.document["lines"])
    return time.process_time() - started, claims, lines


def split_seconds(path: Path) -> float:
    """A bare ``str.split`` pass over the file: segments, then elements."""
    started = time.process_time()
    with path.open(encoding="ascii") as stream:
        for segment in stream.read().split("~"):
            segment.split("*")
    return time.process_time() - started


def pyx12_seconds(path: Path) -> tuple[float, int]:
    """Seconds pyx12 takes to validate the file, and the number of its findings."""
    started = time.process_time()
    findings = validate_file(path)
    return time.process_time() - started, len(findings)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "bench-837p.x12"
        small = Path(folder) / "bench-837p-small.x12"
        with big.open("w", encoding="ascii") as out:
            write_837p(out, CLAIMS)
        with small.open("w", encoding="ascii") as out:
            write_837p(out, PYX12_CLAIMS)
        size = big.stat().st_size
        seconds, claims, lines = parse_seconds(big)
        split = split_seconds(big)
        checked, findings = pyx12_seconds(small)
    parse_rate = claims / seconds
    pyx12_rate = PYX12_CLAIMS / checked
    print(
        f"edi: parsed {claims:,} claims ({lines:,} lines, {size / 1e6:.1f} MB) in "
        f"{seconds:.2f} s: {parse_rate:,.0f} claims/s"
    )
    print(f"edi: bare str.split pass over the same file: {CLAIMS / split:,.0f} claims/s")
    print(
        f"edi: pyx12 validated {PYX12_CLAIMS:,} claims in {checked:.2f} s "
        f"({findings} findings): {pyx12_rate:,.0f} claims/s"
    )
    print(f"edi: parsing is {parse_rate / pyx12_rate:,.0f}x pyx12 (target >= 40x)")


if __name__ == "__main__":
    main()
