"""X12 test inputs: the handwritten files of tests/data/x12, read and bent into broken ones.

``837p-office-visits.x12`` (CRLF after each ``~``), ``837i-hospital.x12`` (delimiters ``|``,
``>``, ``!``, no line breaks) and ``837d-cleaning-and-filling.x12`` (LF) are valid files; pyx12
passes the 837P and 837I (it has no 837D map). Their segments are numbered from the ISA (1).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from aso.edi.parse import iter_events, parse_stream
from tests.conftest import shared_dir

DATA = Path(__file__).resolve().parents[1] / "data" / "x12"
PROFESSIONAL = "837p-office-visits.x12"
INSTITUTIONAL = "837i-hospital.x12"
DENTAL = "837d-cleaning-and-filling.x12"


def data(name: str) -> str:
    return (DATA / name).read_bytes().decode()


def parse_text(text: str, *, chunk_size: int = 1 << 16) -> dict[str, Any]:
    return parse_stream(io.BytesIO(text.encode()), chunk_size=chunk_size)


def events(text: str) -> list[Any]:
    return list(iter_events(io.BytesIO(text.encode())))


def swap(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced (a test must bend what it means to)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def only(document: dict[str, Any]) -> dict[str, Any]:
    """The one transaction of a parse."""
    (transaction,) = document["transactions"]
    return transaction


def texts(findings: list[dict[str, Any]]) -> list[str]:
    return [finding["text"] for finding in findings]


def sample(guide: str, name: str) -> str:
    """A file of ../shared/x12-samples, by the guide its folder begins with (``X222A1``)."""
    root = shared_dir("x12-samples")
    (folder,) = [path for path in root.iterdir() if path.name.startswith(guide + "-")]
    return (folder / name).read_bytes().decode()
