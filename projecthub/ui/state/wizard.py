"""``/projects/new`` and ``/projects/new/[draft_id]``: pick a template, then answer it one step at
a time. Answers live server-side (backend vars) and in the person's draft, saved on every change,
so a closed tab or a new login resumes where they stopped. The questionnaire's own functions
decide what is shown and what is wrong; this state only keeps the place and shows the result."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Conflict, Invalid, NotAuthenticated
from projecthub.models import Role
from projecthub.services import connections, drafts, members, projects
from projecthub.services.principal import Principal, require_role
from projecthub.services.provisioning.productive_checks import find_companies
from projecthub.services.templates import library
from projecthub.services.templates.definition import FieldDef, StepDef, TemplateDefinition
from projecthub.services.templates.limits import MAX_ANSWER_CHARS
from projecthub.services.templates.questionnaire import validate_step, with_defaults
from projecthub.services.wiring import tool_clients
from projecthub.ui.format import iso, when
from projecthub.ui.state.projects import REVIEW_TITLE, DraftsState
from projecthub.ui.state.session import Event, Events, parse_id, then
from projecthub.ui.state.wizard_fields import (
    TYPED,
    FieldRow,
    Pickers,
    StepRow,
    SummarySection,
    field_rows,
    parse,
    summary,
    toggled,
    widget,
    wizard_steps,
)
from projecthub.ui.typed import event

NEW_PATH = "/projects/new"
REVIEW = "review"  # the step id drafts store for the wizard's own review page
WIZARD = "wizard"  # errors about the wizard as a whole
# Inputs whose text is kept as typed.

Change = Callable[[Session, Principal, TemplateDefinition], EventSpec | None]


@dataclasses.dataclass(frozen=True)
class TemplateCard:
    id: str
    name: str
    description: str
    version: int
    builtin: bool


def pickers_for(db: Session, principal: Principal) -> Pickers:
    people = tuple((str(m.user_id), f"{m.display_name} ({m.email})" if m.display_name else m.email)
                   for m in members.list_members(db, principal) if m.is_active)
    tools: dict[str, list[tuple[str, str]]] = {}
    for conn in connections.list_connections(db, principal):
        tools.setdefault(conn.tool.value, []).append((str(conn.id), conn.name))
    return Pickers(people, {tool: tuple(rows) for tool, rows in tools.items()})


class WizardState(DraftsState):
    templates: rx.Field[list[TemplateCard]] = rx.field(default_factory=list)
    can_create: rx.Field[bool] = rx.field(False)
    problem: rx.Field[str] = rx.field("")  # the draft in the URL is not found
    # The chosen template ("" while picking one) and where the person is in it.
    template_name: rx.Field[str] = rx.field("")
    template_version: rx.Field[int] = rx.field(0)
    steps: rx.Field[list[StepRow]] = rx.field(default_factory=list)
    step_index: rx.Field[int] = rx.field(0)
    fields: rx.Field[list[FieldRow]] = rx.field(default_factory=list)
    summary: rx.Field[list[SummarySection]] = rx.field(default_factory=list)
    # When the draft was last saved ("" before the first save): ISO for the viewer's zone,
    # and the UTC text for the hover.
    saved_at: rx.Field[str] = rx.field("")
    saved_utc: rx.Field[str] = rx.field("")

    _version_id: str = ""
    _draft: str = ""
    _answers: rx.Field[dict[str, Any]] = rx.field(default_factory=dict)
    # What was typed into text-like inputs, so an input shows "12." rather than the parsed 12.
    _raw: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # Fields whose problems are shown: changed, left, or on a step the person tried to leave.
    _touched: rx.Field[list[str]] = rx.field(default_factory=list)
    _pickers: rx.Field[Pickers] = rx.field(default_factory=Pickers)

    @rx.var
    def is_review(self) -> bool:
        return bool(self.steps) and self.step_index == len(self.steps) - 1

    @rx.var
    def step_title(self) -> str:
        return self.steps[self.step_index].title if self.step_index < len(self.steps) else ""

    @rx.var
    def blocked(self) -> bool:
        return any(row.error for row in self.fields)

    # Server-side helpers.

    def _definition(self, db: Session, principal: Principal) -> TemplateDefinition:
        return library.load_version(db, principal,
                                    parse_id(self._version_id, "Template version"))[1]

    def _step(self, definition: TemplateDefinition) -> StepDef | None:
        """The current step, or None on the review page."""
        steps = wizard_steps(definition)
        return steps[self.step_index] if self.step_index < len(steps) else None

    def _field(self, definition: TemplateDefinition, field: str) -> FieldDef:
        """A field of the current step (anything else is refused, not guessed)."""
        step = self._step(definition)
        found = next((f for f in step.fields if f.id == field), None) if step else None
        if found is None:
            raise Invalid("That question is not on this page.")
        return found

    def _touch(self, *fields: str) -> None:
        self._touched = list(dict.fromkeys([*self._touched, *fields]))

    def _render(self, db: Session, principal: Principal, definition: TemplateDefinition) -> None:
        steps = wizard_steps(definition)
        titles = [s.title for s in steps] + [REVIEW_TITLE]
        self.steps = [StepRow(i, title, "done" if i < self.step_index else
                              "current" if i == self.step_index else "todo")
                      for i, title in enumerate(titles)]
        step = self._step(definition)
        if step is None:
            self.fields = []
            self.summary = summary(definition, self._answers, self._pickers)
            return
        problems = validate_step(definition, step.id, self._answers,
                                 projects.answer_context(db, principal))
        shown = {k: v for k, v in problems.items() if k in self._touched}
        self.fields = field_rows(definition, step, self._answers, self._raw, shown,
                                 self._pickers)

    def _open(self, db: Session, principal: Principal, version_id: uuid.UUID,
              answers: dict[str, Any], step_id: str, draft_id: str) -> None:
        version, definition = library.load_version(db, principal, version_id)
        steps = wizard_steps(definition)
        self._version_id, self._draft = str(version.id), draft_id
        self._answers, self._raw, self._touched = dict(answers), {}, []
        self._pickers = pickers_for(db, principal)
        self.template_name, self.template_version = definition.name, version.version
        self.step_index = next((i for i, s in enumerate(steps) if s.id == step_id),
                               len(steps) if step_id == REVIEW else 0)
        self.saved_at, self.saved_utc = "", ""
        self._render(db, principal, definition)

    def _save(self, db: Session, principal: Principal,
              definition: TemplateDefinition) -> EventSpec | None:
        """Store the answers in the draft; the first save also gives the page the draft's URL."""
        step = self._step(definition)
        version_id = parse_id(self._version_id, "Template version")
        draft_id = parse_id(self._draft, "Draft") if self._draft else None
        draft = drafts.save_draft(db, principal, template_version_id=version_id,
                                  answers=self._answers, step=step.id if step else REVIEW,
                                  draft_id=draft_id)
        self.saved_at, self.saved_utc = iso(draft.updated_at), when(draft.updated_at)
        if self._draft:
            return None
        self._draft = str(draft.id)
        return rx.call_script("window.history.replaceState(window.history.state, '', "
                              f"'{NEW_PATH}/{draft.id}')")

    def _act(self, change: Change, *, save: bool = True) -> Events:
        """Run one change as the current principal, save the draft, redraw the page."""
        self.errors = {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                definition = self._definition(db, principal)
                follow = change(db, principal, definition)
                saved = self._save(db, principal, definition) if save else None
                self._render(db, principal, definition)
        except AppError as exc:
            return self._fail(exc, field=WIZARD)
        events: list[Event] = [e for e in (saved, follow) if e is not None]
        return events or None

    def _searching(self, events: Events) -> Events:
        """A page with a company field offers the tool's companies for what is typed there."""
        if not any(row.kind == "company" for row in self.fields):
            return events
        return then(events, WizardState.find_companies)

    def _set(self, field: str, answer: Any) -> None:
        rest = {k: v for k, v in self._answers.items() if k != field}
        self._answers = rest if answer is None else {**rest, field: answer}
        self._touch(field)

    # Events.

    @event
    def load(self) -> EventSpec | None:
        path = self.router.url.path.rstrip("/")
        wanted = path.removeprefix(NEW_PATH + "/") if path.startswith(NEW_PATH + "/") else ""
        self.problem, self.template_name, self.steps, self.fields = "", "", [], []
        self._version_id, self._draft = "", ""
        try:
            with session_scope() as db:
                principal = self._refresh(db)
                if principal is None:
                    return None
                self.can_create = principal.has_role(Role.MEMBER)
                self.templates = [TemplateCard(str(t.id), t.name, t.description, t.version,
                                               t.is_builtin)
                                  for t in library.list_templates(db, principal)]
                self._fill_drafts(db, principal)
                if wanted:
                    draft = drafts.get_draft(db, principal, parse_id(wanted, "Draft"))
                    self._open(db, principal, draft.template_version_id, draft.answers,
                               draft.step, str(draft.id))
        except NotAuthenticated as exc:
            return self._fail(exc)
        except AppError as exc:
            self.problem = exc.message
        return None

    @event
    def choose_template(self, template_id: str) -> EventSpec | None:
        self.errors = {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                require_role(principal, Role.MEMBER)
                template = library.get_template(db, principal, parse_id(template_id, "Template"))
                if template.is_retired:
                    raise Conflict("This template is retired. Choose another one.")
                self._open(db, principal, template.version_id, {}, "", "")
        except AppError as exc:
            return self._fail(exc, field=WIZARD)
        return None

    @event
    def set_answer(self, field: str, value: str) -> Events:
        """A typed, chosen or picked value; parsed by the field's type, then saved."""
        def change(_db: Session, _p: Principal, definition: TemplateDefinition) -> None:
            fdef = self._field(definition, field)
            if len(str(value)) > MAX_ANSWER_CHARS:  # refused before it reaches the draft
                raise Invalid(f"{fdef.label}: use at most {MAX_ANSWER_CHARS:,} characters.")
            self._set(field, parse(fdef, value))
            if widget(fdef) in TYPED:
                self._raw = {**self._raw, field: str(value)}
        return self._searching(self._act(change))

    @event(background=True)
    async def find_companies(self) -> None:
        """Ask the tool for the companies matching the company field's text, in the background
        (a slow tool must not hold the page), then redraw the field with them."""
        async with self:
            answers = dict(self._answers)
        try:
            with session_scope() as db:
                principal = self._principal(db)
                definition = self._definition(db, principal)
                step = self._step(definition)
                fdef = next((f for f in step.fields if f.type == "company"), None) if step \
                    else None
                if fdef is None:
                    return
                conn = next((f.id for f in definition.fields()
                             if f.type == "connection" and f.tool == fdef.tool), "")
                merged = with_defaults(definition, answers)
                query = str(merged.get(fdef.id) or "")
            names, note = await find_companies(tool_clients(principal),
                                               str(merged.get(conn) or "") or None, query)
            async with self:
                if self._answers != answers:
                    return  # typed on meanwhile: that change asks again
                self._pickers = dataclasses.replace(self._pickers, companies=tuple(names),
                                                    companies_note=note)
                with session_scope() as db:
                    self._render(db, self._principal(db), definition)
        except AppError:
            return

    @event
    def set_flag(self, field: str, on: bool) -> Events:
        def change(_db: Session, _p: Principal, definition: TemplateDefinition) -> None:
            self._set(field, parse(self._field(definition, field), bool(on)))
        return self._act(change)

    @event
    def toggle_option(self, field: str, option: str,
                      checked: bool) -> Events:
        def change(_db: Session, _p: Principal, definition: TemplateDefinition) -> None:
            self._field(definition, field)
            shown = with_defaults(definition, self._answers).get(field)  # a default counts
            self._set(field, toggled(shown, str(option), bool(checked)))
        return self._act(change)

    @event
    def touch(self, field: str) -> Events:
        """Leaving a field shows its problem (e.g. required) even if nothing was typed."""
        def change(_db: Session, _p: Principal, definition: TemplateDefinition) -> None:
            self._touch(self._field(definition, field).id)
        return self._act(change, save=False)

    @event
    def next_step(self) -> Events:
        """On to the next page, unless this one has problems (then they all show)."""
        def change(db: Session, principal: Principal, definition: TemplateDefinition) -> None:
            step = self._step(definition)
            if step is None:
                return
            self._touch(*(f.id for f in step.fields))
            if not validate_step(definition, step.id, self._answers,
                                 projects.answer_context(db, principal)):
                self.step_index += 1
        return self._searching(self._act(change))

    @event
    def go_to_step(self, index: int) -> Events:
        """Back to an earlier page (Back, the step indicator, Edit in the review)."""
        def change(_db: Session, _p: Principal, _definition: TemplateDefinition) -> None:
            if 0 <= int(index) < self.step_index:
                self.step_index = int(index)
        return self._searching(self._act(change))
