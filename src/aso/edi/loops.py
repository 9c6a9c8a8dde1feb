"""Loops of an implementation guide: which loop each segment of a transaction set belongs to.

A guide's loops form a tree; a loop begins with its trigger segment (``CLM`` begins loop 2300),
sometimes told apart by a qualifier (``NM1*85`` begins 2010AA, ``HL*..*22`` begins 2000B). Any
other segment belongs to the loop the reader is in. A trigger is looked for among the children
of the current loop, then of each enclosing loop outwards (a second ``LX`` closes the 2400 loop
and opens the next one; an ``HL`` closes every loop up to the hierarchical level it opens).
A few segments belong to an enclosing loop and close the inner ones (``PLB`` in an 835,
``LE``, ``IK5``, ``AK9``): a loop names them in ``closes``.

Where the reader is is a ``Position``: a loop and the positions enclosing it. Each position
remembers where a given segment leads, so locating a segment costs a dictionary lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUALIFIED = {"HL": 3, "NM1": 1, "N1": 1}
"""Segments whose trigger is told apart by a qualifier: the element holding it."""


class Loop:
    """A loop of a guide: its id, the segment (and qualifiers) that begin it, its inner loops."""

    __slots__ = ("children", "closes", "id", "qualifiers", "trigger")

    def __init__(
        self,
        loop_id: str,
        trigger: str,
        qualifiers: frozenset[str],
        children: tuple[Loop, ...],
        closes: frozenset[str],
    ) -> None:
        self.id = loop_id
        self.trigger = trigger
        self.qualifiers = qualifiers
        self.children = children
        self.closes = closes

    def begins_with(self, segment: str, qualifier: str) -> bool:
        return self.trigger == segment and (not self.qualifiers or qualifier in self.qualifiers)

    def segments(self) -> frozenset[str]:
        """Every segment id that may move the reader to another loop in this subtree."""
        found = {self.trigger, *self.closes}
        for child in self.children:
            found |= child.segments()
        return frozenset(found)

    def __repr__(self) -> str:
        return f"Loop({self.id})"


def loop(
    loop_id: str, trigger: str, *children: Loop, qualifiers: str = "", closes: str = ""
) -> Loop:
    """A loop; ``qualifiers`` and ``closes`` are space-separated codes and segment ids."""
    return Loop(
        loop_id,
        trigger,
        frozenset(qualifiers.split()),
        children,
        frozenset(closes.split()),
    )


class Position:
    """Where the reader is in a set: a loop inside the positions that enclose it."""

    __slots__ = ("_children", "_next", "id", "loop", "parent")

    def __init__(self, current: Loop, parent: Position | None) -> None:
        self.loop = current
        self.parent = parent
        self.id = current.id
        self._next: dict[tuple[str, str], Position] = {}
        self._children: dict[int, Position] = {}

    def step(self, segment: str, qualifier: str) -> Position:
        """The position of a trigger segment: a new loop, an enclosing one, or this one."""
        key = (segment, qualifier)
        found = self._next.get(key)
        if found is None:
            found = self._resolve(segment, qualifier) or self
            self._next[key] = found
        return found

    def _resolve(self, segment: str, qualifier: str) -> Position | None:
        node: Position | None = self
        while node is not None:
            for child in node.loop.children:
                if child.begins_with(segment, qualifier):
                    return node._child(child)
            if segment in node.loop.closes:
                return node
            node = node.parent
        return None

    def _child(self, child: Loop) -> Position:
        found = self._children.get(id(child))
        if found is None:
            found = self._children[id(child)] = Position(child, self)
        return found

    def path(self) -> tuple[str, ...]:
        ids: list[str] = []
        node: Position | None = self
        while node is not None:
            ids.append(node.id)
            node = node.parent
        return tuple(reversed(ids))


@dataclass(frozen=True, eq=False)
class Guide:
    """An implementation guide the reader knows the loops of."""

    reference: str
    """The implementation convention reference, as in ST03 and GS08 (``005010X222A1``)."""
    set_id: str
    name: str
    root: Loop
    levels: frozenset[str] = frozenset()
    """HL03 hierarchical level codes the guide uses."""
    triggers: frozenset[str] = field(init=False)
    _start: Position = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "triggers", self.root.segments() - {self.root.trigger})
        object.__setattr__(self, "_start", Position(self.root, None))

    def start(self) -> Position:
        """The position of the ST (shared by the guide's sets: positions only remember)."""
        return self._start
