"""``/orgs/new`` (any signed-in person) and ``/org/settings`` (admins and owners)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Conflict, Invalid
from projecthub.services import orgs, sessions
from projecthub.ui.state.session import Events, SessionState
from projecthub.ui.state.slug import SlugSuggestion, org_form_errors
from projecthub.ui.typed import event


class NewOrgState(SlugSuggestion, SessionState):
    @event
    def load(self) -> EventSpec | None:
        self._reset_slug()
        return self._check_login()

    @event
    def create(self, form: dict[str, Any]) -> Events:
        """Create the organization with this person as owner, and make it current."""
        self.errors = {}
        try:
            with session_scope() as db:
                context = self._context(db)
                org = orgs.create_organization(db, context.actor,
                                               name=str(form.get("org_name", "")),
                                               slug=str(form.get("org_slug", "")))
                sessions.switch_organization(db, context, org.id)
        except Invalid as exc:
            self.errors = org_form_errors(exc.fields) or {"form": exc.message}
            return None
        except Conflict as exc:
            self.errors = {"org_slug": exc.message}
            return None
        except AppError as exc:
            return self._fail(exc)
        return [rx.redirect("/dashboard"), rx.toast.success(f"{org.name} is ready.")]


class OrgSettingsState(SessionState):
    slug: rx.Field[str] = rx.field("")

    @event
    def load(self) -> EventSpec | None:
        try:
            with session_scope() as db:
                principal = self._refresh(db)
                if principal is not None:
                    self.slug = orgs.get_organization(db, principal).slug
        except AppError as exc:
            return self._fail(exc)
        return None

    @event
    def save(self, form: dict[str, Any]) -> EventSpec | None:
        self.errors = {}
        try:
            with session_scope() as db:
                org = orgs.update_organization(db, self._principal(db),
                                               name=str(form.get("name", "")),
                                               slug=str(form.get("slug", "")))
        except Conflict as exc:
            self.errors = {"slug": exc.message}
            return None
        except AppError as exc:
            return self._fail(exc)
        self.org_name, self.slug = org.name, org.slug
        return rx.toast.success("Organization settings saved.")
