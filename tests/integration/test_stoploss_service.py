"""Stop-loss use cases on SQLite and PostgreSQL: a contract for Acme, claims paid, tracking
with large-case notifications made once, requests with the claims behind them, reimbursements
received into the ledger (whose trial balance still nets to zero), the employer's de-identified
report and who may do what (DESIGN 1).

The world (``stoploss_builders``): Acme's employees are Ann Lee (tier family) and Dee Diaz
(tier employee); Bo and Cy are Ann's dependents. Contract 2026, 12/15, specific $100,000 at
100% with a 50% notification threshold, Dee lasered at $250,000; aggregate factors family
$1,300 and employee $450 a month ($1,750 a month for Acme, $21,000 a year), minimum
attachment $400,000.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aso.ledger import service as ledger
from aso.security.domain import Principal, Role
from aso.stoploss import service
from aso.stoploss.domain import Kind
from tests.integration.claims_builders import ClaimsWorld, execute, rows
from tests.integration.stoploss_builders import (
    ADMIN,
    AUDITOR,
    EXAMINER,
    Paid,
    contract_create,
    employer_user,
    pay,
    world,
)

D = Decimal
JUNE = date(2026, 6, 30)


@pytest.fixture
def acme(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return world(app, uow)


@pytest.fixture
def contract_id(uow: UnitOfWork, acme: ClaimsWorld) -> int:
    created = service.create_contract(
        uow=uow, actor=ADMIN, employer_id=acme.employer_id, data=contract_create(acme.dee)
    )
    return created.id


def spring_claims(uow: UnitOfWork, acme: ClaimsWorld) -> None:
    """Bo $340,000 (two claims), Dee $300,000, Ann $60,000, Cy $5,000, all paid by June."""
    pay(
        uow,
        Paid("BO-1", acme.bo, "200000", "2026-02-10", "2026-03-05"),
        Paid("BO-2", acme.bo, "140000", "2026-04-01", "2026-05-07"),
        Paid("DEE-1", acme.dee, "300000", "2026-03-15", "2026-04-02"),
        Paid("ANN-1", acme.ann, "60000", "2026-05-20", "2026-06-11"),
        Paid("CY-1", acme.cy, "5000", "2026-05-02", "2026-06-11"),
    )


def test_a_contract_is_set_up_and_read_back(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    [staff] = service.contracts(uow=uow, actor=EXAMINER, employer_id=acme.employer_id)
    assert (staff.id, staff.basis, staff.paid_to, staff.incurred_to) == (
        contract_id,
        "12/15",
        date(2027, 3, 31),
        date(2026, 12, 31),
    )
    assert [(laser.member_id, laser.deductible) for laser in staff.lasers or []] == [
        (acme.dee, D("250000"))
    ]
    assert staff.aggregate is not None
    assert staff.aggregate.attachment_factors["family"] == D("1300")
    assert json.loads(staff.model_dump_json())["specific_reimbursement"] == "1.0000"
    [seen] = service.contracts(
        uow=uow, actor=employer_user(acme.employer_id), employer_id=acme.employer_id
    )
    assert (seen.lasers, seen.laser_count) == (None, 1)


def test_a_wrong_contract_is_refused_naming_the_field(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        service.create_contract(
            uow=uow,
            actor=ADMIN,
            employer_id=acme.employer_id,
            data=contract_create("M999999999"),
        )
    assert [str(p) for p in raised.value.problems] == [
        "specific.lasers[1].member: no member M999999999 of this employer",
        f"period: overlaps contract {contract_id} (2026-01-01..2026-12-31) of this employer",
    ]
    with pytest.raises(ValidationFailed, match="basis"):
        service.create_contract(
            uow=uow,
            actor=ADMIN,
            employer_id=acme.employer_id,
            data=contract_create(basis="12-15"),
        )
    with pytest.raises(Forbidden):
        service.create_contract(
            uow=uow, actor=EXAMINER, employer_id=acme.employer_id, data=contract_create()
        )


def test_positions_from_the_claims_paid(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    """Bo $340,000 - $100,000 = $240,000 excess; Dee (laser $250,000) $300,000 - $250,000 =
    $50,000. Toward the aggregate: $100,000 + $250,000 + $60,000 + $5,000 = $415,000. Six
    months of Acme's $1,750 = $10,500 by June: the $400,000 minimum binds, excess $15,000."""
    spring_claims(uow, acme)
    report = service.report(uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=JUNE)
    [position] = report.contracts
    assert (position.paid, position.specific_excess, position.specific_reimbursable) == (
        D("705000"),
        D("290000"),
        D("290000"),
    )
    listed = [(c.member_id, c.paid, c.excess, c.toward_aggregate) for c in position.claimants]
    assert listed == [
        (acme.bo, D("340000"), D("240000"), D("100000")),  # reached $50,000 on 2026-03-05
        (acme.dee, D("300000"), D("50000"), D("250000")),  # reached $125,000 on 2026-04-02
        (acme.ann, D("60000"), D("0"), D("60000")),
    ]
    assert [c.label for c in position.claimants] == ["Claimant 1", "Claimant 2", "Claimant 3"]
    assert (position.other_members.members, position.other_members.paid) == (1, D("5000"))
    aggregate = position.aggregate
    assert aggregate is not None
    assert [m.attachment for m in aggregate.months] == [D("1750")] * 6
    assert aggregate.months[0].enrolled == {
        "employee": 1,
        "employee_spouse": 0,
        "employee_children": 0,
        "family": 1,
    }
    assert (aggregate.from_enrollment, aggregate.attachment, aggregate.final) == (
        D("10500"),
        D("400000"),
        False,
    )
    assert (aggregate.eligible, aggregate.excess) == (D("415000"), D("15000"))


def test_claims_not_paid_or_voided_do_not_count(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    spring_claims(uow, acme)
    execute(uow, "UPDATE claims SET status = 'voided' WHERE claim_number = 'BO-2'")
    execute(
        uow,
        "UPDATE claims SET status = 'approved', paid_on = NULL WHERE claim_number = 'DEE-1'",
    )
    [position] = service.report(
        uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=JUNE
    ).contracts
    assert position.paid == D("265000")  # Bo's $200,000, Ann's $60,000, Cy's $5,000
    assert position.specific_excess == D("100000")


def test_large_case_notifications_are_made_once_per_member(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    spring_claims(uow, acme)
    first = service.track(uow=uow, actor=EXAMINER, employer_id=acme.employer_id, as_of=JUNE)
    assert [(n.member_id, n.threshold, n.reached_on) for n in first.notifications] == [
        (acme.bo, D("50000"), date(2026, 3, 5)),
        (acme.dee, D("125000"), date(2026, 4, 2)),
        (acme.ann, D("50000"), date(2026, 6, 11)),
    ]
    again = service.track(uow=uow, actor=EXAMINER, employer_id=acme.employer_id, as_of=JUNE)
    assert again.notifications == []
    pay(uow, Paid("CY-2", acme.cy, "48000", "2026-07-01", "2026-07-09"))
    later = service.track(
        uow=uow, actor=EXAMINER, employer_id=acme.employer_id, as_of=date(2026, 7, 31)
    )
    assert [(n.member_id, n.claimant, n.paid) for n in later.notifications] == [
        (acme.cy, "Claimant 4", D("53000"))
    ]
    [count] = rows(uow, "SELECT count(*) FROM stoploss_notifications")
    assert count == (4,)
    [position] = later.report.contracts
    assert [c.notified_on for c in position.claimants] == [JUNE, JUNE, JUNE, date(2026, 7, 31)]
    with pytest.raises(Forbidden):
        service.track(
            uow=uow, actor=employer_user(acme.employer_id), employer_id=acme.employer_id, as_of=JUNE
        )


def net(uow: UnitOfWork, employer_id: int) -> dict[str, tuple[Decimal, Decimal]]:
    balance = ledger.trial_balance(uow=uow, actor=ADMIN, employer_id=employer_id)
    assert balance.net == 0 and balance.total_debit == balance.total_credit
    return {line.account: (line.debit, line.credit) for line in balance.accounts}


def test_requests_list_their_claims_and_post_the_receivable(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    spring_claims(uow, acme)
    made = service.request_reimbursement(
        uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=JUNE
    )
    by_member = {r.member_id: r for r in made}
    assert set(by_member) == {acme.bo, acme.dee}
    bo = by_member[acme.bo]
    assert (bo.kind, bo.amount, bo.counted, bo.status, bo.claimant) == (
        Kind.SPECIFIC,
        D("240000"),
        D("240000"),
        "open",
        "Claimant 1",
    )
    # BO-1 ($200,000) fills the deductible with $100,000: $100,000 excess; BO-2 all excess.
    assert [(c.claim_id, c.paid, c.counted) for c in bo.claims or []] == [
        ("BO-1", D("200000"), D("100000")),
        ("BO-2", D("140000"), D("140000")),
    ]
    assert [(c.claim_id, c.counted) for c in by_member[acme.dee].claims or []] == [
        ("DEE-1", D("50000"))
    ]
    assert net(uow, acme.employer_id)["stop_loss_receivable"] == (D("290000"), D("0"))
    assert net(uow, acme.employer_id)["stop_loss_recoveries"] == (D("0"), D("290000"))

    assert (
        service.request_reimbursement(
            uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=JUNE
        )
        == []
    )
    pay(uow, Paid("BO-3", acme.bo, "12345.67", "2026-07-01", "2026-07-15"))
    [more] = service.request_reimbursement(
        uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=date(2026, 7, 31)
    )
    assert (more.member_id, more.amount) == (acme.bo, D("12345.67"))
    assert [(c.claim_id, c.counted) for c in more.claims or []] == [("BO-3", D("12345.67"))]
    read = service.get_request(uow=uow, actor=EXAMINER, request_id=bo.id)
    assert read.claims == bo.claims
    with pytest.raises(Forbidden):
        service.request_reimbursement(
            uow=uow, actor=EXAMINER, employer_id=acme.employer_id, as_of=JUNE
        )


def test_reimbursements_received_into_the_ledger(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    spring_claims(uow, acme)
    made = service.request_reimbursement(
        uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=JUNE
    )
    bo, dee = sorted(made, key=lambda r: r.amount, reverse=True)
    full = service.record_reimbursement(
        uow=uow,
        actor=ADMIN,
        request_id=bo.id,
        amount=D("240000"),
        received_on=date(2026, 7, 20),
        reference="EFT 88123",
    )
    assert (full.request.status, full.request.outstanding, full.writeoff_transaction_id) == (
        "paid",
        D("0"),
        None,
    )
    part = service.record_reimbursement(
        uow=uow, actor=ADMIN, request_id=dee.id, amount=D("30000"), received_on=date(2026, 7, 20)
    )
    assert (part.request.status, part.request.outstanding) == ("open", D("20000"))
    with pytest.raises(ValidationFailed, match=r"more than the 20000\.00 outstanding"):
        service.record_reimbursement(
            uow=uow, actor=ADMIN, request_id=dee.id, amount=D("20000.01"), received_on=JUNE
        )
    settled = service.record_reimbursement(
        uow=uow,
        actor=ADMIN,
        request_id=dee.id,
        amount=D("0"),
        received_on=date(2026, 8, 3),
        final=True,
    )
    assert (settled.written_off, settled.request.status, settled.request.closed_on) == (
        D("20000"),
        "settled",
        date(2026, 8, 3),
    )
    with pytest.raises(Conflict, match="closed"):
        service.record_reimbursement(
            uow=uow, actor=ADMIN, request_id=dee.id, amount=D("1"), received_on=date(2026, 8, 4)
        )
    balances = net(uow, acme.employer_id)
    assert balances["claims_funding_bank"] == (D("270000"), D("0"))
    assert balances["stop_loss_receivable"] == (D("0"), D("0"))
    assert balances["stop_loss_recoveries"] == (D("0"), D("270000"))
    [position] = service.report(
        uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=date(2026, 8, 31)
    ).contracts
    assert (position.requested, position.received, position.outstanding) == (
        D("290000"),
        D("270000"),
        D("0"),
    )
    with pytest.raises(NotFound):
        service.record_reimbursement(
            uow=uow, actor=ADMIN, request_id=bo.id + 999, amount=D("1"), received_on=JUNE
        )


def test_the_run_out_and_the_aggregate_request_after_it(
    uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    """Under 12/15 a claim incurred in December and paid in February counts; one paid after
    March 31, 2027 does not. The aggregate, $415,000 + $30,000 eligible against the $400,000
    minimum (12 x $1,750 = $21,000 from enrollment), is requested once the run-out is over:
    $45,000."""
    spring_claims(uow, acme)
    pay(
        uow,
        Paid("ANN-2", acme.ann, "30000", "2026-12-20", "2027-02-15"),
        Paid("ANN-3", acme.ann, "9000", "2026-12-21", "2027-04-05"),
    )
    early = service.request_reimbursement(
        uow=uow,
        actor=ADMIN,
        employer_id=acme.employer_id,
        as_of=date(2027, 3, 31),
        kind=Kind.AGGREGATE,
    )
    assert early == []
    [aggregate] = service.request_reimbursement(
        uow=uow,
        actor=ADMIN,
        employer_id=acme.employer_id,
        as_of=date(2027, 4, 30),
        kind=Kind.AGGREGATE,
    )
    assert (aggregate.kind, aggregate.member_id, aggregate.amount, aggregate.attachment) == (
        Kind.AGGREGATE,
        None,
        D("45000"),
        D("400000"),
    )
    assert aggregate.counted == D("445000")
    assert "ANN-3" not in {c.claim_id for c in aggregate.claims or []}
    [position] = service.report(
        uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=date(2027, 4, 30)
    ).contracts
    assert position.settled and position.aggregate is not None
    assert (position.aggregate.from_enrollment, position.aggregate.requested) == (
        D("21000"),
        D("45000"),
    )


def test_the_employer_sees_its_report_de_identified(
    app: App, uow: UnitOfWork, acme: ClaimsWorld, contract_id: int
) -> None:
    spring_claims(uow, acme)
    service.track(uow=uow, actor=EXAMINER, employer_id=acme.employer_id, as_of=JUNE)
    service.request_reimbursement(uow=uow, actor=ADMIN, employer_id=acme.employer_id, as_of=JUNE)
    for actor in (employer_user(acme.employer_id), AUDITOR):
        report = service.report(uow=uow, actor=actor, employer_id=acme.employer_id, as_of=JUNE)
        assert report.deidentified
        [position] = report.contracts
        assert [(c.label, c.paid, c.excess) for c in position.claimants] == [
            ("Claimant 1", D("340000"), D("240000")),
            ("Claimant 2", D("300000"), D("50000")),
            ("Claimant 3", D("60000"), D("0")),
        ]
        assert all(c.notified and c.notified_on is None for c in position.claimants)
        assert {r.claimant for r in position.requests} == {"Claimant 1", "Claimant 2"}
        text = report.model_dump_json()
        for secret in (acme.ann, acme.bo, acme.cy, acme.dee, "Lee", "Diaz", "BO-1", "DEE-1"):
            assert secret not in text
    staff = service.report(uow=uow, actor=EXAMINER, employer_id=acme.employer_id, as_of=JUNE)
    assert not staff.deidentified and staff.contracts[0].claimants[0].name == "Bo Lee"

    other = world(app, uow, ein="36-7654321")
    with pytest.raises(NotFound):
        service.report(
            uow=uow,
            actor=employer_user(other.employer_id),
            employer_id=acme.employer_id,
            as_of=JUNE,
        )
    member = Principal(user_id=None, username="ann", role=Role.MEMBER)
    with pytest.raises(Forbidden):
        service.report(uow=uow, actor=member, employer_id=acme.employer_id, as_of=JUNE)
    with pytest.raises(Forbidden):
        service.get_request(uow=uow, actor=employer_user(acme.employer_id), request_id=1)
