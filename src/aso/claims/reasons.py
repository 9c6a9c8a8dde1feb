"""Reason and remark codes as data: CARC and RARC descriptions kept in ``aso/codes``.

The engine puts bare codes on its results; remittances, EOBs and the explanation trace read their
descriptions here.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from aso.yamlio import load_yaml_text


@cache
def _table(name: str) -> dict[str, str]:
    text = files("aso.codes").joinpath(name).read_text(encoding="utf-8")
    codes = load_yaml_text(text)["codes"]
    return {str(code): str(entry["description"]) for code, entry in codes.items()}


def carc_description(code: str) -> str:
    """The description of a Claim Adjustment Reason Code ("" when the table lacks it)."""
    return _table("carc.yaml").get(code, "")


def rarc_description(code: str) -> str:
    """The description of a Remittance Advice Remark Code ("" when the table lacks it)."""
    return _table("rarc.yaml").get(code, "")


def carc_codes() -> frozenset[str]:
    return frozenset(_table("carc.yaml"))


def rarc_codes() -> frozenset[str]:
    return frozenset(_table("rarc.yaml"))
