"""Claim intake on SQLite and PostgreSQL: structural errors reject the request with claim, line
and field named and store nothing; the same claim twice is stored once; a different claim with
the same id conflicts unless it is a correction; an unknown member's claim is stored."""

from __future__ import annotations

from typing import Any

import pytest

from aso.bootstrap import App
from aso.claims.intake import submit_claims
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, Forbidden, ValidationFailed
from aso.security.domain import Principal, Role
from tests.integration.claims_builders import (
    EXAMINER,
    NPI_CLINIC,
    NPI_PCP,
    ClaimsWorld,
    build_world,
    claim,
    line,
    rows,
    submit,
)


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return build_world(app, uow)


def count_claims(uow: UnitOfWork) -> int:
    return rows(uow, "SELECT count(*) FROM claims")[0][0]


def test_claims_are_stored_as_received_with_member_family_and_employer(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    receipts = submit(
        uow,
        claim("C1", world.cy, line("2026-02-01", 180, category="office_visit_pcp")),
        claim("C2", world.dee, line("2026-02-03", 95, procedure="99213", pos="11"), npi=None),
    )
    assert [(r.id, r.stored, r.status) for r in receipts] == [
        ("C1", True, "received"),
        ("C2", True, "received"),
    ]
    stored = rows(
        uow,
        "SELECT c.claim_number, c.submitter, c.status, c.current_version, m.member_number,"
        " f.member_number, c.employer_id FROM claims c JOIN members m ON m.id = c.member_id"
        " JOIN members f ON f.id = c.family_id ORDER BY c.sequence",
    )
    assert stored == [
        ("C1", "1234567893", "received", 0, world.cy, world.ann, world.employer_id),
        ("C2", "", "received", 0, world.dee, world.dee, world.employer_id),
    ]
    charges = rows(uow, "SELECT line, charge_cents, units_e4 FROM claim_lines ORDER BY claim_id")
    assert charges == [(1, 18000, 10000), (1, 9500, 10000)]
    assert rows(uow, "SELECT count(*) FROM claim_documents")[0][0] == 2


BAD_LINES: list[tuple[dict[str, Any], str, str]] = [
    ({"category": "massage"}, "claims[C9].lines[2].category", "unknown category"),
    ({"category": "lab", "charge": "-1.00"}, "claims[C9].lines[2].charge", "must be >= 0"),
    ({"category": "lab", "date": "2026-02-30"}, "claims[C9].lines[2].date", "not a date"),
    ({"procedure": 99213}, "claims[C9].lines[2].procedure", "must be a string"),
    ({"category": "lab", "pos": 11}, "claims[C9].lines[2].pos", "must be a string"),
    ({"category": "lab", "release": ["high_dollar"]}, "claims[C9].lines[2].release", "examiner"),
]


@pytest.mark.parametrize(("bad", "where", "message"), BAD_LINES)
def test_a_structural_error_rejects_the_request_naming_claim_line_and_field(
    uow: UnitOfWork, world: ClaimsWorld, bad: dict[str, Any], where: str, message: str
) -> None:
    good = claim("C8", world.ann, line("2026-02-01", 100, category="lab"))
    broken = claim("C9", world.ann, line("2026-02-01", 100, category="lab"))
    broken["lines"].append({"date": "2026-02-02", "charge": "50.00", **bad})
    with pytest.raises(ValidationFailed) as caught:
        submit(uow, good, broken)
    assert any(p.where == where and message in p.message for p in caught.value.problems), (
        caught.value.problems
    )
    assert count_claims(uow) == 0


def test_malformed_received_date_and_every_problem_are_reported(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    document = claim("C1", world.ann, line("2026-13-01", 1, category="lab"))
    document["received"] = "yesterday"
    document["lines"][0]["charge"] = "abc"
    with pytest.raises(ValidationFailed) as caught:
        submit(uow, document)
    places = {p.where for p in caught.value.problems}
    assert {"claims[C1].received", "claims[C1].lines[1].date", "claims[C1].lines[1].charge"} <= (
        places
    )
    assert count_claims(uow) == 0


def test_the_same_claim_twice_is_stored_once(uow: UnitOfWork, world: ClaimsWorld) -> None:
    document = claim("C1", world.ann, line("2026-02-01", 180, category="office_visit_pcp"))
    first = submit(uow, document)
    respelled = claim("C1", world.ann, line("2026-02-01", "180.00", category="office_visit_pcp"))
    again = submit(uow, respelled)
    assert first[0].stored and not again[0].stored
    assert again[0].key == first[0].key
    assert count_claims(uow) == 1


def test_the_same_id_with_other_content_conflicts_and_stores_nothing(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, claim("C1", world.ann, line("2026-02-01", 180, category="office_visit_pcp")))
    changed = claim("C1", world.ann, line("2026-02-01", 190, category="office_visit_pcp"))
    other = claim("C2", world.ann, line("2026-02-01", 50, category="lab"))
    with pytest.raises(Conflict, match="frequency 7"):
        submit(uow, other, changed)
    assert count_claims(uow) == 1


def test_the_same_id_from_another_provider_is_another_claim(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    submit(uow, claim("C1", world.ann, line("2026-02-01", 180, category="office_visit_pcp")))
    receipts = submit(
        uow, claim("C1", world.bo, line("2026-02-01", 60, category="lab"), npi=NPI_CLINIC)
    )
    assert receipts[0].stored
    assert count_claims(uow) == 2


def test_a_correction_with_the_same_id_is_stored_and_points_to_the_original(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    original = submit(uow, claim("C1", world.ann, line("2026-02-01", 180, category="lab")))
    replacement = claim(
        "C1", world.ann, line("2026-02-01", 150, category="lab"), frequency=7, replaces="C1"
    )
    void = claim("C1", world.ann, frequency=8, replaces="C1")
    receipts = submit(uow, replacement, void)
    assert all(r.stored for r in receipts)
    links = rows(uow, "SELECT frequency, replaces_id FROM claims ORDER BY sequence")
    assert links == [(1, None), (7, original[0].key), (8, receipts[0].key)]


def test_a_correction_of_a_claim_not_on_file_is_rejected(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    replacement = claim(
        "C2", world.ann, line("2026-02-01", 150, category="lab"), frequency=7, replaces="C1"
    )
    with pytest.raises(ValidationFailed) as caught:
        submit(uow, replacement)
    assert caught.value.problems[0].where == "claims[C2].replaces"
    assert count_claims(uow) == 0


def test_an_unknown_members_claim_is_stored(uow: UnitOfWork, world: ClaimsWorld) -> None:
    receipts = submit(uow, claim("C1", "M999999999", line("2026-02-01", 80, category="lab")))
    assert receipts[0].stored
    stored = rows(uow, "SELECT member_number, member_id, family_id, employer_id FROM claims")
    assert stored == [("M999999999", None, None, None)]


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.MEMBER, Role.AUDITOR])
def test_only_providers_and_staff_submit(uow: UnitOfWork, world: ClaimsWorld, role: Role) -> None:
    actor = Principal(user_id=None, username="someone", role=role)
    with pytest.raises(Forbidden):
        submit_claims(
            uow=uow,
            actor=actor,
            documents=claim("C1", world.ann, line("2026-02-01", 80, category="lab")),
        )
    provider = Principal(
        user_id=None, username="clinic", role=Role.PROVIDER, npis=frozenset({NPI_PCP})
    )
    receipts = submit_claims(
        uow=uow,
        actor=provider,
        documents=claim("C1", world.ann, line("2026-02-01", 80, category="lab")),
    )
    assert receipts[0].stored
    assert rows(uow, "SELECT submitted_by FROM claims") == [("clinic",)]


def test_a_provider_user_submits_only_for_the_npis_it_acts_for(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    provider = Principal(
        user_id=None, username="clinic", role=Role.PROVIDER, npis=frozenset({NPI_PCP})
    )
    documents = [
        claim("C1", world.ann, line("2026-02-01", 80, category="lab")),
        claim("C2", world.ann, line("2026-02-01", 80, category="lab"), npi=NPI_CLINIC),
        claim("C3", world.ann, line("2026-02-01", 80, category="lab"), npi=None),
    ]
    with pytest.raises(Forbidden) as refused:
        submit_claims(uow=uow, actor=provider, documents=documents)
    message = str(refused.value)
    assert f"claims[C2].provider.npi {NPI_CLINIC}" in message
    assert "claims[C3].provider.npi (none)" in message
    assert "claims[C1]" not in message
    assert rows(uow, "SELECT count(*) FROM claims") == [(0,)]
    stranger = Principal(user_id=None, username="nobody", role=Role.PROVIDER)
    with pytest.raises(Forbidden):
        submit_claims(uow=uow, actor=stranger, documents=documents[0])
    assert submit_claims(uow=uow, actor=provider, documents=documents[0])[0].stored
    assert EXAMINER.role is Role.EXAMINER
