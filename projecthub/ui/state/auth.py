"""Login and sign-up pages. The browser posts the form to the REST API itself (see
``ui.auth_client``); this state only suggests a slug and shows the API's error, if any."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.services import microsoft_signin
from projecthub.ui.next_path import local_path
from projecthub.ui.state.session import SessionState
from projecthub.ui.state.slug import SlugSuggestion, org_form_errors
from projecthub.ui.typed import event

NOTICES = {
    "password_changed": "Your password was changed: every session has ended and every API "
                        "token you had was revoked. Log in with your new password and create "
                        "new tokens where you need them.",
    "session_ended": "Your session has ended. Please log in again.",
    "password_reset": "Your new password is set, every session has ended and your API tokens "
                      "were revoked. Log in with your new password.",
    "reset_sent": "If an account uses that address, a link to choose a new password is on its "
                  "way. It works once, for one hour.",
}


def _conflict_field(detail: str) -> str:
    """Conflicts carry no field name; put the two sign-up ones next to the input they concern."""
    lowered = detail.lower()
    if "email" in lowered:
        return "email"
    return "org_slug" if "slug" in lowered else "form"


class AuthState(SlugSuggestion, SessionState):
    """Shared by /login, /signup and the sign-up form on /invite/[token]."""

    notice: rx.Field[str] = rx.field("")
    # "Sign in with Microsoft" is offered (configured, or the sandbox's fake Entra ID).
    microsoft_available: rx.Field[bool] = rx.field(False)

    @event
    def open_form(self) -> EventSpec | None:
        """on_load: a person who is already signed in goes on; everyone else gets a clean form
        (with why a Microsoft sign-in was refused, when one was: ``?microsoft=<reason>``)."""
        query = self.router.url.query_parameters
        refused = query.get("microsoft", "")
        self.errors = {"form": microsoft_signin.reason_message(refused)} if refused else {}
        self._reset_slug()
        self.microsoft_available = microsoft_signin.is_available()
        self.notice = NOTICES.get(query.get("reason", ""), "")
        try:
            with session_scope() as db:
                self._context(db)
        except AppError:
            self.logged_in = False
            return None
        return rx.redirect(local_path(self.router.url.query_parameters.get("next", "")))

    @event
    def show_error(self, result: dict[str, Any] | None) -> None:
        """Callback of the browser's fetch: the API's ``detail``/``fields``, never the input."""
        if not result:
            return
        if result.get("status") == 202:  # sign-up accepted, but its login was not: say so neutrally
            self.errors = {}
            self.notice = str(result.get("detail") or "")
            return
        raw_fields = result.get("fields") or {}
        fields = org_form_errors({str(k): str(v) for k, v in raw_fields.items()})
        detail = str(result.get("detail") or "Something went wrong. Please try again.")
        if fields:
            self.errors = fields
        elif result.get("status") == 409:
            self.errors = {_conflict_field(detail): detail}
        else:
            self.errors = {"form": detail}
