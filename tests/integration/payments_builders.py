"""Builders for payments tests: the claims world (Acme's Lee family and Dee Diaz) with the
provider directory of tests/data/providers (Ann Lee MD, NPI 1234567893), a claims funding
account, office visits adjudicated by the batch, and the use cases as an administrator calls
them; plus readers of what they wrote (the ledger's trial balance, the files of a batch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.ledger.service import trial_balance
from aso.members.crypto import SsnCipher
from aso.payments import models as _payments  # noqa: F401  (the tables, until aso.db.models has them)
from aso.payments.cycles import run_cycle
from aso.payments.release import release_cycle
from aso.payments.schemas import (
    BankAccountSet,
    CycleRead,
    DepositCreate,
    DepositRead,
    FundingAccountSet,
    ReleaseRead,
)
from aso.payments.service import batch_files, record_deposit, set_bank_account, set_funding_account
from aso.security.domain import SYSTEM
from tests.integration.claims_builders import ClaimsWorld, adjudicate, claim, line, submit

D = Decimal
NPI_ANN = "1234567893"
"""Ann Lee MD: in the directory, so paid directly."""
NPI_UNKNOWN = "1654321094"
"""A provider not on file: the subscriber is reimbursed."""
FUNDING = FundingAccountSet(
    bank_name="First Ohio Bank",
    routing="021000021",
    account_number="5550001111",
    prefund_days=0,
)
CLINIC_BANK = BankAccountSet(
    npi=NPI_ANN, routing="011000015", account_number="12345678", verified=True
)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def visit(
    number: str,
    member: str,
    allowed: int | str,
    *,
    npi: str | None = NPI_ANN,
    day: str = "2026-02-02",
    received: str = "2026-03-01",
    **fields: Any,
) -> dict[str, Any]:
    """An in-network office visit (copay $25: the plan pays allowed - 25)."""
    return claim(
        number,
        member,
        line(
            day,
            D(str(allowed)) + 50,
            category="office_visit_pcp",
            procedure="99213",
            allowed=D(str(allowed)),
        ),
        npi=npi,
        network="in",
        received=received,
        **fields,
    )


def adjudicated(uow: UnitOfWork, *documents: dict[str, Any]) -> None:
    submit(uow, *documents)
    adjudicate(uow)


def cipher(app: App) -> SsnCipher:
    return SsnCipher(app.settings.resolved_ssn_key())


def funding_account(uow: UnitOfWork, world: ClaimsWorld, **changes: Any) -> None:
    data = FUNDING.model_copy(update=changes)
    set_funding_account(uow=uow, actor=SYSTEM, employer_id=world.employer_id, data=data)


def clinic_bank(app: App, uow: UnitOfWork, **changes: Any) -> None:
    data = CLINIC_BANK.model_copy(update=changes)
    set_bank_account(uow=uow, actor=SYSTEM, data=data, cipher=cipher(app))


def run(
    uow: UnitOfWork, world: ClaimsWorld, through: str = "2026-12-31", on: str = "2026-06-01"
) -> CycleRead:
    return run_cycle(
        uow=uow,
        actor=SYSTEM,
        employer_id=world.employer_id,
        through=date.fromisoformat(through),
        run_on=date.fromisoformat(on),
    )


def deposit(
    uow: UnitOfWork,
    world: ClaimsWorld,
    amount: str | Decimal,
    on: str = "2026-06-02",
    reference: str | None = None,
) -> DepositRead:
    data = DepositCreate(
        amount=D(str(amount)), received_on=date.fromisoformat(on), reference=reference
    )
    return record_deposit(uow=uow, actor=SYSTEM, employer_id=world.employer_id, data=data)


def release(app: App, uow: UnitOfWork, number: str, on: str = "2026-06-03") -> ReleaseRead:
    return release_cycle(
        uow=uow,
        actor=SYSTEM,
        number=number,
        cipher=cipher(app),
        released_on=date.fromisoformat(on),
        now=NOW,
    )


@dataclass(frozen=True)
class Books:
    net: Decimal
    accounts: dict[str, Decimal]
    """Debits minus credits by account."""


class Employer(Protocol):
    employer_id: int


def books(uow: UnitOfWork, world: Employer) -> Books:
    read = trial_balance(uow=uow, actor=SYSTEM, employer_id=world.employer_id)
    return Books(read.net, {line.account: line.debit - line.credit for line in read.accounts})


def files_of(uow: UnitOfWork, batch: str) -> dict[str, str]:
    return dict(batch_files(uow=uow, actor=SYSTEM, batch=batch))


def write_files(folder: Path, found: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in found.items():
        (folder / name).write_text(text)
