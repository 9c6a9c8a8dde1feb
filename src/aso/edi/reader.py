"""The X12 tokenizer: delimiters from the ISA, then segments read in chunks from a stream.

Nothing is assumed about the delimiters (X12.5 and the 005010 guides, appendix B): the ISA is a
fixed-length segment of 106 characters whose 4th character is the element separator, whose
ISA11 is the repetition separator, whose ISA16 is the component separator and whose next
character terminates the segment. The rest of the stream is split on that terminator chunk by
chunk, so a file of any size is read in bounded memory; carriage returns and line feeds after a
terminator are ignored, and a leading UTF-8 byte-order mark is tolerated.

A segment's ``elements`` list holds its id at index 0, so ``elements[2]`` is element 02, as the
guides number them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from aso.edi.codes import Ta1Note
from aso.edi.findings import Finding, Level, Unreadable

CHUNK = 1 << 20
ISA_LENGTH = 106
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
"""Fixed widths of ISA01..ISA16."""
ISA_NOTES = (
    Ta1Note.INVALID_AUTHORIZATION_QUALIFIER,
    Ta1Note.INVALID_AUTHORIZATION_VALUE,
    Ta1Note.INVALID_SECURITY_QUALIFIER,
    Ta1Note.INVALID_SECURITY_VALUE,
    Ta1Note.INVALID_SENDER_QUALIFIER,
    Ta1Note.INVALID_SENDER_ID,
    Ta1Note.INVALID_RECEIVER_QUALIFIER,
    Ta1Note.INVALID_RECEIVER_ID,
    Ta1Note.INVALID_DATE,
    Ta1Note.INVALID_TIME,
    Ta1Note.INVALID_STANDARDS_ID,
    Ta1Note.INVALID_VERSION_ID,
    Ta1Note.INVALID_CONTROL_NUMBER,
    Ta1Note.INVALID_ACKNOWLEDGMENT_REQUESTED,
    Ta1Note.INVALID_TEST_INDICATOR,
    Ta1Note.INVALID_COMPONENT_SEPARATOR,
)
"""The TA1 note code of a wrong ISA01..ISA16."""
VERSION = "00501"
BREAKS = "\r\n"
DELIMITER = re.compile(r"[^A-Za-z0-9 ]")


class Segment:
    """One segment: its id, its elements (``elements[0]`` is the id) and its ordinal in the file."""

    __slots__ = ("elements", "id", "position")
    terminated = True

    def __init__(self, elements: list[str], position: int) -> None:
        self.elements = elements
        self.id = elements[0]
        self.position = position

    def get(self, index: int) -> str:
        """Element ``index`` as sent, or "" when the segment stops before it."""
        elements = self.elements
        return elements[index] if index < len(elements) else ""

    def __repr__(self) -> str:
        return f"Segment({self.position}, {'*'.join(self.elements)!r})"


class Unterminated(Segment):
    """The last piece of a file that ends inside a segment (no terminator after it)."""

    __slots__ = ()
    terminated = False


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str
    repetition: str
    segment: str


@dataclass(frozen=True, slots=True)
class Interchange:
    """The ISA header: who sent the file to whom, when, and its control number."""

    sender_qualifier: str
    sender: str
    receiver_qualifier: str
    receiver: str
    date: str
    time: str
    version: str
    control_number: str
    acknowledgment_requested: str
    usage: str
    delimiters: Delimiters

    def to_json(self) -> dict[str, str]:
        return {
            "control_number": self.control_number,
            "sender": f"{self.sender_qualifier}:{self.sender}",
            "receiver": f"{self.receiver_qualifier}:{self.receiver}",
            "date": self.date,
            "time": self.time,
            "usage": self.usage,
        }


def _isa_error(
    message: str, element: int | None, note: Ta1Note, value: str | None, *, at_isa: bool = True
) -> Unreadable:
    return Unreadable(
        Finding(
            Level.INTERCHANGE,
            message,
            segment="ISA" if at_isa else None,
            position=1 if at_isa else None,
            element=element,
            value=value,
            ta1=note,
        )
    )


def _isa_date(text: str) -> str | None:
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6])).isoformat()
    except ValueError:
        return None


def _isa_time(text: str) -> bool:
    return text.isdigit() and int(text[:2]) < 24 and int(text[2:]) < 60


def _split_isa(head: str) -> tuple[str, list[str], str]:
    """The element separator, the 16 elements and the segment terminator of the ISA at ``head``."""
    if not head.startswith("ISA"):
        shown = head[:20].strip() or "an empty file"
        raise _isa_error(
            f"not an X12 interchange: it begins with {shown!r}, not ISA",
            None,
            Ta1Note.INVALID_CONTROL_STRUCTURE,
            None,
            at_isa=False,
        )
    separator = head[3:4]
    if not separator or not DELIMITER.match(separator):
        raise _isa_error(
            f"the element separator {separator!r} (the 4th character) is not a delimiter",
            None,
            Ta1Note.INVALID_ELEMENT_SEPARATOR,
            separator,
        )
    elements: list[str] = []
    start = 4
    for _ in range(15):
        end = head.find(separator, start)
        if end < 0:
            raise _isa_error(
                f"the ISA ends after {len(elements)} elements; it has 16",
                len(elements) + 1,
                Ta1Note.INVALID_CONTROL_STRUCTURE,
                None,
            )
        elements.append(head[start:end])
        start = end + 1
    component, terminator = head[start : start + 1], head[start + 1 : start + 2]
    if not terminator:
        raise _isa_error("the file ends inside the ISA", 16, Ta1Note.PREMATURE_END_OF_FILE, None)
    elements.append(component)
    return separator, elements, terminator


def _check_widths(elements: list[str], length: int) -> None:
    for index, (value, width) in enumerate(zip(elements, ISA_WIDTHS, strict=True), start=1):
        if len(value) != width:
            raise _isa_error(
                f"the ISA is {length} characters long, not {ISA_LENGTH}: ISA{index:02d} has "
                f"{len(value)} characters where the fixed width is {width}",
                index,
                ISA_NOTES[index - 1],
                value,
            )


def parse_isa(head: str) -> Interchange:
    """The interchange header at the start of ``head``; ``Unreadable`` when it is broken."""
    separator, elements, terminator = _split_isa(head)
    length = sum(len(value) for value in elements) + 20
    _check_widths(elements, length)
    repetition, component = elements[10], elements[15]
    if not DELIMITER.match(terminator) or terminator in (separator, component, repetition):
        raise _isa_error(
            f"the segment terminator {terminator!r} after ISA16 is not a distinct delimiter",
            None,
            Ta1Note.INVALID_SEGMENT_TERMINATOR,
            terminator,
        )
    if not DELIMITER.match(component) or component in (separator, repetition):
        raise _isa_error(
            f"the component separator {component!r} is not a distinct delimiter",
            16,
            Ta1Note.INVALID_COMPONENT_SEPARATOR,
            component,
        )
    checks = (
        (11, DELIMITER.match(repetition) and repetition != separator, "not a delimiter"),
        (12, elements[11] == VERSION, f"version {elements[11]} is not supported ({VERSION})"),
        (13, elements[12].isdigit(), "the interchange control number is not 9 digits"),
        (14, elements[13] in ("0", "1"), "the acknowledgment request is neither 0 nor 1"),
        (15, elements[14] in ("P", "T"), "the usage indicator is neither P nor T"),
        (10, _isa_time(elements[9]), "not a time (HHMM)"),
        (9, _isa_date(elements[8]) is not None, "not a date (YYMMDD)"),
    )
    for index, passed, message in checks:
        if not passed:
            note = Ta1Note.VERSION_NOT_SUPPORTED if index == 12 else ISA_NOTES[index - 1]
            raise _isa_error(message, index, note, elements[index - 1])
    return Interchange(
        sender_qualifier=elements[4],
        sender=elements[5].rstrip(),
        receiver_qualifier=elements[6],
        receiver=elements[7].rstrip(),
        date=_isa_date(elements[8]) or "",
        time=f"{elements[9][:2]}:{elements[9][2:]}",
        version=elements[11],
        control_number=elements[12],
        acknowledgment_requested=elements[13],
        usage=elements[14],
        delimiters=Delimiters(separator, component, repetition, terminator),
    )


def _text_chunks(stream: IO[Any], size: int) -> Iterator[str]:
    """The stream's text in chunks: bytes are decoded as UTF-8 incrementally."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    while True:
        chunk = stream.read(size)
        if not chunk:
            break
        if isinstance(chunk, bytes):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise _isa_error(
                    f"byte {offset + exc.start} is not UTF-8 text",
                    None,
                    Ta1Note.INVALID_CONTENT,
                    None,
                    at_isa=False,
                ) from exc
            offset += len(chunk)
        else:
            text = chunk
        if text:
            yield text


class SegmentReader:
    """Reads an interchange from a binary or text stream, segment by segment.

    The constructor reads the ISA (``Unreadable`` when it is broken); iterating yields every
    segment from the ISA on, numbered from 1. A last piece without a terminator (a truncated
    file) comes out as a segment with ``terminated`` false.
    """

    def __init__(self, stream: IO[Any], chunk_size: int = CHUNK) -> None:
        self._chunks = _text_chunks(stream, chunk_size)
        head = ""
        for chunk in self._chunks:
            head += chunk
            if len(head.lstrip("\ufeff" + BREAKS + " ")) > 2 * ISA_LENGTH:
                break
        self._head = head.lstrip("\ufeff").lstrip(BREAKS + " ")
        self.interchange = parse_isa(self._head)
        self.delimiters = self.interchange.delimiters

    def __iter__(self) -> Iterator[Segment]:
        terminator = self.delimiters.segment
        separator = self.delimiters.element
        breaks = BREAKS.replace(terminator, "")
        position = 0
        rest = ""
        for data in self._pieces():
            text = rest + data
            pieces = text.split(terminator)
            rest = pieces.pop()
            if any(char in text for char in breaks):
                pieces = [piece.lstrip(breaks) for piece in pieces]
            for piece in pieces:
                if piece:
                    position += 1
                    yield Segment(piece.split(separator), position)
        rest = rest.strip()
        if rest:
            yield Unterminated(rest.split(separator), position + 1)

    def _pieces(self) -> Iterator[str]:
        yield self._head
        yield from self._chunks
