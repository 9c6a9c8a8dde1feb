"""Roles and the scoping rules of DESIGN section 1, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    EXAMINER = "examiner"
    SERVICE_REP = "service_rep"
    EMPLOYER = "employer"
    MEMBER = "member"
    PROVIDER = "provider"
    AUDITOR = "auditor"


TPA_STAFF = frozenset({Role.ADMIN, Role.EXAMINER, Role.SERVICE_REP})
"""Roles that see members and claims of every employer."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated actor of a request or command, with what it is scoped to."""

    user_id: int | None
    username: str
    role: Role
    employer_id: int | None = None
    """For an employer user: the one employer it may see."""
    family_id: int | None = None
    """For a member user: the family (subscriber id) it belongs to."""
    member_id: int | None = None
    """For a member user: its own member record (database id)."""
    member_number: str | None = None
    """For a member user: its public member id."""
    npis: frozenset[str] = frozenset()
    """For a provider user: the NPIs it acts for."""

    @property
    def is_staff(self) -> bool:
        return self.role in TPA_STAFF

    def may_see_employer(self, employer_id: int) -> bool:
        if self.role in TPA_STAFF or self.role is Role.AUDITOR:
            return True
        return self.role is Role.EMPLOYER and self.employer_id == employer_id

    def may_act_for_provider(self, npi: str | None) -> bool:
        """May submit claims and ask claim status as the provider with this NPI: staff for
        any provider, a provider user for its own NPIs only."""
        if self.role in TPA_STAFF:
            return True
        return self.role is Role.PROVIDER and npi is not None and npi in self.npis

    def may_see_member_phi(self, *, family_id: int, member_id: int, adult: bool) -> bool:
        """Names, birth dates, coverage and claims of one member (HIPAA minimum necessary).

        Staff see everyone; a member sees itself, and a subscriber also its minor dependents;
        employer users see de-identified aggregates only, never a member's record.
        """
        if self.role in TPA_STAFF:
            return True
        if self.role is not Role.MEMBER or self.family_id != family_id:
            return False
        if self.member_id == member_id:
            return True
        is_subscriber = self.member_id == self.family_id
        return is_subscriber and not adult


SYSTEM = Principal(user_id=None, username="system", role=Role.ADMIN)
"""The actor of batch work and of commands run on the server itself."""


def cli_principal() -> Principal:
    """Commands run on the server act as an administrator named after the OS user."""
    import getpass

    try:
        name = getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        name = "unknown"
    return Principal(user_id=None, username=f"cli:{name}", role=Role.ADMIN)
