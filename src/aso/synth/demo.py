"""The demo: two employers with plans from the templates, a seeded workforce, a user per role.

``build_demo`` is what ``aso demo`` runs. It first removes whatever an earlier demo left (the demo
employers by EIN and the ``demo-`` users), then builds everything again from the same seeds, so
running it twice gives the same data. Passwords are random each time and are printed, and
written to ``var/demo-logins.txt`` (never committed).
"""

from __future__ import annotations

import csv
import io
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.orm import Session

from aso.bootstrap import App
from aso.claims.batch import BatchSummary, adjudicate_received
from aso.claims.domain import Network
from aso.db.models import metadata
from aso.employers.models import Employer, OfferedPlan, PlanYearRow
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.employers.service import add_plan_year, create_employer, offer_plan
from aso.members.census import import_census
from aso.members.census_rows import CENSUS_COLUMNS
from aso.members.crypto import SsnCipher
from aso.members.models import CensusImport, Coverage, Member
from aso.plans.domain import PlanDesign
from aso.plans.templates import get_template
from aso.providers.domain import ProviderKind
from aso.security.domain import SYSTEM, Role
from aso.security.models import ApiToken, User, UserNpi
from aso.security.service import create_user
from aso.synth.demo_claims import DEMO_AS_OF, build_claims
from aso.synth.demo_money import MoneyHistory, build_money, set_up_funding
from aso.synth.network import load_demo_network
from aso.synth.population import Offerings, generate_census
from aso.synth.providers import SyntheticProvider

PLAN_YEAR = (date(2026, 1, 1), date(2026, 12, 31))
DEMO_USER_PREFIX = "demo-"
PREFIXES = ("N", "H")
"""Claim and authorization number prefixes of the demo employers (Northwind, Harbor)."""


@dataclass(frozen=True)
class DemoEmployer:
    name: str
    ein: str
    employees: int
    seed: int
    plans: tuple[PlanDesign, ...]
    offerings: Offerings
    city: str = "Columbus"
    zip: str = "43215"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    note: str


@dataclass(frozen=True)
class DemoResult:
    employers: list[tuple[str, str, int]]
    """(name, EIN, members) of each demo employer."""
    logins: list[DemoLogin]
    batches: list[BatchSummary]
    """The adjudication of each employer's claims."""
    money: MoneyHistory
    """Invoices, payment cycles and stop-loss tracking of the months before the demo's day."""


def _pharmacy_for(template_id: str, plan_id: str, group: str, name: str) -> PlanDesign:
    """A copy of a pharmacy template that shares the accumulators of another medical plan."""
    return get_template(template_id).model_copy(
        update={"id": plan_id, "accumulator_group": group, "name": name}
    )


def demo_employers(employees: int = 500) -> list[DemoEmployer]:
    """Northwind (the demo employer, ``employees`` strong) and a small second employer."""
    rx_epo = _pharmacy_for("RX-4TIER", "RX-EPO", "epo2000-med-rx", "Pharmacy 4-tier (with EPO)")
    rx_500 = _pharmacy_for("RX-4TIER", "RX-PPO500", "ppo500-med-rx", "Pharmacy 4-tier (PPO 500)")
    northwind = DemoEmployer(
        name="Northwind Tools, Inc.",
        ein="31-4159265",
        employees=employees,
        seed=2026,
        plans=(
            *(get_template(t) for t in ("PPO1500", "HDHP3400", "EPO2000", "RX-4TIER")),
            *(get_template(t) for t in ("HDHP-RX", "DENTAL-PPO", "VISION", "STD60", "LTD60")),
            rx_epo,
        ),
        offerings=Offerings(
            medical=(("PPO1500", 0.50), ("HDHP3400", 0.30), ("EPO2000", 0.20)),
            pharmacy_for={"PPO1500": "RX-4TIER", "HDHP3400": "HDHP-RX", "EPO2000": "RX-EPO"},
            dental="DENTAL-PPO",
            vision="VISION",
            std="STD60",
            ltd="LTD60",
        ),
    )
    harbor = DemoEmployer(
        name="Harbor Bakery Co.",
        ein="36-2718281",
        employees=max(5, employees // 8),
        seed=7,
        plans=(get_template("PPO500"), rx_500, get_template("DENTAL-PPO")),
        offerings=Offerings(
            medical=(("PPO500", 1.0),),
            pharmacy_for={"PPO500": "RX-PPO500"},
            dental="DENTAL-PPO",
        ),
        city="Dublin",
        zip="43017",
    )
    return [northwind, harbor]


def remove_demo(app: App, employers: list[DemoEmployer]) -> None:
    """Delete the demo employers (and everything of theirs) and the demo users."""
    eins = [e.ein for e in employers]
    with app.uow() as uow:
        s = uow.session
        ids = list(s.scalars(select(Employer.id).where(Employer.ein.in_(eins))))
        members = select(Member.id).where(Member.employer_id.in_(ids))
        users = select(User.id).where(
            or_(
                User.username.startswith(DEMO_USER_PREFIX),
                User.employer_id.in_(ids),
                User.member_id.in_(members),
            )
        )
        _remove_claims(s, ids, members)
        s.execute(delete(ApiToken).where(ApiToken.user_id.in_(users)))
        s.execute(delete(UserNpi).where(UserNpi.user_id.in_(users)))
        s.execute(delete(User).where(User.id.in_(users)))
        s.execute(delete(Coverage).where(Coverage.member_id.in_(members)))
        s.execute(
            delete(Member).where(Member.employer_id.in_(ids), Member.subscriber_id.is_not(None))
        )
        s.execute(delete(Member).where(Member.employer_id.in_(ids)))
        s.execute(delete(CensusImport).where(CensusImport.employer_id.in_(ids)))
        s.execute(delete(OfferedPlan).where(OfferedPlan.employer_id.in_(ids)))
        s.execute(delete(PlanYearRow).where(PlanYearRow.employer_id.in_(ids)))
        s.execute(delete(Employer).where(Employer.id.in_(ids)))
        uow.commit()


def _remove_claims(s: Session, employer_ids: list[int], members: Select[int]) -> None:
    """Claims, results, accumulator entries and authorizations of the demo employers (the
    result tables carry no foreign keys, for bulk speed, so they go by claim and version)."""
    t = metadata.tables
    c = t["claims"].c
    unknown_member = c.employer_id.is_(None) & or_(
        *(c.claim_number.startswith(p) for p in PREFIXES)
    )
    claims = select(c.id).where(c.employer_id.in_(employer_ids) | unknown_member)
    versions = select(t["claim_versions"].c.id).where(t["claim_versions"].c.claim_id.in_(claims))
    for name in ("line_results", "result_adjustments"):
        s.execute(delete(t[name]).where(t[name].c.version_id.in_(versions)))
    entries = t["accumulator_entries"]
    s.execute(delete(entries).where(entries.c.member_id.in_(members)))
    totals = t["accumulator_totals"]
    s.execute(delete(totals).where(totals.c.holder_id.in_(members)))
    for name in ("claim_versions", "claim_lines", "claim_documents"):
        s.execute(delete(t[name]).where(t[name].c.claim_id.in_(claims)))
    s.execute(update(t["claims"]).where(c.id.in_(claims)).values(replaces_id=None))
    s.execute(delete(t["claims"]).where(unknown_member))
    for name in ("claims", "prior_authorizations", "accumulator_adjustments"):
        s.execute(delete(t[name]).where(t[name].c.employer_id.in_(employer_ids)))


def census_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CENSUS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def build_employer(app: App, spec: DemoEmployer, cipher: SsnCipher, today: date) -> int:
    employer = create_employer(
        uow=app.uow(),
        actor=SYSTEM,
        data=EmployerCreate(
            name=spec.name,
            ein=spec.ein,
            address1="100 Commerce Pkwy",
            city=spec.city,
            state="OH",
            zip=spec.zip,
            contact_name="Benefits Office",
            contact_email=f"benefits@{spec.name.split()[0].lower()}.example",
        ),
    )
    add_plan_year(
        uow=app.uow(),
        actor=SYSTEM,
        employer_id=employer.id,
        data=PlanYearCreate(start=PLAN_YEAR[0], end=PLAN_YEAR[1], runout_months=3),
    )
    for design in spec.plans:
        offer_plan(uow=app.uow(), actor=SYSTEM, employer_id=employer.id, design=design)
    rows = generate_census(
        seed=spec.seed,
        employees=spec.employees,
        offerings=spec.offerings,
        coverage_start=PLAN_YEAR[0],
    )
    import_census(
        uow=app.uow(),
        actor=SYSTEM,
        employer_id=employer.id,
        text=census_csv(rows),
        filename=f"demo-census-{spec.seed}.csv",
        cipher=cipher,
        today=today,
        rng=random.Random(spec.seed),
    )
    return employer.id


def _demo_member(app: App, employer_id: int) -> str:
    """A subscriber of the demo employer with family medical coverage (for the member login)."""
    with app.uow() as uow:
        number = uow.session.scalar(
            select(Member.member_number)
            .join(Coverage, Coverage.member_id == Member.id)
            .where(
                Member.employer_id == employer_id,
                Member.subscriber_id.is_(None),
                Coverage.line == "medical",
                Coverage.tier == "family",
            )
            .order_by(Member.employee_number)
            .limit(1)
        )
    assert number is not None, "the demo workforce has no family"
    return number


def create_logins(
    app: App, employer_ids: list[int], roster: list[SyntheticProvider]
) -> list[DemoLogin]:
    from aso.members.service import member_pk_by_public_id

    member_number = _demo_member(app, employer_ids[0])
    office = next(
        p for p in roster if p.network is Network.IN and p.kind is ProviderKind.PROFESSIONAL
    )
    specs: list[tuple[str, Role, int | None, str | None, str]] = [
        ("admin", Role.ADMIN, None, None, "TPA administrator: everything"),
        ("examiner", Role.EXAMINER, None, None, "TPA claims examiner"),
        ("service", Role.SERVICE_REP, None, None, "TPA service representative"),
        ("employer", Role.EMPLOYER, employer_ids[0], None, "Northwind's benefits manager"),
        ("harbor", Role.EMPLOYER, employer_ids[1], None, "Harbor Bakery's benefits manager"),
        ("member", Role.MEMBER, None, member_number, f"plan member {member_number}"),
        (
            "provider",
            Role.PROVIDER,
            None,
            None,
            f"{office.name}, NPI {office.npi} (270/276, claims, 835s)",
        ),
        ("auditor", Role.AUDITOR, None, None, "auditor: read-only"),
    ]
    logins = []
    for name, role, employer_id, member, note in specs:
        password = secrets.token_urlsafe(9)
        create_user(
            uow=app.uow(),
            username=DEMO_USER_PREFIX + name,
            password=password,
            role=role,
            employer_id=employer_id,
            member_id=member_pk_by_public_id(uow=app.uow(), member_id=member) if member else None,
            npis=[office.npi] if role is Role.PROVIDER else [],
        )
        logins.append(DemoLogin(DEMO_USER_PREFIX + name, password, role, note))
    return logins


def build_demo(
    app: App,
    *,
    employees: int = 500,
    today: date | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> DemoResult:
    """Rebuild the demo from scratch; ``step`` is told what is being done (for progress)."""
    today = today or date.today()
    specs = demo_employers(employees)
    cipher = SsnCipher(app.settings.resolved_ssn_key())
    step("removing the previous demo")
    remove_demo(app, specs)
    ids = []
    for spec in specs:
        step(f"building {spec.name} ({spec.employees} employees)")
        ids.append(build_employer(app, spec, cipher, today))
    step("loading the provider network and fee schedules")
    roster = load_demo_network(app)
    for spec, employer_id, prefix in zip(specs, ids, PREFIXES, strict=True):
        step(f"a year of claims for {spec.name}")
        build_claims(
            app,
            employer_id=employer_id,
            seed=spec.seed,
            plans=spec.plans,
            roster=roster,
            id_prefix=prefix,
        )
    set_up_funding(app, ids, roster)
    money = build_money(
        app,
        employer_ids=ids,
        year=PLAN_YEAR,
        as_of=DEMO_AS_OF,
        stop_loss_for=ids[:1],
        step=step,
    )
    # Claims for people no employer has (CARC 31) belong to no employer's batch.
    adjudicate_received(uow=app.uow(), actor=SYSTEM)
    step("creating a user per role")
    logins = create_logins(app, ids, roster)
    with app.uow() as uow:
        counts = [
            len(list(uow.session.scalars(select(Member.id).where(Member.employer_id == i))))
            for i in ids
        ]
    return DemoResult(
        employers=[(s.name, s.ein, n) for s, n in zip(specs, counts, strict=True)],
        logins=logins,
        batches=[money.batches[i] for i in ids],
        money=money,
    )
