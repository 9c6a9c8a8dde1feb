"""Importing providers and fee schedules on both databases: all or nothing, idempotent, an
edited file updates; only administrators import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from aso.bootstrap import App
from aso.errors import Forbidden, NotFound
from aso.providers.fee_csv import read_settings
from aso.providers.imports import ImportRejected, import_fee_schedule, import_providers
from aso.providers.models import (
    ContractRow,
    DrugPriceRow,
    FeeRateRow,
    FeeScheduleRow,
    NetworkRow,
    ProviderRow,
)
from aso.providers.service import get_fee_schedule, get_provider, list_providers
from aso.security.domain import SYSTEM, Principal, Role
from aso.security.models import AuditEntry
from tests.integration.providers_builders import (
    import_samples,
    import_schedule,
    import_text,
    sample,
)

TABLES = (NetworkRow, ProviderRow, ContractRow, FeeScheduleRow, FeeRateRow, DrugPriceRow)


def counts(app: App) -> dict[str, int]:
    with app.uow() as uow:
        return {
            model.__tablename__: uow.session.scalar(select(func.count()).select_from(model)) or 0
            for model in TABLES
        } | {"audit": uow.session.scalar(select(func.count()).select_from(AuditEntry)) or 0}


def stamps(app: App) -> list[object]:
    with app.uow() as uow:
        session = uow.session
        return [
            *session.scalars(select(ProviderRow.updated_at).order_by(ProviderRow.id)),
            *session.scalars(select(ContractRow.updated_at).order_by(ContractRow.id)),
            *session.scalars(select(FeeScheduleRow.updated_at).order_by(FeeScheduleRow.id)),
        ]


def test_the_sample_files_import(app: App) -> None:
    summary = import_samples(app)
    assert summary.model_dump(exclude={"filename"}) == {
        "accepted": True,
        "rows": 4,
        "providers_added": 4,
        "providers_updated": 0,
        "providers_unchanged": 0,
        "contracts_added": 3,
        "contracts_updated": 0,
        "contracts_unchanged": 0,
        "networks_added": ["PPO-OH", "RX-NET"],
        "changes": [],
        "errors": [],
    }
    lee = get_provider(uow=app.uow(), npi="1234567893", on=date(2026, 3, 1))
    assert (lee.name, lee.tin, lee.kind.value, lee.network_status.value) == (
        "Ann Lee MD",
        "31-1234567",
        "professional",
        "in",
    )
    (contract,) = lee.contracts
    assert (contract.network, contract.network_name, contract.fee_schedule) == (
        "PPO-OH",
        "Ohio PPO",
        "MED-2026",
    )
    hospital = get_provider(uow=app.uow(), npi="9876543213", on=date(2026, 7, 1))
    assert hospital.network_status.value == "out"  # its contract ended on 2026-06-30
    assert get_provider(uow=app.uow(), npi="1000000004").contracts == []
    in_ppo = list_providers(uow=app.uow(), network="ppo-oh", on=date(2026, 3, 1))
    assert [p.npi for p in in_ppo] == ["1234567893", "9876543213"]
    assert list_providers(uow=app.uow(), network="PPO-OH", on=date(2026, 7, 1))[0].npi == (
        "1234567893"
    )
    assert len(list_providers(uow=app.uow())) == 4
    assert [p.npi for p in list_providers(uow=app.uow(), limit=1, offset=1)] == ["1000000004"]
    with pytest.raises(NotFound):
        get_provider(uow=app.uow(), npi="1112223338")


def test_fee_schedules_store_exact_amounts(app: App) -> None:
    import_samples(app)
    med = get_fee_schedule(uow=app.uow(), code="med-2026")
    assert med.percent_of_medicare == Decimal("1.2") and med.contracts == 2
    assert [
        (r.procedure, r.modifier, r.revenue_code, r.category, r.basis, r.amount) for r in med.rates
    ] == [
        ("80053", None, None, None, "amount", Decimal("14.50")),
        ("99213", None, None, None, "amount", Decimal("95.00")),
        ("99213", "25", None, None, "amount", Decimal("100.00")),
        (None, None, "0450", None, "case_rate", Decimal("1500.00")),
        (None, None, None, "inpatient_hospital", "per_diem", Decimal("2200.00")),
    ]
    rx = get_fee_schedule(uow=app.uow(), code="RX-2026")
    assert rx.claim_types == ["pharmacy"]
    assert (rx.awp_discount, rx.dispensing_fee) == (Decimal("0.18"), Decimal("1.75"))
    assert [(d.ndc, d.awp, d.mac) for d in rx.drugs] == [
        ("00093714656", Decimal("0.5234"), Decimal("0.08")),
        ("00378180010", Decimal("1.25"), None),
    ]
    with app.uow() as uow:  # stored as integers: cents, millicents, basis points
        stored = uow.session.execute(
            text(
                "SELECT s.awp_discount_bp, s.dispensing_fee_cents, d.awp_millicents"
                " FROM fee_schedules s JOIN fee_schedule_drugs d ON d.fee_schedule_id = s.id"
                " WHERE s.code = 'RX-2026' AND d.ndc = '00093714656'"
            )
        ).one()
    assert tuple(stored) == (1800, 175, 52340)


def test_a_file_with_one_bad_row_changes_nothing(app: App) -> None:
    before = counts(app)
    text = sample("providers.csv").replace("1000000004", "1000000005")
    with pytest.raises(ImportRejected) as caught:
        import_samples_with(app, text)
    assert caught.value.report.errors == [
        "row 5, npi: 1000000005 fails the NPI check digit (the last digit would be 4)"
    ]
    assert caught.value.report.accepted is False
    after = counts(app)
    assert {k: after[k] for k in ("networks", "providers", "provider_contracts")} == {
        k: before[k] for k in ("networks", "providers", "provider_contracts")
    }


def import_samples_with(app: App, providers_text: str) -> None:
    import_schedule(app, "MED-2026", "med-2026.csv", network="in", percent_of_medicare="1.2")
    import_schedule(app, "RX-2026", "rx-2026-drugs.csv", network="in")
    import_text(app, providers_text)


def test_what_the_database_knows_rejects_the_whole_file_too(app: App) -> None:
    import_samples(app)
    before = counts(app)
    doctor = "207Q00000X,professional,1 A St,Akron,OH,44301,PPO-OH,2026-01-01,"
    lee = "1234567893,31-1234567,Ann Lee MD,207Q00000X,professional,10 Elm St,Columbus,OH,43215"
    edited = sample("providers.csv").replace("Ann Lee MD", "Ann B. Lee MD")
    edited += f"2468135795,31-1111111,New Doc,{doctor},NOPE,\n"
    edited += f"1357924681,31-1111112,Other Doc,{doctor},OON,\n"
    edited += f"{lee},PPO-OH,2026-06-01,,MED-2026,\n"
    with pytest.raises(ImportRejected) as caught:
        import_text(app, edited)
    assert caught.value.report.errors == [
        "row 6, fee_schedule: no fee schedule NOPE (import it first: aso fees import)",
        "row 7, fee_schedule: OON is an out-of-network reference schedule, not a contract's",
        "row 8, name: differs from row 2 for the same NPI ('Ann B. Lee MD')",
        "row 8, contract_start: overlaps the contract on row 2 (PPO-OH 2026-01-01..open)",
    ]
    assert counts(app) == before
    assert get_provider(uow=app.uow(), npi="1234567893").name == "Ann Lee MD"


def test_the_same_file_twice_changes_nothing(app: App) -> None:
    import_samples(app)
    before, written = counts(app), stamps(app)
    again = import_text(app, sample("providers.csv"))
    assert (again.providers_added, again.providers_updated, again.providers_unchanged) == (0, 0, 4)
    assert (again.contracts_added, again.contracts_updated, again.contracts_unchanged) == (0, 0, 3)
    assert again.networks_added == [] and again.changes == []
    med = import_schedule(app, "MED-2026", "med-2026.csv", network="in", percent_of_medicare="1.2")
    assert (med.created, med.added, med.changed, med.removed, med.unchanged) == (False, 0, 0, 0, 5)
    assert med.settings_changed == []
    assert counts(app) == before  # not even an audit row
    assert stamps(app) == written


def test_an_edited_file_updates_rather_than_duplicates(app: App) -> None:
    import_samples(app)
    before = counts(app)
    import_schedule(app, "MED-2027", "med-2026.csv", network="in")
    edited = (
        sample("providers.csv")
        .replace("Ann Lee MD,207Q00000X", "Ann Lee DO,207R00000X")
        .replace("2026-01-01,2026-06-30,MED-2026", "2026-01-01,2026-09-30,MED-2027")
        .replace("Ohio PPO", "PPO of Ohio")
    )
    summary = import_text(app, edited)
    assert (summary.providers_added, summary.providers_updated) == (0, 1)
    assert (summary.contracts_added, summary.contracts_updated) == (0, 1)
    assert summary.changes == [
        "network PPO-OH: name 'Ohio PPO' -> 'PPO of Ohio'",
        "1234567893: name, taxonomy updated",
        "9876543213: contract with PPO-OH from 2026-01-01: contract_end 2026-06-30 -> "
        "2026-09-30, fee_schedule MED-2026 -> MED-2027",
    ]
    after = counts(app)
    for table in ("networks", "providers", "provider_contracts"):
        assert after[table] == before[table]
    hospital = get_provider(uow=app.uow(), npi="9876543213", on=date(2026, 7, 1))
    assert hospital.network_status.value == "in"
    assert hospital.contracts[0].fee_schedule == "MED-2027"
    with app.uow() as uow:
        actions = uow.session.execute(
            select(AuditEntry.action, AuditEntry.record_type, AuditEntry.detail).where(
                AuditEntry.record_type.in_(["provider", "contract"])
            )
        ).all()
    assert actions.count(("import", "provider", "providers.csv")) == 4 + 1
    assert actions.count(("import", "contract", "providers.csv")) == 3 + 1


def test_renewing_a_contract_ends_the_old_one_and_adds_the_new(app: App) -> None:
    import_samples(app)
    import_schedule(app, "MED-2027", "med-2026.csv", network="in")
    lee = "1234567893,31-1234567,Ann Lee MD,207Q00000X,professional,10 Elm St,Columbus,OH,43215"
    header = sample("providers.csv").splitlines()[0]
    renewal = (
        f"{header}\n{lee},PPO-OH,2026-01-01,2026-12-31,MED-2026,\n"
        f"{lee},PPO-OH,2027-01-01,,MED-2027,\n"
    )
    summary = import_text(app, renewal)
    assert (summary.contracts_added, summary.contracts_updated) == (1, 1)
    read = get_provider(uow=app.uow(), npi="1234567893", on=date(2027, 2, 1))
    assert [(c.start, c.end, c.fee_schedule, c.in_effect) for c in read.contracts] == [
        (date(2026, 1, 1), date(2026, 12, 31), "MED-2026", False),
        (date(2027, 1, 1), None, "MED-2027", True),
    ]


def test_fee_schedule_edits_add_change_and_remove_rates(app: App) -> None:
    import_samples(app)
    text = (
        "procedure,modifier,revenue_code,category,basis,amount\n"
        "99213,,,,amount,97.00\n"  # changed
        "99213,25,,,amount,100.00\n"  # unchanged
        "99214,,,,amount,140.00\n"  # added
    )  # 80053, 0450 and inpatient_hospital removed
    summary = import_fee_schedule(
        uow=app.uow(),
        actor=SYSTEM,
        code="MED-2026",
        settings=read_settings(network="in", percent_of_charge="0.5", name="Medical"),
        text=text,
        filename="med.csv",
    )
    assert (summary.added, summary.changed, summary.removed, summary.unchanged) == (1, 1, 3, 1)
    assert summary.settings_changed == [
        "name: none -> Medical",
        "percent_of_charge: none -> 0.5",
        "percent_of_medicare: 1.2 -> none",
    ]
    med = get_fee_schedule(uow=app.uow(), code="MED-2026")
    assert [(r.procedure, r.modifier, r.amount) for r in med.rates] == [
        ("99213", None, Decimal("97.00")),
        ("99213", "25", Decimal("100.00")),
        ("99214", None, Decimal("140.00")),
    ]
    assert (med.name, med.percent_of_charge, med.percent_of_medicare) == (
        "Medical",
        Decimal("0.5"),
        None,
    )


def test_drug_prices_and_rates_are_replaced_separately(app: App) -> None:
    import_samples(app)
    rates = "procedure,amount\n99213,10\n"
    settings = {
        "network": "in",
        "claim_types": "pharmacy",
        "awp_discount": "0.18",
        "dispensing_fee": "1.75",
    }
    import_fee_schedule(
        uow=app.uow(),
        actor=SYSTEM,
        code="RX-2026",
        settings=read_settings(**settings),
        text=rates,
    )
    drugs = import_fee_schedule(
        uow=app.uow(),
        actor=SYSTEM,
        code="RX-2026",
        settings=read_settings(**settings),
        text="ndc,mac\n00093714656,0.07\n",
    )
    assert (drugs.added, drugs.changed, drugs.removed, drugs.unchanged) == (0, 1, 1, 0)
    rx = get_fee_schedule(uow=app.uow(), code="RX-2026")
    assert [(r.procedure, r.amount) for r in rx.rates] == [("99213", Decimal("10.00"))]
    assert [(d.ndc, d.awp, d.mac) for d in rx.drugs] == [("00093714656", None, Decimal("0.07"))]


def test_a_contracted_schedule_stays_in_network_and_bad_files_change_nothing(app: App) -> None:
    import_samples(app)
    before, written = counts(app), stamps(app)
    with pytest.raises(ImportRejected) as caught:
        import_schedule(app, "MED-2026", "med-2026.csv", network="out")
    assert caught.value.report.errors == [
        "network: 2 contract(s) name MED-2026: it stays an in-network schedule"
    ]
    with pytest.raises(ImportRejected) as bad:
        import_fee_schedule(
            uow=app.uow(),
            actor=SYSTEM,
            code="MED-2026",
            settings=read_settings(network="in"),
            text="procedure,amount\n99213,95\n99214,abc\n",
        )
    assert bad.value.report.errors == ["row 3, amount: not an amount (e.g. 95.00)"]
    assert counts(app) == before and stamps(app) == written


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_administrators_import(app: App, role: Role) -> None:
    actor = Principal(user_id=None, username="someone", role=role)
    with pytest.raises(Forbidden):
        import_providers(uow=app.uow(), actor=actor, text=sample("providers.csv"))
    with pytest.raises(Forbidden):
        import_fee_schedule(
            uow=app.uow(),
            actor=actor,
            code="X",
            settings=read_settings(network="in"),
            text=sample("med-2026.csv"),
        )
    assert counts(app)["fee_schedules"] == 0
