"""``/forgot-password`` and ``/reset-password/[token]``. The forms post from the browser to the
REST API (``ui.auth_client``): the new password never passes through Reflex state. This state
only says whether mail works here and whether a link can still be used."""

from __future__ import annotations

import reflex as rx

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.models import LinkPurpose
from projecthub.services import account_links, mail
from projecthub.ui.state.auth import AuthState
from projecthub.ui.typed import event

RESET_PREFIX = "/reset-password/"


class RecoveryState(AuthState):
    mail_ready: rx.Field[bool] = rx.field(True)
    # Development without SMTP: the mail is on /outbox.
    outbox_only: rx.Field[bool] = rx.field(False)
    # The token is in the page's URL already; keeping it here feeds the form's hidden field.
    reset_token: rx.Field[str] = rx.field("")
    link_problem: rx.Field[str] = rx.field("")  # expired, used or unknown

    @event
    def open_forgot(self) -> None:
        self.errors = {}
        self.mail_ready = mail.mail_ready()
        self.outbox_only = mail.delivery() == mail.Delivery.OUTBOX

    @event
    def open_reset(self) -> None:
        self.errors = {}
        path = self.router.url.path
        self.reset_token = path.removeprefix(RESET_PREFIX) if path.startswith(RESET_PREFIX) \
            else ""
        try:
            with session_scope() as db:
                account_links.check_link(db, self.reset_token, LinkPurpose.PASSWORD_RESET)
        except AppError as exc:
            self.link_problem, self.reset_token = exc.message, ""
            return
        self.link_problem = ""
