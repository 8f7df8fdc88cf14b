"""Browser sign-up, login and logout. These set or clear the HttpOnly session cookie, which is
why they are HTTP endpoints: a websocket event cannot set an HttpOnly cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from projecthub.api.cookies import clear_session_cookie, set_session_cookie
from projecthub.api.deps import DbDep, client_ip
from projecthub.api.schemas import Credentials, Ok, PasswordChange, SignUp, SignUpAccepted
from projecthub.core.config import settings
from projecthub.core.errors import PermissionDenied
from projecthub.core.web import session_token_from_header
from projecthub.services import accounts, sessions
from projecthub.services import signup as signup_service
from projecthub.services.sessions import SessionContext

router = APIRouter(prefix="/auth", tags=["browser session"])


def _same_origin(request: Request) -> None:
    """Cookie endpoints refuse cross-site callers (CSRF): the Origin must be one of ours."""
    origin = request.headers.get("origin")
    if origin is not None and origin not in settings.origins:
        raise PermissionDenied("This request came from a site that is not allowed.")


def cookie_session(db: Session, request: Request) -> SessionContext:
    """The browser session behind the request's cookie. The request's transaction is ended
    then: resolving may have touched the session row, and on SQLite a password check after
    this (the login throttle commits on its own) must not wait behind that write lock."""
    context = sessions.resolve_session(db, session_token_from_header(
        request.headers.get("cookie")))
    db.commit()
    return context


@router.post("/login", response_model=Ok)
def login(body: Credentials, request: Request, response: Response, db: DbDep) -> Ok:
    """Check credentials and start a fresh session (a new token at every login)."""
    _same_origin(request)
    user = accounts.authenticate(db, email=body.email, password=body.password,
                                 client_ip=request.client.host if request.client else "")
    token = sessions.start_session(db, user, user_agent=request.headers.get("user-agent", ""))
    set_session_cookie(response, token)
    return Ok()


@router.post("/signup", response_model=SignUpAccepted, status_code=202)
def signup(body: SignUp, request: Request, db: DbDep) -> SignUpAccepted:
    """Create an account and, in the same transaction, an organization or an invitation's
    membership. A new and a taken address get the same answer and no session (see
    ``services.signup``): the browser logs in next, as only the address's owner can."""
    _same_origin(request)
    signup_service.sign_up(db, email=body.email, password=body.password,
                           display_name=body.display_name, org_name=body.org_name,
                           org_slug=body.org_slug, invitation_token=body.invitation_token,
                           client_ip=client_ip(request))
    return SignUpAccepted(detail=signup_service.ACCEPTED)


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
    context = cookie_session(db, request)
    accounts.change_password(db, context.actor, current_password=body.current_password,
                             new_password=body.new_password, client_ip=client_ip(request))
    clear_session_cookie(response)
    return Ok()
