""""Add a tool" on the project edit page: the connected tools the project lacks, the creation
wizard's check of the new tool (read-only calls, per tool), the steps it would run, and then the
run itself, whose progress page the person follows.

The project comes from the URL and the connection from the browser: every handler asks the
service again (which checks the person may edit the project), so a forged id reads "not found"."""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, NotFound
from projecthub.services.provisioning import add_tool
from projecthub.services.provisioning.preflight import Preflight
from projecthub.services.wiring import tool_clients
from projecthub.ui.state.project_edit import project_from_path
from projecthub.ui.state.session import Events, SessionState, parse_id
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

    _add_project: str = ""
    _add_choice: str = ""  # backend-only: the connection last checked

    def _project_id(self) -> uuid.UUID:
        return parse_id(self._add_project, "Project")

    @event
    def load_tools(self) -> Events:
        """The tools the project could take; none for someone who may not edit it."""
        self.add_options, self.add_open, self._add_choice = [], False, ""
        self._add_project = project_from_path(self.router.url.path)
        try:
            with session_scope() as db:
                principal = self._refresh(db)
                if principal is None:
                    return None
                options = add_tool.addable_tools(db, principal, self._project_id())
        except AppError:
            return None  # the edit form beside this says why the project cannot be shown
        self.add_options = [AddOption(str(o.connection_id), o.tool, o.label, o.connection_name)
                            for o in options]
        return None

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
                async with self:
                    self.add_label, self.add_open, self.add_checking = option.label, True, True
                outcome = await add_tool.preflight_add_tool(
                    db, principal, tool_clients(principal), project_id, tool=option.tool,
                    connection_id=option.connection_id)
        except AppError as exc:
            outcome = exc
        async with self:
            self.add_checking = False
            if isinstance(outcome, AppError):
                return self._fail(outcome, field=ADD_FIELD)
            self.add_card = [ToolCard(c.tool, c.label, c.decision, c.summary, list(c.problems),
                                      list(c.warnings), "")
                             for c in outcome.checks if c.decision != "skip"]
            self.add_steps = [s.title for s in outcome.steps]
            self.add_ok = outcome.ok
            self._add_choice = chosen if outcome.ok else ""
        return None

    @event
    def close_add(self, _open: bool = False) -> None:
        self.add_open = False

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
                run = add_tool.start_add_tool(db, principal, self._project_id(),
                                              tool=option.tool,
                                              connection_id=option.connection_id)
                target = f"/runs/{run.id}"
        except AppError as exc:
            return self._fail(exc, field=ADD_FIELD)
        self.add_open, self._add_choice = False, ""
        return [rx.toast.info(f"{option.label} is being added to the project."),
                rx.redirect(target)]
