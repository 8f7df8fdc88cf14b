"""Browser sessions: a new random token at each login, stored hashed, with idle and absolute
expiry; ended by logout, password change and deactivation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import NotAuthenticated, NotFound, OrganizationSuspended
from projecthub.core.security import hash_token, new_token
from projecthub.core.tenancy import act_for_user
from projecthub.models import AuthSession, Membership, User
from projecthub.services import audit
from projecthub.services.microsoft_orgs import MicrosoftRequired, check_session
from projecthub.services.principal import Actor, Principal, actor_for, principal_in_org
from projecthub.services.scoping import act_as

SESSION_PREFIX = "phs"
# Writing last_seen_at on every event would make each click a write; a minute is precise enough.
_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionContext:
    """What a valid session resolves to."""

    session_id: uuid.UUID
    actor: Actor
    current_org_id: uuid.UUID | None
    display_name: str
    # The Entra directory the session signed in from with Microsoft (None: a password).
    microsoft_tenant_id: str | None = None


def start_session(session: Session, user: User, *, user_agent: str = "",
                  microsoft_tenant_id: str | None = None) -> str:
    """Create a session for a user who just proved who they are (``microsoft_tenant_id``: with
    Microsoft, from that directory); returns the raw token once."""
    token = new_token(SESSION_PREFIX)
    now = utcnow()
    first_org = session.exec(
        select(Membership.organization_id).where(Membership.user_id == user.id,
                                                 Membership.is_active == True)  # noqa: E712
        .order_by(col(Membership.created_at))).first()
    session.add(AuthSession(
        user_id=user.id, token_hash=hash_token(token), current_org_id=first_org,
        user_agent=user_agent[:300], microsoft_tenant_id=microsoft_tenant_id,
        created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)))
    return token


def resolve_session(session: Session, token: str | None) -> SessionContext:
    """Check a token's session is alive and its user active; touch it for idle expiry."""
    if not token:
        raise NotAuthenticated("Please log in.")
    row = session.exec(
        select(AuthSession, User).join(User, col(User.id) == col(AuthSession.user_id))
        .where(AuthSession.token_hash == hash_token(token))).first()
    if row is None:
        raise NotAuthenticated("Your session has ended. Please log in again.")
    auth, user = row
    now = utcnow()
    idle_limit = auth.last_seen_at + timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    if not user.is_active or now >= auth.expires_at or now >= idle_limit:
        session.delete(auth)
        raise NotAuthenticated("Your session has ended. Please log in again.")
    if now - auth.last_seen_at >= _TOUCH_INTERVAL:
        auth.last_seen_at = now
        session.add(auth)
    return SessionContext(auth.id, actor_for(user), auth.current_org_id, user.display_name,
                          auth.microsoft_tenant_id)


def session_principal(session: Session, context: SessionContext) -> Principal:
    """The principal for the session's current organization (``NotFound`` if it has none)."""
    if context.current_org_id is None:
        raise NotFound("Choose or create an organization first.")
    principal = principal_in_org(session, context.actor, context.current_org_id)
    act_as(session, principal)  # the rest of this UI event's transaction is this tenant's
    check_session(session, principal, context.microsoft_tenant_id)
    return principal


def switch_organization(session: Session, context: SessionContext, org_id: uuid.UUID) -> Principal:
    """Make another organization current; only one the person actively belongs to."""
    principal = _enter(session, context, org_id)
    auth = session.get(AuthSession, context.session_id)
    if auth is None:
        raise NotAuthenticated("Your session has ended. Please log in again.")
    auth.current_org_id = principal.org_id
    session.add(auth)
    return principal


def switch_to_holder(session: Session, context: SessionContext,
                     find: Callable[[Session, Principal], object]) -> Principal | None:
    """Follow a link into another of the person's organizations (a mail, a colleague's link):
    the first one where ``find`` sees the row (no ``NotFound``) becomes current. None when none
    does, exactly as for a stranger, so a link never tells whether its row exists. The
    transaction is then bound to the last organization tried: end it."""
    act_for_user(session, context.actor.user_id)
    mine = session.exec(
        select(Membership.organization_id)
        .where(Membership.user_id == context.actor.user_id,
               Membership.is_active == True)  # noqa: E712
        .order_by(col(Membership.created_at))).all()
    for org_id in (o for o in mine if o != context.current_org_id):
        try:
            find(session, _enter(session, context, org_id))
        except (NotFound, OrganizationSuspended, MicrosoftRequired):
            continue  # not a place this session may see the row in
        return switch_organization(session, context, org_id)
    return None


def _enter(session: Session, context: SessionContext, org_id: uuid.UUID) -> Principal:
    """Act in an organization of the person's, if their session may (suspension, Microsoft)."""
    principal = principal_in_org(session, context.actor, org_id)
    act_as(session, principal)
    check_session(session, principal, context.microsoft_tenant_id)
    return principal


def end_session(session: Session, token: str | None) -> None:
    """Logout: the session ends, and the audit log says whose (an unknown token ends nothing)."""
    if not token:
        return
    row = session.exec(
        select(AuthSession, User).join(User, col(User.id) == col(AuthSession.user_id))
        .where(AuthSession.token_hash == hash_token(token))).first()
    if row is None:
        return
    auth, user = row
    session.delete(auth)
    audit.record(session, actor_for(user), "user.logged_out", target_type="user",
                 target_id=user.id)


def end_user_sessions(session: Session, user_id: uuid.UUID, *,
                      keep: uuid.UUID | None = None) -> None:
    """End every session of a user (password change keeps the current one, deactivation none)."""
    statement = delete(AuthSession).where(col(AuthSession.user_id) == user_id)
    if keep is not None:
        statement = statement.where(col(AuthSession.id) != keep)
    session.exec(statement)
