"""API tokens: a user's bearer credential for one organization; shown once, stored hashed,
expiring, optionally read-only, revoked with a password change and visible to the org's admins."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import Field
from sqlalchemy import and_, bindparam
from sqlalchemy import select as columns_select
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg
from sqlmodel import Session, col, select, update

from projecthub.core.async_reads import AsyncReads
from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import (
    Invalid,
    NotAuthenticated,
    NotFound,
    OrganizationSuspended,
    PermissionDenied,
)
from projecthub.core.security import hash_token, new_token
from projecthub.core.tenancy import act_as_tenant_columns, acted_as_tenant
from projecthub.models import ApiToken, Membership, Organization, OrgStatus, Role, User
from projecthub.services import audit
from projecthub.services.principal import (
    Actor,
    Principal,
    require_role,
)
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.validation import clean_name
from projecthub.services.views import View

API_PREFIX = "pht"
MAX_DAYS = 365
_TOUCH_INTERVAL = timedelta(minutes=1)
READ_ONLY_REFUSAL = ("This API token is read-only: it can only make GET requests. "
                     "Create a token with write access on your account page to make changes.")


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # the only time the raw token exists outside the caller's hands


class TokenFields(View):
    """What anyone allowed to list a token sees of it: never the token itself."""

    id: uuid.UUID
    name: str
    hint: str = Field(description="The token's last four characters.")
    read_only: bool = Field(description="A read-only token may only make GET requests.")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class TokenView(TokenFields):
    """A token as its owner sees it listed, with the organization it acts in."""

    org_slug: str


class MemberTokenView(TokenFields):
    """A token as the organization's admins see it: whose it is."""

    owner_email: str
    owner_name: str


def _fields(token: ApiToken) -> dict[str, object]:
    return TokenFields.model_validate(token).model_dump()


def token_view(token: ApiToken, org_slug: str) -> TokenView:
    """How a token row is listed to its owner."""
    return TokenView(**_fields(token), org_slug=org_slug)


def _expiry_days(expires_in_days: int | None) -> int:
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= MAX_DAYS:
        message = f"Choose an expiry between 1 and {MAX_DAYS} days."
        raise Invalid(message, {"expires_in_days": message})
    return days


def create_api_token(session: Session, principal: Principal, *, name: str,
                     expires_in_days: int | None = None, read_only: bool = False) -> CreatedToken:
    """Any member may create a token acting as themselves in this organization; it expires
    (90 days unless chosen) and may be limited to reading."""
    label = clean_name(name, field="name", label="Token name", max_length=100)
    days = _expiry_days(expires_in_days)
    secret, now = new_token(API_PREFIX), utcnow()
    token = ApiToken(user_id=principal.user_id, organization_id=principal.org_id, name=label,
                     token_hash=hash_token(secret), hint=secret[-4:], read_only=read_only,
                     created_at=now, expires_at=now + timedelta(days=days))
    session.add(token)
    audit.record(session, principal, "api_token.created", target_type="api_token",
                 target_id=token.id, detail={"name": label, "days": days,
                                             "read_only": read_only})
    return CreatedToken(token, secret)


def list_api_tokens(session: Session, actor: Actor) -> list[TokenView]:
    """The actor's own tokens in every organization (the account screen)."""
    rows = session.exec(
        select(ApiToken, Organization.slug)
        .join(Organization, col(Organization.id) == col(ApiToken.organization_id))
        .where(ApiToken.user_id == actor.user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())).all()
    return [token_view(token, slug) for token, slug in rows]


def revoke_api_token(session: Session, actor: Actor, token_id: uuid.UUID) -> None:
    """Only the token's owner can revoke it here; anyone else's token is not found."""
    view = next((view for view in list_api_tokens(session, actor) if view.id == token_id), None)
    token = session.get(ApiToken, view.id) if view else None
    if token is None:
        raise NotFound("API token not found.")
    _revoke(session, actor, token)


def list_member_tokens(session: Session, principal: Principal) -> list[MemberTokenView]:
    """Every unrevoked token of the organization, expired ones too, for its admins."""
    require_role(principal, Role.ADMIN)
    rows = session.exec(
        scoped_select(principal, ApiToken).where(col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())).all()
    owners = {user.id: user for user in session.exec(
        select(User).where(col(User.id).in_({token.user_id for token in rows}))).all()}
    return [MemberTokenView(**_fields(token), owner_email=owners[token.user_id].email,
                            owner_name=owners[token.user_id].display_name) for token in rows]


def revoke_member_token(session: Session, principal: Principal, token_id: uuid.UUID) -> None:
    """An admin revokes any token of their organization; another organization's is not found."""
    require_role(principal, Role.ADMIN)
    token = get_scoped(session, principal, ApiToken, token_id, label="API token")
    if token.revoked_at is not None:
        raise NotFound("API token not found.")
    _revoke(session, principal, token)


def revoke_user_tokens(session: Session, user_id: uuid.UUID) -> int:
    """Revoke every token of a person (password change); how many were still active."""
    result = session.exec(
        update(ApiToken).where(col(ApiToken.user_id) == user_id,
                               col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow()))
    revoked: int = result.rowcount
    return revoked


def _revoke(session: Session, actor: Actor | Principal, token: ApiToken) -> None:
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, actor, "api_token.revoked", org_id=token.organization_id,
                 target_type="api_token", target_id=token.id, detail={"name": token.name})


@dataclass(frozen=True)
class TokenGrant:
    """What a bearer token may do, read in one statement with its organization's data version
    (``Organization.data_version``, moved by triggers with every change the project list can
    show)."""

    principal: Principal
    data_version: int
    token_id: uuid.UUID


def resolve_api_token(session: Session, secret: str, *, writes: bool = False) -> Principal:
    """The principal a bearer token acts as; membership and organization are re-checked, and a
    read-only token is refused for anything that ``writes``."""
    return grant_for_token(session, secret, writes=writes).principal


def grant_for_token(session: Session, secret: str, *, writes: bool = False,
                    act: bool = False) -> TokenGrant:
    """``resolve_api_token`` in one statement (token, person, active membership, organization),
    read afresh on every call so a revoked token fails at once. With ``act`` the same statement
    also makes the transaction act as the token's organization (row-level security): a check
    that fails after it raises, and the caller's transaction rolls back.

    The transaction must not act as another organization yet: row-level security would hide
    the token."""
    acting = act and session.get_bind().dialect.name == "postgresql"
    session.flush()  # a Core statement does not autoflush: a token made in this session counts
    found = session.connection().execute(_grant_statement(acting),
                                         {"token_hash": hash_token(secret)}).first()
    row = None if found is None else TokenRow._make(found[:len(TokenRow._fields)])
    now = utcnow()
    grant = _checked(row, writes=writes, now=now)
    if acting:
        acted_as_tenant(session, grant.principal.org_id, grant.principal.user_id)
    if _needs_touch(row, now):
        session.connection().execute(_touch_statement(), {"token_id": grant.token_id,
                                                          "now": now})
    return grant


async def grant_for_token_async(reads: AsyncReads, secret: str, *,
                                writes: bool = False) -> TokenGrant:
    """``grant_for_token`` (without ``act``) from the event loop: the same statement, compiled
    once, on an autocommit async connection (``core.async_reads``; PostgreSQL only)."""
    found = await reads.fetch_one(_grant_sql(), {"token_hash": hash_token(secret)})
    row = None if found is None else TokenRow._make(found)
    now = utcnow()
    grant = _checked(row, writes=writes, now=now)
    if _needs_touch(row, now):
        await reads.execute(_touch_sql(), {"token_id": grant.token_id, "now": now})
    return grant


class TokenRow(NamedTuple):
    """The token statement's columns, in its order (``_grant_statement``)."""

    id: uuid.UUID
    expires_at: datetime
    read_only: bool
    last_used_at: datetime | None
    user_id: uuid.UUID
    email: str
    is_active: bool
    is_instance_admin: bool
    role: str | None
    org_id: uuid.UUID | None
    slug: str | None
    name: str | None
    status: str | None
    data_version: int | None


def _checked(row: TokenRow | None, *, writes: bool, now: datetime) -> TokenGrant:
    """Every check a token's row must pass, for both paths: revoked or unknown, inactive
    person, expired, no active membership, suspended organization, read-only for a write."""
    if row is None or not row.is_active:
        raise NotAuthenticated("Invalid or revoked API token.")
    if row.expires_at <= now:
        raise NotAuthenticated("This API token has expired. Create a new one on your account page.")
    if row.role is None or row.org_id is None or row.slug is None or row.data_version is None:
        raise NotAuthenticated("Invalid or revoked API token.")  # no active membership
    if row.status == OrgStatus.SUSPENDED:
        raise OrganizationSuspended(
            f"The organization {row.name} is suspended. Contact your instance administrator.")
    if writes and row.read_only:
        raise PermissionDenied(READ_ONLY_REFUSAL)
    return TokenGrant(Principal(user_id=row.user_id, email=row.email, org_id=row.org_id,
                                org_slug=row.slug, role=Role(row.role),
                                is_instance_admin=row.is_instance_admin),
                      int(row.data_version), row.id)


def _needs_touch(row: TokenRow | None, now: datetime) -> bool:
    """The last use is recorded at most once per ``_TOUCH_INTERVAL``: a write per request would
    cost more than the read."""
    return row is not None and (row.last_used_at is None
                                or now - row.last_used_at >= _TOUCH_INTERVAL)


@functools.cache
def _grant_statement(acting: bool) -> Any:
    """Built once (a statement per request cost about as much CPU as its round trip)."""
    columns: list[Any] = [
        ApiToken.id, ApiToken.expires_at, ApiToken.read_only, ApiToken.last_used_at,
        col(User.id).label("user_id"), User.email, User.is_active, User.is_instance_admin,
        Membership.role, col(Organization.id).label("org_id"), Organization.slug,
        Organization.name, Organization.status, Organization.data_version,
        *(act_as_tenant_columns(ApiToken.organization_id, ApiToken.user_id) if acting else ())]
    return (
        columns_select(*columns).select_from(ApiToken)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .outerjoin(Membership, and_(
            col(Membership.user_id) == col(ApiToken.user_id),
            col(Membership.organization_id) == col(ApiToken.organization_id),
            col(Membership.is_active).is_(True)))
        .outerjoin(Organization, col(Organization.id) == col(Membership.organization_id))
        .where(col(ApiToken.token_hash) == bindparam("token_hash"),
               col(ApiToken.revoked_at).is_(None)))


@functools.cache
def _touch_statement() -> Any:
    return (update(ApiToken).where(col(ApiToken.id) == bindparam("token_id"))
            .values(last_used_at=bindparam("now")))


@functools.cache
def _grant_sql() -> str:
    """The token's statement (not acting as a tenant) as psycopg's SQL, compiled once."""
    return _psycopg_sql(_grant_statement(False))


@functools.cache
def _touch_sql() -> str:
    return _psycopg_sql(_touch_statement())


def _psycopg_sql(statement: Any) -> str:
    return str(statement.compile(dialect=postgresql_psycopg.dialect()))  # type: ignore[no-untyped-call]
