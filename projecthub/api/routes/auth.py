"""Browser sign-up, login and logout. These set or clear the HttpOnly session cookie, which is
why they are HTTP endpoints: a websocket event cannot set an HttpOnly cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from projecthub.api.cookies import (
    clear_session_cookie,
    session_token_from_header,
    set_session_cookie,
)
from projecthub.api.deps import DbDep
from projecthub.api.schemas import Credentials, Ok, PasswordChange, SignUp
from projecthub.core.config import settings
from projecthub.core.errors import PermissionDenied
from projecthub.services import accounts, invitations, orgs, sessions, verification
from projecthub.services.principal import actor_for
from projecthub.services.validation import slugify

router = APIRouter(prefix="/auth", tags=["browser session"])


def _same_origin(request: Request) -> None:
    """Cookie endpoints refuse cross-site callers (CSRF): the Origin must be one of ours."""
    origin = request.headers.get("origin")
    if origin is not None and origin not in settings.origins:
        raise PermissionDenied("This request came from a site that is not allowed.")


@router.post("/login", response_model=Ok)
def login(body: Credentials, request: Request, response: Response, db: DbDep) -> Ok:
    """Check credentials and start a fresh session (a new token at every login)."""
    _same_origin(request)
    user = accounts.authenticate(db, email=body.email, password=body.password)
    token = sessions.start_session(db, user, user_agent=request.headers.get("user-agent", ""))
    db.commit()
    set_session_cookie(response, token)
    return Ok()


@router.post("/signup", response_model=Ok, status_code=201)
def signup(body: SignUp, request: Request, response: Response, db: DbDep) -> Ok:
    """Create an account and, in the same transaction, an organization or an invitation's
    membership; any error leaves nothing behind."""
    _same_origin(request)
    user = accounts.create_user(db, email=body.email, password=body.password,
                                display_name=body.display_name)
    actor = actor_for(user)
    invitation_id = None
    if body.invitation_token:  # joined when the address is confirmed (services.verification)
        invitation_id = invitations.invitation_for_signup(db, body.invitation_token, user.email)
    elif body.org_name.strip():
        orgs.create_organization(db, actor, name=body.org_name,
                                 slug=body.org_slug or slugify(body.org_name))
    verification.send_verification(db, user, invitation_id=invitation_id)
    token = sessions.start_session(db, user, user_agent=request.headers.get("user-agent", ""))
    db.commit()
    set_session_cookie(response, token)
    return Ok()


@router.post("/logout", response_model=Ok)
def logout(request: Request, response: Response, db: DbDep) -> Ok:
    _same_origin(request)
    sessions.end_session(db, session_token_from_header(request.headers.get("cookie")))
    clear_session_cookie(response)
    return Ok()


@router.post("/password", response_model=Ok)
def change_password(body: PasswordChange, request: Request, response: Response,
                    db: DbDep) -> Ok:
    """Change the signed-in person's password from the browser (so the passwords never pass
    through the websocket). Every session ends, this one too: the person logs in again."""
    _same_origin(request)
    context = sessions.resolve_session(db, session_token_from_header(
        request.headers.get("cookie")))
    accounts.change_password(db, context.actor, current_password=body.current_password,
                             new_password=body.new_password)
    clear_session_cookie(response)
    return Ok()
