"""Two batches at once on PostgreSQL (a database of its own: what matters happens at commit).
Each chunk locks its families before it loads them, so every claim is adjudicated exactly once,
from its family's latest state, and the accumulators add up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from aso.bootstrap import App, make_engine
from aso.claims import batch
from aso.claims.batch import BatchSummary
from aso.claims.service import rebuild_accumulators
from aso.config import Settings
from aso.db.models import metadata
from tests.conftest import _worker, create_pg_database, drop_pg_database
from tests.integration.claims_builders import (
    EXAMINER,
    adjudicate,
    build_world,
    claim,
    line,
    rows,
    submit,
)


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[App]:
    name = f"aso_claims_concurrency_{_worker()}"
    engine = make_engine(create_pg_database(name))
    metadata.create_all(engine)
    key = Fernet.generate_key().decode()
    try:
        yield App(settings=Settings(var_dir=tmp_path, ssn_key=key), engine=engine)
    finally:
        engine.dispose()
        drop_pg_database(name)


@pytest.mark.postgres
def test_two_batches_at_once_adjudicate_each_claim_once(
    own_database: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = own_database
    worlds = [build_world(app, app.uow(), ein=ein) for ein in ("31-1234567", "36-7654321")]
    documents = [
        claim(f"{world.ein[:2]}-{who}-{day}", member,
              line(f"2026-02-{day:02d}", 900, category="lab", allowed=400),
              received=f"2026-03-{day:02d}")
        for world in worlds
        for who, member in (("a", world.ann), ("b", world.bo), ("d", world.dee))
        for day in range(1, 11)
    ]  # fmt: skip
    submit(app.uow(), *documents)
    monkeypatch.setattr(batch, "CHUNK_CLAIMS", 3)

    summaries: list[BatchSummary] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            summaries.append(adjudicate(app.uow()))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sum(s.claims for s in summaries) == len(documents)
    assert rows(app.uow(), "SELECT count(*), count(DISTINCT claim_id) FROM claim_versions") == [
        (len(documents), len(documents))
    ]
    assert rows(app.uow(), "SELECT count(*) FROM claims WHERE status = 'received'") == [(0,)]
    assert rebuild_accumulators(uow=app.uow(), actor=EXAMINER).differences == []
    # each family met exactly its deductible: 10 labs of $400 against $1,500 individual
    deductibles = rows(
        app.uow(),
        "SELECT sum(amount_cents) FROM accumulator_entries WHERE kind = 'deductible'"
        " GROUP BY member_id",
    )
    assert sorted(d for (d,) in deductibles) == [150000] * 6
