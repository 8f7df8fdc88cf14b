"""Accounts: creation, throttled login, profile and password changes."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, Invalid, NotAuthenticated
from projecthub.core.security import hash_password, verify_password
from projecthub.models import User
from projecthub.services import audit, login_throttle
from projecthub.services.api_tokens import revoke_user_tokens
from projecthub.services.passwords import check_password
from projecthub.services.principal import Actor, actor_for
from projecthub.services.sessions import end_user_sessions
from projecthub.services.validation import clean_name, normalize_email

# One message for an unknown email and a wrong password, so accounts cannot be enumerated.
LOGIN_FAILED = "Email or password is incorrect."


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(session: Session, *, email: str, password: str, display_name: str = "",
                is_instance_admin: bool = False) -> User:
    """Validate and add a user to the session (the caller commits)."""
    address = normalize_email(email)
    name = clean_name(display_name or address.split("@")[0], field="display_name", label="Name")
    check_password(password, email=address)
    if find_user_by_email(session, address) is not None:
        message = "An account with this email already exists. Log in instead."
        raise Conflict(message, {"email": message})
    user = User(email=address, display_name=name, password_hash=hash_password(password),
                is_instance_admin=is_instance_admin)
    session.add(user)
    session.flush()
    audit.record(session, actor_for(user), "user.signed_up", target_type="user", target_id=user.id)
    return user


def authenticate(session: Session, *, email: str, password: str, client_ip: str = "") -> User:
    """Check credentials under the login throttle. An unknown email, a wrong password and an
    inactive account cost one password hash each and get the same answer; so does a throttled
    email, known or not (the throttle is keyed by address, not by account)."""
    attempt = login_throttle.reserve_attempt(session, email=email, client_ip=client_ip)
    # Nothing of the caller's is written before a failure is recorded on its own connection
    # (on SQLite the session's write lock would make that connection wait).
    with session.no_autoflush:
        user = find_user_by_email(session, email)
    ok, new_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        reason = ("unknown_account" if user is None else
                  "wrong_password" if not ok else "inactive_account")
        login_throttle.record_failure(session, user_id=user.id if user else None,
                                      client_ip=client_ip, reason=reason)
        raise NotAuthenticated(LOGIN_FAILED)
    login_throttle.forgive(session, attempt)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, actor_for(user), "user.logged_in", target_type="user", target_id=user.id)
    return user


def get_user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("Please log in.")
    return user


def update_profile(session: Session, actor: Actor, *, display_name: str) -> User:
    user = get_user(session, actor)
    user.display_name = clean_name(display_name, field="display_name", label="Name")
    session.add(user)
    audit.record(session, actor, "user.profile_updated", target_type="user", target_id=user.id)
    return user


def check_current_password(session: Session, user: User, password: str, *,
                           client_ip: str = "", field: str = "current_password") -> None:
    """Re-check a signed-in person's password before a sensitive change, under the login
    throttle: a stolen session or token must not become an unlimited password oracle. The
    counters commit on their own, so a wrong password counts although its request rolls back;
    on SQLite the caller must hold no write lock (``login_throttle``)."""
    attempt = login_throttle.reserve_attempt(session, email=user.email, client_ip=client_ip)
    ok, _ = verify_password(password, user.password_hash)
    if not ok:
        message = "The current password is incorrect."
        raise Invalid(message, {field: message})
    login_throttle.forgive(session, attempt)


def change_password(session: Session, actor: Actor, *, current_password: str,
                    new_password: str, client_ip: str = "") -> int:
    """Needs the current password; ends every session of the user, this one included, and
    revokes every API token (a leaked password may have minted them). Returns how many."""
    user = get_user(session, actor)
    check_current_password(session, user, current_password, client_ip=client_ip)
    check_password(new_password, email=user.email, field="new_password")
    user.password_hash = hash_password(new_password)
    session.add(user)
    end_user_sessions(session, user.id)
    revoked = revoke_user_tokens(session, user.id)
    audit.record(session, actor, "user.password_changed", target_type="user", target_id=user.id,
                 detail={"api_tokens_revoked": revoked})
    return revoked


def set_instance_admin(session: Session, user_id: uuid.UUID) -> User:
    """Operator action (CLI): grant the instance-admin flag."""
    user = session.get(User, user_id)
    if user is None:
        raise Invalid("No such user.")
    user.is_instance_admin = True
    session.add(user)
    audit.record(session, actor_for(user), "admin.granted", target_type="user", target_id=user.id)
    return user
