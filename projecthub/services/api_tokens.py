"""API tokens: a user's bearer credential for one organization; shown once, stored hashed,
expiring, optionally read-only, revoked with a password change and visible to the org's admins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field
from sqlmodel import Session, col, select, update

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import Invalid, NotAuthenticated, NotFound, PermissionDenied
from projecthub.core.security import hash_token, new_token
from projecthub.models import ApiToken, Organization, Role, User
from projecthub.services import audit
from projecthub.services.principal import (
    Actor,
    Principal,
    actor_for,
    principal_in_org,
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


def resolve_api_token(session: Session, secret: str, *, writes: bool = False) -> Principal:
    """The principal a bearer token acts as; membership and organization are re-checked, and a
    read-only token is refused for anything that ``writes``."""
    row = session.exec(
        select(ApiToken, User).join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.token_hash == hash_token(secret), col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None or not row[1].is_active:
        raise NotAuthenticated("Invalid or revoked API token.")
    token, user = row
    now = utcnow()
    if token.expires_at <= now:
        raise NotAuthenticated("This API token has expired. Create a new one on your account page.")
    try:
        principal = principal_in_org(session, actor_for(user), token.organization_id)
    except NotFound as exc:
        raise NotAuthenticated("Invalid or revoked API token.") from exc
    if writes and token.read_only:
        raise PermissionDenied(READ_ONLY_REFUSAL)
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_INTERVAL:
        token.last_used_at = now
        session.add(token)
    return principal
