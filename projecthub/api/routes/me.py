"""The token's own user: profile, password and API tokens (the email change is in
``routes.email_change``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from projecthub.api.deps import ActorDep, DbDep, TokenPrincipalDep, client_ip
from projecthub.api.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    PasswordChange,
    PasswordChanged,
    UserPublic,
    UserUpdate,
)
from projecthub.services import accounts, api_tokens

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", response_model=UserPublic)
def read_me(db: DbDep, actor: ActorDep) -> UserPublic:
    return UserPublic.model_validate(accounts.get_user(db, actor))


@router.patch("", response_model=UserPublic)
def update_me(body: UserUpdate, db: DbDep, actor: ActorDep) -> UserPublic:
    return UserPublic.model_validate(
        accounts.update_profile(db, actor, display_name=body.display_name))


@router.post("/password", response_model=PasswordChanged)
def change_my_password(body: PasswordChange, request: Request, db: DbDep,
                       actor: ActorDep) -> PasswordChanged:
    """Needs the current password (counted by the login throttle). Every browser session ends
    and every API token is revoked, the one making this call too: create a new one after."""
    revoked = accounts.change_password(db, actor, current_password=body.current_password,
                                       new_password=body.new_password,
                                       client_ip=client_ip(request))
    return PasswordChanged(api_tokens_revoked=revoked)


@router.get("/api-tokens", response_model=list[ApiTokenPublic])
def list_my_tokens(db: DbDep, actor: ActorDep) -> list[ApiTokenPublic]:
    return [ApiTokenPublic.model_validate(v) for v in api_tokens.list_api_tokens(db, actor)]


@router.post("/api-tokens", response_model=ApiTokenCreated, status_code=201)
def create_my_token(body: ApiTokenCreate, db: DbDep,
                    principal: TokenPrincipalDep) -> ApiTokenCreated:
    """A new token for the calling token's organization; the secret is in this answer only."""
    created = api_tokens.create_api_token(db, principal, name=body.name,
                                          expires_in_days=body.expires_in_days,
                                          read_only=body.read_only)
    view = api_tokens.token_view(created.token, principal.org_slug)
    return ApiTokenCreated(**view.model_dump(), token=created.secret)


@router.delete("/api-tokens/{api_token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_my_token(api_token_id: uuid.UUID, db: DbDep, actor: ActorDep) -> None:
    api_tokens.revoke_api_token(db, actor, api_token_id)
