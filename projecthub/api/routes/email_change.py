"""Changing the sign-in address: ``/me/email-change`` for scripts (API token), ``/auth/...`` for
the browser (session cookie), and the confirmation the mailed link leads to. The rules live in
``services.email_change``; no answer here depends on whether the new address has an account."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from sqlmodel import Session

from projecthub.api.deps import ActorDep, DbDep, client_ip
from projecthub.api.routes.auth import _same_origin, cookie_session
from projecthub.api.routes.recovery import LinkToken
from projecthub.api.schemas import (
    EmailChangeAccepted,
    EmailChangeConfirmed,
    EmailChangeRequest,
    PendingEmailChangePublic,
)
from projecthub.core.errors import NotAuthenticated, NotFound
from projecthub.services import email_change
from projecthub.services.principal import Actor

router = APIRouter(tags=["me"])


def _request(db: Session, actor: Actor, body: EmailChangeRequest,
             request: Request) -> EmailChangeAccepted:
    pending = email_change.request_email_change(
        db, actor, new_email=body.new_email, password=body.password,
        client_ip=client_ip(request))
    return EmailChangeAccepted(new_email=pending.new_email, expires_at=pending.expires_at,
                               detail=email_change.REQUESTED.format(address=pending.new_email))


@router.post("/me/email-change", response_model=EmailChangeAccepted,
             status_code=status.HTTP_202_ACCEPTED)
def request_email_change(body: EmailChangeRequest, request: Request, db: DbDep,
                         actor: ActorDep) -> EmailChangeAccepted:
    """Mail a confirmation link to the new address (needs the current password; rate-limited).
    The address changes only when the link is followed."""
    return _request(db, actor, body, request)


@router.get("/me/email-change", response_model=PendingEmailChangePublic)
def read_email_change(db: DbDep, actor: ActorDep) -> PendingEmailChangePublic:
    """The change waiting for confirmation; 404 when there is none."""
    pending = email_change.pending_email_change(db, actor)
    if pending is None:
        raise NotFound("No email change is waiting for confirmation.")
    return PendingEmailChangePublic(new_email=pending.new_email, expires_at=pending.expires_at)


@router.delete("/me/email-change", status_code=status.HTTP_204_NO_CONTENT)
def cancel_email_change(db: DbDep, actor: ActorDep) -> None:
    """Retire the pending link: following it no longer changes anything."""
    email_change.cancel_email_change(db, actor)


@router.post("/auth/email-change", response_model=EmailChangeAccepted,
             status_code=status.HTTP_202_ACCEPTED, tags=["browser session"])
def request_email_change_in_browser(body: EmailChangeRequest, request: Request,
                                    db: DbDep) -> EmailChangeAccepted:
    """The account page's form: the same as ``POST /me/email-change`` for the session's person,
    so the password goes from the form to this route, never through the websocket."""
    _same_origin(request)
    context = cookie_session(db, request)
    return _request(db, context.actor, body, request)


@router.post("/auth/email-change/confirm", response_model=EmailChangeConfirmed,
             tags=["browser session"])
def confirm_email_change(body: LinkToken, request: Request, db: DbDep) -> EmailChangeConfirmed:
    """Spend the mailed link: the address changes if it is still free. Every browser session of
    the person ends except the one sending this request, if it is theirs."""
    _same_origin(request)
    try:
        current = cookie_session(db, request).session_id
    except NotAuthenticated:
        current = None
    user = email_change.confirm_email_change(db, body.token, current_session=current)
    return EmailChangeConfirmed(email=user.email)
