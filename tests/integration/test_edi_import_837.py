"""837 files through ``aso edi import``, on SQLite and PostgreSQL: each accepted set's claims go
to the claims intake in one transaction (``aso.edi.claim_intake``); a claim the reader or the
intake refuses is rejected alone (999 IK5 E with the claim's CLM01), the others are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aso.bootstrap import App
from aso.claims.batch import adjudicate_received
from aso.claims.reference_data import Pricing
from aso.claims.schemas import ClaimReceipt
from aso.claims.service import get_claim
from aso.db.uow import UnitOfWork
from aso.edi import claim_intake
from aso.errors import Conflict
from aso.members.crypto import SsnCipher
from aso.security.domain import Principal, Role
from tests.integration.edi_builders import Desk, assert_acks_valid, segments
from tests.unit.edi_builders import PROFESSIONAL, data, swap


@pytest.fixture
def desk(app: App, uow: UnitOfWork) -> Desk:
    return Desk(app, uow, SsnCipher(app.settings.resolved_ssn_key()))


class FakeIntake:
    """Stands in for ``store_claims`` (with ``parse_submission`` handing the documents on as
    they are): stores what it is given, or refuses a claim by id."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.calls: list[list[str]] = []

    def __call__(self, *, uow: UnitOfWork, actor: object, submitted: Any) -> list[ClaimReceipt]:
        documents = submitted
        ids = [document["id"] for document in documents]
        self.calls.append(ids)
        if self.refuse in ids:
            raise Conflict(f"claims[{self.refuse}]: a different claim {self.refuse} is on file")
        return [
            ClaimReceipt(id=i, key=n, member_id=d["member"], status="received", stored=True)
            for n, (i, d) in enumerate(zip(ids, documents, strict=True), start=1)
        ]


def test_the_claims_of_an_accepted_set_go_to_the_intake(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    intake = FakeIntake()
    monkeypatch.setattr(claim_intake, "store_claims", intake)
    monkeypatch.setattr(claim_intake, "parse_submission", lambda documents: documents)
    summary = desk.run(data(PROFESSIONAL), name="claims.x12")
    assert summary.status == "processed"
    (transaction,) = summary.transactions
    assert transaction.claims == {
        "stored": 2,
        "already_on_file": 0,
        "rejected": 0,
        "claims": [
            {"id": "PCN-1001", "member": "S1001", "stored": True},
            {"id": "PCN-1002", "member": "S1002", "stored": True},
        ],
    }
    assert intake.calls == [["PCN-1001", "PCN-1002"]]  # one call: one transaction
    assert segments(summary.ack_999)[3:7] == [
        "AK1*HC*905*005010X222A1",
        "AK2*837*0001*005010X222A1",
        "IK5*A",
        "AK9*A*1*1*1",
    ]
    assert_acks_valid(summary, tmp_path)


def test_a_claim_the_intake_refuses_is_rejected_alone(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    intake = FakeIntake(refuse="PCN-1002")
    monkeypatch.setattr(claim_intake, "store_claims", intake)
    monkeypatch.setattr(claim_intake, "parse_submission", lambda documents: documents)
    summary = desk.run(data(PROFESSIONAL), name="claims.x12")
    (transaction,) = summary.transactions
    assert transaction.status == "accepted_with_errors"
    assert transaction.claims is not None
    assert (transaction.claims["stored"], transaction.claims["rejected"]) == (1, 1)
    assert intake.calls == [["PCN-1001", "PCN-1002"], ["PCN-1001"]]
    assert transaction.errors == [
        "claim PCN-1002, segment 50 (CLM, segment 48 of set 0001), element CLM01: the claims "
        "intake refuses the claim: claims[PCN-1002]: a different claim PCN-1002 is on file"
    ]
    lines = segments(summary.ack_999)
    assert lines[5:9] == ["IK3*CLM*48*2300*8", "CTX*CLM01:PCN-1002", "IK4*1**7*PCN-1002", "IK5*E*5"]
    assert_acks_valid(summary, tmp_path)


def test_a_claim_the_reader_rejects_never_reaches_the_intake(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake = FakeIntake()
    monkeypatch.setattr(claim_intake, "store_claims", intake)
    monkeypatch.setattr(claim_intake, "parse_submission", lambda documents: documents)
    bad_npi = swap(data(PROFESSIONAL), "1234567893", "1234567890")  # the billing provider's
    summary = desk.run(bad_npi, name="claims.x12")
    (transaction,) = summary.transactions
    assert transaction.status == "accepted_with_errors"
    assert intake.calls == []
    assert transaction.claims is not None
    assert (transaction.claims["stored"], transaction.claims["rejected"]) == (0, 2)


def test_the_real_intake_answers_every_claim_of_the_file(desk: Desk, tmp_path: Path) -> None:
    """Against ``aso.claims.intake`` itself: each claim is stored, or refused alone with the
    intake's own reason; the 999 says which (IK5 A or E)."""
    summary = desk.run(data(PROFESSIONAL), name="claims.x12")
    (transaction,) = summary.transactions
    assert transaction.claims is not None
    assert transaction.claims["stored"] + transaction.claims["rejected"] == 2
    assert len(transaction.errors) == transaction.claims["rejected"]
    expected = "IK5*A" if not transaction.errors else "IK5*E*5"
    assert expected in segments(summary.ack_999)
    assert_acks_valid(summary, tmp_path)


def _stored_networks(uow: UnitOfWork) -> dict[str, str]:
    from sqlalchemy import select

    from aso.claims.models import ClaimRow

    with uow:
        rows = uow.session.execute(select(ClaimRow.claim_number, ClaimRow.provider_network))
        return {number: network for number, network in rows}


def test_an_837_claim_takes_its_network_from_the_provider_directory(
    desk: Desk, app: App, uow: UnitOfWork
) -> None:
    """The billing NPI 1234567893 has a contract in effect on the service date (2026-02-02)."""
    from tests.integration.providers_builders import import_samples

    import_samples(app)
    summary = desk.run(data(PROFESSIONAL), name="claims.x12")
    # PCN-1002 replaces a claim that is not on file: rejected alone, PCN-1001 is stored.
    assert summary.status == "processed_with_errors"
    assert _stored_networks(uow) == {"PCN-1001": "in"}


def test_an_837_claim_from_a_provider_not_on_file_is_out_of_network(
    desk: Desk, uow: UnitOfWork
) -> None:
    summary = desk.run(data(PROFESSIONAL), name="claims.x12")
    assert summary.status == "processed_with_errors"
    assert _stored_networks(uow) == {"PCN-1001": "out"}


def test_a_claim_for_an_unknown_member_is_stored_and_denied_31(desk: Desk) -> None:
    """DESIGN 9: not rejected; stored, then denied by the batch with CO-31 on every line."""
    summary = desk.run(data(PROFESSIONAL), name="claims.x12")
    (transaction,) = summary.transactions
    assert transaction.claims is not None
    stored = [c["id"] for c in transaction.claims["claims"] if c["stored"]]
    assert stored, transaction.errors
    examiner = Principal(user_id=None, username="examiner", role=Role.EXAMINER)
    batch = adjudicate_received(uow=desk.uow, actor=examiner, pricing=Pricing())
    assert batch.claims == len(stored)
    for claim_id in stored:
        claim = get_claim(uow=desk.uow, actor=examiner, claim_id=claim_id)
        assert (claim.member_known, claim.status) == (False, "denied")
        for line in claim.versions[-1].lines:
            assert [(a.group, a.carc, a.amount) for a in line.adjustments] == [
                ("CO", "31", line.charge)
            ]
