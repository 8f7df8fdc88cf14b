"""Members of an organization."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import MemberPublic, MemberUpdate
from projecthub.core.errors import NotFound
from projecthub.services import members

router = APIRouter(prefix="/orgs/{org_slug}/members", tags=["members"])


def _public(view: members.MemberView) -> MemberPublic:
    return MemberPublic.model_validate(view)


@router.get("", response_model=list[MemberPublic])
def list_members(db: DbDep, principal: PrincipalDep) -> list[MemberPublic]:
    return [_public(v) for v in members.list_members(db, principal)]


@router.patch("/{member_id}", response_model=MemberPublic)
def update_member(member_id: uuid.UUID, body: MemberUpdate, db: DbDep,
                  principal: PrincipalDep) -> MemberPublic:
    """Change a member's role and/or deactivate or reactivate them."""
    if body.role is not None:
        members.change_role(db, principal, member_id, role=body.role)
    if body.is_active is not None:
        members.set_active(db, principal, member_id, active=body.is_active)
    view = next((v for v in members.list_members(db, principal) if v.id == member_id), None)
    if view is None:  # nothing was asked to change, so no service call looked the member up
        raise NotFound("Member not found.")
    return _public(view)


@router.delete("/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(member_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> None:
    members.remove_member(db, principal, member_id)
