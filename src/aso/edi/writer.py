"""Writing X12: segments with the interchange's delimiters, and envelopes (ISA/IEA, GS/GE,
ST/SE) whose counts and control numbers are filled in when the interchange is rendered.

Any outbound transaction (999, TA1, 835, 271, 277) is built the same way::

    interchange = Interchange(InterchangeHeader(sender=..., receiver=..., control_number=7,
                                                created=now))
    group = interchange.group("FA", sender="PAYER", receiver="SUBMITTER", control_number=7,
                              version="005010X231A1")
    transaction = group.transaction("999", reference="005010X231A1")
    transaction.add("AK1", "HC", "17456", "005010X222A1")
    text = interchange.render()

Rules of X12.5 and the 005010 guides' appendix B that the writer keeps: the ISA is fixed-length
(each element padded to its width), trailing empty elements and components are left out, a value
may not contain a delimiter (X12 has no escape, so it is refused), SE01 counts the segments from
ST to SE, GE01 the sets, IEA01 the groups, and each trailer repeats its header's control number.
Control numbers are allocated by the caller (``aso.edi.repository.next_control_number`` keeps one
sequence for every outbound interchange, as trading partners reject a repeated ISA13).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from aso.edi.reader import Delimiters

DEFAULT_DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")
VERSION = "00501"
MAX_CONTROL = 999_999_999

Element = str | Sequence[str]
"""A simple element, or a composite given as its components."""


@dataclass(frozen=True, slots=True)
class Party:
    """An interchange sender or receiver: ISA05/ISA07 qualifier and ISA06/ISA08 id."""

    qualifier: str
    id: str


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    sender: Party
    receiver: Party
    control_number: int
    created: datetime
    usage: str = "P"
    """ISA15: P production, T test."""
    acknowledgment_requested: bool = False
    delimiters: Delimiters = DEFAULT_DELIMITERS


def _checked(value: str, delimiters: Delimiters) -> str:
    for name, char in (
        ("element separator", delimiters.element),
        ("component separator", delimiters.component),
        ("repetition separator", delimiters.repetition),
        ("segment terminator", delimiters.segment),
    ):
        if char in value:
            raise ValueError(f"{value!r} contains the {name} {char!r}: X12 cannot escape it")
    return value


def segment_text(segment_id: str, elements: Sequence[Element], delimiters: Delimiters) -> str:
    """One segment with its terminator; trailing empty elements (and components) left out."""
    values: list[str] = []
    for element in elements:
        if isinstance(element, str):
            values.append(_checked(element, delimiters))
            continue
        parts = [_checked(part, delimiters) for part in element]
        while parts and not parts[-1]:
            parts.pop()
        values.append(delimiters.component.join(parts))
    while values and not values[-1]:
        values.pop()
    return delimiters.element.join([segment_id, *values]) + delimiters.segment


def _control(number: int, what: str) -> int:
    if not 0 < number <= MAX_CONTROL:
        raise ValueError(f"{what} {number} is not between 1 and {MAX_CONTROL}")
    return number


@dataclass
class TransactionSet:
    """ST..SE: the segments between them are added in order; SE is written on render."""

    set_id: str
    control_number: str
    reference: str
    segments: list[tuple[str, tuple[Element, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 4 <= len(self.control_number) <= 9:
            raise ValueError(f"ST02 {self.control_number!r} is not 4 to 9 characters")

    def add(self, segment_id: str, *elements: Element) -> None:
        self.segments.append((segment_id, elements))

    @property
    def segment_count(self) -> int:
        """SE01: the segments from ST to SE, both included."""
        return len(self.segments) + 2

    def lines(self, delimiters: Delimiters) -> Iterator[str]:
        yield segment_text("ST", (self.set_id, self.control_number, self.reference), delimiters)
        for segment_id, elements in self.segments:
            yield segment_text(segment_id, elements, delimiters)
        yield segment_text("SE", (str(self.segment_count), self.control_number), delimiters)


@dataclass
class FunctionalGroup:
    """GS..GE: a group of transaction sets of one functional id and guide version."""

    functional_id: str
    sender: str
    receiver: str
    control_number: int
    version: str
    created: datetime
    sets: list[TransactionSet] = field(default_factory=list)

    def __post_init__(self) -> None:
        _control(self.control_number, "GS06")

    def transaction(
        self, set_id: str, *, reference: str, control_number: str | None = None
    ) -> TransactionSet:
        """A new set; its ST02 defaults to its ordinal in the group (``0001``, ``0002``, ...)."""
        control = control_number or f"{len(self.sets) + 1:04d}"
        if any(existing.control_number == control for existing in self.sets):
            raise ValueError(f"ST02 {control} is already used in this group")
        transaction = TransactionSet(set_id, control, reference)
        self.sets.append(transaction)
        return transaction

    def lines(self, delimiters: Delimiters) -> Iterator[str]:
        header = (
            self.functional_id,
            self.sender,
            self.receiver,
            f"{self.created:%Y%m%d}",
            f"{self.created:%H%M}",
            str(self.control_number),
            "X",
            self.version,
        )
        yield segment_text("GS", header, delimiters)
        for transaction in self.sets:
            yield from transaction.lines(delimiters)
        yield segment_text("GE", (str(len(self.sets)), str(self.control_number)), delimiters)


@dataclass
class Interchange:
    """ISA..IEA: interchange-level segments (a TA1) first, then the functional groups."""

    header: InterchangeHeader
    acknowledgments: list[tuple[Element, ...]] = field(default_factory=list)
    groups: list[FunctionalGroup] = field(default_factory=list)

    def __post_init__(self) -> None:
        _control(self.header.control_number, "ISA13")

    def ta1(self, *elements: Element) -> None:
        """An interchange acknowledgment (TA1), which stands outside any group (X12.5)."""
        self.acknowledgments.append(elements)

    def group(
        self, functional_id: str, *, sender: str, receiver: str, control_number: int, version: str
    ) -> FunctionalGroup:
        if any(g.control_number == control_number for g in self.groups):
            raise ValueError(f"GS06 {control_number} is already used in this interchange")
        group = FunctionalGroup(
            functional_id, sender, receiver, control_number, version, self.header.created
        )
        self.groups.append(group)
        return group

    def isa(self) -> str:
        header = self.header
        delimiters = header.delimiters
        elements = (
            "00",
            " " * 10,
            "00",
            " " * 10,
            _fixed(header.sender.qualifier, 2, "ISA05"),
            _fixed(header.sender.id, 15, "ISA06"),
            _fixed(header.receiver.qualifier, 2, "ISA07"),
            _fixed(header.receiver.id, 15, "ISA08"),
            f"{header.created:%y%m%d}",
            f"{header.created:%H%M}",
            delimiters.repetition,
            VERSION,
            f"{header.control_number:09d}",
            "1" if header.acknowledgment_requested else "0",
            header.usage,
        )
        for value in elements[:10] + elements[11:]:
            _checked(value, delimiters)
        return (
            delimiters.element.join(("ISA", *elements, delimiters.component)) + delimiters.segment
        )

    def segments(self) -> Iterator[str]:
        """The interchange, one segment (with its terminator) at a time."""
        delimiters = self.header.delimiters
        yield self.isa()
        for elements in self.acknowledgments:
            yield segment_text("TA1", elements, delimiters)
        for group in self.groups:
            yield from group.lines(delimiters)
        trailer = (str(len(self.groups)), f"{self.header.control_number:09d}")
        yield segment_text("IEA", trailer, delimiters)

    def render(self, *, line_breaks: bool = True) -> str:
        """The whole interchange; with ``line_breaks`` a line feed follows each terminator
        (readers ignore it, people read the file more easily)."""
        return ("\n" if line_breaks else "").join(self.segments()) + ("\n" if line_breaks else "")


def _fixed(value: str, width: int, name: str) -> str:
    if len(value) > width:
        raise ValueError(f"{name} {value!r} is longer than {width} characters")
    return value.ljust(width)
