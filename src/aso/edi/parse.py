"""Reading an X12 file: events as they come (the intake's way, in bounded memory), or the
whole parse as the JSON of ``aso edi parse`` (DESIGN 9, issue 4 item 7).

The JSON is ``{"interchanges": [...], "transactions": [...], "errors": [...], "warnings":
[...]}``: one transaction per ST..SE with its ``set``, ``guide``, ``control_number``, ``status``
(``accepted``, ``accepted_with_errors`` or ``rejected``, as the 999 will say), ``claims`` in the
scenario claim shape, ``members``, ``sources`` (one per claim: where it is in the file and what
the claim shape cannot carry), and its ``errors`` and ``warnings``; the top-level ``errors`` and
``warnings`` are the envelopes' (TA1 and functional group findings).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from aso.edi.claim_parts import ClaimRead
from aso.edi.envelope import Walker
from aso.edi.events import (
    GroupClosed,
    InterchangeClosed,
    SetClosed,
    SetHeader,
    SetOpened,
    SetReader,
)
from aso.edi.findings import Finding
from aso.edi.reader import CHUNK, Delimiters, SegmentReader
from aso.edi.x834 import GUIDE as ENROLLMENT_GUIDE
from aso.edi.x834 import EnrollmentReader, MemberRead
from aso.edi.x837 import KINDS, ClaimReader


def reader_for(header: SetHeader, delimiters: Delimiters) -> SetReader:
    """The reader of a set's content: the 837 claim reader, the 834 member reader, or one
    that only checks."""
    if header.set_id == "837" and header.reference in KINDS:
        return ClaimReader(header, delimiters)
    if header.set_id == "834" and header.reference == ENROLLMENT_GUIDE:
        return EnrollmentReader(header, delimiters)
    return SetReader(header, delimiters)


def iter_events(stream: IO[Any], *, chunk_size: int = CHUNK) -> Iterator[Any]:
    """The events of a file read from a binary or text stream: ``SetOpened``, ``ClaimRead``,
    ``SetClosed``, ``GroupClosed``, ``InterchangeClosed``. ``Unreadable`` at once when its ISA
    is broken, or where the bytes stop being UTF-8 text."""
    return iter(Walker(SegmentReader(stream, chunk_size), reader_for))


def _split(findings: list[Finding] | tuple[Finding, ...]) -> tuple[list[Any], list[Any]]:
    ordered = sorted(findings, key=lambda f: f.position if f.position is not None else 1 << 62)
    errors = [f.to_json() for f in ordered if f.is_error]
    warnings = [f.to_json() for f in ordered if not f.is_error]
    return errors, warnings


class _Collector:
    """Gathers the events of a file into the JSON document."""

    def __init__(self) -> None:
        self.interchanges: list[dict[str, Any]] = []
        self.transactions: list[dict[str, Any]] = []
        self.envelope: list[Finding] = []
        self.current: dict[str, Any] = {}
        self.claim_findings: list[Finding] = []

    def add(self, event: Any) -> None:
        if isinstance(event, ClaimRead):
            self.current["claims"].append(event.document)
            self.current["sources"].append(event.source)
            self.claim_findings.extend(event.findings)
        elif isinstance(event, MemberRead):
            self.current["members"].append(event.document)
        elif isinstance(event, SetOpened):
            self._open(event.header)
        elif isinstance(event, SetClosed):
            self._close(event)
        elif isinstance(event, GroupClosed):
            self.envelope.extend(event.findings)
        elif isinstance(event, InterchangeClosed):
            summary = event.interchange.to_json()
            if summary not in self.interchanges:
                self.interchanges.append(summary)
            self.envelope.extend(event.findings)

    def _open(self, header: SetHeader) -> None:
        self.current = {
            "set": header.set_id,
            "guide": header.reference,
            "control_number": header.control_number,
            "interchange": header.interchange.control_number,
            "group": header.group.control_number if header.group else None,
            "status": "",
            "claims": [],
            "members": [],
            "sources": [],
            "errors": [],
            "warnings": [],
        }
        self.claim_findings = []
        self.transactions.append(self.current)

    def _close(self, event: SetClosed) -> None:
        errors, warnings = _split(self.claim_findings + list(event.findings))
        self.current.update(status=event.status, errors=errors, warnings=warnings)

    def document(self) -> dict[str, Any]:
        errors, warnings = _split(self.envelope)
        return {
            "interchanges": self.interchanges,
            "transactions": self.transactions,
            "errors": errors,
            "warnings": warnings,
        }


def parse_stream(stream: IO[Any], *, chunk_size: int = CHUNK) -> dict[str, Any]:
    """The whole parse of a stream as the JSON document (``Unreadable`` when it is not X12)."""
    collector = _Collector()
    for event in iter_events(stream, chunk_size=chunk_size):
        collector.add(event)
    return collector.document()


def parse_file(path: Path) -> dict[str, Any]:
    with path.open("rb") as stream:
        return parse_stream(stream)


def has_errors(document: dict[str, Any]) -> bool:
    """Whether a parse found any error: in an envelope, a set or a claim."""
    return bool(document["errors"]) or any(t["errors"] for t in document["transactions"])
