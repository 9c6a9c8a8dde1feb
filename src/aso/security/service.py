"""Use cases of access control: create users, sign in for a bearer token, resolve a token.

Passwords are hashed with argon2id; tokens are random, shown once, stored only as a SHA-256
digest, and expire.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from aso.db.base import utcnow
from aso.db.uow import UnitOfWork
from aso.errors import Conflict, NotAuthenticated, Problem, ValidationFailed
from aso.members.models import Member
from aso.providers.domain import normalize_npi
from aso.security.domain import Principal, Role
from aso.security.models import ApiToken, User, UserNpi

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    principal: Principal


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _member(uow: UnitOfWork, member_id: int) -> Member:
    member = uow.session.get(Member, member_id)
    if member is None:
        raise ValidationFailed([Problem("member_id", f"no member with id {member_id}")])
    return member


def principal_of(uow: UnitOfWork, user: User) -> Principal:
    member = _member(uow, user.member_id) if user.member_id is not None else None
    npis = uow.session.scalars(select(UserNpi.npi).where(UserNpi.user_id == user.id))
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        employer_id=user.employer_id if member is None else member.employer_id,
        family_id=member.family_id if member else None,
        member_id=user.member_id,
        member_number=member.member_number if member else None,
        npis=frozenset(npis),
    )


def create_user(
    *,
    uow: UnitOfWork,
    username: str,
    password: str,
    role: Role,
    employer_id: int | None = None,
    member_id: int | None = None,
    npis: Sequence[str] = (),
) -> int:
    """A new user; an employer user names its employer, a member user its member record, a
    provider user the NPIs it acts for (at least one)."""
    problems: list[Problem] = []
    if not username.strip():
        problems.append(Problem("username", "must not be empty"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", f"must be at least {MIN_PASSWORD_LENGTH} characters"))
    if role is Role.EMPLOYER and employer_id is None:
        problems.append(Problem("employer", "an employer user needs its employer"))
    if role is Role.MEMBER and member_id is None:
        problems.append(Problem("member", "a member user needs its member record"))
    if role not in (Role.EMPLOYER,) and employer_id is not None:
        problems.append(Problem("employer", f"a {role.value} user is not tied to an employer"))
    if role is not Role.MEMBER and member_id is not None:
        problems.append(Problem("member", f"a {role.value} user is not tied to a member"))
    checked = _npis(role, npis, problems)
    if problems:
        raise ValidationFailed(problems)
    with uow:
        if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"user {username!r} exists already")
        if member_id is not None:
            _member(uow, member_id)
        user = User(
            username=username,
            password_hash=_hasher.hash(password),
            role=role.value,
            employer_id=employer_id,
            member_id=member_id,
        )
        uow.session.add(user)
        uow.session.flush()
        uow.session.add_all(UserNpi(user_id=user.id, npi=npi) for npi in checked)
        uow.commit()
        return user.id


def _npis(role: Role, npis: Sequence[str], problems: list[Problem]) -> list[str]:
    """The NPIs of a provider user, checked (10 digits, check digit), each once."""
    if role is not Role.PROVIDER:
        if npis:
            problems.append(
                Problem("npi", f"only provider users act for providers; {role.value} users do not")
            )
        return []
    if not npis:
        problems.append(Problem("npi", "a provider user needs the NPIs it acts for"))
    checked: list[str] = []
    for index, npi in enumerate(npis):
        try:
            value = normalize_npi(npi)
        except ValueError as exc:
            problems.append(Problem(f"npi[{index}]", str(exc)))
            continue
        if value not in checked:
            checked.append(value)
    return checked


def sign_in(*, uow: UnitOfWork, username: str, password: str, ttl_minutes: int) -> IssuedToken:
    """A bearer token for a user's name and password (the same error whatever was wrong)."""
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            _hasher.hash(password)  # spend the same time as for a real user
            raise NotAuthenticated("wrong username or password")
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise NotAuthenticated("wrong username or password") from None
        token = secrets.token_urlsafe(32)
        expires = utcnow() + timedelta(minutes=ttl_minutes)
        uow.session.add(ApiToken(digest=_digest(token), user_id=user.id, expires_at=expires))
        principal = principal_of(uow, user)
        uow.commit()
        return IssuedToken(token=token, expires_at=expires, principal=principal)


def authenticate(*, uow: UnitOfWork, token: str) -> Principal:
    """The principal of a bearer token, or NotAuthenticated."""
    with uow:
        row = uow.session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.digest == _digest(token))
        ).first()
        if row is None:
            raise NotAuthenticated("unknown token")
        api_token, user = row
        if api_token.expires_at <= utcnow() or not user.active:
            raise NotAuthenticated("token expired")
        return principal_of(uow, user)
