"""Who an 834 member loop is: the sponsor (the employer, by the EIN in N1*P5), the family (by
the subscriber identifier REF*0F) and the member in it, and the member added or brought up to
date through the members services.

The subscriber identifier REF*0F is the employer's employee number: families are keyed by it, as
the CSV census keys them. Many sponsors send the subscriber's SSN there instead (the guide allows
it); an SSN is never stored in the clear (DESIGN 3), so such a family is keyed by a number derived
from the SSN's keyed digest (``SSN-`` and 12 hex digits, useless without the key): the same SSN
always gives the same number, and only the SSN's owner's loops name it. A loop whose REF*0F is
the member's own SSN (NM108 34, NM109 = REF02) starts such a family; a dependent's loop finds
its family under either key.

A dependent is found among its subscriber's dependents as the census finds it (same relationship
group, first name and birth date, then the only one with that first name or that birth date),
first by its SSN when the loop carries one, and by its earlier name and birth date (2100B) when
the loop corrects them. Demographic data (names, birth date, sex, SSN, address, hire date) is
applied from additions, changes and audit loops; a termination or reinstatement loop only
identifies the member.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from aso.edi.codes import ElementError
from aso.edi.enrollment_context import Context, day
from aso.edi.x834 import EnrollmentMember
from aso.edi.x834_codes import RELATIONSHIPS, Maintenance
from aso.employers import repository as employer_repo
from aso.employers.domain import Address, address_problems, normalize_ein
from aso.employers.models import Employer
from aso.errors import Problem
from aso.members import repository as member_repo
from aso.members.census_rows import match_group
from aso.members.crypto import SsnCipher
from aso.members.domain import Relationship, Sex, normalize_ssn
from aso.members.models import Member
from aso.members.schemas import MemberCreate
from aso.members.service import add_member, set_ssn
from aso.security import audit

SSN_KEY_PREFIX = "SSN-"
EMPLOYEE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
APPLIES_DEMOGRAPHICS = frozenset({Maintenance.ADDITION, Maintenance.CHANGE, Maintenance.AUDIT})


# the sponsor ----------------------------------------------------------------------------------


def find_sponsor(context: Context) -> Employer | None:
    """The employer whose enrollment the set carries: N1*P5 with its EIN (N103 FI)."""
    header = context.header
    where = header.sponsor
    if where is None:
        return None
    if header.sponsor_qualifier != "FI":
        context.refusals.at(
            where,
            f"the sponsor is identified by {header.sponsor_qualifier!r}: employers are known "
            "here by their EIN (N103 FI)",
            element=3,
            code=ElementError.INVALID_CODE,
            value=header.sponsor_qualifier,
        )
        return None
    try:
        ein = normalize_ein(header.sponsor_id)
    except ValueError as exc:
        context.refusals.at(
            where,
            f"the sponsor's EIN {header.sponsor_id}: {exc}",
            element=4,
            code=ElementError.PATTERN_MISMATCH,
            value=header.sponsor_id,
        )
        return None
    employer = employer_repo.employer_by_ein(context.session, ein)
    if employer is None:
        context.refusals.at(
            where,
            f"no employer with EIN {ein} is on file",
            element=4,
            code=ElementError.INVALID_CODE,
            value=header.sponsor_id,
        )
        return None
    context.outcome.employer_ein, context.outcome.employer_name = employer.ein, employer.name
    return employer


# the family -----------------------------------------------------------------------------------


def keys_for(subscriber_id: str, cipher: SsnCipher) -> list[str]:
    """The employee numbers a REF*0F may stand for: itself, and its SSN-derived key when it is
    shaped like an SSN."""
    keys = [subscriber_id]
    try:
        ssn = normalize_ssn(subscriber_id)
    except ValueError:
        return keys
    return [*keys, ssn_key(ssn, cipher)]


def ssn_key(ssn: str, cipher: SsnCipher) -> str:
    return SSN_KEY_PREFIX + cipher.digest(ssn)[:12].upper()


def new_employee_number(member: EnrollmentMember, cipher: SsnCipher) -> str:
    """A new family's key: REF*0F, or its SSN-derived key when REF*0F is the member's SSN."""
    if member.ssn is not None and member.id_qualifier == "34":
        try:
            if normalize_ssn(member.subscriber_id) == member.ssn:
                return ssn_key(member.ssn, cipher)
        except ValueError:
            pass
    return member.subscriber_id


def find_subscriber(context: Context, subscriber_id: str) -> Member | None:
    assert context.employer is not None
    for key in keys_for(subscriber_id, context.cipher):
        found = member_repo.subscribers_by_employee_number(
            context.session, key, context.employer.id
        )
        if found:
            return found[0]
    return None


def find_dependent(context: Context, head: Member, member: EnrollmentMember) -> Member | None:
    relationship = RELATIONSHIPS.get(member.relationship_code)
    candidates = member_repo.family(context.session, head.id)[1:]
    if member.ssn is not None:
        digest = context.cipher.digest(member.ssn)
        by_ssn = [c for c in candidates if c.ssn_digest == digest]
        if by_ssn:
            return by_ssn[0]
    if relationship is None:
        return None
    group = match_group(relationship)
    same = [c for c in candidates if match_group(Relationship(c.relationship)) == group]
    born = day(member.birth_date)
    first = member.first_name
    earlier = (member.prior.get("first_name", first), day(member.prior.get("dob", "")) or born)
    tests = [
        [c for c in same if _same_name(c, first) and c.birth_date == born],
        [
            c
            for c in same
            if member.prior
            and (c.first_name.casefold(), c.birth_date) == (earlier[0].casefold(), earlier[1])
        ],
        [c for c in same if _same_name(c, member.first_name)],
        [c for c in same if born is not None and c.birth_date == born],
    ]
    for found in tests:
        if found:
            return found[0] if len(found) == 1 else None
    return None


def _same_name(member: Member, first: str) -> bool:
    return bool(first) and member.first_name.casefold() == first.casefold()


def check_subscriber(context: Context, on_file: Member, member: EnrollmentMember) -> bool:
    """A subscriber found by its identifier is the person the loop names: its first name or
    birth date (or, on a correction, its earlier ones) agree with the member on file."""
    born = day(member.birth_date)
    prior_born = day(member.prior.get("dob", ""))
    names = {member.first_name.casefold(), member.prior.get("first_name", "").casefold()}
    if on_file.first_name.casefold() in names or on_file.birth_date in (born, prior_born):
        return True
    context.refusals.member_field(
        member,
        "employee_number",
        f"{member.subscriber_id} is {on_file.first_name} {on_file.last_name} "
        f"({on_file.member_number}) on file, born {on_file.birth_date}, not "
        f"{member.first_name} {member.last_name}",
        member.subscriber_id,
    )
    return False


# adding and updating ------------------------------------------------------------------------


def address_of(member: EnrollmentMember) -> Address | None:
    if not member.has_address:
        return None
    return Address(
        member.address1,
        member.city,
        member.state.upper(),
        _zip(member.zip),
        member.address2 or None,
    )


def _zip(text: str) -> str:
    """A 9-digit ZIP (the 834's N403 has no hyphen) as ZIP+4."""
    return f"{text[:5]}-{text[5:]}" if len(text) == 9 and text.isdigit() else text


def add(context: Context, member: EnrollmentMember, head: Member | None) -> Member | None:
    """A new member through ``add_member``: what a new member needs is checked first, each
    missing item named by its segment."""
    refusals = context.refusals
    if not _complete(context, member, head):
        return None
    relationship = RELATIONSHIPS[member.relationship_code]
    address = address_of(member)
    employee_number = new_employee_number(member, context.cipher) if head is None else None
    if employee_number is not None and not EMPLOYEE_NUMBER.match(employee_number):
        refusals.member_field(
            member,
            "employee_number",
            f"{employee_number!r} cannot be an employee number (letters, digits,"
            " '.', '_', '-'; at most 20)",
            member.subscriber_id,
        )
        return None
    try:
        data = MemberCreate(
            relationship=relationship,
            employee_number=employee_number,
            subscriber=None if head is None else head.member_number,
            first_name=member.first_name,
            last_name=member.last_name,
            birth_date=date.fromisoformat(member.birth_date),
            sex=Sex(member.sex),
            ssn=member.ssn,
            address1=address.address1 if address else None,
            address2=address.address2 if address else None,
            city=address.city if address else None,
            state=address.state if address else None,
            zip=address.zip if address else None,
            hire_date=day(member.dates.get("336", "")) if head is None else None,
        )
    except ValidationError as exc:
        for error in exc.errors():
            refusals.member_field(member, str(error["loc"][0]), str(error["msg"]))
        return None
    read = context.attempt(
        lambda: add_member(
            uow=context.uow,
            actor=context.actor,
            employer_id=context.employer_id,
            data=data,
            cipher=context.cipher,
            today=context.today,
            rng=context.rng,
        ),
        lambda problems: refusals.problems(member, None, problems),
    )
    if read is None:
        return None
    context.outcome.members_added += 1
    context.outcome.changes.append(f"{_name(member)}: added as {read.member_id}")
    return member_repo.member_by_number(context.session, read.member_id)


def _complete(context: Context, member: EnrollmentMember, head: Member | None) -> bool:
    refusals = context.refusals
    missing = []
    if not member.first_name:
        missing.append(("first_name", "a new member's first name (NM104) is required"))
    if not member.birth_date:
        missing.append(("birth_date", "a new member's birth date (DMG02) is required"))
    if not member.sex:
        missing.append(("sex", "a new member's gender (DMG03) is required"))
    if head is None and not member.has_address:
        missing.append(("address1", "a new subscriber's address (N3, N4) is required"))
    if member.relationship_code not in RELATIONSHIPS:
        refusals.member(
            member,
            f"relationship {member.relationship_code} is not a dependent "
            "these plans cover (spouse, life partner, child)",
        )
        return False
    for name, message in missing:
        refusals.member_field(member, name, message)
    return not missing


def update(context: Context, on_file: Member, member: EnrollmentMember) -> None:
    """Bring the member on file up to date with what the loop says (changes, additions and
    audit loops only); every changed field is listed and audit-logged."""
    if member.maintenance not in APPLIES_DEMOGRAPHICS:
        context.outcome.members_unchanged += 1
        return
    values = _values(member, on_file)
    problems = _update_problems(context, values)
    if problems:
        context.refusals.problems(member, None, problems)
        return
    changed = [key for key, value in values.items() if getattr(on_file, key) != value]
    if member.ssn is not None and on_file.ssn_digest != context.cipher.digest(member.ssn):
        set_ssn(on_file, member.ssn, context.cipher)
        changed.append("ssn")
    if not changed:
        context.outcome.members_unchanged += 1
        return
    for key in changed:
        if key != "ssn":
            setattr(on_file, key, values[key])
    context.session.flush()
    text = f"{on_file.member_number} updated ({', '.join(changed)})"
    audit.record(
        context.session, context.actor, "update", "member", [on_file.id], detail=f"834 {text}"[:200]
    )
    context.outcome.members_updated += 1
    context.outcome.changes.append(f"{_name(member)}: {text}")


def _values(member: EnrollmentMember, on_file: Member) -> dict[str, Any]:
    """The fields the loop gives (the others keep their value on file)."""
    values: dict[str, Any] = {}
    if member.first_name:
        values["first_name"] = member.first_name
    if member.last_name:
        values["last_name"] = member.last_name
    if member.birth_date:
        values["birth_date"] = date.fromisoformat(member.birth_date)
    if member.sex:
        values["sex"] = member.sex
    address = address_of(member)
    if address is not None:
        values |= {
            "address1": address.address1,
            "address2": address.address2,
            "city": address.city,
            "state": address.state,
            "zip": address.zip,
        }
    if "336" in member.dates and on_file.subscriber_id is None:
        values["hire_date"] = date.fromisoformat(member.dates["336"])
    return values


def _update_problems(context: Context, values: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    born = values.get("birth_date")
    if born is not None and born > context.today:
        problems.append(Problem("birth_date", "is in the future"))
    if "address1" in values:
        address = Address(values["address1"], values["city"], values["state"], values["zip"])
        problems += address_problems(address)
    for key in ("first_name", "last_name", "address1", "city"):
        limit = 60 if key.endswith("name") else 120 if key == "address1" else 80
        if key in values and len(values[key]) > limit:
            problems.append(Problem(key, f"at most {limit} characters"))
    return problems


def _name(member: EnrollmentMember) -> str:
    return f"{member.first_name} {member.last_name} ({member.relationship}, {member.subscriber_id})"


def missing_member(context: Context, member: EnrollmentMember, what: str) -> None:
    context.refusals.at(
        member.where.get("NM1", member.ins),
        f"{what}: no such member is on file",
        element=3,
        code=ElementError.INVALID_CODE,
        value=member.last_name,
        subscriber=member.subscriber_id,
    )
