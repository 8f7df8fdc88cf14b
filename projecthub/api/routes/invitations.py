"""Invitations to an organization."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import InvitationCreate, InvitationCreated, InvitationPublic
from projecthub.services import invitations

router = APIRouter(prefix="/orgs/{org_slug}/invitations", tags=["invitations"])


@router.get("", response_model=list[InvitationPublic])
def list_invitations(db: DbDep, principal: PrincipalDep) -> list[InvitationPublic]:
    return [InvitationPublic.model_validate(i) for i in invitations.list_pending(db, principal)]


@router.post("", response_model=InvitationCreated, status_code=status.HTTP_201_CREATED)
def create_invitation(body: InvitationCreate, db: DbDep,
                      principal: PrincipalDep) -> InvitationCreated:
    created = invitations.create_invitation(db, principal, email=body.email, role=body.role)
    public = InvitationPublic.model_validate(created.invitation)
    return InvitationCreated(**public.model_dump(), link=created.link)


@router.delete("/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(invitation_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> None:
    invitations.revoke_invitation(db, principal, invitation_id)
