"""``/account``: display name, sign-in address, password, and the person's API tokens."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.services import accounts, api_tokens, email_change, mail
from projecthub.services.principal import Actor
from projecthub.ui.components.dialogs import reveal
from projecthub.ui.components.tokens import READ_ONLY
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.typed import event

NEW_TOKEN_ID = "new-api-token"


@dataclasses.dataclass(frozen=True)
class TokenRow:
    id: str
    name: str
    org_slug: str
    hint: str
    read_only: bool
    created: str  # UTC text
    created_at: str  # ISO, shown in the viewer's zone
    expires: str
    expires_at: str
    expired: bool
    last_used: str
    last_used_at: str  # "" for never


def expiry_days(form: dict[str, Any]) -> int | None:
    """The form's expiry choice; anything not a number becomes 0, which the service refuses."""
    raw = str(form.get("expires_in_days") or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() else 0


class AccountState(SessionState):
    tokens: rx.Field[list[TokenRow]] = rx.field(default_factory=list)
    # Whether the one-time box is open. The raw token itself goes straight to the browser
    # (dialogs.reveal) and is never a state var, so Reflex's state store never holds it.
    token_shown: rx.Field[bool] = rx.field(False)
    # An email change waiting for its link to be followed ("" when none).
    pending_email: rx.Field[str] = rx.field("")
    pending_until: rx.Field[str] = rx.field("")  # UTC text
    pending_until_at: rx.Field[str] = rx.field("")  # ISO, shown in the viewer's zone
    mail_ready: rx.Field[bool] = rx.field(True)

    def _fill_tokens(self, db: Session, actor: Actor) -> None:
        now = utcnow()
        self.tokens = [TokenRow(str(v.id), v.name, v.org_slug, v.hint, v.read_only,
                                when(v.created_at), iso(v.created_at), when(v.expires_at),
                                iso(v.expires_at), v.expires_at <= now, when(v.last_used_at),
                                iso(v.last_used_at))
                       for v in api_tokens.list_api_tokens(db, actor)]

    def _fill_pending(self, db: Session, actor: Actor) -> None:
        pending = email_change.pending_email_change(db, actor)
        self.pending_email = pending.new_email if pending else ""
        until = pending.expires_at if pending else None
        self.pending_until, self.pending_until_at = when(until, never=""), iso(until)

    @event
    def load(self) -> EventSpec | None:
        self.token_shown, self.mail_ready = False, mail.mail_ready()
        try:
            with session_scope() as db:
                self._refresh(db)
                actor = self._actor(db)
                self._fill_tokens(db, actor)
                self._fill_pending(db, actor)
        except AppError as exc:
            return self._fail(exc)
        return None

    @event
    def save_profile(self, form: dict[str, Any]) -> EventSpec | None:
        self.errors = {}
        try:
            with session_scope() as db:
                user = accounts.update_profile(db, self._actor(db),
                                               display_name=str(form.get("display_name", "")))
        except AppError as exc:
            return self._fail(exc, field="display_name")
        self.user_name = user.display_name
        return rx.toast.success("Your name was saved.")

    def _show_api_error(self, result: dict[str, Any] | None, form_key: str) -> None:
        """A failed fetch from a form that posts a password to the API (it never passes through
        this state): the API's ``detail``/``fields`` only."""
        if not result:
            return
        fields = {str(k): str(v) for k, v in (result.get("fields") or {}).items()}
        detail = str(result.get("detail") or "Something went wrong. Please try again.")
        self.errors = fields or {form_key: detail}
        if result.get("status") == 401:
            self.logged_in = False

    @event
    def show_password_error(self, result: dict[str, Any] | None) -> None:
        """Callback of the browser's fetch to ``/auth/password``."""
        self._show_api_error(result, "password_form")

    @event
    def show_email_error(self, result: dict[str, Any] | None) -> None:
        """Callback of the browser's fetch to ``/auth/email-change`` (on success the page
        reloads and shows the pending change)."""
        self._show_api_error(result, "email_form")

    @event
    def cancel_email_change(self) -> Events:
        def work(db: Session) -> None:
            actor = self._actor(db)
            email_change.cancel_email_change(db, actor)
            self._fill_pending(db, actor)
        return self._attempt(work, success="The email change was cancelled.", field="email_form")

    @event
    def create_token(self, form: dict[str, Any]) -> EventSpec | list[EventSpec] | None:
        """A token for the current organization, acting as this person, with the chosen expiry
        and access."""
        self.errors = {}
        try:
            with session_scope() as db:
                created = api_tokens.create_api_token(
                    db, self._principal(db), name=str(form.get("name", "")),
                    expires_in_days=expiry_days(form),
                    read_only=str(form.get("access", "")) == READ_ONLY)
                self._fill_tokens(db, self._actor(db))
        except AppError as exc:
            return self._fail(exc, field="name")
        self.token_shown = True
        return [rx.set_value("field-name", ""), reveal(NEW_TOKEN_ID, created.secret)]

    @event
    def dismiss_token(self) -> EventSpec:
        self.token_shown = False
        return reveal(NEW_TOKEN_ID, "")

    @event
    def revoke_token(self, token_id: str) -> Events:
        def work(db: Session) -> None:
            actor = self._actor(db)
            api_tokens.revoke_api_token(db, actor, parse_id(token_id, "API token"))
            self._fill_tokens(db, actor)
        return self._attempt(work, success="The token was revoked.", field="tokens")
