"""Reason and remark codes as data: CARC and RARC descriptions kept in ``aso/codes``.

The engine puts bare codes on its results; remittances, EOBs and the explanation trace read their
descriptions here.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from aso.yamlio import load_yaml_text


@cache
def _entries(name: str) -> dict[str, dict[str, str]]:
    text = files("aso.codes").joinpath(name).read_text(encoding="utf-8")
    codes = load_yaml_text(text)["codes"]
    return {str(code): {k: str(v) for k, v in entry.items()} for code, entry in codes.items()}


def _table(name: str) -> dict[str, str]:
    return {code: entry["description"] for code, entry in _entries(name).items()}


def carc_description(code: str) -> str:
    """The description of a Claim Adjustment Reason Code ("" when the table lacks it)."""
    return _table("carc.yaml").get(code, "")


def carc_group(code: str) -> str | None:
    """The adjustment group a CARC goes in (DESIGN 6.5): ``PR``, ``CO`` or ``OA``; ``by
    network`` when it depends on the provider's network; None when the table lacks it."""
    entry = _entries("carc.yaml").get(code)
    return None if entry is None else entry.get("group")


def rarc_description(code: str) -> str:
    """The description of a Remittance Advice Remark Code ("" when the table lacks it)."""
    return _table("rarc.yaml").get(code, "")


def carc_codes() -> frozenset[str]:
    return frozenset(_table("carc.yaml"))


def rarc_codes() -> frozenset[str]:
    return frozenset(_table("rarc.yaml"))
