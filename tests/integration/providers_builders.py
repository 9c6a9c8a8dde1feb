"""Builders for provider tests: the sample files of ``tests/data/providers`` imported as an
administrator would import them."""

from __future__ import annotations

from pathlib import Path

from aso.bootstrap import App
from aso.providers.fee_csv import read_settings
from aso.providers.imports import import_fee_schedule, import_providers
from aso.providers.schemas import FeeImportSummary, ProviderImportSummary
from aso.security.domain import SYSTEM

DATA = Path(__file__).resolve().parent.parent / "data" / "providers"


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def import_schedule(app: App, code: str, file: str, **settings: str) -> FeeImportSummary:
    return import_fee_schedule(
        uow=app.uow(),
        actor=SYSTEM,
        code=code,
        settings=read_settings(**settings),
        text=sample(file),
        filename=file,
    )


def import_samples(app: App) -> ProviderImportSummary:
    """MED-2026 (rates, 120% of the Medicare-style fee otherwise), RX-2026 (pharmacy: AWP less
    18% plus 1.75, MAC), OON (150% of the Medicare-style fee), then the providers."""
    import_schedule(app, "MED-2026", "med-2026.csv", network="in", percent_of_medicare="1.2")
    import_schedule(
        app,
        "RX-2026",
        "rx-2026-drugs.csv",
        network="in",
        claim_types="pharmacy",
        awp_discount="0.18",
        dispensing_fee="1.75",
    )
    import_schedule(app, "OON", "oon-reference.csv", network="out", percent_of_medicare="150%")
    return import_text(app, sample("providers.csv"))


def import_text(app: App, text: str, filename: str = "providers.csv") -> ProviderImportSummary:
    return import_providers(uow=app.uow(), actor=SYSTEM, text=text, filename=filename)
