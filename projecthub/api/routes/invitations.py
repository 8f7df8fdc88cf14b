"""Invitations to an organization."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from projecthub.api.deps import DbDep, PrincipalDep, client_ip
from projecthub.api.schemas import InvitationCreate, InvitationCreated, InvitationPublic
from projecthub.services import invitations

router = APIRouter(prefix="/orgs/{org_slug}/invitations", tags=["invitations"])


@router.get("", response_model=list[InvitationPublic])
def list_invitations(db: DbDep, principal: PrincipalDep) -> list[InvitationPublic]:
    return [InvitationPublic.model_validate(i) for i in invitations.list_pending(db, principal)]


@router.post("", response_model=InvitationCreated, status_code=status.HTTP_201_CREATED)
def create_invitation(body: InvitationCreate, request: Request, db: DbDep,
                      principal: PrincipalDep) -> InvitationCreated:
    """Invite an address (rate-limited per address and per IP, like every mail sent)."""
    return _created(invitations.create_invitation(db, principal, email=body.email,
                                                  role=body.role, client_ip=client_ip(request)))


@router.post("/{invitation_id}/resend", response_model=InvitationCreated)
def resend_invitation(invitation_id: uuid.UUID, request: Request, db: DbDep,
                      principal: PrincipalDep) -> InvitationCreated:
    """Mail a fresh link (the previous one stops working); the link is also in this response."""
    return _created(invitations.resend_invitation(db, principal, invitation_id,
                                                  client_ip=client_ip(request)))


def _created(created: invitations.CreatedInvitation) -> InvitationCreated:
    public = InvitationPublic.model_validate(created.invitation)
    return InvitationCreated(**public.model_dump(), link=created.link, mailed=created.mailed)


@router.delete("/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(invitation_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> None:
    invitations.revoke_invitation(db, principal, invitation_id)
