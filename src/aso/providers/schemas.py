"""Response shapes of the provider and fee schedule use cases (the API and the CLI share them).

Amounts are decimal strings in JSON (``"95.00"``); shares are decimals (``"1.5"`` = 150%).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from aso.claims.domain import Network
from aso.providers.domain import ProviderKind
from aso.providers.fee_csv import ScheduleFile


class ContractRead(BaseModel):
    network: str
    network_name: str
    fee_schedule: str
    start: date
    end: date | None
    """The last day in effect; None = open ended."""
    in_effect: bool
    """In effect on the provider read's ``as_of`` date."""


class ProviderRead(BaseModel):
    npi: str
    tin: str
    name: str
    taxonomy: str
    kind: ProviderKind
    address1: str
    address2: str | None
    city: str
    state: str
    zip: str
    as_of: date
    network_status: Network
    """``in`` when a contract is in effect on ``as_of``."""
    contracts: list[ContractRead]


class ProviderImportSummary(BaseModel):
    filename: str
    accepted: bool = True
    rows: int = 0
    providers_added: int = 0
    providers_updated: int = 0
    providers_unchanged: int = 0
    contracts_added: int = 0
    contracts_updated: int = 0
    contracts_unchanged: int = 0
    networks_added: list[str] = []
    changes: list[str] = []
    """What changed on records already on file (additions are counted only)."""
    errors: list[str] = []


class RateRead(BaseModel):
    procedure: str | None
    modifier: str | None
    revenue_code: str | None
    category: str | None
    basis: str
    amount: Decimal


class DrugPriceRead(BaseModel):
    ndc: str
    awp: Decimal | None
    mac: Decimal | None


class FeeScheduleSummaryRead(BaseModel):
    code: str
    name: str | None
    network: Network
    rates: int
    drugs: int
    contracts: int
    """Contracts (of any date) that name the schedule."""


class FeeScheduleRead(BaseModel):
    code: str
    name: str | None
    network: Network
    claim_types: list[str] | None
    percent_of_charge: Decimal | None
    percent_of_medicare: Decimal | None
    conversion_factor: Decimal | None
    awp_discount: Decimal | None
    dispensing_fee: Decimal
    contracts: int
    rates: list[RateRead]
    drugs: list[DrugPriceRead]


class FeeImportSummary(BaseModel):
    code: str
    filename: str
    file: ScheduleFile
    accepted: bool = True
    created: bool = False
    rows: int = 0
    settings_changed: list[str] = []
    """``setting: before -> after`` for each setting the import changed."""
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[str] = []
