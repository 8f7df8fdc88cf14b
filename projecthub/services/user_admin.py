"""Instance administration of accounts: find people, lock them out or let them back in, send a
password reset, grant or remove the instance-admin flag. Every action is audited and refused
to anyone who is not an instance admin; the instance never loses its last active admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from projecthub.core.errors import Conflict, NotFound
from projecthub.models import Membership, Organization, User
from projecthub.services import audit, password_reset
from projecthub.services.api_tokens import revoke_user_tokens
from projecthub.services.microsoft_signin import linked_user_ids
from projecthub.services.principal import Actor, require_instance_admin
from projecthub.services.sessions import end_user_sessions
from projecthub.services.views import View

PAGE_LIMIT = 200
LAST_ADMIN = "This instance needs at least one active instance administrator."


class UserView(View):
    """An account as instance admins see it (never its password hash)."""

    id: uuid.UUID
    email: str
    display_name: str
    organizations: list[str]
    last_login_at: datetime | None
    verified: bool
    is_active: bool
    is_instance_admin: bool
    created_at: datetime
    # Signs in with a linked Microsoft (Entra ID) account.
    microsoft_linked: bool


@dataclass(frozen=True)
class UserPage:
    users: list[UserView]
    total: int


def list_users(session: Session, actor: Actor, *, search: str = "", limit: int = 50,
               offset: int = 0) -> UserPage:
    """Accounts matching ``search`` (email or name), newest first, with their organizations."""
    require_instance_admin(actor)
    query = select(User)
    term = search.strip().lower()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(col(User.email).like(pattern, escape="\\"),
                                func.lower(col(User.display_name)).like(pattern, escape="\\")))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    users = session.exec(query.order_by(col(User.created_at).desc(), col(User.email))
                         .offset(max(offset, 0)).limit(min(max(limit, 1), PAGE_LIMIT))).all()
    orgs = _organizations(session, [u.id for u in users])
    linked = linked_user_ids(session, [u.id for u in users])
    return UserPage([_view(u, orgs.get(u.id, []), u.id in linked) for u in users], int(total))


def get_user_view(session: Session, actor: Actor, user_id: uuid.UUID) -> UserView:
    """One account as the list shows it (after an action, for its answer)."""
    require_instance_admin(actor)
    user = _user(session, user_id)
    return _view(user, _organizations(session, [user.id]).get(user.id, []),
                 bool(linked_user_ids(session, [user.id])))


def set_user_active(session: Session, actor: Actor, user_id: uuid.UUID, active: bool) -> User:
    """Deactivating ends the person's sessions and revokes their API tokens in the same
    transaction; nobody deactivates themselves or the last active admin."""
    require_instance_admin(actor)
    user = _user(session, user_id)
    if not active and user.id == actor.user_id:
        raise Conflict("You cannot deactivate your own account.")
    if not active and user.is_instance_admin:
        _keep_an_admin(session, user)
    user.is_active = active
    session.add(user)
    revoked = 0
    if not active:
        end_user_sessions(session, user.id)
        revoked = revoke_user_tokens(session, user.id)
    audit.record(session, actor, "user.reactivated" if active else "user.deactivated",
                 target_type="user", target_id=user.id,
                 detail={"email": user.email, "api_tokens_revoked": revoked})
    return user


def send_reset(session: Session, actor: Actor, user_id: uuid.UUID) -> bool:
    """Mail the person a reset link; ``False`` when this instance cannot send mail."""
    require_instance_admin(actor)
    user = _user(session, user_id)
    return password_reset.send_password_reset(session, email=user.email, actor=actor)


def set_instance_admin(session: Session, actor: Actor, user_id: uuid.UUID, admin: bool) -> User:
    """Grant or remove the flag; removing it from the last active admin is refused."""
    require_instance_admin(actor)
    user = _user(session, user_id)
    if not admin and user.is_instance_admin and user.is_active:
        _keep_an_admin(session, user)
    user.is_instance_admin = admin
    session.add(user)
    audit.record(session, actor, "admin.granted" if admin else "admin.removed",
                 target_type="user", target_id=user.id, detail={"email": user.email})
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    """Refuse when ``leaving`` is the only active admin. The admins' rows are locked
    (PostgreSQL), so two admins removing each other at once cannot both succeed."""
    admins = session.exec(select(User.id).where(
        User.is_instance_admin == True, User.is_active == True)  # noqa: E712
        .with_for_update()).all()
    if not set(admins) - {leaving.id}:
        raise Conflict(LAST_ADMIN)


def _organizations(session: Session, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Names of the organizations each user is an active member of, in one query."""
    orgs: dict[uuid.UUID, list[str]] = {}
    for user_id, name in session.exec(
            select(Membership.user_id, Organization.name)
            .join(Organization, col(Organization.id) == Membership.organization_id)
            .where(col(Membership.user_id).in_(user_ids),
                   Membership.is_active == True)  # noqa: E712
            .order_by(col(Organization.name))).all():
        orgs.setdefault(user_id, []).append(name)
    return orgs


def _user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


def _view(user: User, organizations: list[str], microsoft_linked: bool) -> UserView:
    return UserView(id=user.id, email=user.email, display_name=user.display_name,
                    organizations=organizations, last_login_at=user.last_login_at,
                    verified=user.email_verified_at is not None, is_active=user.is_active,
                    is_instance_admin=user.is_instance_admin, created_at=user.created_at,
                    microsoft_linked=microsoft_linked)
