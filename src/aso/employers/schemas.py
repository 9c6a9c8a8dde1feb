"""Request and response shapes of the employer use cases (the API and the CLI share them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aso.employers.domain import normalize_ein

Text = Annotated[str, Field(min_length=1, max_length=200)]


class EmployerCreate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: Text
    ein: str
    address1: Annotated[str, Field(min_length=1, max_length=120)]
    address2: Annotated[str | None, Field(max_length=120)] = None
    city: Annotated[str, Field(min_length=1, max_length=80)]
    state: Annotated[str, Field(min_length=2, max_length=2)]
    zip: Annotated[str, Field(min_length=5, max_length=10)]
    contact_name: Annotated[str | None, Field(max_length=120)] = None
    contact_email: Annotated[str | None, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")] = None
    contact_phone: Annotated[str | None, Field(max_length=40)] = None

    @field_validator("ein")
    @classmethod
    def _ein(cls, value: str) -> str:
        return normalize_ein(value)

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        return value.upper()


class PlanYearCreate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    runout_months: Annotated[int, Field(ge=0, le=36)] = 3


class OfferedPlanRead(BaseModel):
    id: int
    plan_id: str
    """The plan design's id (unique per employer and plan year)."""
    line: str
    name: str
    period_start: date
    period_end: date


class PlanYearRead(BaseModel):
    id: int
    start: date
    end: date
    runout_months: int
    runout_end: date
    plans: list[OfferedPlanRead] = []


class EmployerRead(BaseModel):
    id: int
    ein: str
    name: str
    address1: str
    address2: str | None
    city: str
    state: str
    zip: str
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    plan_years: list[PlanYearRead] = []
