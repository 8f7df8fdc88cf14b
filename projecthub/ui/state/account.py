"""``/account``: display name, password, and the person's API tokens."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.services import accounts, api_tokens
from projecthub.services.principal import Actor
from projecthub.ui.format import when
from projecthub.ui.state.session import Events, SessionState, parse_id


@dataclasses.dataclass(frozen=True)
class TokenRow:
    id: str
    name: str
    org_slug: str
    hint: str
    created: str
    last_used: str


class AccountState(SessionState):
    tokens: list[TokenRow] = rx.field(default_factory=list)
    # The raw token, shown once right after creation; cleared on dismiss and on the next load.
    new_token: str = ""

    def _fill_tokens(self, db: Session, actor: Actor) -> None:
        self.tokens = [TokenRow(str(v.id), v.name, v.org_slug, v.hint, when(v.created_at),
                                when(v.last_used_at))
                       for v in api_tokens.list_api_tokens(db, actor)]

    @rx.event
    def load(self) -> EventSpec | None:
        self.new_token = ""
        try:
            with session_scope() as db:
                self._refresh(db)
                self._fill_tokens(db, self._actor(db))
        except AppError as exc:
            return self._fail(exc)
        return None

    @rx.event
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

    @rx.event
    def show_password_error(self, result: dict[str, Any] | None) -> None:
        """Callback of the browser's fetch to ``/auth/password`` (the passwords go from the
        form to the API, never through this state): the API's ``detail``/``fields`` only."""
        if not result:
            return
        fields = {str(k): str(v) for k, v in (result.get("fields") or {}).items()}
        detail = str(result.get("detail") or "Something went wrong. Please try again.")
        self.errors = fields or {"password_form": detail}
        if result.get("status") == 401:
            self.logged_in = False

    @rx.event
    def create_token(self, form: dict[str, Any]) -> EventSpec | None:
        """A token for the current organization, acting as this person."""
        self.errors = {}
        try:
            with session_scope() as db:
                created = api_tokens.create_api_token(db, self._principal(db),
                                                      name=str(form.get("name", "")))
                self._fill_tokens(db, self._actor(db))
        except AppError as exc:
            return self._fail(exc, field="name")
        self.new_token = created.secret
        return rx.set_value("field-name", "")

    @rx.event
    def dismiss_token(self) -> None:
        self.new_token = ""

    @rx.event
    def revoke_token(self, token_id: str) -> Events:
        def work(db: Session) -> None:
            actor = self._actor(db)
            api_tokens.revoke_api_token(db, actor, parse_id(token_id, "API token"))
            self._fill_tokens(db, actor)
        return self._attempt(work, success="The token was revoked.", field="tokens")
