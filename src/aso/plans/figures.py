"""The yearly legal figures (``aso/codes/legal_limits.yaml``), read once and chosen by plan year.

The figures are data, not code: a new year is a new entry in the YAML file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from aso.yamlio import load_yaml_text


class _Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pair(_Table):
    """A self-only and a family (other than self-only) amount."""

    self_only: Decimal
    family: Decimal


class AcaOopMax(Pair):
    source: str


class HdhpLimits(_Table):
    min_deductible: Pair
    max_oop: Pair
    source: str


class YearFigures(_Table):
    aca_oop_max: AcaOopMax
    hdhp: HdhpLimits


class LegalLimits(_Table):
    years: dict[int, YearFigures]


@dataclass(frozen=True)
class Figures:
    """The figures used for a plan year: ``year`` is the table's year, ``asked`` the plan's."""

    year: int
    asked: int
    values: YearFigures

    @property
    def substituted(self) -> bool:
        return self.year != self.asked


@cache
def legal_limits() -> LegalLimits:
    text = resources.files("aso.codes").joinpath("legal_limits.yaml").read_text(encoding="utf-8")
    return LegalLimits.model_validate(load_yaml_text(text))


def figures_for(year: int) -> Figures:
    """The figures of ``year``, or of the nearest year in the table when it has none.

    A plan year after the table's last year is checked against the latest figures (the usual
    case: next year's figures are not published yet); one before its first, against the earliest.
    """
    table = legal_limits().years
    if year in table:
        used = year
    elif year > max(table):
        used = max(table)
    else:
        used = min(table)
    return Figures(year=used, asked=year, values=table[used])
