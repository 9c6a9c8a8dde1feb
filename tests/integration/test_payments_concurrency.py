"""Never twice, with two sessions at once on PostgreSQL (a database of its own: what matters
happens at commit). Two runs for one employer share no claim; the same cycle released twice at
once pays each payee once; two cycles of one employer released at once never spend more than
the funding account holds; and the database itself refuses a claim version in two live
payments."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.exc import IntegrityError

from aso.bootstrap import App, make_engine
from aso.config import Settings
from aso.db.models import metadata
from aso.errors import Conflict
from aso.payments import models as _payments  # noqa: F401  (the tables, until aso.db.models has them)
from tests.conftest import _worker, create_pg_database, drop_pg_database
from tests.integration.claims_builders import ClaimsWorld, build_world, execute, rows
from tests.integration.payments_builders import (
    adjudicated,
    books,
    deposit,
    funding_account,
    release,
    run,
    visit,
)
from tests.integration.providers_builders import import_samples

pytestmark = pytest.mark.postgres


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[App]:
    name = f"aso_payments_concurrency_{_worker()}"
    engine = make_engine(create_pg_database(name))
    metadata.create_all(engine)
    key = Fernet.generate_key().decode()
    try:
        yield App(settings=Settings(var_dir=tmp_path, ssn_key=key), engine=engine)
    finally:
        engine.dispose()
        drop_pg_database(name)


@pytest.fixture
def world(own_database: App) -> ClaimsWorld:
    app = own_database
    import_samples(app)
    found = build_world(app, app.uow())
    funding_account(app.uow(), found)
    claims = [
        visit(f"K-{n}", member, 100 + n, day=f"2026-02-{n:02d}")
        for n, member in enumerate([found.ann, found.bo, found.cy, found.dee] * 3, start=1)
    ]
    claims += [visit("K-M", found.cy, 90, npi="1654321094", day="2026-02-20")]
    adjudicated(app.uow(), *claims)
    return found


def together(*calls: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls in threads at once; what they returned and what they raised."""
    results: list[Any] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def go(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results.append(call())
        except BaseException as exc:  # reported to the test
            failures.append(exc)

    threads = [threading.Thread(target=go, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, failures


def test_two_runs_at_once_share_no_claim(own_database: App, world: ClaimsWorld) -> None:
    app = own_database
    results, failures = together(lambda: run(app.uow(), world), lambda: run(app.uow(), world))
    assert len(results) == 1 and [type(f) for f in failures] == [Conflict]
    assert rows(app.uow(), "SELECT count(*), count(DISTINCT version_id) FROM payment_claims") == [
        (13, 13)
    ]


def test_one_cycle_released_twice_at_once_pays_once(own_database: App, world: ClaimsWorld) -> None:
    app = own_database
    cycle = run(app.uow(), world)
    deposit(app.uow(), world, cycle.requested)
    results, failures = together(
        lambda: release(app, app.uow(), cycle.number), lambda: release(app, app.uow(), cycle.number)
    )
    assert failures == []
    assert sorted(r.released for r in results) == [0, 2]
    assert rows(app.uow(), "SELECT count(*) FROM claims WHERE status = 'paid'") == [(13,)]
    assert rows(app.uow(), "SELECT count(*) FROM edi_remittances") == [(2,)]
    ledger = books(app.uow(), world)
    assert ledger.net == 0 and ledger.accounts["claims_funding_bank"] == 0


def test_two_cycles_released_at_once_never_spend_more_than_the_funds(
    own_database: App, world: ClaimsWorld
) -> None:
    app = own_database
    first = run(app.uow(), world, through="2026-12-31")
    adjudicated(app.uow(), visit("L-1", world.dee, 525, day="2026-03-01", received="2026-05-01"))
    second = run(app.uow(), world, through="2026-12-31", on="2026-06-02")
    deposit(app.uow(), world, second.requested)  # enough for the second cycle only
    results, failures = together(
        lambda: release(app, app.uow(), first.number),
        lambda: release(app, app.uow(), second.number),
    )
    assert failures == []
    ledger = books(app.uow(), world)
    assert ledger.net == 0 and ledger.accounts["claims_funding_bank"] >= 0
    released = rows(
        app.uow(), "SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE status = 'released'"
    )
    assert released[0][0] <= int(second.requested * 100)
    assert sum(r.released_amount for r in results) == released[0][0] / 100


def test_the_database_refuses_a_version_in_two_live_payments(
    own_database: App, world: ClaimsWorld
) -> None:
    app = own_database
    run(app.uow(), world)
    ((payment_id, version_id, claim_id),) = rows(
        app.uow(), "SELECT payment_id, version_id, claim_id FROM payment_claims LIMIT 1"
    )
    twice = (
        "INSERT INTO payment_claims (payment_id, claim_id, version_id, version, role, "
        "root_claim_id, charge_cents, paid_cents, active) VALUES (:p, :c, :v, 1, 'payment', :c, "
        "0, 0, true)"
    )
    with pytest.raises(IntegrityError):
        execute(app.uow(), twice, p=payment_id, c=claim_id, v=version_id)
    execute(app.uow(), twice.replace("true)", "false)"), p=payment_id, c=claim_id, v=version_id)
