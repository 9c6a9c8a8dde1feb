"""Approved claims written straight into the tables (no intake, no engine), for tests that need
many worlds (the property test) or many claims (the payments benchmark): subscribers, directory
providers, claims with one version and one line each, and later versions that decide a paid
claim again. Ids are allocated here (max + 1), so use it on SQLite or on a database of its own.

Each line is charged its payment + $10, the $10 a CO-45 adjustment, so the 835 balances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from aso.claims.models import (
    ClaimLineRow,
    ClaimRow,
    ClaimVersionRow,
    LineResultRow,
    ResultAdjustmentRow,
)
from aso.db.base import utcnow
from aso.members.domain import luhn_digit
from aso.members.models import Member
from aso.providers.domain import npi_check_digit
from aso.providers.models import ProviderRow

ADJUDICATED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ADDRESS = {"address1": "1 Data St", "city": "Columbus", "state": "OH", "zip": "43215"}
FEE = Decimal("10.00")


@dataclass(frozen=True)
class Spec:
    """An approved claim: who, from whom (an NPI, or None: submitted by the member), what the
    plan pays, when."""

    member_id: int
    member_number: str
    npi: str | None
    paid: Decimal
    service: date
    number: str = ""


def _next_id(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


def npi(serial: int) -> str:
    """A valid NPI (Luhn check digit with prefix 80840) from a serial number."""
    first = f"1{serial:08d}"
    return first + str(npi_check_digit(first))


def member_number(serial: int) -> str:
    body = f"{serial:08d}"
    return f"M{body}{luhn_digit(body)}"


def insert_subscribers(
    session: Session, employer_id: int, count: int, start: int = 1
) -> list[tuple[int, str]]:
    """Subscribers (their own families): (member id, member number) each."""
    first = _next_id(session, Member.id)
    now = utcnow()
    rows = [
        {
            "id": first + n,
            "member_number": member_number(start + n),
            "employer_id": employer_id,
            "subscriber_id": None,
            "relationship": "subscriber",
            "employee_number": f"D{start + n:07d}",
            "first_name": "Data",
            "last_name": f"Member{start + n}",
            "birth_date": date(1980, 1, 1),
            "sex": "F",
            "created_at": now,
            "updated_at": now,
            **ADDRESS,
        }
        for n in range(count)
    ]
    session.execute(insert(Member), rows)
    return [(row["id"], row["member_number"]) for row in rows]


def insert_providers(session: Session, npis: Sequence[str]) -> None:
    now = utcnow()
    rows = [
        {
            "npi": code,
            "tin": "31-1234567",
            "name": f"Clinic {code}",
            "taxonomy": "207Q00000X",
            "kind": "professional",
            "created_at": now,
            "updated_at": now,
            **ADDRESS,
        }
        for code in npis
    ]
    session.execute(insert(ProviderRow), rows)


def insert_claims(
    session: Session, employer_id: int, specs: Sequence[Spec], adjudicated: datetime = ADJUDICATED
) -> list[int]:
    """The claims, approved, each with its version 1, line and line result; their ids."""
    claim_id = _next_id(session, ClaimRow.id)
    version_id = _next_id(session, ClaimVersionRow.id)
    sequence = _next_id(session, ClaimRow.sequence)
    claims, versions, lines, results, adjustments = [], [], [], [], []
    for n, spec in enumerate(specs):
        pk, version = claim_id + n, version_id + n
        claims.append(
            {
                "id": pk,
                "sequence": sequence + n,
                "claim_number": spec.number or f"D{pk}",
                "submitter": spec.npi or "",
                "content_sha256": f"{pk:064d}",
                "employer_id": employer_id,
                "member_number": spec.member_number,
                "member_id": spec.member_id,
                "family_id": spec.member_id,
                "type": "professional",
                "provider_npi": spec.npi,
                "provider_network": "in",
                "received": spec.service,
                "diagnoses": "",
                "frequency": 1,
                "status": "approved",
                "current_version": 1,
                "submitted_at": adjudicated,
                "submitted_by": "data",
            }
        )
        versions.append(_version(version, pk, 1, adjudicated))
        lines.append(
            {
                "claim_id": pk,
                "line": 1,
                "service_date": spec.service,
                "procedure": "99213",
                "modifiers": "",
                "units_e4": Decimal(1),
                "charge_cents": spec.paid + FEE,
                "emergency": False,
            }
        )
        results.append(_result(version, spec.paid))
        adjustments.append(_adjustment(version))
    session.execute(insert(ClaimRow), claims)
    session.execute(insert(ClaimVersionRow), versions)
    session.execute(insert(ClaimLineRow), lines)
    session.execute(insert(LineResultRow), results)
    session.execute(insert(ResultAdjustmentRow), adjustments)
    return [row["id"] for row in claims]


def decide_again(
    session: Session, claim_id: int, paid: Decimal, at: datetime = ADJUDICATED
) -> None:
    """A new version of the claim paying ``paid`` (as an examiner's decision or a reprocessing
    writes one): approved again, unpaid, whatever its status was."""
    current = session.scalar(select(ClaimRow.current_version).where(ClaimRow.id == claim_id))
    version = int(current or 0) + 1
    version_id = _next_id(session, ClaimVersionRow.id)
    session.execute(insert(ClaimVersionRow), [_version(version_id, claim_id, version, at)])
    session.execute(insert(LineResultRow), [_result(version_id, paid)])
    session.execute(insert(ResultAdjustmentRow), [_adjustment(version_id)])
    session.execute(
        update(ClaimRow)
        .where(ClaimRow.id == claim_id)
        .values(current_version=version, status="approved", paid_on=None)
    )


def _version(pk: int, claim_id: int, version: int, at: datetime) -> dict[str, Any]:
    return {
        "id": pk,
        "claim_id": claim_id,
        "version": version,
        "status": "approved",
        "action": "adjudicate" if version == 1 else "override",
        "note": None,
        "adjudicated_at": at,
        "adjudicated_by": "data",
    }


def _result(version_id: int, paid: Decimal) -> dict[str, Any]:
    zero = Decimal(0)
    return {
        "version_id": version_id,
        "line": 1,
        "status": "paid",
        "category": "office_visit_pcp",
        "pend_reason": None,
        "plan_id": None,
        "network": "in",
        "charge_cents": paid + FEE,
        "allowed_cents": paid,
        "copay_cents": zero,
        "deductible_cents": zero,
        "coinsurance_cents": zero,
        "not_covered_cents": zero,
        "balance_bill_cents": zero,
        "plan_paid_cents": paid,
        "member_responsibility_cents": zero,
        "remarks": "",
    }


def _adjustment(version_id: int) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "line": 1,
        "seq": 1,
        "group_code": "CO",
        "carc": "45",
        "amount_cents": FEE,
    }
