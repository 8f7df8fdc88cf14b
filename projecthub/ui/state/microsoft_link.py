"""``/login/microsoft``: Entra vouched for an address that already has an account here, so its
password is asked once before the Microsoft account is linked. The pending link is found by the
HttpOnly sign-in cookie, read server-side from the websocket handshake like the session's."""

from __future__ import annotations

import reflex as rx

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.core.web import cookie_from_header, microsoft_cookie_name
from projecthub.services import microsoft_signin
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import event


class MicrosoftLinkState(SessionState):
    link_email: rx.Field[str] = rx.field("")
    link_username: rx.Field[str] = rx.field("")
    # Why there is nothing to link (expired, already used); "" when the form can be shown.
    link_problem: rx.Field[str] = rx.field("")

    @event
    def open_link(self) -> None:
        """on_load: which Microsoft account waits to be linked to which account here."""
        self.errors = {}
        handle = cookie_from_header(self.router.headers.cookie, microsoft_cookie_name())
        try:
            with session_scope() as db:
                pending = microsoft_signin.pending_link(db, handle)
        except AppError as exc:
            self.link_email, self.link_username, self.link_problem = "", "", exc.message
            return
        self.link_email, self.link_username = pending.email, pending.microsoft_username
        self.link_problem = ""
