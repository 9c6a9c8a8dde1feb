"""Payment run throughput: one cycle over 100,000 approved claims on SQLite (a file), run and
released; target under a minute.

A fresh database gets an employer with its claims funding account, 400 directory providers (300
of them paid by EFT, the rest by check), 3,000 subscribers, and 100,000 approved claims written
straight into the tables (``tests.integration.payments_data``: one version, one line and its
result each): 85% from directory providers, 15% submitted by members (reimbursed). Building the
data is not timed. What is timed is ``run_cycle`` (gathering the claims, one payment per payee,
the ledger, the funding request), the deposit, and ``release_cycle`` (the claims locked and
checked, settlements, the ACH file, checks with positive pay and register, an 835 per payment,
the 835 registry, the ledger, claims approved -> paid).
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from aso.bootstrap import App, make_engine
from aso.claims.models import ClaimRow
from aso.config import Settings
from aso.db.models import metadata
from aso.employers.schemas import EmployerCreate
from aso.employers.service import create_employer
from aso.members.crypto import SsnCipher
from aso.payments import models as _payments  # noqa: F401  (the tables, until aso.db.models has them)
from aso.payments.cycles import run_cycle
from aso.payments.release import release_cycle
from aso.payments.schemas import BankAccountSet, DepositCreate, FundingAccountSet
from aso.payments.service import record_deposit, set_bank_account, set_funding_account
from aso.security.domain import SYSTEM
from tests.integration.payments_data import (
    Spec,
    insert_claims,
    insert_providers,
    insert_subscribers,
    npi,
)

CLAIMS = 100_000
PROVIDERS = 400
EFT_PROVIDERS = 300
SUBSCRIBERS = 3_000
MEMBER_SHARE = 0.15
SEED = 20260601
TARGET_SECONDS = 60.0
CHUNK = 20_000


def build(app: App, claims: int, seed: int) -> int:
    """The employer, its funding account, providers, bank accounts, subscribers and claims."""
    rng = random.Random(seed)
    employer = create_employer(
        uow=app.uow(),
        actor=SYSTEM,
        data=EmployerCreate(
            name="Bench Co",
            ein="31-2718281",
            address1="1 Bench St",
            city="Columbus",
            state="OH",
            zip="43215",
        ),
    )
    funding = FundingAccountSet(
        bank_name="Bench Bank", routing="021000021", account_number="5550001111"
    )
    set_funding_account(uow=app.uow(), actor=SYSTEM, employer_id=employer.id, data=funding)
    providers = [npi(n) for n in range(1, PROVIDERS + 1)]
    with app.uow() as uow:
        insert_providers(uow.session, providers)
        members = insert_subscribers(uow.session, employer.id, SUBSCRIBERS)
        uow.commit()
    cipher = SsnCipher(app.settings.resolved_ssn_key())
    for n, code in enumerate(providers[:EFT_PROVIDERS]):
        account = BankAccountSet(
            npi=code, routing="011000015", account_number=f"{n + 1:08d}", verified=True
        )
        set_bank_account(uow=app.uow(), actor=SYSTEM, data=account, cipher=cipher)
    for start in range(0, claims, CHUNK):
        specs = []
        for _ in range(min(CHUNK, claims - start)):
            member_id, number = rng.choice(members)
            provider = None if rng.random() < MEMBER_SHARE else rng.choice(providers)
            paid = Decimal(rng.randrange(1_000, 50_000)) / 100
            day = date(2026, 1 + rng.randrange(4), 1 + rng.randrange(28))
            specs.append(Spec(member_id, number, provider, paid, day))
        with app.uow() as uow:
            insert_claims(uow.session, employer.id, specs)
            uow.commit()
    return employer.id


def measure(folder: Path, claims: int = CLAIMS, seed: int = SEED) -> tuple[float, float, int]:
    """Seconds to run the cycle and to release it, and the claims paid."""
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    try:
        metadata.create_all(engine)
        settings = Settings(var_dir=folder, ssn_key=Fernet.generate_key().decode())
        app = App(settings=settings, engine=engine)
        started = time.perf_counter()
        employer_id = build(app, claims, seed)
        print(
            f"payments: built {claims:,} approved claims in "
            f"{time.perf_counter() - started:.1f} s (not timed)"
        )
        started = time.perf_counter()
        cycle = run_cycle(
            uow=app.uow(),
            actor=SYSTEM,
            employer_id=employer_id,
            through=date(2026, 12, 31),
            run_on=date(2026, 6, 1),
        )
        ran = time.perf_counter() - started
        record_deposit(
            uow=app.uow(),
            actor=SYSTEM,
            employer_id=employer_id,
            data=DepositCreate(amount=cycle.requested, received_on=date(2026, 6, 2)),
        )
        started = time.perf_counter()
        released = release_cycle(
            uow=app.uow(),
            actor=SYSTEM,
            number=cycle.number,
            cipher=SsnCipher(settings.resolved_ssn_key()),
            released_on=date(2026, 6, 3),
        )
        seconds = time.perf_counter() - started
        with app.uow() as uow:
            paid = uow.session.scalar(
                select(func.count()).select_from(ClaimRow).where(ClaimRow.status == "paid")
            )
        assert paid == released.claims_paid == claims, (paid, released.claims_paid)
        print(
            f"payments: {cycle.payees:,} payees, {released.eft:,} EFTs "
            f"({released.eft_amount:,.2f}), {released.checks:,} checks "
            f"({released.checks_amount:,.2f})"
        )
        return ran, seconds, int(paid or 0)
    finally:
        engine.dispose()


def main(claims: int = CLAIMS) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ran, released, paid = measure(Path(folder), claims)
    total = ran + released
    print(
        f"payments: run {ran:.2f} s + release {released:.2f} s = {total:.2f} s for {paid:,} "
        f"claims on SQLite: {paid / total:,.0f} claims/s (target: under {TARGET_SECONDS:.0f} s)"
    )


if __name__ == "__main__":
    main()
