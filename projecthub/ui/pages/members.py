"""``/org/members``: the member list (read-only below admin); invitations and the members'
API tokens for admins."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.dialogs import confirm, copy_box
from projecthub.ui.components.forms import field, form_error, section, select_field, submit
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.components.tokens import access_badge, expiry
from projecthub.ui.format import ROLES
from projecthub.ui.state.members import (
    INVITE_LINK_ID,
    InvitationRow,
    MemberRow,
    MembersState,
    MemberTokenRow,
)
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import RowVar, cond


def _person(member: RowVar[MemberRow]) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=member.name[0], size="2", radius="full"),
        rx.vstack(
            rx.hstack(
                rx.text(member.name, weight="medium", size="2"),
                cond(member.is_me, rx.badge("you", variant="outline", size="1")),
                spacing="2", align="center",
            ),
            rx.text(member.email, size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="3",
    )


def _role_control(member: RowVar[MemberRow]) -> rx.Component:
    return cond(
        SessionState.is_org_admin,
        rx.select(list(ROLES), value=member.role, size="2",
                  on_change=lambda role: MembersState.change_role(member.id, role),
                  # rx.select puts aria_label on its root; the trigger takes custom_attrs.
                  custom_attrs={"aria-label": "Role of " + member.email}),
        rx.badge(member.role, variant="soft", size="2"),
    )


def _member_actions(member: RowVar[MemberRow]) -> rx.Component:
    toggle = cond(
        member.active,
        confirm(rx.button("Deactivate", size="1", variant="soft", color_scheme="gray"),
                "Deactivate " + member.name + "?",
                "They lose access at once and are logged out everywhere. You can reactivate "
                "them later.",
                "Deactivate", MembersState.set_active(member.id, False), color="orange"),
        rx.button("Reactivate", size="1", variant="soft",
                  on_click=MembersState.set_active(member.id, True)),
    )
    remove = confirm(
        rx.button("Remove", size="1", variant="soft", color_scheme="red"),
        "Remove " + member.name + "?",
        "They leave the organization. To come back they need a new invitation.",
        "Remove member", MembersState.remove(member.id))
    return rx.hstack(toggle, remove, spacing="2", justify="end")


def _member_row(member: RowVar[MemberRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_person(member)),
        rx.table.cell(_role_control(member)),
        rx.table.cell(cond(member.active, rx.badge("active", color_scheme="green"),
                              rx.badge("deactivated", color_scheme="gray"))),
        rx.table.cell(local_time(member.joined_at, member.joined), white_space="nowrap"),
        cond(SessionState.is_org_admin, rx.table.cell(_member_actions(member))),
        align="center",
    )


def _members() -> rx.Component:
    headers = ["Person", "Role", "Status", "Joined"]
    return section(
        "Members",
        cond(SessionState.is_org_admin,
                "Change roles, deactivate or remove people. An organization always keeps at "
                "least one owner.",
                "Everyone in this organization. Owners and admins manage membership."),
        form_error("members"),
        rx.table.root(
            rx.table.header(rx.table.row(
                *(rx.table.column_header_cell(h) for h in headers),
                cond(SessionState.is_org_admin, rx.table.column_header_cell("")))),
            rx.table.body(rx.foreach(MembersState.members, _member_row)),
            variant="surface",
            width="100%",
        ),
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(field("Email", "email", type="email", placeholder="colleague@company.com"),
                   flex="1", min_width="16rem"),
            select_field("Role", "role", ROLES, default="member"),
            rx.box(submit("Create invitation"), padding_top="1.45rem"),
            align="start", gap="3", wrap="wrap", width="100%",
        ),
        form_error("invite"),
        on_submit=MembersState.invite,
        no_validate=True,
        width="100%",
    )


def _invitation_row(invitation: RowVar[InvitationRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(invitation.email),
        rx.table.cell(rx.badge(invitation.role, variant="soft")),
        rx.table.cell(rx.hstack(
            rx.text(local_time(invitation.expires_at, invitation.expires), size="2"),
            cond(invitation.expired, rx.badge("expired", color_scheme="orange")),
            spacing="2", align="center")),
        rx.table.cell(rx.hstack(
            rx.button("Resend", size="1", variant="soft",
                      on_click=MembersState.resend_invitation(invitation.id)),
            confirm(
                rx.button("Revoke", size="1", variant="soft", color_scheme="red"),
                "Revoke the invitation for " + invitation.email + "?",
                "The link stops working at once.",
                "Revoke invitation", MembersState.revoke_invitation(invitation.id)),
            spacing="2")),
        align="center",
    )


def _invitations() -> rx.Component:
    return section(
        "Invite people",
        "An invitation is a single-use link, sent by email to one address. Resending mails a "
        "fresh link and the old one stops working.",
        _invite_form(),
        copy_box("Invitation link", INVITE_LINK_ID, MembersState.link_shown,
                 rx.fragment(MembersState.invite_sent_note, " Single use, valid until ",
                             local_time(MembersState.invite_expires_at,
                                        MembersState.invite_expires),
                             ". It is shown only now, in case the email does not arrive."),
                 MembersState.dismiss_link),
        form_error("invitations"),
        cond(
            MembersState.invitations.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*(
                    rx.table.column_header_cell(h)
                    for h in ("Pending for", "Role", "Expires", "")))),
                rx.table.body(rx.foreach(MembersState.invitations, _invitation_row)),
                variant="surface", width="100%",
            ),
            rx.text("No pending invitations.", size="2", color_scheme="gray"),
        ),
    )


def _member_token_row(token: RowVar[MemberTokenRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(token.name, weight="medium")),
        rx.table.cell(token.owner),
        rx.table.cell(rx.code("…" + token.hint)),
        rx.table.cell(access_badge(token.read_only)),
        rx.table.cell(expiry(token.expires_at, token.expires, token.expired)),
        rx.table.cell(local_time(token.last_used_at, token.last_used, empty="Never")),
        rx.table.cell(confirm(
            rx.button("Revoke", size="1", variant="soft", color_scheme="red"),
            "Revoke " + token.owner + "'s token " + token.name + "?",
            "Anything using it stops working at once. This cannot be undone.",
            "Revoke token", MembersState.revoke_member_token(token.id))),
        align="center",
    )


def _member_tokens() -> rx.Component:
    return section(
        "API tokens",
        "Every member's unrevoked API tokens in this organization. Revoke any you do not "
        "recognise; the secrets themselves are never shown.",
        form_error("member_tokens"),
        cond(
            MembersState.member_tokens.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*(
                    rx.table.column_header_cell(h)
                    for h in ("Name", "Member", "Token", "Access", "Expires", "Last used",
                              "")))),
                rx.table.body(rx.foreach(MembersState.member_tokens, _member_token_row)),
                variant="surface", width="100%",
            ),
            rx.text("No member has an API token.", size="2", color_scheme="gray"),
        ),
    )


def members_page() -> rx.Component:
    return signed_in_page(
        page_header("Members", "People in " + SessionState.org_name + "."),
        cond(SessionState.is_org_admin, _invitations()),
        _members(),
        cond(SessionState.is_org_admin, _member_tokens()),
    )
