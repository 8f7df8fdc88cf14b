"""Password reset and email confirmation over REST: the browser forms post here (never through
the websocket), and scripts can use the same routes. Link tokens travel in the body."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from projecthub.api.cookies import clear_session_cookie
from projecthub.api.deps import ActorDep, DbDep, client_ip
from projecthub.api.routes.auth import _same_origin
from projecthub.api.schemas import Ok
from projecthub.services import password_reset, verification

router = APIRouter(prefix="/auth", tags=["browser session"])


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=320)


class LinkToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=200)


class ResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=200)
    password: str = Field(max_length=4096)


@router.post("/password-reset", response_model=Ok, status_code=202)
def request_password_reset(body: ResetRequest, request: Request, db: DbDep) -> Ok:
    """Mail a reset link if the address has an account; the answer is the same either way."""
    _same_origin(request)
    password_reset.request_password_reset(db, email=body.email, client_ip=client_ip(request))
    db.commit()
    return Ok()


@router.post("/password-reset/confirm", response_model=Ok)
def confirm_password_reset(body: ResetConfirm, request: Request, response: Response,
                           db: DbDep) -> Ok:
    """Spend a reset link on a new password; every session and API token of the account ends,
    so the browser's cookie is cleared too."""
    _same_origin(request)
    password_reset.reset_password(db, token=body.token, new_password=body.password)
    db.commit()
    clear_session_cookie(response)
    return Ok()


@router.post("/verify-email", response_model=Ok)
def verify_email(body: LinkToken, request: Request, db: DbDep) -> Ok:
    """Spend a confirmation link (and join the invitation signed up through, if still open)."""
    _same_origin(request)
    verification.verify_email(db, body.token)
    db.commit()
    return Ok()


@router.post("/verify-email/resend", response_model=Ok, status_code=202)
def resend_verification(request: Request, actor: ActorDep, db: DbDep) -> Ok:
    """Mail the token owner's confirmation link again (rate-limited)."""
    verification.resend_verification(db, actor, client_ip=client_ip(request))
    db.commit()
    return Ok()
