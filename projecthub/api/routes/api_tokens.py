"""The organization's API tokens, for its admins: who holds which, and revoking any of them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import MemberApiTokenPublic
from projecthub.services import api_tokens

router = APIRouter(prefix="/orgs/{org_slug}/api-tokens", tags=["api tokens"])


@router.get("", response_model=list[MemberApiTokenPublic])
def list_org_tokens(db: DbDep, principal: PrincipalDep) -> list[MemberApiTokenPublic]:
    """Every unrevoked token of the organization's members, expired ones too (admins)."""
    return [MemberApiTokenPublic.model_validate(v)
            for v in api_tokens.list_member_tokens(db, principal)]


@router.delete("/{api_token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_org_token(api_token_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> None:
    """Revoke a member's token (admins); another organization's token is not found."""
    api_tokens.revoke_member_token(db, principal, api_token_id)
