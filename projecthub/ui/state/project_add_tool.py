""""Add a tool" on the project edit page: the connected tools the project lacks, the tool's own
questions of the template (drawn and parsed as in the wizard, starting from the project's
answers), the creation wizard's check of the new tool with those answers (read-only calls, per
tool), the steps it would run, and then the run itself, whose progress page the person follows.

The project comes from the URL and the connection from the browser: every handler asks the
service again (which checks the person may edit the project), so a forged id reads "not found"."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Invalid, NotFound
from projecthub.services.principal import Principal
from projecthub.services.projects import answer_context
from projecthub.services.provisioning import add_tool
from projecthub.services.provisioning.preflight import Preflight
from projecthub.services.provisioning.productive_checks import find_companies
from projecthub.services.templates.definition import FieldDef
from projecthub.services.templates.limits import MAX_ANSWER_CHARS
from projecthub.services.templates.questionnaire import validate_field, with_defaults
from projecthub.services.wiring import tool_clients
from projecthub.ui.state.project_edit import project_from_path
from projecthub.ui.state.session import Events, SessionState, parse_id, then
from projecthub.ui.state.wizard import pickers_for
from projecthub.ui.state.wizard_fields import (
    TYPED,
    FieldRow,
    field_rows,
    parse,
    toggled,
    widget,
)
from projecthub.ui.state.wizard_review import ToolCard
from projecthub.ui.typed import event

ADD_FIELD = "add_tool"


@dataclasses.dataclass(frozen=True)
class AddOption:
    connection_id: str
    tool: str
    label: str
    connection_name: str


def _pick(options: list[add_tool.ToolOption], connection_id: str) -> add_tool.ToolOption:
    wanted = parse_id(connection_id, "Connection")
    found = next((o for o in options if o.connection_id == wanted), None)
    if found is None:  # another organization's, or a tool the project has already
        raise NotFound("Connection not found.")
    return found


class AddToolState(SessionState):
    add_options: rx.Field[list[AddOption]] = rx.field(default_factory=list)
    add_open: rx.Field[bool] = rx.field(False)
    add_checking: rx.Field[bool] = rx.field(False)
    add_label: rx.Field[str] = rx.field("")
    add_card: rx.Field[list[ToolCard]] = rx.field(default_factory=list)  # the new tool's check
    add_steps: rx.Field[list[str]] = rx.field(default_factory=list)
    add_ok: rx.Field[bool] = rx.field(False)
    add_fields: rx.Field[list[FieldRow]] = rx.field(default_factory=list)  # the tool's questions

    _add_project: str = ""
    _add_choice: str = ""  # backend-only: the connection last checked
    _add_connection: str = ""  # the connection whose questions are being answered
    _add_tool: str = ""
    _add_answers: rx.Field[dict[str, Any]] = rx.field(default_factory=dict)
    # What was typed into text-like inputs, so an input shows "12." rather than the parsed 12.
    _add_raw: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    _add_touched: rx.Field[list[str]] = rx.field(default_factory=list)
    # The tool's companies matching the company question's text, as in the wizard.
    _add_companies: rx.Field[list[str]] = rx.field(default_factory=list)
    _add_companies_note: str = ""

    def _project_id(self) -> uuid.UUID:
        return parse_id(self._add_project, "Project")

    def _given(self, questions: add_tool.ToolQuestions) -> dict[str, Any]:
        """The answers to the tool's questions, as the service takes them."""
        return {f.id: self._add_answers[f.id] for f in questions.step.fields
                if f.id in self._add_answers}

    def _render(self, db: Session, principal: Principal,
                questions: add_tool.ToolQuestions) -> None:
        """The questions with the problems of those touched, and any the last check named."""
        merged = with_defaults(questions.definition, self._add_answers)
        context = answer_context(db, principal)
        shown = {f.id: self.errors.get(f.id) or (validate_field(
            questions.definition, f, merged, context) if f.id in self._add_touched else None)
            for f in questions.step.fields}
        pickers = dataclasses.replace(pickers_for(db, principal),
                                      companies=tuple(self._add_companies),
                                      companies_note=self._add_companies_note)
        self.add_fields = field_rows(questions.definition, questions.step, self._add_answers,
                                     self._add_raw, {k: v for k, v in shown.items() if v},
                                     pickers)

    def _answer(self, field: str, change: Callable[[FieldDef, Any], Any] | None) -> Events:
        """Apply ``change(fdef, current)`` to one of the tool's answers (``None`` removes it;
        no ``change``: the question was only left); after a change the check must run again
        before the tool can be added."""
        self.errors = {}
        if change is not None:
            self.add_ok, self._add_choice = False, ""
        try:
            with session_scope() as db:
                principal = self._principal(db)
                questions = add_tool.tool_questions(db, principal, self._project_id(),
                                                    self._add_tool)
                fdef: FieldDef | None = next(
                    (f for f in questions.step.fields if f.id == field), None)
                if fdef is None:
                    raise NotFound("Question not found.")
                if change is not None:
                    current = with_defaults(questions.definition, self._add_answers).get(field)
                    answer = change(fdef, current)
                    rest = {k: v for k, v in self._add_answers.items() if k != field}
                    self._add_answers = rest if answer is None else {**rest, field: answer}
                if field not in self._add_touched:
                    self._add_touched = [*self._add_touched, field]
                self._render(db, principal, questions)
        except AppError as exc:
            return self._fail(exc, field=ADD_FIELD)
        return None

    @event
    def load_tools(self) -> Events:
        """The tools the project could take; none for someone who may not edit it."""
        self.add_options, self.add_open, self._add_choice = [], False, ""
        self._add_connection = ""  # another project: its own answers again
        self._add_project = project_from_path(self.router.url.path)
        # The edit form beside this says why the project cannot be shown, or signs the person in.
        self._load_row(self._add_project, self._offer)
        return None

    def _offer(self, db: Session, principal: Principal, project_id: uuid.UUID) -> None:
        self.add_options = [AddOption(str(o.connection_id), o.tool, o.label, o.connection_name)
                            for o in add_tool.addable_tools(db, principal, project_id)]

    @event(background=True)
    async def check_tool(self, connection_id: str) -> Events:
        """Ask the tool, without changing anything, whether its part of the template can run;
        a slow tool must not hold this tab's other events, hence in the background."""
        async with self:
            self.errors, self.add_card, self.add_steps, self.add_ok = {}, [], [], False
            self._add_choice, project = "", self._add_project
        outcome: Preflight | AppError
        chosen = ""
        try:
            project_id = parse_id(project, "Project")
            with session_scope() as db:
                principal = self._principal(db)
                option = _pick(add_tool.addable_tools(db, principal, project_id),
                                      connection_id)
                chosen = str(option.connection_id)
                questions = add_tool.tool_questions(db, principal, project_id, option.tool)
                async with self:
                    if chosen != self._add_connection:  # another tool: its own questions
                        self._add_connection, self._add_tool = chosen, option.tool
                        self._add_answers, self._add_raw = questions.answers, {}
                        self._add_touched, self._add_companies = [], []
                        self._add_companies_note = ""
                    self._render(db, principal, questions)
                    self.add_label, self.add_open, self.add_checking = option.label, True, True
                    given = self._given(questions)
                outcome = await add_tool.preflight_add_tool(
                    db, principal, tool_clients(principal), project_id, tool=option.tool,
                    connection_id=option.connection_id, answers=given)
        except AppError as exc:
            outcome = exc
        async with self:
            self.add_checking = False
            if isinstance(outcome, AppError):
                event_ = self._fail(outcome, field=ADD_FIELD)
                self._rerender(outcome)
                return self._searching(event_)
            self.add_card = [ToolCard(c.tool, c.label, c.decision, c.summary, list(c.problems),
                                      list(c.warnings), "")
                             for c in outcome.checks if c.decision != "skip"]
            self.add_steps = [s.title for s in outcome.steps]
            self.add_ok = outcome.ok
            self._add_choice = chosen if outcome.ok else ""
        return self._searching(None)

    def _searching(self, events: Events, field: str | None = None) -> Events:
        """Questions with a company field offer the tool's companies for what is typed there:
        when they open, and when that field (``field``, if given) changes."""
        if not any(row.kind == "company" and field in (None, row.id)
                   for row in self.add_fields):
            return events
        return then(events, AddToolState.find_companies)

    @event(background=True)
    async def find_companies(self) -> None:
        """Ask the tool for the companies matching the company question's text, through the
        connection being added, in the background (a slow tool must not hold the page)."""
        async with self:
            answers, tool, connection = dict(self._add_answers), self._add_tool, \
                self._add_connection
            project = self._add_project
        try:
            with session_scope() as db:
                principal = self._principal(db)
                questions = add_tool.tool_questions(db, principal, parse_id(project, "Project"),
                                                    tool)
                fdef = next((f for f in questions.step.fields if f.type == "company"), None)
                if fdef is None:
                    return
                query = str(with_defaults(questions.definition, answers).get(fdef.id) or "")
            names, note = await find_companies(tool_clients(principal), connection, query)
            async with self:
                if self._add_answers != answers or self._add_connection != connection:
                    return  # typed on meanwhile: that change asks again
                self._add_companies, self._add_companies_note = names, note
                with session_scope() as db:
                    self._render(db, self._principal(db), questions)
        except AppError:
            return

    def _rerender(self, exc: AppError) -> None:
        """The questions again, now showing the problems the check named next to them; a
        problem with an answer not asked here (one the project had) shows under the section."""
        if not self._add_tool:
            return
        try:
            with session_scope() as db:
                principal = self._principal(db)
                self._render(db, principal, add_tool.tool_questions(
                    db, principal, self._project_id(), self._add_tool))
        except AppError:
            return
        asked = {row.id for row in self.add_fields}
        elsewhere = [v for k, v in self.errors.items() if k not in asked and k != ADD_FIELD]
        if elsewhere:
            self.errors = {**self.errors, ADD_FIELD: " ".join([exc.message, *elsewhere])}

    @event
    def recheck(self) -> Events:
        """The check again, with the answers as they are now."""
        return AddToolState.check_tool(self._add_connection) if self._add_connection else None

    @event
    def close_add(self, _open: bool = False) -> None:
        self.add_open = False

    @event
    def set_answer(self, field: str, value: str) -> Events:
        """One of the tool's questions typed or chosen; parsed as the wizard parses it."""
        def change(fdef: FieldDef, _current: Any) -> Any:
            if len(str(value)) > MAX_ANSWER_CHARS:  # refused before it is kept, as in the wizard
                raise Invalid(f"{fdef.label}: use at most {MAX_ANSWER_CHARS:,} characters.")
            if widget(fdef) in TYPED:
                self._add_raw = {**self._add_raw, fdef.id: str(value)}
            return parse(fdef, value)
        return self._searching(self._answer(str(field), change), str(field))

    @event
    def set_flag(self, field: str, on: bool) -> Events:
        return self._answer(str(field), lambda fdef, _current: parse(fdef, bool(on)))

    @event
    def toggle_option(self, field: str, option: str, checked: bool) -> Events:
        return self._answer(str(field), lambda _fdef, current: toggled(
            current, str(option), bool(checked)))

    @event
    def touch(self, field: str) -> Events:
        """Leaving a question shows its problem, as in the wizard."""
        return self._answer(str(field), None)

    @event
    def confirm_add(self) -> Events:
        """Start the run with the new tool's steps and follow it on its progress page."""
        self.errors = {}
        if not self._add_choice:
            self.errors = {ADD_FIELD: "Check the tool first."}
            return None
        try:
            with session_scope() as db:
                principal = self._principal(db)
                option = _pick(add_tool.addable_tools(db, principal, self._project_id()),
                                      self._add_choice)
                questions = add_tool.tool_questions(db, principal, self._project_id(),
                                                    option.tool)
                run = add_tool.start_add_tool(db, principal, self._project_id(),
                                              tool=option.tool,
                                              connection_id=option.connection_id,
                                              answers=self._given(questions))
                target = f"/runs/{run.id}"
        except AppError as exc:
            return self._fail(exc, field=ADD_FIELD)
        self.add_open, self._add_choice = False, ""
        return [rx.toast.info(f"{option.label} is being added to the project."),
                rx.redirect(target)]
