"""Pydantic's validation errors, retold in the words of a plan design.

A benefits manager reads ``benefits.chiropractic.limit.visits: must be a whole number > 0``, never
pydantic's "Input should be..." nor a link. Each error's location is walked through the schema's
annotations, so the message describes what the field must be (from its type and bounds) whatever
the input was; aliases such as ``in`` are shown as written in the document, list items by index.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from aso.errors import Problem
from aso.plans.domain import NDC_PATTERN, PlanDesign

_CONSTRAINTS = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern", "decimal_places")

_PATTERNS: dict[str, str] = {
    r"^[A-Za-z0-9_.-]+$": "letters, digits, '.', '_' or '-'",
    NDC_PATTERN: "an NDC of 11 digits (quote it in YAML)",
}

_BY_TYPE: dict[str, str] = {
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "string_type": "must be text",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
}

DOCUMENT_MESSAGE = "a plan design must be a mapping of fields (id, name, line, period, ...)"


@dataclass
class _Node:
    """What the schema expects at one location: a bare type and the constraints on it."""

    tp: Any
    constraints: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Located:
    """One pydantic error placed in the document: its path and the schema node there."""

    path: tuple[str, ...]
    node: _Node | None
    parent: type[BaseModel] | None = None
    union_path: tuple[str, ...] | None = None
    """Set when the location passed through a union (``out: {...} | same_as_in``)."""
    union_member_is_model: bool = False
    at_union_member: bool = False


def problems_from(exc: ValidationError) -> list[Problem]:
    """Plain ``path: message`` problems for every error of a failed ``PlanDesign`` validation."""
    located = [(error, _locate(error["loc"])) for error in exc.errors(include_url=False)]
    problems: list[Problem] = []
    for problem in _merge_unions(located):
        if problem not in problems:
            problems.append(problem)
    return problems


def _merge_unions(located: Sequence[tuple[ErrorDetails, _Located]]) -> Iterator[Problem]:
    """Errors under a union are kept for the branch the input was meant for.

    ``out`` is a cost-share mapping or ``same_as_in``: for a mapping only the mapping's own errors
    matter; for anything else one message says what ``out`` may be.
    """
    union_inputs = {
        where.union_path: error["input"] for error, where in located if where.at_union_member
    }
    reported: set[tuple[str, ...]] = set()
    for error, where in located:
        if where.union_path is None:
            yield Problem(_dotted(where.path), _message(error, where))
            continue
        if isinstance(union_inputs.get(where.union_path), Mapping):
            if where.union_member_is_model:
                yield Problem(_dotted(where.path), _message(error, where))
        elif where.union_path not in reported:
            reported.add(where.union_path)
            union = _union_node(where.union_path)
            yield Problem(_dotted(where.union_path), _describe(union) or "is not valid")


def _union_node(path: tuple[str, ...]) -> _Node | None:
    """The node of a union field, found again from its (alias) path."""
    return _locate(path).node


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _message(error: ErrorDetails, where: _Located) -> str:
    kind = error["type"]
    if not where.path and kind == "model_type":
        return DOCUMENT_MESSAGE
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        expected = _field_names(where.parent) if where.parent else []
        hint = f" (expected one of {', '.join(expected)})" if expected else ""
        return f"unknown field{hint}"
    if kind in ("value_error", "assertion_error"):
        reason = error.get("ctx", {}).get("error")
        return str(reason) if reason is not None else "is not valid"
    described = _describe(where.node) if where.node else None
    return described or _BY_TYPE.get(kind, "is not valid")


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


# -- walking a location through the schema ---------------------------------------------------


def _locate(loc: tuple[int | str, ...]) -> _Located:
    node: _Node | None = _unwrap(_Node(PlanDesign))
    where = _Located(path=(), node=node)
    path: list[str] = []
    key_node: _Node | None = None
    for element in loc:
        if element == "[key]":
            node = key_node
        elif node is not None and _is_union(node.tp):
            member = _union_member(node.tp, str(element))
            where.union_path = tuple(path)
            where.union_member_is_model = _is_model(member)
            where.at_union_member = True
            node = _unwrap(_Node(member))
        else:
            where.at_union_member = False
            path.append(_path_part(node, element))
            if node is not None and _is_model(node.tp) and _model_field(node.tp, element) is None:
                where.parent = node.tp
            if node is not None and get_origin(node.tp) is dict:
                key_node = _unwrap(_Node(get_args(node.tp)[0]))
            node = _child(node, element)
    where.path = tuple(path)
    where.node = node
    return where


def _path_part(node: _Node | None, element: int | str) -> str:
    """How a location element reads in the document: a field by its alias, a key, an index."""
    if node is not None and _is_model(node.tp):
        found = _model_field(node.tp, element)
        if found is not None:
            name, info = found
            return info.alias or name
    return str(element)


def _child(node: _Node | None, element: int | str) -> _Node | None:
    """The schema node one step down: a model's field, a mapping's value, a list's item."""
    if node is None:
        return None
    if _is_model(node.tp):
        found = _model_field(node.tp, element)
        if found is None:
            return None
        info = found[1]
        return _unwrap(_Node(info.annotation, _constraints(info.metadata)))
    if get_origin(node.tp) is dict:
        return _unwrap(_Node(get_args(node.tp)[1]))
    if get_origin(node.tp) in (tuple, list):
        return _unwrap(_Node(get_args(node.tp)[0]))
    return None


def _model_field(model: type[BaseModel], element: int | str) -> tuple[str, FieldInfo] | None:
    for name, info in model.model_fields.items():
        if element in (name, info.alias):
            return name, info
    return None


def _unwrap(node: _Node) -> _Node:
    """Strip ``Annotated`` (keeping its constraints) and ``| None`` off a node's type."""
    tp, constraints = node.tp, dict(node.constraints)
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            base, *metadata = get_args(tp)
            constraints.update(_constraints(metadata))
            tp = base
        elif origin in (Union, types.UnionType):
            members = [m for m in get_args(tp) if m is not type(None)]
            if len(members) != 1:
                return _Node(Union[tuple(members)], constraints)  # noqa: UP007 - built at runtime
            tp = members[0]
        else:
            return _Node(tp, constraints)


def _constraints(metadata: Sequence[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_constraints(item.metadata))
            continue
        for name in _CONSTRAINTS:
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
    return found


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_member(union: Any, tag: str) -> Any:
    """The member of a union that pydantic named ``tag`` in an error's location."""
    members = get_args(union)
    for member in members:
        if _is_model(member) and member.__name__ in tag:
            return member
        if get_origin(member) is Literal and tag.startswith("literal["):
            return member
    return members[0]


# -- what a field must be ---------------------------------------------------------------------


def _describe(node: _Node | None) -> str | None:
    """``must be ...``: the expectation of a schema node, in plain words."""
    if node is None:
        return None
    phrase = _expectation(node)
    return f"must be {phrase}" if phrase else None


def _expectation(node: _Node) -> str | None:
    tp, constraints = node.tp, node.constraints
    if _is_union(tp):
        parts = [_expectation(_unwrap(_Node(member))) for member in get_args(tp)]
        return " or ".join(p for p in parts if p)
    if tp is bool:
        return "true or false"
    if tp is int:
        return _bounded("a whole number", constraints)
    if tp is Decimal:
        return _decimal(constraints)
    if tp is date:
        return "a date (YYYY-MM-DD)"
    if tp is str:
        return _text(constraints)
    if get_origin(tp) is Literal:
        return _one_of([str(v) for v in get_args(tp)])
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _one_of([str(member.value) for member in tp])
    if _is_model(tp):
        return f"a mapping (with {', '.join(_field_names(tp))})"
    if get_origin(tp) is dict:
        return "a mapping"
    if get_origin(tp) in (tuple, list):
        return "a list"
    return None


def _one_of(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else "one of " + ", ".join(values)


def _decimal(constraints: Mapping[str, Any]) -> str:
    if constraints.get("decimal_places") == 2:
        return _bounded("a dollar amount", constraints) + " with at most 2 decimal places"
    if constraints.get("le") == 1:
        return _bounded("a share", constraints) + " (0.2 = 20%)"
    return _bounded("a number", constraints)


def _bounded(kind: str, constraints: Mapping[str, Any]) -> str:
    lower = (
        f"> {constraints['gt']}"
        if "gt" in constraints
        else f">= {constraints['ge']}"
        if "ge" in constraints
        else None
    )
    upper = (
        f"< {constraints['lt']}"
        if "lt" in constraints
        else f"<= {constraints['le']}"
        if "le" in constraints
        else None
    )
    if constraints.get("ge") == 0 and constraints.get("le") == 1:
        return f"{kind} from 0 to 1"
    bounds = " and ".join(b for b in (lower, upper) if b)
    return f"{kind} {bounds}" if bounds else kind


def _text(constraints: Mapping[str, Any]) -> str:
    pattern = constraints.get("pattern")
    if pattern in _PATTERNS:
        shape = _PATTERNS[pattern]
    elif pattern:
        shape = f"text matching {pattern}"
    else:
        shape = "text"
    low, high = constraints.get("min_length"), constraints.get("max_length")
    if low and high:
        return f"{shape}, {low} to {high} characters"
    if high:
        return f"{shape}, at most {high} characters"
    return shape
