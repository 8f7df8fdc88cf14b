"""``/confirm-email/[token]``: the link mailed to a new address. Opening it only shows what it
would do; the change happens on the button, so a mail scanner that fetches links spends none.
The person may follow it signed out or in another browser; the session that confirms stays."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, NotAuthenticated
from projecthub.services import email_change
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import event

CONFIRM_PREFIX = "/confirm-email/"


class EmailChangeState(SessionState):
    new_email: rx.Field[str] = rx.field("")
    changed: rx.Field[bool] = rx.field(False)
    link_problem: rx.Field[str] = rx.field("")  # unknown, used, expired, or the address taken

    def _link_token(self) -> str:
        path = self.router.url.path
        return path.removeprefix(CONFIRM_PREFIX) if path.startswith(CONFIRM_PREFIX) else ""

    def _signed_in_session(self, db: Session) -> uuid.UUID | None:
        try:
            return self._context(db).session_id
        except NotAuthenticated:
            return None

    @event
    def open_confirm(self) -> None:
        self.new_email, self.changed, self.link_problem = "", False, ""
        try:
            with session_scope() as db:
                self.new_email = email_change.preview_email_change(db, self._link_token())
        except AppError as exc:
            self.link_problem = exc.message

    @event
    def confirm(self) -> None:
        if self.changed:  # a second click would only find the link spent
            return
        try:
            with session_scope() as db:
                current = self._signed_in_session(db)
                user = email_change.confirm_email_change(db, self._link_token(),
                                                         current_session=current)
        except AppError as exc:
            self.link_problem = exc.message
            return
        self.changed, self.new_email = True, user.email
        self.logged_in = current is not None
        if self.logged_in:
            self.user_email = user.email
