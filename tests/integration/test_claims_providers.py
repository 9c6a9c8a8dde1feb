"""Claims and the provider directory, on SQLite and PostgreSQL: the directory decides the
network of a provider it knows (by the contracts in effect on the claim's first service date),
and the batch prices lines by the provider's contract (the providers package's pricing
reference)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aso.bootstrap import App
from aso.claims.batch import adjudicate_received
from aso.db.uow import UnitOfWork
from tests.integration.claims_builders import (
    EXAMINER,
    ClaimsWorld,
    build_world,
    claim,
    current_lines,
    line,
    rows,
    submit,
)
from tests.integration.providers_builders import import_samples

PCP = "1234567893"  # Ann Lee MD: PPO-OH from 2026-01-01, MED-2026 (99213: $95.00)
HOSPITAL = "9876543213"  # Columbus General: PPO-OH 2026-01-01..2026-06-30
NO_CONTRACT = "1000000004"  # Bob Ray DO: on file, no contract
NOT_ON_FILE = "1654321094"


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    built = build_world(app, uow)
    import_samples(app)
    return built


def stored_network(uow: UnitOfWork, claim_id: str) -> tuple[str, str | None]:
    ((network, taxonomy),) = rows(
        uow,
        "SELECT provider_network, provider_taxonomy FROM claims WHERE claim_number = :c",
        c=claim_id,
    )
    return network, taxonomy


def test_the_directory_decides_the_network_by_the_first_service_date(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    lab = {"category": "lab", "allowed": 50}
    submit(
        uow,
        claim("H1", world.ann, line("2026-03-01", 100, **lab), network="out", npi=HOSPITAL),
        claim("H2", world.ann, line("2026-08-01", 100, **lab), network="in", npi=HOSPITAL),
        claim("B1", world.ann, line("2026-03-01", 100, **lab), network="in", npi=NO_CONTRACT),
        claim("X1", world.ann, line("2026-03-01", 100, **lab), network="in", npi=NOT_ON_FILE),
    )
    assert stored_network(uow, "H1")[0] == "in"
    assert stored_network(uow, "H2")[0] == "out"
    assert stored_network(uow, "B1")[0] == "out"
    assert stored_network(uow, "X1")[0] == "in"


def test_lines_are_priced_by_the_providers_contract(uow: UnitOfWork, world: ClaimsWorld) -> None:
    document = claim("P1", world.dee, line("2026-03-01", 180, procedure="99213", pos="11"))
    del document["provider"]["taxonomy"]
    submit(uow, document)
    assert stored_network(uow, "P1") == ("in", "207Q00000X")
    summary = adjudicate_received(uow=uow, actor=EXAMINER)
    assert summary.claims == 1
    (result,) = current_lines(uow, "P1")
    # MED-2026: 99213 at $95.00; an office visit with a PCP (taxonomy 207Q...): $25 copay
    assert (result.category, result.allowed, result.copay, result.plan_paid) == (
        "office_visit_pcp",
        Decimal("95.00"),
        Decimal("25.00"),
        Decimal("70.00"),
    )
