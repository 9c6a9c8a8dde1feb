"""The demo's provider network, written through the same imports a TPA uses: fee schedules as
fee-schedule CSV files with their settings, then the provider roster as a providers CSV whose
in-network rows carry a contract naming the schedule for their kind of provider.

Going through the imports (rather than writing tables directly) keeps one write path and makes
the demo exercise the checks the imports make.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from aso.bootstrap import App
from aso.claims.domain import ClaimType, Network
from aso.claims.pricing import FeeSchedule
from aso.providers.domain import ScheduleSettings
from aso.providers.imports import import_fee_schedule, import_providers
from aso.security.domain import SYSTEM
from aso.synth.providers import SyntheticProvider, demo_fee_schedules, generate_providers

NETWORK_CODE = "OHIO-PPO"
NETWORK_NAME = "Central Ohio PPO"
CONTRACT_START = date(2025, 1, 1)
SCHEDULE_BY_CLAIM_TYPE = {
    ClaimType.PROFESSIONAL: "DEMO-PROFESSIONAL",
    ClaimType.INSTITUTIONAL: "DEMO-FACILITY",
    ClaimType.PHARMACY: "DEMO-PHARMACY",
    ClaimType.DENTAL: "DEMO-DENTAL",
    ClaimType.VISION: "DEMO-VISION",
}
KIND_CLAIM_TYPE = {
    "professional": ClaimType.PROFESSIONAL,
    "facility": ClaimType.INSTITUTIONAL,
    "pharmacy": ClaimType.PHARMACY,
    "dental": ClaimType.DENTAL,
    "vision": ClaimType.VISION,
}
PROVIDER_COLUMNS = (
    "npi", "tin", "name", "taxonomy", "kind", "address1", "city", "state", "zip", "network",
    "contract_start", "contract_end", "fee_schedule", "network_name",
)  # fmt: skip


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def schedule_settings(schedule: FeeSchedule) -> ScheduleSettings:
    return ScheduleSettings(
        network=schedule.network,
        name=schedule.id.replace("-", " ").title(),
        claim_types=schedule.claim_types,
        percent_of_charge=schedule.percent_of_charge,
        percent_of_medicare=schedule.percent_of_medicare,
        conversion_factor=schedule.conversion_factor,
        awp_discount=schedule.awp_discount,
        dispensing_fee=schedule.dispensing_fee,
    )


def rates_csv(schedule: FeeSchedule) -> str:
    return _csv(
        ("procedure", "modifier", "revenue_code", "category", "basis", "amount"),
        (
            (
                r.procedure or "",
                r.modifier or "",
                r.revenue_code or "",
                r.category or "",
                r.basis.value,
                f"{r.amount:.2f}",
            )
            for r in schedule.rates
        ),
    )


def drugs_csv(schedule: FeeSchedule) -> str:
    return _csv(
        ("ndc", "awp", "mac"),
        ((d.ndc, "" if d.awp is None else d.awp, "" if d.mac is None else d.mac)
         for d in schedule.drugs),
    )  # fmt: skip


def providers_csv(roster: Sequence[SyntheticProvider]) -> str:
    def row(p: SyntheticProvider) -> tuple[str, ...]:
        contracted = p.network is Network.IN
        schedule = SCHEDULE_BY_CLAIM_TYPE[KIND_CLAIM_TYPE[p.kind.value]] if contracted else ""
        return (
            p.npi, p.tin, p.name, p.taxonomy, p.kind.value, "1 Provider Plaza", p.city, "OH",
            p.zip, NETWORK_CODE if contracted else "",
            CONTRACT_START.isoformat() if contracted else "", "", schedule,
            NETWORK_NAME if contracted else "",
        )  # fmt: skip

    return _csv(PROVIDER_COLUMNS, (row(p) for p in roster))


def load_demo_network(app: App, *, seed: int = 2026) -> list[SyntheticProvider]:
    """Import the demo fee schedules and the provider roster; returns the roster."""
    for schedule in demo_fee_schedules():
        settings = schedule_settings(schedule)
        files = [rates_csv(schedule)] if schedule.rates or not schedule.drugs else []
        if schedule.drugs:
            files.append(drugs_csv(schedule))
        for text in files:
            import_fee_schedule(
                uow=app.uow(),
                actor=SYSTEM,
                code=schedule.id,
                settings=settings,
                text=text,
                filename=f"{schedule.id}.csv",
            )
    roster = generate_providers(seed=seed)
    import_providers(
        uow=app.uow(), actor=SYSTEM, text=providers_csv(roster), filename="demo-providers.csv"
    )
    return roster
