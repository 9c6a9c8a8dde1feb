"""835 export on SQLite and PostgreSQL: claims read from an 837 and adjudicated come back in the
835 with the adjudication's claim and line amounts to the cent (read back with the project's
reader, and valid for pyx12); a replacement reverses what was paid before, a void only reverses,
a negative net is carried forward and taken back later; an export never remits a claim version
twice; one 835 per payee (the provider on file, else the reimbursed subscriber)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from aso.bootstrap import App
from aso.claims.batch import adjudicate_received
from aso.db.uow import UnitOfWork
from aso.edi import remittance_claims as due_claims
from aso.edi.remittance import ExportSummary, RemittanceFile, export_835
from aso.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aso.security.domain import Principal, Role
from tests.integration.claims_builders import (
    EXAMINER,
    ClaimsWorld,
    build_world,
    claim,
    execute,
    line,
    rows,
    submit,
)
from tests.integration.providers_builders import import_samples
from tests.integration.x835_builders import (
    NOW,
    Claim837,
    Line,
    assert_reports,
    current_results,
    import_837,
    professional_837,
)
from tests.unit.edi_builders import sample, swap
from tests.unit.x834_builders import pyx12_findings
from tests.unit.x835_reading import ClaimRead, RemittanceRead, only_remittance

FEB = date(2026, 2, 2)
SENT = date(2026, 3, 1)
D = Decimal


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    """Acme's Lee family and Dee Diaz; the provider directory of tests/data/providers (Ann Lee
    MD, NPI 1234567893, in network)."""
    import_samples(app)
    return build_world(app, uow)


def adjudicate(uow: UnitOfWork) -> None:
    adjudicate_received(uow=uow, actor=EXAMINER)


def export(uow: UnitOfWork, world: ClaimsWorld, **options: Any) -> ExportSummary:
    return export_835(uow=uow, actor=EXAMINER, ein=world.ein, now=NOW, **options)


def checked(file: RemittanceFile, folder: Path) -> RemittanceRead:
    """The file passes pyx12 and reads back whole with the project's reader."""
    assert pyx12_findings(file.text, folder, file.filename) == [], file.text
    read = only_remittance(file.text)
    assert read.amount == file.amount >= 0
    return read


def by_payee(summary: ExportSummary, folder: Path) -> dict[str, RemittanceRead]:
    return {file.payee_id: checked(file, folder) for file in summary.files}


def claims_of(read: RemittanceRead) -> dict[str, ClaimRead]:
    return {claim.id: claim for claim in read.claims}


def visit(number: str, member: str, allowed: str = "110.00", **fields: Any) -> Claim837:
    return Claim837(number, member, (Line("99213", "180.00", FEB, ("25",), allowed=allowed),),
                    **fields)  # fmt: skip


# the round trip ---------------------------------------------------------------------------


def test_claims_from_an_837_come_back_in_the_835_to_the_cent(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    claims = [
        Claim837("RT-1", world.ann, (
            Line("99213", "180.00", FEB, ("25",), allowed="110.00"),
            Line("36415", "12.00", FEB, allowed="8.00"),
            Line("J1100", "30.00", FEB, units=2, allowed="20.00"),
        )),
        Claim837("RT-2", world.bo, (Line("99214", "240.00", FEB, allowed="150.00"),),
                 names=("LEE", "BO")),
        Claim837("RT-3", world.dee, (Line("99213", "125.00", date(2025, 12, 15),
                                          allowed="95.00"),), names=("DIAZ", "DEE")),
        Claim837("RT-4", world.cy, (Line("99213", "125.00", FEB, allowed="95.00"),),
                 npi="1234500001", names=("LEE", "CY")),
    ]  # fmt: skip
    import_837(app, uow, professional_837(claims, sent=SENT), "claims.837")
    adjudicate(uow)
    statuses = {c.number: current_results(uow, c.number)[0] for c in claims}
    assert statuses == {"RT-1": "approved", "RT-2": "approved", "RT-3": "denied",
                        "RT-4": "approved"}  # fmt: skip

    summary = export(uow, world)
    files = by_payee(summary, tmp_path)
    assert set(files) == {"1234567893", world.ann}  # the provider on file; Ann reimbursed for Cy
    provider, member = files["1234567893"], files[world.ann]
    assert provider.payee[1:] == ["PE", "Ann Lee MD", "XX", "1234567893"]
    assert provider.payee_tin == "311234567"
    assert member.payee[1:] == ["PE", "Ann Lee", "FI", world.ann]
    assert set(claims_of(provider)) == {"RT-1", "RT-2", "RT-3"}
    assert set(claims_of(member)) == {"RT-4"}
    for read in (provider, member):
        for number, found in claims_of(read).items():
            assert_reports(found, *current_results(uow, number))
        assert read.amount == sum(c.paid for c in read.claims)
    rt2 = claims_of(provider)["RT-2"]
    assert rt2.people["QC"][3:5] == ["Lee", "Bo"] and rt2.people["IL"][9] == world.ann
    assert claims_of(provider)["RT-1"].lines[2].units == "2"
    assert summary.claims == 4 and summary.total_paid == provider.amount + member.amount > 0


def test_a_sample_837_of_the_guide_comes_back_in_the_835(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    """X222A1 example "PPO repriced claim" (a nebulizer rental and its supplies, each line
    repriced), sent for Dee: its amounts and codes come back as adjudicated. The example's
    billing and referring NPIs fail their check digit (the reader rejects such a claim): they
    become valid ones of providers not on file."""
    text = sample("X222A1", "ppo-repriced-claim.edi")
    text = swap(text, "XX*1234567890", "XX*1234500001")
    text = swap(text, "XX*9988776655", "XX*1000000004")
    text = swap(text, "MI*00124A089", f"MI*{world.dee}")
    text = swap(text, "BHT*0019*00*1002*20050620", "BHT*0019*00*1002*20260320")
    text = text.replace("D8*20050514", "D8*20260314")
    import_837(app, uow, text, "ppo-repriced-claim.edi")
    adjudicate(uow)
    status, lines = current_results(uow, "ABC123-RI")
    assert status == "approved"
    (file,) = export(uow, world).files
    read = checked(file, tmp_path)
    (found,) = read.claims
    assert_reports(found, status, lines)
    assert [svc.code for svc in found.lines] == [["HC", "E0570", "RR"], ["HC", "A7003", "NU"]]
    assert [svc.dates for svc in found.lines] == [[("472", "20260314")]] * 2
    assert read.payee[3:] == ["FI", world.dee]  # NPI 1234500001 is not in the directory


def test_a_claim_without_codes_is_reported_at_claim_level(
    uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    """A claim keyed by category (no procedure an SVC could name), submitted by the member."""
    submit(uow, claim("MS-1", world.dee, line("2026-02-01", "100.00", category="office_visit_pcp",
                                             allowed=D("80.00")), npi=None))  # fmt: skip
    adjudicate(uow)
    _, lines = current_results(uow, "MS-1")
    (file,) = export(uow, world).files
    (found,) = checked(file, tmp_path).claims
    assert found.lines == []
    assert (found.charge, found.paid) == (D("100.00"), lines[0].plan_paid)
    assert found.charge - sum(a[2] for a in found.adjustments) == found.paid
    assert file.payee_id == world.dee


# corrections ------------------------------------------------------------------------------


def test_a_replacement_reverses_the_payment_and_a_void_carries_a_balance_forward(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    def send(claim: Claim837, control: int) -> None:
        import_837(app, uow, professional_837([claim], control=control, sent=SENT),
                   f"claims-{control}.837")  # fmt: skip
        adjudicate(uow)

    send(visit("RC-1", world.ann), 1)
    (first,) = export(uow, world).files
    original = checked(first, tmp_path).claims[0]
    assert (original.status, original.paid) == ("1", first.amount)
    assert first.amount > 0

    send(visit("RC-1", world.ann, "130.00", frequency=7, replaces="RC-1"), 2)
    (second,) = export(uow, world).files
    reversal, correction = checked(second, tmp_path).claims
    assert (reversal.status, reversal.control) == ("22", original.control)
    assert (reversal.charge, reversal.paid) == (-original.charge, -original.paid)
    assert reversal.lines[0].adjustments == [
        (g, c, -a) for g, c, a in original.lines[0].adjustments
    ]
    assert correction.status == "1" and correction.control != original.control
    assert_reports(correction, *current_results(uow, "RC-1"))
    assert second.amount == correction.paid - original.paid > 0
    assert (second.claims, second.reversals) == (1, 1)

    send(visit("RC-1", world.ann, "130.00", frequency=8, replaces="RC-1"), 3)
    (third,) = export(uow, world).files
    read = checked(third, tmp_path)
    (voided,) = read.claims
    assert (voided.status, voided.paid) == ("22", -correction.paid)
    assert read.bpr[1:5] == ["H", "0", "C", "NON"]
    assert read.plb == [("FB", third.trace, -correction.paid)]
    assert (third.amount, third.owed, third.claims) == (D("0"), correction.paid, 0)

    send(Claim837("RC-2", world.ann, (Line("99214", "240.00", FEB, allowed="300.00"),)), 4)
    (fourth,) = export(uow, world).files
    read = checked(fourth, tmp_path)
    assert read.plb == [("FB", third.trace, correction.paid)]
    assert fourth.amount == read.claims[0].paid - correction.paid > 0
    assert fourth.owed == 0


def test_a_new_decision_on_a_remitted_claim_reverses_the_old_one(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    """A later version of the same claim (an examiner's decision, a reprocessing): the version
    paid before is reversed, the new one paid, in the same 835."""
    import_837(app, uow, professional_837([visit("RD-1", world.ann)], sent=SENT), "rd.837")
    adjudicate(uow)
    (first,) = export(uow, world).files
    _new_version(uow, "RD-1")
    (second,) = export(uow, world).files
    reversal, again = checked(second, tmp_path).claims
    assert (reversal.status, again.status) == ("22", "1")
    assert (reversal.paid, again.paid, second.amount) == (-first.amount, first.amount, D("0"))
    assert again.control.endswith("-2") and reversal.control.endswith("-1")
    assert export(uow, world).files == []


def _new_version(uow: UnitOfWork, number: str) -> None:
    """Version 2 of the claim, decided as version 1 was (as an examiner's override would)."""
    ((claim_id, version_id),) = rows(
        uow,
        "SELECT c.id, v.id FROM claims c JOIN claim_versions v ON v.claim_id = c.id "
        "AND v.version = c.current_version WHERE c.claim_number = :n",
        n=number,
    )
    execute(
        uow,
        "INSERT INTO claim_versions (claim_id, version, status, action, note, adjudicated_at, "
        "adjudicated_by) SELECT claim_id, 2, status, 'override', 'test', adjudicated_at, "
        "'examiner' FROM claim_versions WHERE id = :v",
        v=version_id,
    )
    ((new_id,),) = rows(uow, "SELECT id FROM claim_versions WHERE claim_id = :c AND version = 2",
                        c=claim_id)  # fmt: skip
    results = (
        "line, status, category, pend_reason, plan_id, network, charge_cents, allowed_cents, "
        "copay_cents, deductible_cents, coinsurance_cents, not_covered_cents, "
        "balance_bill_cents, plan_paid_cents, member_responsibility_cents, remarks"
    )
    execute(uow, f"INSERT INTO line_results (version_id, {results}) SELECT :n, {results} "
                 "FROM line_results WHERE version_id = :v", n=new_id, v=version_id)  # fmt: skip
    adjustments = "line, seq, group_code, carc, amount_cents"
    execute(uow, f"INSERT INTO result_adjustments (version_id, {adjustments}) SELECT :n, "
                 f"{adjustments} FROM result_adjustments WHERE version_id = :v",
            n=new_id, v=version_id)  # fmt: skip
    execute(uow, "UPDATE claims SET current_version = 2 WHERE id = :c", c=claim_id)


# never twice ------------------------------------------------------------------------------


def test_exporting_twice_remits_nothing_new(
    app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    import_837(app, uow, professional_837([visit("TW-1", world.ann)], sent=SENT), "tw.837")
    adjudicate(uow)
    first = export(uow, world)
    assert [f.claims for f in first.files] == [1]
    again = export(uow, world)
    assert again.files == [] and again.total_paid == 0
    recorded = rows(uow, "SELECT role, paid_cents FROM edi_remitted_claims")
    assert recorded == [("payment", int(first.files[0].claims_paid * 100))]
    ((count, content),) = rows(uow, "SELECT count(*), max(content) FROM edi_remittances")
    assert (count, content) == (1, first.files[0].text)

    import_837(app, uow, professional_837([visit("TW-2", world.bo, names=("LEE", "BO"))],
                                          control=2, sent=SENT), "tw2.837")  # fmt: skip
    adjudicate(uow)
    (later,) = export(uow, world).files
    assert [c.id for c in checked(later, tmp_path).claims] == ["TW-2"]
    assert later.control_number > first.files[0].control_number


def test_a_file_that_cannot_be_delivered_records_nothing(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    import_837(app, uow, professional_837([visit("DL-1", world.ann)], sent=SENT), "dl.837")
    adjudicate(uow)

    def broken(file: RemittanceFile) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        export(uow, world, deliver=broken)
    assert rows(uow, "SELECT count(*) FROM edi_remittances") == [(0,)]
    assert len(export(uow, world).files) == 1


def test_the_window_and_the_versions_choose_what_is_exported(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    claims = [visit("WI-1", world.ann), visit("WI-2", world.dee, names=("DIAZ", "DEE"))]
    import_837(app, uow, professional_837(claims, sent=SENT), "wi.837")
    adjudicate(uow)
    ((version_id, stamp),) = rows(
        uow,
        "SELECT v.id, v.adjudicated_at FROM claim_versions v JOIN claims c ON c.id = v.claim_id "
        "WHERE c.claim_number = 'WI-2'",
    )
    today = stamp.date() if isinstance(stamp, datetime) else date.fromisoformat(str(stamp)[:10])
    assert export(uow, world, until=today - timedelta(days=1)).files == []
    assert export(uow, world, since=today + timedelta(days=1)).files == []
    with pytest.raises(ValidationFailed, match="is after until"):
        export(uow, world, since=today, until=today - timedelta(days=1))
    (only,) = export(uow, world, version_ids=[version_id], since=today, until=today).files
    assert only.claims == 1 and "WI-2" in only.text and "WI-1" not in only.text
    (rest,) = export(uow, world).files
    assert "WI-1" in rest.text and "WI-2" not in rest.text


def test_an_export_racing_another_records_nothing(
    app: App, uow: UnitOfWork, world: ClaimsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two exports that gathered the same versions: the second to record fails, whole."""
    import_837(app, uow, professional_837([visit("RA-1", world.ann)], sent=SENT), "ra.837")
    adjudicate(uow)
    gathered: list[Any] = []
    gather = due_claims.due_versions

    def remember(session: Any, **options: Any) -> Any:
        gathered[:] = gather(session, **options)
        return list(gathered)

    monkeypatch.setattr(due_claims, "due_versions", remember)
    (first,) = export(uow, world).files
    monkeypatch.setattr(due_claims, "due_versions", lambda session, **options: list(gathered))
    with pytest.raises(Conflict, match="another export remitted some of these claims"):
        export(uow, world)
    assert rows(uow, "SELECT trace_number FROM edi_remittances") == [(first.trace,)]


def test_the_database_refuses_a_version_paid_twice_or_a_negative_payment(
    app: App, uow: UnitOfWork, world: ClaimsWorld
) -> None:
    import_837(app, uow, professional_837([visit("DB-1", world.ann)], sent=SENT), "db.837")
    adjudicate(uow)
    (file,) = export(uow, world).files
    ((version_id, claim_id, remittance_id),) = rows(
        uow, "SELECT version_id, claim_id, remittance_id FROM edi_remitted_claims"
    )
    twice = (
        "INSERT INTO edi_remitted_claims (version_id, role, remittance_id, claim_id, position, "
        "charge_cents, paid_cents) VALUES (:v, 'payment', :r, :c, 2, 100, 100)"
    )
    with pytest.raises(IntegrityError):
        execute(uow, twice, v=version_id, r=remittance_id, c=claim_id)
    with pytest.raises(IntegrityError):
        execute(uow, "UPDATE edi_remittances SET amount_cents = -1, claims_paid_cents = -1")
    with pytest.raises(IntegrityError):
        execute(uow, "UPDATE edi_remittances SET amount_cents = amount_cents + 1")
    assert rows(uow, "SELECT amount_cents FROM edi_remittances") == [(int(file.amount * 100),)]


def test_only_administrators_and_examiners_export(uow: UnitOfWork, world: ClaimsWorld) -> None:
    for role in (Role.SERVICE_REP, Role.EMPLOYER, Role.AUDITOR):
        with pytest.raises(Forbidden):
            export_835(uow=uow, actor=Principal(None, "x", role), ein=world.ein)
    with pytest.raises(NotFound):
        export_835(uow=uow, actor=EXAMINER, ein="31-7654321")
    with pytest.raises(ValidationFailed):
        export_835(uow=uow, actor=EXAMINER, ein="nonsense")
