"""Two runs of the same month at once on PostgreSQL (a database of its own: what matters happens
at commit): the employer's row lock queues them, so one issues the invoice and the other
reports it, and the ledger holds one entry per employer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from aso.adminfees import repository as repo
from aso.adminfees.schemas import InvoiceRunRead
from aso.bootstrap import App, make_engine
from aso.config import Settings
from aso.db.models import metadata
from aso.employers.models import Employer
from tests.conftest import _worker, create_pg_database, drop_pg_database
from tests.integration.adminfees_builders import MAR, balances, run, world_with_agreement
from tests.integration.claims_builders import rows


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[App]:
    name = f"aso_adminfees_concurrency_{_worker()}"
    engine = make_engine(create_pg_database(name))
    metadata.create_all(engine)
    key = Fernet.generate_key().decode()
    try:
        yield App(settings=Settings(var_dir=tmp_path, ssn_key=key), engine=engine)
    finally:
        engine.dispose()
        drop_pg_database(name)


@pytest.mark.postgres
@pytest.mark.parametrize("lock", [True, False], ids=["row-lock", "unique-index-only"])
def test_two_runs_of_a_month_at_once_bill_it_once(
    own_database: App, lock: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the row lock, the unique index on issued invoices still refuses the second
    (its run then reports the invoice the first issued)."""
    app = own_database
    if not lock:
        monkeypatch.setattr(repo, "lock_employer", lambda session, id_: session.get(Employer, id_))
    worlds = [world_with_agreement(app, ein=ein) for ein in ("31-1234567", "36-7654321")]
    results: list[InvoiceRunRead] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def go() -> None:
        try:
            start.wait()
            results.append(run(app, MAR))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    outcomes = sorted(item.outcome for result in results for item in result.invoices)
    assert outcomes == ["existing", "existing", "issued", "issued"]
    assert rows(app.uow(), "SELECT count(*) FROM admin_fee_invoices") == [(2,)]
    assert rows(
        app.uow(), "SELECT count(*) FROM ledger_transactions WHERE kind = 'admin_fee_invoice'"
    ) == [(2,)]
    for world in worlds:
        assert balances(app, world.employer_id)["admin_fees_receivable"] == 432
