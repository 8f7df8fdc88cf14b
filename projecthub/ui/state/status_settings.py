"""The "Status" section of ``/org/settings``: how often projects sync and where health turns amber
or red. Everyone may read the values; only admins and owners may change them (the service
checks), and each bad value gets its message next to its input."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.services.status.settings import (
    StatusSettings,
    get_status_settings,
    update_status_settings,
)
from projecthub.ui.state.session import Events, SessionState
from projecthub.ui.typed import event

FORM = "status_settings"  # errors about the section as a whole
FIELDS = tuple(f.name for f in dataclasses.fields(StatusSettings))


class StatusSettingsState(SessionState):
    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @event
    def load(self) -> EventSpec | None:
        try:
            with session_scope() as db:
                principal = self._refresh(db)
                if principal is not None:
                    self.values = {k: str(v) for k, v in dataclasses.asdict(
                        get_status_settings(db, principal)).items()}
        except AppError as exc:
            return self._fail(exc, field=FORM)
        return None

    @event
    def save(self, form: dict[str, Any]) -> Events:
        self.errors = {}
        given = {k: str(form.get(k, "")).strip() for k in FIELDS}
        unreadable = {k: "Enter a whole number." for k, v in given.items()
                      if not v.lstrip("-").isdigit()}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                if unreadable:
                    self.errors = unreadable
                    return None
                saved = update_status_settings(db, principal,
                                               {k: int(v) for k, v in given.items()})
        except AppError as exc:
            return self._fail(exc, field=FORM)
        self.values = {k: str(v) for k, v in dataclasses.asdict(saved).items()}
        return rx.toast.success("Status settings saved.")
