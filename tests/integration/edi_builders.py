"""The import desk for X12 integration tests: an employer with its plans, families on file, a
file imported, and what the database holds afterwards as plain values."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from aso.bootstrap import App
from aso.db.uow import UnitOfWork
from aso.edi.models import ReceivedFile
from aso.edi.schemas import ImportSummary
from aso.edi.service import import_file
from aso.employers.schemas import EmployerCreate, PlanYearCreate
from aso.employers.service import add_plan_year, create_employer, offer_plan
from aso.members.crypto import SsnCipher
from aso.members.models import Coverage, Member
from aso.members.schemas import CoverageCreate, MemberCreate
from aso.members.service import add_coverage, add_member, change_coverage_end
from aso.plans.domain import Line, Period, Tier
from aso.plans.templates import get_template
from aso.security.domain import SYSTEM
from tests.unit.x834_builders import pyx12_findings

TODAY = date(2026, 5, 11)
NOW = datetime(2026, 5, 11, 9, 30, tzinfo=UTC)
PLANS = ("PPO1500", "HDHP3400", "RX-4TIER", "DENTAL-PPO", "VISION", "STD60")
ADDRESS = {"address1": "1 Main St", "city": "Columbus", "state": "OH", "zip": "43215"}


@dataclass
class Desk:
    app: App
    uow: UnitOfWork
    cipher: SsnCipher
    employer_id: int = 0

    def employer(
        self,
        ein: str = "31-1234567",
        name: str = "Acme Widgets",
        years: tuple[int, ...] = (2026,),
        plans: tuple[str, ...] = PLANS,
    ) -> int:
        employer = create_employer(
            uow=self.uow, actor=SYSTEM, data=EmployerCreate(name=name, ein=ein, **ADDRESS)
        )
        for year in years:
            start, end = date(year, 1, 1), date(year, 12, 31)
            add_plan_year(
                uow=self.uow,
                actor=SYSTEM,
                employer_id=employer.id,
                data=PlanYearCreate(start=start, end=end, runout_months=3),
            )
            for plan in plans:
                design = get_template(plan).model_copy(
                    update={"period": Period(start=start, end=end)}
                )
                offer_plan(uow=self.uow, actor=SYSTEM, employer_id=employer.id, design=design)
        self.employer_id = employer.id
        return employer.id

    def run(
        self, text: str, name: str = "enrollment.x12", today: date = TODAY, seed: int = 7
    ) -> ImportSummary:
        data = text.encode()
        return import_file(
            uow=self.uow,
            actor=SYSTEM,
            opener=lambda: io.BytesIO(data),
            filename=name,
            cipher=self.cipher,
            today=today,
            now=NOW,
            rng=random.Random(seed),
        )

    # members on file ---------------------------------------------------------------------

    def subscriber(
        self,
        number: str,
        first: str,
        born: date,
        *coverages: tuple[str, Tier, date, date | None],
        last: str = "RIVERA",
        ssn: str | None = None,
        sex: str = "F",
    ) -> str:
        data = MemberCreate(
            relationship="subscriber",
            employee_number=number,
            first_name=first,
            last_name=last,
            birth_date=born,
            sex=sex,
            ssn=ssn,
            **ADDRESS,
        )
        return self._add(data, coverages)

    def dependent(
        self,
        subscriber: str,
        relationship: str,
        first: str,
        born: date,
        *coverages: tuple[str, Tier, date, date | None],
        last: str = "RIVERA",
        ssn: str | None = None,
        sex: str = "M",
    ) -> str:
        data = MemberCreate(
            relationship=relationship,
            subscriber=subscriber,
            first_name=first,
            last_name=last,
            birth_date=born,
            sex=sex,
            ssn=ssn,
        )
        return self._add(data, coverages)

    def _add(
        self, data: MemberCreate, coverages: tuple[tuple[str, Tier, date, date | None], ...]
    ) -> str:
        read = add_member(
            uow=self.uow,
            actor=SYSTEM,
            employer_id=self.employer_id,
            data=data,
            cipher=self.cipher,
            today=TODAY,
        )
        for plan, tier, start, end in coverages:
            add_coverage(
                uow=self.uow,
                actor=SYSTEM,
                member_id=read.member_id,
                data=CoverageCreate(plan_id=plan, tier=tier, start=start),
                today=TODAY,
            )
            if end is not None:
                line = Line(get_template(plan).line)
                change_coverage_end(
                    uow=self.uow,
                    actor=SYSTEM,
                    member_id=read.member_id,
                    line=line,
                    end=end,
                    start=start,
                    today=TODAY,
                )
        return read.member_id

    # what the database holds -----------------------------------------------------------------

    def coverages(self, first: str) -> list[tuple[str, str, str, date, date | None]]:
        """(line, plan, tier, start, end) of the members named ``first``."""
        with self.uow as uow:
            rows = uow.session.scalars(
                select(Coverage).join(Member).where(Member.first_name == first)
            ).all()
            found = [(c.line, c.plan.code, c.tier, c.start_date, c.end_date) for c in rows]
        return sorted(found)

    def member(self, first: str) -> dict[str, Any]:
        with self.uow as uow:
            found = uow.session.scalars(select(Member).where(Member.first_name == first)).one()
            return {
                "member_number": found.member_number,
                "employee_number": found.employee_number,
                "relationship": found.relationship,
                "last_name": found.last_name,
                "birth_date": found.birth_date,
                "sex": found.sex,
                "ssn_last4": found.ssn_last4,
                "zip": found.zip,
                "subscriber_id": found.subscriber_id,
                "hire_date": found.hire_date,
            }

    def snapshot(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every member and coverage as plain values (timestamps left out)."""
        with self.uow as uow:
            members = uow.session.execute(
                select(
                    Member.id,
                    Member.member_number,
                    Member.subscriber_id,
                    Member.relationship,
                    Member.employee_number,
                    Member.first_name,
                    Member.last_name,
                    Member.birth_date,
                    Member.sex,
                    Member.ssn_digest,
                    Member.address1,
                    Member.city,
                    Member.state,
                    Member.zip,
                    Member.hire_date,
                ).order_by(Member.id)
            ).all()
            coverages = uow.session.execute(
                select(
                    Coverage.id,
                    Coverage.member_id,
                    Coverage.plan_id,
                    Coverage.line,
                    Coverage.tier,
                    Coverage.start_date,
                    Coverage.end_date,
                ).order_by(Coverage.id)
            ).all()
        return [tuple(m) for m in members], [tuple(c) for c in coverages]

    def counts(self) -> tuple[int, int]:
        with self.uow as uow:
            members = uow.session.scalar(select(func.count(Member.id)))
            coverages = uow.session.scalar(select(func.count(Coverage.id)))
        return int(members or 0), int(coverages or 0)

    def received(self) -> list[tuple[str, str | None, str | None]]:
        """(status, control number, content key) of each registry row, in order."""
        with self.uow as uow:
            rows = uow.session.scalars(select(ReceivedFile).order_by(ReceivedFile.id)).all()
            return [(r.status, r.control_number, r.content_key) for r in rows]


def segments(text: str | None) -> list[str]:
    assert text is not None
    return [line for line in text.replace("\n", "").split("~") if line]


def assert_acks_valid(summary: ImportSummary, folder: Path) -> None:
    """Every acknowledgment written passes pyx12 (DESIGN 9)."""
    for name, text in (("ack.999", summary.ack_999), ("ack.ta1", summary.ack_ta1)):
        if text is not None:
            assert pyx12_findings(text, folder, name) == [], text
