"""``/invite/[token]``: what the invitation offers, then join (signed in with the invited email)
or sign up with it. New people sign up through the browser's fetch (see ``ui.auth_client``)."""

from __future__ import annotations

import reflex as rx

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, NotAuthenticated
from projecthub.services import invitations, sessions
from projecthub.ui.format import ROLE_DESCRIPTIONS, iso, when
from projecthub.ui.state.session import Events, SessionState
from projecthub.ui.typed import event

INVITE_PREFIX = f"{invitations.INVITE_PATH}/"


class InviteState(SessionState):
    # The token is in the page's URL already; keeping it here feeds the sign-up form's field.
    invitation_token: rx.Field[str] = rx.field("")
    invited_org: rx.Field[str] = rx.field("")
    invited_email: rx.Field[str] = rx.field("")
    invited_role: rx.Field[str] = rx.field("")
    role_description: rx.Field[str] = rx.field("")
    expires: rx.Field[str] = rx.field("")  # UTC text
    expires_at: rx.Field[str] = rx.field("")  # ISO, shown in the viewer's zone
    problem: rx.Field[str] = rx.field("")  # expired, used, revoked or unknown

    def _token_from_url(self) -> str:
        path = self.router.url.path
        return path.removeprefix(INVITE_PREFIX) if path.startswith(INVITE_PREFIX) else ""

    @event
    def load(self) -> None:
        self.errors = {}
        self.invitation_token = self._token_from_url()
        try:
            with session_scope() as db:
                preview = invitations.preview_invitation(db, self.invitation_token)
        except AppError as exc:
            self.problem = exc.message
            self.logged_in = False
            return
        self.problem = ""
        self.invited_org, self.invited_email = preview.organization_name, preview.email
        self.invited_role = preview.role.value
        self.role_description = ROLE_DESCRIPTIONS[preview.role.value]
        self.expires, self.expires_at = when(preview.expires_at), iso(preview.expires_at)
        try:
            with session_scope() as db:
                self._refresh(db)
        except NotAuthenticated:
            self.logged_in = False

    @event
    def accept(self) -> Events:
        """Join as the signed-in person (the service checks the email) and switch to the org."""
        self.errors = {}
        try:
            with session_scope() as db:
                context = self._context(db)
                org = invitations.accept_invitation(db, context.actor, self._token_from_url())
                sessions.switch_organization(db, context, org.id)
        except AppError as exc:
            return self._fail(exc)
        return [rx.redirect("/dashboard"), rx.toast.success(f"Welcome to {org.name}.")]
