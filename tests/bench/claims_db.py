"""Database throughput: claim lines adjudicated and persisted per second, on SQLite (a file) and
on PostgreSQL (a database of its own on 127.0.0.1:5432, created and dropped here); target
>= 10,000 lines/s on both.

A fresh database gets an employer with the engine benchmark's plans (a PPO and a four-tier
pharmacy plan sharing one accumulator group, a dental and a vision plan), a few thousand members
in families of one to five on every tier, and about 100,000 lines of received claims of every
type (the engine benchmark's mix, submitted through claim intake). What is timed is
``adjudicate_received`` end to end: loading the reference data, the queue, each family's state,
the engine, and writing the versions, line results, adjustments, accumulator entries, totals
and claim statuses. Building the data is not timed. Prices come from the engine benchmark's fee
schedules (handed to the batch as its pricing reference) or are pre-priced on the claim.
"""

from __future__ import annotations

import gc
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from aso.bootstrap import App, make_engine
from aso.claims.batch import BatchSummary, adjudicate_received
from aso.claims.domain import Claim, ClaimLine, Member, Relationship
from aso.claims.intake import submit_claims
from aso.claims.models import ClaimVersionRow
from aso.claims.reference_data import Pricing
from aso.config import Settings
from aso.db.base import utcnow
from aso.db.models import metadata
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.employers.service import add_plan_year, create_employer, offer_plan
from aso.members.domain import luhn_digit
from aso.members.models import Coverage as CoverageRow
from aso.members.models import Member as MemberRow
from aso.plans.domain import PlanDesign, Tier
from aso.security.domain import SYSTEM
from tests.bench import engine as engine_bench

TARGET_LINES = 100_000
SEED = 20260301
CLAIMS_PER_MEMBER = 5
"""The engine benchmark's year of claims, this many times over per member: about 17 lines
per member, so that 100,000 lines come from a few thousand members."""
PG_ADMIN_URL = os.environ.get(
    "ASO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_DATABASE = "aso_bench_claims"
ADDRESS = {"address1": "1 Bench St", "city": "Columbus", "state": "OH", "zip": "43215"}


@dataclass(frozen=True)
class Workload:
    families: list[list[Member]]
    claims: list[Claim]

    @property
    def lines(self) -> int:
        return sum(len(claim.lines) for claim in self.claims)


def generate(target_lines: int = TARGET_LINES, seed: int = SEED) -> Workload:
    """Families and their claims, deterministic for a seed, of at least ``target_lines``."""
    rng = random.Random(seed)
    counter = iter(range(1, 10**9))
    numbers = _member_numbers(rng)
    families: list[list[Member]] = []
    claims: list[Claim] = []
    lines = 0
    for family in engine_bench._families(rng, 10**9):
        renamed = {member.id: next(numbers) for member in family}
        family = [Member(renamed[m.id], renamed[m.family], m.relationship, m.dob) for m in family]
        families.append(family)
        for member in family:
            for _ in range(CLAIMS_PER_MEMBER):
                for claim in engine_bench._claims_for(rng, member, counter):
                    claims.append(claim)
                    lines += len(claim.lines)
        if lines >= target_lines:
            break
    return Workload(families, claims)


def _member_numbers(rng: random.Random) -> Iterator[str]:
    seen: set[str] = set()
    while True:
        body = f"{rng.randrange(10**8):08d}"
        if body not in seen:
            seen.add(body)
            yield f"M{body}{luhn_digit(body)}"


def document(claim: Claim) -> dict[str, Any]:
    """An engine claim as the document a provider submits (DESIGN 7)."""
    provider: dict[str, Any] = {"network": claim.provider.network.value}
    if claim.provider.npi:
        provider["npi"] = claim.provider.npi
    if claim.provider.taxonomy:
        provider["taxonomy"] = claim.provider.taxonomy
    found: dict[str, Any] = {
        "id": claim.id,
        "member": claim.member,
        "type": claim.type.value,
        "provider": provider,
        "received": claim.received.isoformat(),
        "lines": [_line(line) for line in claim.lines],
    }
    if claim.diagnoses:
        found["diagnoses"] = list(claim.diagnoses)
    if claim.type_of_bill:
        found["type_of_bill"] = claim.type_of_bill
    return found


def _line(line: ClaimLine) -> dict[str, Any]:
    found: dict[str, Any] = {"date": line.date.isoformat(), "charge": line.charge}
    for name in ("category", "procedure", "pos", "revenue_code", "ndc", "allowed"):
        value = getattr(line, name)
        if value is not None:
            found[name] = value
    if line.units != 1:
        found["units"] = line.units
    return found


def build(app: App, workload: Workload) -> int:
    """The employer, its plans, members, coverage and received claims; the employer's id."""
    designs = [
        PlanDesign.model_validate(plan)
        for plan in (
            engine_bench.MEDICAL,
            engine_bench.PHARMACY,
            engine_bench.DENTAL,
            engine_bench.VISION,
        )
    ]
    employer = create_employer(
        uow=app.uow(),
        actor=SYSTEM,
        data=EmployerCreate(name="Bench Co", ein="31-2718281", **ADDRESS),
    )
    add_plan_year(
        uow=app.uow(),
        actor=SYSTEM,
        employer_id=employer.id,
        data=PlanYearCreate(start=date(2026, 1, 1), end=date(2026, 12, 31), runout_months=3),
    )
    plan_ids = {
        design.id: offer_plan(
            uow=app.uow(), actor=SYSTEM, employer_id=employer.id, design=design
        ).id
        for design in designs
    }
    _members(app, employer.id, workload.families, plan_ids, {d.id: d.line.value for d in designs})
    for start in range(0, len(workload.claims), 5_000):
        documents = [document(claim) for claim in workload.claims[start : start + 5_000]]
        submit_claims(uow=app.uow(), actor=SYSTEM, documents=documents)
    return employer.id


def _members(
    app: App,
    employer_id: int,
    families: list[list[Member]],
    plan_ids: dict[str, int],
    lines: dict[str, str],
) -> None:
    """Members and coverage in bulk (the member services add one at a time)."""
    now = utcnow()
    with app.uow() as uow:
        session = uow.session
        base = int(session.scalar(select(func.coalesce(func.max(MemberRow.id), 0))) or 0)
        members: list[dict[str, Any]] = []
        coverage: list[dict[str, Any]] = []
        pk = base
        for number, family in enumerate(families):
            tier = {1: Tier.EMPLOYEE, 2: Tier.EMPLOYEE_SPOUSE}.get(len(family), Tier.FAMILY)
            head = pk + 1
            for member in family:
                pk += 1
                subscriber = member.relationship is Relationship.SUBSCRIBER
                members.append(
                    {
                        "id": pk,
                        "member_number": member.id,
                        "employer_id": employer_id,
                        "subscriber_id": None if subscriber else head,
                        "relationship": member.relationship.value,
                        "employee_number": f"B{number:06d}" if subscriber else None,
                        "first_name": "Bench",
                        "last_name": f"Family{number}",
                        "birth_date": member.dob,
                        "sex": "F",
                        "created_at": now,
                        "updated_at": now,
                        **ADDRESS,
                    }
                )
                for code, plan_id in plan_ids.items():
                    coverage.append(
                        {
                            "member_id": pk,
                            "plan_id": plan_id,
                            "line": lines[code],
                            "tier": tier.value,
                            "start_date": date(2026, 1, 1),
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
        session.execute(insert(MemberRow), members)
        session.execute(insert(CoverageRow), coverage)
        uow.commit()


def pricing() -> Pricing:
    return Pricing(providers={}, fee_schedules=engine_bench.SCHEDULES)


def measure(url: str, make: Callable[[], Workload], label: str) -> tuple[float, BatchSummary]:
    """Build a fresh database at ``url`` from a workload, drop the workload, then time the
    batch (the generated objects would otherwise sit in memory beside it)."""
    engine = make_engine(url)
    try:
        metadata.create_all(engine)
        settings = Settings(
            var_dir=Path(tempfile.gettempdir()) / "aso-bench",
            ssn_key=Fernet.generate_key().decode(),
        )
        app = App(settings=settings, engine=engine)
        started = time.perf_counter()
        workload = make()
        employer_id = build(app, workload)
        claims = len(workload.claims)
        del workload
        gc.collect()
        print(f"{label}: built the database in {time.perf_counter() - started:.1f} s (not timed)")
        started = time.perf_counter()
        summary = adjudicate_received(
            uow=app.uow(), actor=SYSTEM, employer_id=employer_id, pricing=pricing()
        )
        seconds = time.perf_counter() - started
        with app.uow() as uow:
            versions = uow.session.scalar(select(func.count()).select_from(ClaimVersionRow))
        assert versions == summary.claims == claims
        return seconds, summary
    finally:
        engine.dispose()


def report(label: str, seconds: float, summary: BatchSummary) -> None:
    print(f"{label}: line statuses {dict(sorted(summary.line_statuses.items()))}")
    print(
        f"{label}: adjudicated and stored {summary.lines:,} lines ({summary.claims:,} claims, "
        f"{summary.families:,} families) in {seconds:.2f} s: "
        f"{summary.lines / seconds:,.0f} lines/s (target >= 10,000)"
    )


def sqlite_figures(make: Callable[[], Workload]) -> tuple[float, BatchSummary]:
    with tempfile.TemporaryDirectory() as folder:
        return measure(f"sqlite:///{Path(folder) / 'bench.db'}", make, "sqlite")


def postgres_figures(make: Callable[[], Workload]) -> tuple[float, BatchSummary] | None:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    except OperationalError as exc:
        print(f"postgresql: skipped, the server at {PG_ADMIN_URL} is unreachable: {exc.orig}")
        admin.dispose()
        return None
    url = make_url(PG_ADMIN_URL).set(database=PG_DATABASE).render_as_string(hide_password=False)
    try:
        return measure(url, make, "postgresql")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def main(target_lines: int = TARGET_LINES) -> None:
    workload = generate(target_lines)
    members = sum(len(family) for family in workload.families)
    print(
        f"database: {workload.lines:,} lines in {len(workload.claims):,} claims for "
        f"{members:,} members ({len(workload.families):,} families), generated afresh for each "
        "database"
    )
    del workload

    def make() -> Workload:
        return generate(target_lines)

    seconds, summary = sqlite_figures(make)
    report("sqlite", seconds, summary)
    figures = postgres_figures(make)
    if figures is not None:
        report("postgresql", *figures)


if __name__ == "__main__":
    main()
