"""Sign in with Microsoft: the instance's app registration, sign-ins in progress kept
server-side, and what a validated Entra ID identity becomes here.

The edge (``api/routes/microsoft.py``) runs it in three short transactions around the calls to
Entra ID, none held across the network: ``begin`` stores MSAL's flow under the hash of a random
HttpOnly cookie; ``claim`` takes it back exactly once (a replayed or foreign callback finds
nothing); ``complete`` signs the person in:

- a linked Entra account (``tid`` + ``oid``) signs its person in;
- otherwise an account whose address Entra vouches for (``xms_edov``) is linked only after its
  password is confirmed once (``confirm_link``): a directory may hand out any address, so an
  email match alone proves nothing here;
- otherwise a new account is created, its address verified, if the instance's sign-up policy
  admits the address.

Then the organizations that let the person's directory join do so (``microsoft_orgs``).
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session, col, delete, select

from projecthub.connectors.entra_signin import (
    REJECTIONS,
    EntraApp,
    EntraIdentity,
    EntraSignIn,
    SignInRejected,
)
from projecthub.connectors.errors import ConnectorError
from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import AppError, NotAuthenticated, PermissionDenied
from projecthub.core.security import hash_password, hash_token, new_token
from projecthub.core.web import SANDBOX_PREFIX
from projecthub.models import MicrosoftIdentity, MicrosoftSignIn, User
from projecthub.services import accounts, audit, sessions
from projecthub.services.microsoft_orgs import join_by_directory
from projecthub.services.principal import actor_for
from projecthub.services.signup_policy import check_signup_allowed
from projecthub.services.validation import clean_name, normalize_email

# The sandbox's fake Entra ID keeps no app registry: any GUID is an app, ``sandbox-*`` a secret.
SANDBOX_CLIENT_ID = "5b2c6f0e-7d1a-4e8b-9c3f-1a2b3c4d5e6f"
SANDBOX_SECRET = "sandbox-demo"
# Where this server reaches the sandbox's Entra ID: a name that resolves nowhere, so only the
# in-process transport ``app.py`` installs (``transport``) can answer it.
SANDBOX_LOGIN = f"http://sandbox.internal{SANDBOX_PREFIX}/graph/login"
HANDLE_PREFIX = "phm"
FLOW_LIFETIME = timedelta(minutes=10)
REASONS = {
    **REJECTIONS,
    "unavailable": "Sign in with Microsoft is not available right now. Please try again "
                   "later, or log in with your password.",
    "expired_flow": "That Microsoft sign-in has expired or was already used. Please start "
                    "again.",
    "no_email": "Your Microsoft account has no email address that its organization verified, "
                "so it cannot be matched to an account here. Ask your administrator.",
    "signup_closed": "There is no account for your Microsoft address here, and this instance "
                     "does not let new people sign up with it. Ask someone in your "
                     "organization to invite you.",
    "inactive": "Your account here is deactivated. Ask an administrator of this instance.",
    "linked_elsewhere": "Your account here is already linked to another Microsoft account.",
}


def _network() -> httpx.AsyncBaseTransport | None:
    return None


# How this server reaches Entra ID: the network, or (set by ``app.py`` and tests) the sandbox
# in process.
transport: Callable[[], httpx.AsyncBaseTransport | None] = _network


class MicrosoftSignInRefused(AppError):
    """A refused sign-in; ``reason`` is a key of ``REASONS`` (the only thing put in a URL)."""

    status_code = 400

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(REASONS[reason])
        self.reason = reason
        self.detail = detail  # Entra's own words, for the logs only


def reason_message(reason: str) -> str:
    return REASONS.get(reason, REASONS["refused"])


def entra_app(sandbox_login_url: str | None = None) -> EntraApp | None:
    """The instance's app registration; without one, the sandbox's fake Entra ID when the
    sandbox is on (the browser reaches it at ``sandbox_login_url``; this server through
    ``transport``, in process: never at an address taken from a request's Host header, which
    could name a fake Entra of someone else's); else None (the button is hidden)."""
    if settings.MICROSOFT_CLIENT_ID and settings.MICROSOFT_CLIENT_SECRET:
        return EntraApp(client_id=settings.MICROSOFT_CLIENT_ID,
                        client_secret=settings.MICROSOFT_CLIENT_SECRET.get_secret_value(),
                        tenant=settings.MICROSOFT_TENANT)
    if settings.sandbox_enabled and sandbox_login_url:
        return EntraApp(client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_SECRET,
                        tenant=settings.MICROSOFT_TENANT, login_url=SANDBOX_LOGIN,
                        browser_login_url=sandbox_login_url)
    return None


def is_available() -> bool:
    configured = bool(settings.MICROSOFT_CLIENT_ID and settings.MICROSOFT_CLIENT_SECRET)
    return configured or settings.sandbox_enabled


def configuration_summary() -> str:
    """What the instance settings page says (never the secret)."""
    if settings.MICROSOFT_CLIENT_ID and settings.MICROSOFT_CLIENT_SECRET:
        return (f"Configured: app {settings.MICROSOFT_CLIENT_ID}, directories "
                f"'{settings.MICROSOFT_TENANT}'")
    if settings.sandbox_enabled:
        return "Sandbox: the built-in fake Microsoft Entra ID (development and demos)"
    return ("Not configured: set PROJECTHUB_MICROSOFT_CLIENT_ID, "
            "PROJECTHUB_MICROSOFT_CLIENT_SECRET and PROJECTHUB_MICROSOFT_TENANT")


async def start_flow(app: EntraApp, redirect_uri: str) -> tuple[dict[str, Any], str]:
    """MSAL's flow and the address of Entra's sign-in page; Entra unreachable: ``unavailable``."""
    try:
        async with EntraSignIn(app, transport=transport()) as entra:
            return await entra.start(redirect_uri)
    except (ConnectorError, httpx.HTTPError) as exc:
        raise MicrosoftSignInRefused("unavailable") from exc


async def finish_flow(app: EntraApp, flow: dict[str, Any],
                      reply: dict[str, str]) -> EntraIdentity:
    """The validated identity Entra's reply stands for, or ``MicrosoftSignInRefused``."""
    try:
        async with EntraSignIn(app, transport=transport()) as entra:
            return await entra.finish(flow, reply)
    except SignInRejected as exc:
        raise MicrosoftSignInRefused(exc.reason, exc.detail) from exc
    except (ConnectorError, httpx.HTTPError) as exc:
        raise MicrosoftSignInRefused("unavailable") from exc


def begin(session: Session, *, flow: dict[str, Any], return_to: str) -> str:
    """Keep a flow server-side; the raw handle (for the browser's cookie) is returned once.
    Expired sign-ins are cleared on the way."""
    now = utcnow()
    session.exec(delete(MicrosoftSignIn).where(col(MicrosoftSignIn.expires_at) < now))
    handle = new_token(HANDLE_PREFIX)
    session.add(MicrosoftSignIn(handle_hash=hash_token(handle), flow=flow, return_to=return_to,
                                expires_at=now + FLOW_LIFETIME))
    return handle


def claim(session: Session, handle: str | None) -> tuple[dict[str, Any], str]:
    """The flow and return address of this browser's sign-in, which ends here: a second
    callback (a replay) or one from another browser finds nothing (``expired_flow``)."""
    row = _row(session, handle)
    if row is None or not row.flow:
        raise MicrosoftSignInRefused("expired_flow")
    # Two callbacks at once: the second's DELETE waits for the first's commit, then finds none.
    deleted = session.exec(delete(MicrosoftSignIn).where(col(MicrosoftSignIn.id) == row.id))
    if deleted.rowcount != 1:
        raise MicrosoftSignInRefused("expired_flow")
    return dict(row.flow), row.return_to


@dataclass(frozen=True)
class SignedIn:
    token: str  # the session's, for the HttpOnly cookie
    return_to: str


@dataclass(frozen=True)
class PasswordNeeded:
    handle: str  # the pending link's, for the sign-in cookie
    return_to: str


def complete(session: Session, identity: EntraIdentity, *, return_to: str,
             user_agent: str = "") -> SignedIn | PasswordNeeded:
    """Sign the identity's person in, create them, or ask for their password (see above)."""
    linked = session.exec(select(MicrosoftIdentity, User)
                          .join(User, col(User.id) == col(MicrosoftIdentity.user_id))
                          .where(MicrosoftIdentity.tenant_id == identity.tenant_id,
                                 MicrosoftIdentity.object_id == identity.object_id)).first()
    if linked is not None:
        link, known = linked
        return _sign_in(session, known, link, identity, return_to, user_agent)
    try:
        address = normalize_email(identity.email or "")
    except AppError:
        raise MicrosoftSignInRefused("no_email") from None
    identity = dataclasses.replace(identity, email=address)
    user = accounts.find_user_by_email(session, address)
    if user is not None:
        _check_linkable(session, user)
        handle = new_token(HANDLE_PREFIX)
        session.add(MicrosoftSignIn(
            handle_hash=hash_token(handle), return_to=return_to, user_id=user.id,
            identity=_identity_dict(identity), expires_at=utcnow() + FLOW_LIFETIME))
        return PasswordNeeded(handle, return_to)
    try:
        check_signup_allowed(session, address, invited=False)
    except PermissionDenied:
        raise MicrosoftSignInRefused("signup_closed") from None
    user = _create_user(session, identity)
    return _sign_in(session, user, _link(session, user, identity), identity, return_to,
                    user_agent)


@dataclass(frozen=True)
class PendingLink:
    """What the password page shows: which Microsoft account joins which account here."""

    microsoft_username: str
    email: str


def pending_link(session: Session, handle: str | None) -> PendingLink:
    row = _row(session, handle)
    if row is None or row.user_id is None:
        raise MicrosoftSignInRefused("expired_flow")
    return PendingLink(str(row.identity.get("username", "")), str(row.identity.get("email")))


def confirm_link(session: Session, handle: str | None, *, password: str, client_ip: str = "",
                 user_agent: str = "") -> SignedIn:
    """Link the pending Microsoft account once the account's password is confirmed (under the
    login throttle, with the login's own answer for a wrong password), then sign in."""
    row = _row(session, handle)
    if row is None or row.user_id is None:
        raise MicrosoftSignInRefused("expired_flow")
    user = session.get(User, row.user_id)
    if user is None:
        raise MicrosoftSignInRefused("expired_flow")
    try:
        accounts.authenticate(session, email=user.email, password=password,
                              client_ip=client_ip)
    except NotAuthenticated:
        raise NotAuthenticated("That is not this account's password.") from None
    identity = EntraIdentity(**row.identity)
    _check_linkable(session, user)
    session.delete(row)
    link = _link(session, user, identity)
    return _sign_in(session, user, link, identity, row.return_to, user_agent)


def linked_user_ids(session: Session, user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these people have a linked Microsoft account (the admin user list)."""
    return set(session.exec(select(MicrosoftIdentity.user_id).where(
        col(MicrosoftIdentity.user_id).in_(user_ids))).all())


def _row(session: Session, handle: str | None) -> MicrosoftSignIn | None:
    if not handle:
        return None
    row = session.exec(select(MicrosoftSignIn).where(
        MicrosoftSignIn.handle_hash == hash_token(handle))).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


def _check_linkable(session: Session, user: User) -> None:
    if not user.is_active:
        raise MicrosoftSignInRefused("inactive")
    if session.exec(select(MicrosoftIdentity.id).where(
            MicrosoftIdentity.user_id == user.id)).first() is not None:
        raise MicrosoftSignInRefused("linked_elsewhere")


def _create_user(session: Session, identity: EntraIdentity) -> User:
    """A new account, its address verified by Entra. Its password is random and unknown, so
    the person signs in with Microsoft (or sets one through "Forgot password?")."""
    assert identity.email is not None
    fallback = identity.email.split("@")[0]
    try:
        name = clean_name(identity.name or fallback, field="display_name", label="Name")
    except AppError:
        name = fallback[:120]
    user = User(email=identity.email, display_name=name,
                password_hash=hash_password(secrets.token_urlsafe(32)),
                email_verified_at=utcnow())
    session.add(user)
    session.flush()
    audit.record(session, actor_for(user), "user.signed_up", target_type="user",
                 target_id=user.id, detail={"with": "microsoft"})
    return user


def _link(session: Session, user: User, identity: EntraIdentity) -> MicrosoftIdentity:
    """Entra vouches for the address (``xms_edov``), so it counts as confirmed from here on."""
    if user.email_verified_at is None and identity.email == user.email:
        user.email_verified_at = utcnow()
        session.add(user)
    link = MicrosoftIdentity(user_id=user.id, tenant_id=identity.tenant_id,
                             object_id=identity.object_id, username=identity.username[:320])
    session.add(link)
    audit.record(session, actor_for(user), "user.microsoft_linked", target_type="user",
                 target_id=user.id, detail={"tenant_id": identity.tenant_id})
    return link


def _sign_in(session: Session, user: User, link: MicrosoftIdentity, identity: EntraIdentity,
             return_to: str, user_agent: str) -> SignedIn:
    if not user.is_active:
        raise MicrosoftSignInRefused("inactive")
    now = utcnow()
    link.last_sign_in_at, link.username = now, identity.username[:320] or link.username
    user.last_login_at = now
    session.add_all([link, user])
    join_by_directory(session, user, identity.tenant_id)
    session.flush()  # the memberships exist before the session picks its first organization
    token = sessions.start_session(session, user, user_agent=user_agent,
                                   microsoft_tenant_id=identity.tenant_id)
    audit.record(session, actor_for(user), "user.logged_in", target_type="user",
                 target_id=user.id, detail={"with": "microsoft"})
    return SignedIn(token, return_to)


def _identity_dict(identity: EntraIdentity) -> dict[str, Any]:
    return {"tenant_id": identity.tenant_id, "object_id": identity.object_id,
            "username": identity.username, "name": identity.name, "email": identity.email}
