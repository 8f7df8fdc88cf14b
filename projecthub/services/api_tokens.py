"""API tokens: a user's bearer credential for one organization; shown once, stored hashed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field
from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import NotAuthenticated, NotFound
from projecthub.core.security import hash_token, new_token
from projecthub.models import ApiToken, Organization, User
from projecthub.services import audit
from projecthub.services.principal import Actor, Principal, actor_for, principal_in_org
from projecthub.services.validation import clean_name
from projecthub.services.views import View

API_PREFIX = "pht"
_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # the only time the raw token exists outside the caller's hands


class TokenView(View):
    """A token as its owner sees it listed: never the token itself."""

    id: uuid.UUID
    name: str
    org_slug: str
    hint: str = Field(description="The token's last four characters.")
    created_at: datetime
    last_used_at: datetime | None


def create_api_token(session: Session, principal: Principal, *, name: str) -> CreatedToken:
    """Any member may create a token acting as themselves in this organization."""
    label = clean_name(name, field="name", label="Token name", max_length=100)
    secret = new_token(API_PREFIX)
    token = ApiToken(user_id=principal.user_id, organization_id=principal.org_id, name=label,
                     token_hash=hash_token(secret), hint=secret[-4:])
    session.add(token)
    audit.record(session, principal, "api_token.created", target_type="api_token",
                 target_id=token.id, detail={"name": label})
    session.commit()
    return CreatedToken(token, secret)


def list_api_tokens(session: Session, actor: Actor) -> list[TokenView]:
    """The actor's own tokens in every organization (the account screen)."""
    rows = session.exec(
        select(ApiToken, Organization.slug)
        .join(Organization, Organization.id == ApiToken.organization_id)  # type: ignore[arg-type]
        .where(ApiToken.user_id == actor.user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())).all()
    return [TokenView(id=token.id, name=token.name, org_slug=slug, hint=token.hint,
                      created_at=token.created_at, last_used_at=token.last_used_at)
            for token, slug in rows]


def revoke_api_token(session: Session, actor: Actor, token_id: object) -> None:
    """Only the token's owner can revoke it; anyone else's token is not found."""
    view = next((view for view in list_api_tokens(session, actor)
                 if str(view.id) == str(token_id)), None)
    token = session.get(ApiToken, view.id) if view else None
    if token is None:
        raise NotFound("API token not found.")
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, actor, "api_token.revoked", org_id=token.organization_id,
                 target_type="api_token", target_id=token.id, detail={"name": token.name})
    session.commit()


def resolve_api_token(session: Session, secret: str) -> Principal:
    """The principal a bearer token acts as; membership and organization are re-checked."""
    row = session.exec(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == hash_token(secret), col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None or not row[1].is_active:
        raise NotAuthenticated("Invalid or revoked API token.")
    token, user = row
    try:
        principal = principal_in_org(session, actor_for(user), token.organization_id)
    except NotFound as exc:
        raise NotAuthenticated("Invalid or revoked API token.") from exc
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_INTERVAL:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return principal
