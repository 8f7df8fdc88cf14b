"""Email verification in the UI: the banner's "send again", and ``/verify-email/[token]``,
which spends the link when the page loads (the person clicked it in their mail)."""

from __future__ import annotations

import uuid

import reflex as rx
from reflex_base.event import EventSpec

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.services import sessions, verification
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import event

VERIFY_PREFIX = "/verify-email/"


class VerifyState(SessionState):
    verified: rx.Field[bool] = rx.field(False)
    joined_org: rx.Field[str] = rx.field("")
    link_problem: rx.Field[str] = rx.field("")

    @event
    def open_verify(self) -> None:
        path = self.router.url.path
        token = path.removeprefix(VERIFY_PREFIX) if path.startswith(VERIFY_PREFIX) else ""
        self.verified, self.joined_org, self.link_problem = False, "", ""
        try:
            with session_scope() as db:
                result = verification.verify_email(db, token)
        except AppError as exc:
            self.link_problem = exc.message
            return
        self.verified = True
        if result.joined is not None:
            self.joined_org = result.joined.name
            self._switch_to(result.user.id, result.joined.id)

    def _switch_to(self, user_id: uuid.UUID, org_id: uuid.UUID) -> None:
        """Signed in here as the person who just joined: make the new organization current."""
        try:
            with session_scope() as db:
                context = self._context(db)
                if context.actor.user_id == user_id:
                    sessions.switch_organization(db, context, org_id)
        except AppError:
            return  # confirmed from another browser: they pick it when they sign in

    @event
    def resend(self) -> EventSpec | None:
        """Send the confirmation mail again (rate-limited in the service)."""
        self.errors = {}
        try:
            with session_scope() as db:
                mailed = verification.resend_verification(
                    db, self._actor(db), client_ip=self.router.session.client_ip)
        except AppError as exc:
            return self._fail(exc, field="verify")
        if not mailed:
            self.errors = {"verify": "This instance cannot send email. Ask an administrator."}
            return None
        return rx.toast.success(f"Sent. Check {self.user_email}.")
