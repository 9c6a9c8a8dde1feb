"""Importing X12 files, on SQLite and PostgreSQL (issue 4 items 6 and 7): a 999 for every file,
a TA1 for a broken envelope (nothing stored), a rejected set that changes nothing while the other
sets go on, a file received twice recognised and not processed again, the registry of what was
received and answered, and ``POST /v1/edi/files``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aso.api.app import create_app
from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.edi import service
from aso.members.crypto import SsnCipher
from aso.security.domain import Role
from tests.builders import token_for
from tests.integration.edi_builders import Desk, assert_acks_valid, segments
from tests.unit.edi_builders import sample, swap
from tests.unit.x834_builders import coverage, enrollment, family, interchange, member


@pytest.fixture
def desk(app: App, uow: UnitOfWork) -> Desk:
    found = Desk(app, uow, SsnCipher(app.settings.resolved_ssn_key()))
    found.employer()
    return found


def good(control: int = 101, **more: object) -> str:
    return interchange(enrollment(*family()), control=control, **more)  # type: ignore[arg-type]


# duplicates -------------------------------------------------------------------------------------


def test_the_same_file_twice_is_recognised_and_not_processed(desk: Desk, tmp_path: Path) -> None:
    first = desk.run(good(), name="monday.x12")
    once = desk.snapshot()
    second = desk.run(good(), name="monday-again.x12")
    assert (first.status, second.status) == ("processed", "duplicate")
    assert desk.snapshot() == once
    assert second.duplicate_of is not None and second.duplicate_of.id == first.id
    assert second.duplicate_of.same_content
    assert second.errors[0].startswith("the same file (monday.x12) was received on 2026-05-11")
    assert second.ack_999 is None
    assert segments(second.ack_ta1)[1] == "TA1*000000101*260510*1200*R*025"
    assert [t.status for t in second.transactions] == ["not_processed"]
    assert_acks_valid(second, tmp_path)
    assert [row[0] for row in desk.received()] == ["processed", "duplicate"]


def test_the_same_sender_and_control_number_is_a_duplicate_too(desk: Desk) -> None:
    desk.run(good())
    other = interchange(enrollment(member(coverage(level="EMP"), number="E200", first="BEA")))
    second = desk.run(other, name="other.x12")
    assert second.status == "duplicate"
    assert second.duplicate_of is not None and not second.duplicate_of.same_content
    assert "an interchange with the same sender and control number" in second.errors[0]
    assert desk.coverages("BEA") == []
    from_someone_else = desk.run(
        interchange(
            enrollment(member(coverage(level="EMP"), number="E200", first="BEA")), sender="BROKER"
        )
    )
    assert from_someone_else.status == "processed"


# broken files ------------------------------------------------------------------------------------


BROKEN: dict[str, tuple[Callable[[str], str], str, str]] = {
    "truncated": (
        lambda t: t[: t.index("HD*021**HLT*PPO1500*FAM~\nDTP*348*D8*20260101~\nSE") + 10],
        "023",
        "the file ends inside segment",
    ),
    "group count": (
        lambda t: swap(t, "IEA*1*000000101", "IEA*3*000000101"),
        "021",
        "IEA01 says 3 functional groups, the interchange has 1",
    ),
    "control number": (
        lambda t: swap(t, "IEA*1*000000101", "IEA*1*000000777"),
        "001",
        "IEA02 '000000777' is not the interchange control number ISA13 '000000101'",
    ),
    "broken envelope": (
        lambda t: swap(t, "GE*1*101~\n", "GE*1*101~\nREF*0F*E100~\n"),
        "022",
        "REF stands in an interchange but outside any transaction set (ST..SE)",
    ),
    "no IEA": (
        lambda t: t[: t.index("IEA")],
        "023",
        "interchange 000000101 has no IEA",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_envelope_gets_its_ta1_and_stores_nothing(
    desk: Desk, case: str, tmp_path: Path
) -> None:
    bend, note, message = BROKEN[case]
    summary = desk.run(bend(good()))
    assert summary.status == "rejected"
    assert any(message in error for error in summary.errors), summary.errors
    assert segments(summary.ack_ta1)[1] == f"TA1*000000101*260510*1200*R*{note}"
    assert summary.ack_999 is None
    assert_acks_valid(summary, tmp_path)
    assert desk.counts() == (0, 0)
    assert desk.received() == [("rejected", "000000101", None)]


def test_a_rejected_interchange_may_be_sent_again_with_its_control_number(desk: Desk) -> None:
    rejected = desk.run(swap(good(), "IEA*1*000000101", "IEA*1*000000102"))
    assert rejected.status == "rejected"
    corrected = desk.run(good())
    assert corrected.status == "processed"
    assert desk.counts() == (3, 3)


def test_a_broken_isa_is_answered_when_it_can_be(desk: Desk, tmp_path: Path) -> None:
    summary = desk.run(good().replace("*00501*", "*00401*", 1))
    assert summary.status == "rejected"
    assert segments(summary.ack_ta1)[1] == "TA1*000000101*260510*1200*R*003"
    assert_acks_valid(summary, tmp_path)
    not_x12 = desk.run("employee_number,first_name\nE100,Ana\n", name="census.csv")
    assert (not_x12.status, not_x12.ack_ta1, not_x12.ack_999) == ("unreadable", None, None)
    assert "not an X12 interchange" in not_x12.errors[0]
    assert desk.counts() == (0, 0)


def test_a_broken_set_changes_nothing_while_the_others_are_processed(
    desk: Desk, tmp_path: Path
) -> None:
    bea = enrollment(member(coverage(level="EMP"), number="E200", first="BEA"))
    text = interchange(enrollment(*family()), bea)
    bent = swap(text, "SE*13*0002", "SE*14*0002")  # Bea's set miscounts its segments
    summary = desk.run(bent)
    assert summary.status == "processed_with_errors"
    assert [t.status for t in summary.transactions] == ["accepted", "rejected"]
    assert summary.transactions[1].errors == [
        "segment 40 (SE, segment 13 of set 0002), element SE01: SE01 says 14 segments, the set "
        "has 13 (ST and SE included)"
    ]
    assert desk.coverages("ANA") != [] and desk.coverages("BEA") == []
    assert segments(summary.ack_999)[3:10] == [
        "AK1*BE*101*005010X220A1",
        "AK2*834*0001*005010X220A1",
        "IK5*A",
        "AK2*834*0002*005010X220A1",
        "IK5*R*4",
        "AK9*P*2*2*1",
        "SE*8*0001",
    ]
    assert_acks_valid(summary, tmp_path)


def test_a_set_refused_by_the_rules_changes_nothing_while_the_others_go_on(desk: Desk) -> None:
    bea = enrollment(member(coverage(plan="NOPE", level="EMP"), number="E200", first="BEA"))
    summary = desk.run(interchange(enrollment(*family()), bea))
    assert [t.status for t in summary.transactions] == ["accepted", "rejected"]
    assert desk.counts() == (3, 3)
    assert "AK9*P*2*2*1" in segments(summary.ack_999)


def test_a_group_whose_envelope_is_wrong_is_not_processed(desk: Desk, tmp_path: Path) -> None:
    summary = desk.run(swap(good(), "GE*1*101", "GE*1*102"))
    assert summary.status == "processed_with_errors"
    assert desk.counts() == (0, 0)
    assert segments(summary.ack_999)[5:7] == ["IK5*A", "AK9*R*1*1*0*4"]
    assert_acks_valid(summary, tmp_path)


def test_a_ta1_is_sent_when_the_sender_asks(desk: Desk, tmp_path: Path) -> None:
    summary = desk.run(good(acknowledgment="1"))
    assert summary.status == "processed"
    assert segments(summary.ack_ta1)[1] == "TA1*000000101*260510*1200*A*000"
    assert summary.ack_999 is not None
    assert_acks_valid(summary, tmp_path)
    isa13 = [segments(text)[0].split("*")[13] for text in (summary.ack_999, summary.ack_ta1)]
    assert isa13 == ["000000001", "000000002"]  # one sequence for every interchange sent


def test_a_set_this_import_does_not_process_is_rejected_as_not_supported(
    desk: Desk, tmp_path: Path
) -> None:
    text = sample(
        "X279A1-HS270", "generic-request-by-clinic-for-patient--subscriber--eligibility.edi"
    )
    summary = desk.run(text)
    (transaction,) = summary.transactions
    assert transaction.status == "rejected"
    assert transaction.errors == [
        "segment 3 (ST, segment 1 of set 1234): aso edi import processes 834 and 837 sets, not 270"
    ]
    assert "IK5*R*1" in segments(summary.ack_999)
    assert_acks_valid(summary, tmp_path)


def test_a_failure_while_processing_lets_the_file_be_sent_again(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(service, "apply_enrollment", broken)
        with pytest.raises(RuntimeError):
            desk.run(good())
    assert desk.received() == [("failed", "000000101", None)]
    assert desk.run(good()).status == "processed"


# the API -----------------------------------------------------------------------------------------


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as c:
        yield c


def test_an_administrator_posts_a_file_and_gets_the_999(
    desk: Desk, client: TestClient, app: App
) -> None:
    headers = {"Authorization": f"Bearer {token_for(app, Role.ADMIN)}"}
    answer = client.post("/v1/edi/files?filename=enroll.x12", content=good(), headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["filename"]) == ("processed", "enroll.x12")
    assert body["ack_999"].startswith("ISA*00*")
    again = client.post("/v1/edi/files", content=good(), headers=headers).json()
    assert again["status"] == "duplicate" and "*R*025~" in again["ack_ta1"]
    assert desk.counts() == (3, 3)


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.SERVICE_REP, Role.EMPLOYER, Role.PROVIDER])
def test_only_an_administrator_imports_files(
    desk: Desk, client: TestClient, app: App, role: Role
) -> None:
    token = token_for(app, role, employer_id=desk.employer_id if role is Role.EMPLOYER else None)
    answer = client.post(
        "/v1/edi/files", content=good(), headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert desk.counts() == (0, 0) and desk.received() == []
