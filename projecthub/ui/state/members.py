"""``/org/members``: everyone sees who is in the organization; admins and owners change roles,
deactivate, remove and invite. The services enforce who may do what (and the last-owner rule)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Conflict, PermissionDenied
from projecthub.models import Role
from projecthub.services import api_tokens, invitations, members
from projecthub.services.invitations import CreatedInvitation
from projecthub.services.principal import Principal
from projecthub.ui.components.dialogs import reveal
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.typed import event

INVITE_LINK_ID = "new-invitation-link"


@dataclasses.dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    email: str
    role: str
    active: bool
    joined: str  # UTC text
    joined_at: str  # ISO, shown in the viewer's zone
    is_me: bool


@dataclasses.dataclass(frozen=True)
class InvitationRow:
    id: str
    email: str
    role: str
    expires: str  # UTC text
    expires_at: str  # ISO, shown in the viewer's zone
    expired: bool


@dataclasses.dataclass(frozen=True)
class MemberTokenRow:
    id: str
    name: str
    owner: str
    hint: str
    read_only: bool
    expires: str  # UTC text
    expires_at: str  # ISO, shown in the viewer's zone
    expired: bool
    last_used: str  # UTC text
    last_used_at: str  # ISO; "" for never


class MembersState(SessionState):
    members: rx.Field[list[MemberRow]] = rx.field(default_factory=list)
    invitations: rx.Field[list[InvitationRow]] = rx.field(default_factory=list)
    member_tokens: rx.Field[list[MemberTokenRow]] = rx.field(default_factory=list)
    # Whether the single-use link's box is open; the link itself goes straight to the browser
    # (dialogs.reveal) and is never a state var, so Reflex's state store never holds it.
    link_shown: rx.Field[bool] = rx.field(False)
    invite_expires: rx.Field[str] = rx.field("")  # UTC text
    invite_expires_at: rx.Field[str] = rx.field("")  # ISO, shown in the viewer's zone
    # Where the link went: "Sent by email to x." or, without mail, a request to pass it on.
    invite_sent_note: rx.Field[str] = rx.field("")

    def _fill(self, db: Session, principal: Principal) -> None:
        self.members = [MemberRow(str(m.id), m.display_name, m.email, m.role.value, m.is_active,
                                  when(m.joined_at), iso(m.joined_at),
                                  m.user_id == principal.user_id)
                        for m in members.list_members(db, principal)]
        now = utcnow()
        self.invitations = [
            InvitationRow(str(i.id), i.email, str(i.role), when(i.expires_at), iso(i.expires_at),
                          i.expires_at <= now)
            for i in invitations.list_pending(db, principal)
        ] if principal.has_role(Role.ADMIN) else []
        self.member_tokens = [
            MemberTokenRow(str(v.id), v.name, v.owner_email, v.hint, v.read_only,
                           when(v.expires_at), iso(v.expires_at), v.expires_at <= now,
                           when(v.last_used_at), iso(v.last_used_at))
            for v in api_tokens.list_member_tokens(db, principal)
        ] if principal.has_role(Role.ADMIN) else []

    @event
    def load(self) -> EventSpec | None:
        self.link_shown, self.invite_expires, self.invite_expires_at = False, "", ""
        return self._load_page(self._fill)

    @event
    def change_role(self, membership_id: str, role: str) -> Events:
        return self._tenant_action(
            lambda db, p: members.change_role(db, p, parse_id(membership_id, "Member"), role=role),
            success=f"Role changed to {role}.", field="members")

    @event
    def set_active(self, membership_id: str, active: bool) -> Events:
        return self._tenant_action(
            lambda db, p: members.set_active(db, p, parse_id(membership_id, "Member"),
                                             active=bool(active)),
            success="Member reactivated." if active else "Member deactivated.", field="members")

    @event
    def remove(self, membership_id: str) -> Events:
        return self._tenant_action(
            lambda db, p: members.remove_member(db, p, parse_id(membership_id, "Member")),
            success="Member removed.", field="members")

    @event
    def revoke_invitation(self, invitation_id: str) -> Events:
        return self._tenant_action(
            lambda db, p: invitations.revoke_invitation(
                db, p, parse_id(invitation_id, "Invitation")),
            success="Invitation revoked.", field="invitations")

    def _show_link(self, created: CreatedInvitation) -> EventSpec:
        self.link_shown = True
        expires = created.invitation.expires_at
        self.invite_expires, self.invite_expires_at = when(expires), iso(expires)
        self.invite_sent_note = (
            f"Sent by email to {created.invitation.email}." if created.mailed else
            "This instance cannot send email: send the link to the person yourself.")
        return reveal(INVITE_LINK_ID, created.link)

    @event
    def revoke_member_token(self, token_id: str) -> Events:
        return self._tenant_action(
            lambda db, p: api_tokens.revoke_member_token(db, p, parse_id(token_id, "API token")),
            success="The token was revoked.", field="member_tokens")

    @event
    def invite(self, form: dict[str, Any]) -> EventSpec | list[EventSpec] | None:
        self.errors = {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                created = invitations.create_invitation(
                    db, principal, email=str(form.get("email", "")),
                    role=str(form.get("role", "member")),
                    client_ip=self.router.session.client_ip)
                self._fill(db, principal)
        except AppError as exc:
            field = {Conflict: "email", PermissionDenied: "role"}.get(type(exc), "invite")
            return self._fail(exc, field=field)
        return [rx.set_value("field-email", ""), self._show_link(created)]

    @event
    def resend_invitation(self, invitation_id: str) -> EventSpec | None:
        """A fresh link by mail (the old one stops working), also shown once here."""
        self.errors = {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                created = invitations.resend_invitation(
                    db, principal, parse_id(invitation_id, "Invitation"),
                    client_ip=self.router.session.client_ip)
                self._fill(db, principal)
        except AppError as exc:
            return self._fail(exc, field="invitations")
        return self._show_link(created)

    @event
    def dismiss_link(self) -> EventSpec:
        self.link_shown, self.invite_sent_note = False, ""
        self.invite_expires, self.invite_expires_at = "", ""
        return reveal(INVITE_LINK_ID, "")
