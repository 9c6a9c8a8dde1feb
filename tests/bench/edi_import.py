"""An 837 file to stored, adjudicated claims: target a 100,000-claim 837P in under 60 s on SQLite.

A fresh SQLite file gets an employer offering the engine benchmark's PPO, 50,000 members (the
ids the generated file names), and a provider directory (imported as a TPA imports one: a fee
schedule CSV and a providers CSV) in which the file's billing provider is in network with a
contract priced by the schedule. Then ``write_837p`` (2 service lines per claim, 5,000 claims per
ST..SE) writes the file, untimed. What is timed: ``aso.edi.service.import_file`` (envelope
checks, streaming parse, the 999, each claim's network from the directory, claim intake into
the database) and ``adjudicate_received`` (engine and bulk writes) following it in a second
process, as ``aso edi import FILE --adjudicate`` runs them (``aso.edi.pipeline``).
"""

from __future__ import annotations

import gc
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import func, insert, select

from aso.bootstrap import App, make_engine
from aso.claims.domain import ClaimType, Network
from aso.claims.models import ClaimRow
from aso.config import Settings
from aso.db.base import utcnow
from aso.db.models import metadata
from aso.edi.pipeline import import_and_adjudicate
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.employers.service import add_plan_year, create_employer, offer_plan
from aso.members.crypto import SsnCipher
from aso.members.models import Coverage as CoverageRow
from aso.members.models import Member as MemberRow
from aso.plans.domain import PlanDesign
from aso.providers.domain import ScheduleSettings
from aso.providers.imports import import_fee_schedule, import_providers
from aso.security.domain import SYSTEM
from tests.bench import engine as engine_bench
from tests.bench.edi import BILLING_NPI, PROCEDURES, SECOND, write_837p

CLAIMS = 100_000
MEMBERS = 50_000
TARGET_SECONDS = 60.0
ADDRESS = {"address1": "1 Bench St", "city": "Springfield", "state": "IL", "zip": "62701"}
RATES = "procedure,modifier,revenue_code,category,basis,amount\n" + "".join(
    f"{code},,,,amount,{(Decimal(charge) * Decimal('0.7')).quantize(Decimal('0.01'))}\n"
    for code, _, charge in (*PROCEDURES, *SECOND)
)
PROVIDERS = (
    "npi,tin,name,taxonomy,kind,address1,city,state,zip,network,contract_start,contract_end,"
    "fee_schedule,network_name\n"
    f"{BILLING_NPI},371234567,Bench Family Medicine,207Q00000X,professional,1 Clinic Way,"
    "Springfield,IL,62701,BENCH-PPO,2025-01-01,,BENCH-PROF,Bench PPO\n"
)


def build(app: App) -> int:
    """Employer, plan, members and the provider directory; the employer's id."""
    employer = create_employer(
        uow=app.uow(),
        actor=SYSTEM,
        data=EmployerCreate(name="EDI Bench", ein="31-1414213", **ADDRESS),
    )
    add_plan_year(
        uow=app.uow(),
        actor=SYSTEM,
        employer_id=employer.id,
        data=PlanYearCreate(start=date(2026, 1, 1), end=date(2026, 12, 31), runout_months=3),
    )
    design = PlanDesign.model_validate(engine_bench.MEDICAL)
    plan = offer_plan(uow=app.uow(), actor=SYSTEM, employer_id=employer.id, design=design)
    _members(app, employer.id, plan.id)
    settings = ScheduleSettings(
        network=Network.IN,
        name="Bench professional",
        claim_types=frozenset({ClaimType.PROFESSIONAL}),
    )
    import_fee_schedule(
        uow=app.uow(), actor=SYSTEM, code="BENCH-PROF", settings=settings, text=RATES
    )
    import_providers(uow=app.uow(), actor=SYSTEM, text=PROVIDERS)
    return employer.id


def _members(app: App, employer_id: int, plan_id: int) -> None:
    """The subscribers the generated file names (``M00000000`` ...), each on tier employee."""
    now = utcnow()
    members: list[dict[str, Any]] = []
    coverage: list[dict[str, Any]] = []
    for number in range(MEMBERS):
        members.append(
            {
                "id": number + 1,
                "member_number": f"M{number:08d}",
                "employer_id": employer_id,
                "subscriber_id": None,
                "relationship": "subscriber",
                "employee_number": f"E{number:06d}",
                "first_name": "Jane",
                "last_name": "Doe",
                "birth_date": date(1970 + number % 30, 3, 2),
                "sex": "F",
                "created_at": now,
                "updated_at": now,
                **ADDRESS,
            }
        )
        coverage.append(
            {
                "member_id": number + 1,
                "plan_id": plan_id,
                "line": "medical",
                "tier": "employee",
                "start_date": date(2026, 1, 1),
                "created_at": now,
                "updated_at": now,
            }
        )
    with app.uow() as uow:
        uow.session.execute(insert(MemberRow), members)
        uow.session.execute(insert(CoverageRow), coverage)
        uow.commit()


def measure(folder: Path, claims: int = CLAIMS) -> dict[str, float]:
    url = f"sqlite:///{folder / 'bench-edi.db'}"
    engine = make_engine(url)
    try:
        metadata.create_all(engine)
        key = Fernet.generate_key().decode()
        app = App(settings=Settings(var_dir=folder, ssn_key=key), engine=engine)
        build(app)
        path = folder / "bench-import-837p.x12"
        with path.open("w", encoding="ascii") as out:
            write_837p(out, claims)
        gc.collect()
        started = time.perf_counter()
        done = import_and_adjudicate(
            app=app,
            actor=SYSTEM,
            opener=lambda: path.open("rb"),
            filename=path.name,
            cipher=SsnCipher(key.encode()),
            now=datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
        )
        finished = time.perf_counter()
        summary, batch = done.summary, done.batch
        assert summary.accepted, summary.errors
        with app.uow() as uow:
            stored = uow.session.scalar(select(func.count()).select_from(ClaimRow))
        assert stored == batch.claims == claims, (stored, batch.claims)
        return {
            "total": finished - started,
            "lines": float(batch.lines),
            "paid_lines": float(batch.line_statuses.get("paid", 0)),
        }
    finally:
        engine.dispose()


def main(claims: int = CLAIMS) -> None:
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(Path(folder), claims)
    print(
        f"837 file to stored claims (sqlite): {claims:,} claims, {figures['lines']:,.0f} lines "
        f"({figures['paid_lines']:,.0f} paid) read, stored and adjudicated side by side "
        f"(aso edi import --adjudicate) in {figures['total']:.1f} s "
        f"({claims / figures['total']:,.0f} claims/s; target < {TARGET_SECONDS:.0f} s)"
    )


if __name__ == "__main__":
    main()
