"""Prior authorizations on SQLite and PostgreSQL: a line of a category the plan authorizes
(PPO 1500: advanced imaging) is paid only with the number of an approved authorization of the
same member that covers its date, category or procedure and units; otherwise CARC 197, group CO
in network (DESIGN 6.1 step 5 and 6.5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from aso.bootstrap import App
from aso.claims.authorizations import (
    add_authorization,
    list_authorizations,
    set_authorization_status,
)
from aso.claims.schemas import AuthorizationCreate
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aso.security.domain import Principal, Role
from tests.integration.claims_builders import (
    EXAMINER,
    ClaimsWorld,
    adjudicate,
    build_world,
    claim,
    current_lines,
    line,
    submit,
)


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    return build_world(app, uow)


def authorize(uow: UnitOfWork, member: str, **fields: Any) -> None:
    data: dict[str, Any] = {
        "number": "PA1",
        "member_id": member,
        "start": date(2026, 2, 1),
        "end": date(2026, 2, 28),
        "categories": ["imaging_advanced"],
    }
    data.update(fields)
    add_authorization(uow=uow, actor=EXAMINER, data=AuthorizationCreate.model_validate(data))


def mri(uow: UnitOfWork, member: str, number: str | None, **fields: Any) -> tuple[str, str]:
    """An MRI of the lumbar spine (CPT 72148: advanced imaging) on 2026-02-10; its outcome as
    (status, first CARC)."""
    extra: dict[str, Any] = {"procedure": "72148", "pos": "22", "allowed": 700, **fields}
    if number is not None:
        extra["prior_auth"] = number
    submit(uow, claim("MRI", member, line(fields.pop("day", "2026-02-10"), 1200, **extra)))
    adjudicate(uow)
    result = current_lines(uow, "MRI")[0]
    return result.status, result.adjustments[0].carc


@pytest.mark.parametrize(
    ("authorization", "line_fields", "expected"),
    [
        ({}, {}, ("paid", "45")),
        ({"categories": [], "procedures": ["72148"]}, {}, ("paid", "45")),
        ({"categories": []}, {}, ("paid", "45")),
        ({"units": Decimal(1)}, {"units": 2}, ("denied", "197")),
        ({"status": "pending"}, {}, ("denied", "197")),
        ({"end": date(2026, 2, 9)}, {}, ("denied", "197")),
        ({"categories": ["inpatient_hospital"]}, {}, ("denied", "197")),
        ({"categories": [], "procedures": ["70551"]}, {}, ("denied", "197")),
    ],
    ids=[
        "approved-covering",
        "by-procedure",
        "any-service",
        "too-many-units",
        "not-approved",
        "dates-do-not-cover",
        "other-category",
        "other-procedure",
    ],
)
def test_an_authorized_line_needs_an_approved_covering_authorization(
    uow: UnitOfWork,
    world: ClaimsWorld,
    authorization: dict[str, Any],
    line_fields: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    authorize(uow, world.ann, **authorization)
    assert mri(uow, world.ann, "PA1", **line_fields) == expected


def test_no_number_an_unknown_number_or_another_members_is_197(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    authorize(uow, world.bo)
    submit(
        uow,
        claim("M1", world.ann, line("2026-02-10", 1200, procedure="72148", pos="22", allowed=700)),
        claim("M2", world.ann, line("2026-02-11", 1200, procedure="72148", pos="22", allowed=700,
              prior_auth="PA-UNKNOWN")),
        claim("M3", world.ann, line("2026-02-12", 1200, procedure="72148", pos="22", allowed=700,
              prior_auth="PA1")),
        claim("M4", world.bo, line("2026-02-13", 1200, procedure="72148", pos="22", allowed=700,
              prior_auth="PA1")),
    )  # fmt: skip
    adjudicate(uow)
    outcomes = [current_lines(uow, c)[0] for c in ("M1", "M2", "M3", "M4")]
    assert [(r.status, r.adjustments[0].group, r.adjustments[0].carc) for r in outcomes[:3]] == [
        ("denied", "CO", "197"),
        ("denied", "CO", "197"),
        ("denied", "CO", "197"),
    ]
    assert outcomes[0].remarks == ["M62"]
    assert outcomes[3].status == "paid"


def test_a_cancelled_authorization_stops_paying_later_claims(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    authorize(uow, world.ann)
    changed = set_authorization_status(uow=uow, actor=EXAMINER, number="PA1", status="cancelled")
    assert changed.status == "cancelled"
    assert mri(uow, world.ann, "PA1") == ("denied", "197")


def test_recording_authorizations_checks_its_input_and_who_asks(
    uow: UnitOfWork, world: ClaimsWorld
) -> None:
    authorize(uow, world.ann)
    with pytest.raises(Conflict):
        authorize(uow, world.bo)
    with pytest.raises(ValidationFailed, match="no member"):
        authorize(uow, "M000000000", number="PA2")
    with pytest.raises(ValidationFailed, match="before start"):
        authorize(uow, world.ann, number="PA3", end=date(2026, 1, 1))
    with pytest.raises(ValueError, match="unknown categories"):
        AuthorizationCreate.model_validate(
            {"number": "X", "member_id": world.ann, "start": "2026-01-01", "end": "2026-01-02",
             "categories": ["massage"]}
        )  # fmt: skip
    with pytest.raises(ValidationFailed, match="status"):
        set_authorization_status(uow=uow, actor=EXAMINER, number="PA1", status="maybe")
    with pytest.raises(NotFound):
        set_authorization_status(uow=uow, actor=EXAMINER, number="PA9", status="approved")
    rep = Principal(user_id=None, username="rep", role=Role.SERVICE_REP)
    data = AuthorizationCreate.model_validate(
        {"number": "PA4", "member_id": world.ann, "start": "2026-01-01", "end": "2026-01-02"}
    )
    with pytest.raises(Forbidden):
        add_authorization(uow=uow, actor=rep, data=data)
    listed = list_authorizations(uow=uow, actor=rep, member_id=world.ann)
    assert [(a.number, a.categories, a.created_by) for a in listed] == [
        ("PA1", ["imaging_advanced"], "examiner")
    ]
    assert list_authorizations(uow=uow, actor=rep, member_id=world.bo) == []
    member = Principal(user_id=None, username="ann", role=Role.MEMBER)
    with pytest.raises(Forbidden):
        list_authorizations(uow=uow, actor=member)
