"""The wizard's review page: what will happen in each tool (preflight, read-only calls to the
tools), suggestions that fix a blocked tool, and Provision, which is the first and only step
that creates anything."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json

import reflex as rx
from reflex_base.event import EventSpec

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Invalid, NotAuthenticated, NotFound
from projecthub.services import drafts
from projecthub.services.provisioning import service
from projecthub.services.provisioning.preflight import Preflight, ToolCheck, run_preflight
from projecthub.services.templates.definition import TemplateDefinition
from projecthub.services.wiring import tool_clients
from projecthub.ui.state.session import Events, parse_id, then
from projecthub.ui.state.wizard import WizardState
from projecthub.ui.state.wizard_fields import wizard_steps
from projecthub.ui.typed import event

REVIEW_FIELD = "review"  # errors about provisioning as a whole


@dataclasses.dataclass(frozen=True)
class ToolCard:
    tool: str
    label: str
    decision: str  # create | link | skip | blocked
    summary: str
    problems: list[str]
    warnings: list[str]
    suggestion: str  # "" or what applying the suggestion changes, in words


@dataclasses.dataclass(frozen=True)
class AnswerProblem:
    step: int
    step_title: str
    label: str
    message: str


def _card(check: ToolCheck, definition: TemplateDefinition) -> ToolCard:
    changes = ", ".join(f"{fdef.label if (fdef := definition.field(k)) else k} → {v}"
                        for k, v in check.suggestion.items())
    return ToolCard(check.tool, check.label, check.decision, check.summary, list(check.problems),
                    list(check.warnings), changes)


def answer_problems(definition: TemplateDefinition, fields: dict[str, str]) -> list[AnswerProblem]:
    """Field problems found on the review page, each pointing at the page that asks it."""
    where = {f.id: (i, s.title, f.label)
             for i, s in enumerate(wizard_steps(definition)) for f in s.fields}
    return [AnswerProblem(*where[k], message) if k in where else
            AnswerProblem(0, "", k, message) for k, message in fields.items()]


class ReviewState(WizardState):
    checking: rx.Field[bool] = rx.field(False)
    # A result (or an error) for the current answers is shown.
    checked: rx.Field[bool] = rx.field(False)
    checks: rx.Field[list[ToolCard]] = rx.field(default_factory=list)
    preflight_ok: rx.Field[bool] = rx.field(False)
    problems: rx.Field[list[AnswerProblem]] = rx.field(default_factory=list)
    check_error: rx.Field[str] = rx.field("")

    _suggestions: rx.Field[dict[str, dict[str, str]]] = rx.field(default_factory=dict)
    # The answers the last successful check was for: Provision refuses any others.
    _ok_for: str = ""

    @rx.var
    def can_provision(self) -> bool:
        return self.preflight_ok and not self.checking

    def _fingerprint(self) -> str:
        data = json.dumps([self._version_id, self._answers], sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()

    def _clear(self) -> None:
        self.checked = self.preflight_ok = False
        self.checks, self.problems, self.check_error = [], [], ""
        self._suggestions, self._ok_for = {}, ""

    def _show(self, result: Preflight, definition: TemplateDefinition, fingerprint: str) -> None:
        self.checks = [_card(c, definition) for c in result.checks]
        self._suggestions = {c.tool: dict(c.suggestion) for c in result.checks if c.suggestion}
        self.preflight_ok = result.ok
        self._ok_for = fingerprint if result.ok else ""

    @event(background=True)
    async def check_tools(self) -> Events:
        """Preflight in the background: every tool is asked at once, and a slow one must not
        hold the page (or this tab's other events) for its whole timeout."""
        async with self:
            if self.checking or not self.is_review:
                return None
            self._clear()
            self.checking = True
            version_id, answers, fingerprint = (self._version_id, dict(self._answers),
                                                self._fingerprint())
        outcome: Preflight | AppError
        definition: TemplateDefinition | None = None
        try:
            with session_scope() as db:
                principal = self._principal(db)
                definition = self._definition(db, principal)
                outcome = await run_preflight(db, principal, tool_clients(principal),
                                              template_version_id=parse_id(version_id,
                                                                           "Template version"),
                                              answers=answers)
        except AppError as exc:
            outcome = exc
        async with self:
            self.checking = False
            if fingerprint != self._fingerprint():
                return ReviewState.check_tools  # the answers changed meanwhile: check those
            self.checked = True
            if isinstance(outcome, Preflight) and definition is not None:
                self._show(outcome, definition, fingerprint)
            elif isinstance(outcome, NotAuthenticated):
                return self._fail(outcome)
            elif isinstance(outcome, Invalid) and outcome.fields and definition is not None:
                self.problems = answer_problems(definition, outcome.fields)
            elif isinstance(outcome, AppError):
                self.check_error = outcome.message
        return None

    @event
    def apply_suggestion(self, tool: str) -> Events:
        """Take the tool's suggestion (e.g. a free Jira key) as the answer, then check again."""
        suggestion = self._suggestions.get(str(tool))
        if not suggestion:
            return None

        def change(*_: object) -> None:
            self._answers = {**self._answers, **suggestion}
            self._raw = {k: v for k, v in self._raw.items() if k not in suggestion}

        saved = self._act(change)
        if self.errors:
            return saved
        self._clear()
        return then(saved, ReviewState.check_tools)

    @event
    def provision(self) -> EventSpec | None:
        """Create the project and its run (the worker then drives it) and open its progress."""
        self.errors = {}
        if not self.preflight_ok or self._ok_for != self._fingerprint():
            self.preflight_ok, self._ok_for = False, ""
            return rx.toast.error("Check the plan against the tools first.")
        try:
            with session_scope() as db:
                principal = self._principal(db)
                version_id = parse_id(self._version_id, "Template version")
                _, run = service.start_project(db, principal, template_version_id=version_id,
                                               answers=self._answers)
                if self._draft:
                    with contextlib.suppress(NotFound):
                        drafts.delete_draft(db, principal, parse_id(self._draft, "Draft"))
        except AppError as exc:
            return self._fail(exc, field=REVIEW_FIELD)
        self._clear()
        self._draft = self._version_id = self.template_name = ""
        return rx.redirect(f"/runs/{run.id}")
