"""Builders of plan-design documents for tests: a shipped template, changed at dotted paths.

Starting from a template keeps each test about the one field it changes: everything else is a
design known to validate with no errors and no warnings.
"""

from __future__ import annotations

import copy
from typing import Any

from aso.plans.templates import get_template

DROP = object()
"""A change value that removes the key instead of setting it."""


def document(template_id: str, *changes: tuple[str, Any]) -> dict[str, Any]:
    """The template's document with ``(dotted path, value)`` changes applied in order."""
    doc: dict[str, Any] = copy.deepcopy(
        get_template(template_id).model_dump(by_alias=True, exclude_defaults=True)
    )
    for dotted, value in changes:
        change(doc, dotted, value)
    return doc


def change(doc: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set (or with ``DROP`` remove) the value at ``dotted``, creating mappings on the way."""
    *parents, last = dotted.split(".")
    node: Any = doc
    for key in parents:
        node = node.setdefault(key, {})
    if value is DROP:
        node.pop(last, None)
    else:
        node[last] = value
    return doc
