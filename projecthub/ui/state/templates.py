"""``/org/templates``: the organization's questionnaire templates. Everyone reads them; owners and
admins clone, edit (each save is a new version) and retire. The library service enforces both."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Invalid
from projecthub.models import Role
from projecthub.services.principal import Principal, require_role
from projecthub.services.templates import library
from projecthub.services.templates.library import TemplateView
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.typed import event

LIST = "templates"
EDITOR = "template_editor"
_LINE = re.compile(r"^line (\d+)$")


@dataclasses.dataclass(frozen=True)
class TemplateRow:
    id: str
    name: str
    description: str
    version: int
    builtin: bool
    retired: bool


@dataclasses.dataclass(frozen=True)
class LineError:
    line: int
    message: str


def line_errors(exc: Invalid) -> list[LineError]:
    """``parse_definition``'s problems ("line N" → message), in line order."""
    found = [(int(m.group(1)), message) for key, message in exc.fields.items()
             if (m := _LINE.match(key))]
    return [LineError(line, message) for line, message in sorted(found)] or [
        LineError(1, exc.message)]


class TemplatesState(SessionState):
    templates: rx.Field[list[TemplateRow]] = rx.field(default_factory=list)
    # The open template: its saved source is the editor's starting text.
    editor_open: rx.Field[bool] = rx.field(False)
    editing_id: rx.Field[str] = rx.field("")
    editing_name: rx.Field[str] = rx.field("")
    editing_version: rx.Field[int] = rx.field(0)
    editable: rx.Field[bool] = rx.field(False)
    why_read_only: rx.Field[str] = rx.field("")
    source: rx.Field[str] = rx.field("")
    # Changes whenever the editor must start again from ``source`` (open, saved).
    editor_key: rx.Field[str] = rx.field("")
    line_errors: rx.Field[list[LineError]] = rx.field(default_factory=list)

    def _fill(self, db: Session, principal: Principal) -> None:
        self.templates = [TemplateRow(str(t.id), t.name, t.description, t.version, t.is_builtin,
                                      t.is_retired)
                          for t in library.list_templates(db, principal, include_retired=True)]

    def _show(self, view: TemplateView, principal: Principal) -> None:
        self.editor_open, self.editing_id, self.editing_name = True, str(view.id), view.name
        self.editing_version, self.source = view.version, view.source
        self.editor_key = f"{view.id}-{view.version}"
        self.line_errors = []
        reason = ("Only owners and admins can change templates." if not principal.has_role(
            Role.ADMIN) else "The built-in template cannot be edited. Clone it and edit the "
            "copy." if view.is_builtin else "This template is retired. Clone it to make "
            "changes." if view.is_retired else "")
        self.editable, self.why_read_only = reason == "", reason

    @event
    def load(self) -> EventSpec | None:
        self.editor_open, self.line_errors = False, []
        return self._load_page(self._fill, field=LIST)

    @event
    def open_template(self, template_id: str) -> EventSpec | None:
        self.errors = {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                view = library.get_template(db, principal, parse_id(template_id, "Template"))
                self._show(view, principal)
        except AppError as exc:
            return self._fail(exc, field=LIST)
        return None

    @event
    def close_editor(self) -> None:
        self.editor_open, self.editing_id, self.source, self.line_errors = False, "", "", []

    @event
    def clone(self, template_id: str) -> EventSpec | None:
        """Copy a template (the built-in one included) and open the copy to edit."""
        self.errors = {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                copy = library.clone_template(db, principal, parse_id(template_id, "Template"))
                self._fill(db, principal)
                self._show(copy, principal)
        except AppError as exc:
            return self._fail(exc, field=LIST)
        return rx.toast.success(f"{copy.name} created. Edit it below.")

    @event
    def save(self, form: dict[str, Any]) -> EventSpec | None:
        """The edited source becomes the next version, or its problems are listed by line."""
        self.errors, self.line_errors = {}, []
        try:
            with session_scope() as db:
                principal = self._principal(db)
                require_role(principal, Role.ADMIN)
                saved = library.update_template(db, principal,
                                                parse_id(self.editing_id, "Template"),
                                                source=str(form.get("source", "")))
                self._fill(db, principal)
                self._show(saved, principal)
        except Invalid as exc:
            self.line_errors = line_errors(exc)
            return None
        except AppError as exc:
            return self._fail(exc, field=EDITOR)
        return rx.toast.success(f"Saved as version {saved.version}.")

    @event
    def retire(self, template_id: str) -> Events:
        """New projects can no longer use it; projects made from it keep their version."""
        result = self._tenant_action(
            lambda db, p: library.retire_template(db, p, parse_id(template_id, "Template")),
            success="Template retired.", field=LIST)
        if not self.errors and self.editing_id == template_id:
            self.close_editor()
        return result
