"""Email verification in the UI: the banner's "send again", and ``/verify-email/[token]``,
which spends the link when the page loads (the person clicked it in their mail)."""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventSpec

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.services import verification
from projecthub.ui.state.session import SessionState

VERIFY_PREFIX = "/verify-email/"


class VerifyState(SessionState):
    verified: bool = False
    joined_org: str = ""
    link_problem: str = ""

    @rx.event
    def open_verify(self) -> None:
        path = self.router.url.path
        token = path.removeprefix(VERIFY_PREFIX) if path.startswith(VERIFY_PREFIX) else ""
        self.verified, self.joined_org, self.link_problem = False, "", ""
        try:
            with session_scope() as db:
                result = verification.verify_email(db, token)
                self.joined_org = result.joined.name if result.joined else ""
        except AppError as exc:
            self.link_problem = exc.message
            return
        self.verified = True

    @rx.event
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
