"""YAML and JSON loading that keeps numbers exact: every non-integer number becomes a Decimal.

YAML's own float type would turn ``18.40`` into a binary float; money must never pass through one.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml


class DecimalSafeLoader(yaml.SafeLoader):
    """SafeLoader whose floats are Decimals (``.inf``/``.nan`` are refused)."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    value = Decimal(text)
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"not a finite number: {text}", node.start_mark
        )
    return value


DecimalSafeLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def load_yaml_text(text: str) -> Any:
    return yaml.load(text, Loader=DecimalSafeLoader)  # a SafeLoader subclass: no arbitrary objects


def load_json_text(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def load_document(path: Path) -> Any:
    """A YAML or JSON file (by suffix; YAML is a superset, so anything else is read as YAML)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return load_json_text(text)
    return load_yaml_text(text)
