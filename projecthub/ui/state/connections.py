"""``/org/connections``: the organization's tool connections, grouped by tool.

Secrets are write-only here. A typed secret crosses the websocket once inside the submitted form,
goes straight to the service (which encrypts it) and is never assigned to the state; what the
state keeps of a saved secret is its hint (``••••last4``, when it changed).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Conflict, Invalid
from projecthub.models import Role, Tool
from projecthub.services import connection_checks, connections
from projecthub.services.connection_specs import TOOL_SPECS
from projecthub.services.connections import ConnectionView, SecretHint
from projecthub.services.principal import Principal, require_role
from projecthub.services.webhooks import setup as webhook_setup
from projecthub.services.webhooks.endpoints import WebhookView, list_webhooks
from projecthub.services.wiring import new_session, tool_clients
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.typed import event

FORM = "connection_form"  # errors about the editor as a whole
LIST = "connections"  # errors about the list (remove, test)


@dataclasses.dataclass(frozen=True)
class Detail:
    """One labelled line of a connection's credentials: a setting, or a secret's hint and
    when the secret last changed (none for a setting)."""

    label: str
    value: str
    updated: str  # UTC text; "" for a setting or an unchanged secret
    updated_at: str  # ISO, shown in the viewer's zone


@dataclasses.dataclass(frozen=True)
class ConnectionRow:
    id: str
    name: str
    base_url: str
    details: list[Detail]
    test_status: str  # "passed", "failed" or "untested"
    test_message: str
    tested: str  # UTC text; "" when never tested
    tested_at: str  # ISO, shown in the viewer's zone
    webhook: str  # "" when off, else how it was set up (for admins only)
    webhook_last: str  # when the last delivery came (UTC text), "" if none yet
    webhook_last_at: str  # the same, ISO, shown in the viewer's zone


@dataclasses.dataclass(frozen=True)
class ToolGroup:
    tool: str
    label: str
    connections: list[ConnectionRow]


def secret_state(hint: SecretHint) -> str:
    """Whether a saved secret is set, and its last 4 (the editor's hint says no more: when it
    changed is on the connection's card, in the viewer's zone)."""
    if not hint.is_set:
        return "not set"
    return " · ".join(["set", f"••••{hint.last4}"] if hint.last4 else ["set"])


def _secret_updated(hint: SecretHint) -> datetime | None:
    return datetime.fromisoformat(hint.updated_at) if hint.is_set and hint.updated_at else None


def _detail(label: str, hint: SecretHint) -> Detail:
    updated = _secret_updated(hint)
    return Detail(label, secret_state(hint), when(updated, never=""), iso(updated))


def _webhook_text(hook: WebhookView | None) -> tuple[str, str, str]:
    if hook is None:
        return "", "", ""
    how = "registered in the tool" if hook.mode == "registered" else "set up by hand"
    return (f"On · {how}", when(hook.last_delivery_at, never=""),
            iso(hook.last_delivery_at))


def _row(view: ConnectionView, hook: WebhookView | None = None) -> ConnectionRow:
    spec = TOOL_SPECS[view.tool]
    details = [_detail(f.label, view.secrets[f.name]) if f.secret
               else Detail(f.label, view.settings.get(f.name) or "not set", "", "")
               for f in spec.fields]
    status = ("untested" if view.last_test_ok is None
              else "passed" if view.last_test_ok else "failed")
    return ConnectionRow(str(view.id), view.name, view.base_url, details, status,
                         view.last_test_message, when(view.last_tested_at, never=""),
                         iso(view.last_tested_at), *_webhook_text(hook))


def _tool(value: str) -> Tool:
    try:
        return Tool(value)
    except ValueError as exc:
        raise Invalid("Choose a tool.", {"tool": "Choose a tool."}) from exc


class ConnectionsState(SessionState):
    groups: rx.Field[list[ToolGroup]] = rx.field(default_factory=list)
    # The editor: open for a new connection (editing_id "") or for an existing one.
    editor_open: rx.Field[bool] = rx.field(False)
    editing_id: rx.Field[str] = rx.field("")
    form_tool: rx.Field[str] = rx.field(Tool.JIRA.value)
    # Saved non-secret values shown in the editor; secrets only as their hint.
    form_values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    form_secret_hints: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # The connection whose test is running ("" when none).
    testing_id: rx.Field[str] = rx.field("")
    # Webhooks: the connection being turned on or off, and the setup shown once (the address
    # and secret leave the server only here, and are dropped when the dialog closes).
    webhook_busy: rx.Field[str] = rx.field("")
    hook_open: rx.Field[bool] = rx.field(False)
    hook_registered: rx.Field[bool] = rx.field(False)
    hook_url: rx.Field[str] = rx.field("")
    hook_secret: rx.Field[str] = rx.field("")
    hook_steps: rx.Field[list[str]] = rx.field(default_factory=list)
    hook_problem: rx.Field[str] = rx.field("")

    def _fill(self, db: Session, principal: Principal) -> None:
        views = connections.list_connections(db, principal)
        hooks = list_webhooks(db, principal)
        self.groups = [ToolGroup(tool.value, spec.label,
                                 [_row(v, hooks.get(v.id)) for v in views if v.tool == tool])
                       for tool, spec in TOOL_SPECS.items()]

    def _open_editor(self, tool: Tool, view: ConnectionView | None = None) -> None:
        self.errors = {}
        self.form_tool = tool.value
        self.editing_id = str(view.id) if view else ""
        self.form_values = ({"name": view.name, "base_url": view.base_url, **view.settings}
                            if view else {})
        self.form_secret_hints = ({name: secret_state(hint)
                                   for name, hint in view.secrets.items()} if view else {})
        self.editor_open = True

    @event
    def load(self) -> EventSpec | None:
        self.editor_open, self.testing_id, self.webhook_busy = False, "", ""
        self.close_hook()
        return self._load_page(self._fill, field=LIST)

    @event
    def open_add(self, tool: str) -> EventSpec | None:
        """The empty editor for a new connection to ``tool`` (admins and owners only)."""
        try:
            with session_scope() as db:
                require_role(self._principal(db), Role.ADMIN)
            self._open_editor(_tool(tool))
        except AppError as exc:
            return self._fail(exc, field=LIST)
        return None

    @event
    def choose_tool(self, tool: str) -> EventSpec | None:
        """Switch the new connection's tool; the form below follows its spec."""
        if self.editing_id:
            return None
        try:
            self.form_tool = _tool(tool).value
        except Invalid as exc:
            return self._fail(exc, field=FORM)
        self.errors = {}
        return None

    @event
    def open_edit(self, connection_id: str) -> EventSpec | None:
        try:
            with session_scope() as db:
                principal = self._principal(db)
                require_role(principal, Role.ADMIN)
                view = connections.get_connection(db, principal,
                                                  parse_id(connection_id, "Connection"))
            self._open_editor(view.tool, view)
        except AppError as exc:
            return self._fail(exc, field=LIST)
        return None

    @event
    def close_editor(self) -> None:
        self.editor_open, self.editing_id = False, ""
        self.form_values, self.form_secret_hints, self.errors = {}, {}, {}

    @event
    def set_editor_open(self, is_open: bool) -> None:
        """The dialog's own close (Escape, outside click); it never opens itself."""
        if not is_open:
            self.close_editor()

    @event
    def clear_error(self, name: str) -> None:
        """Typing into an input clears its message (the page sends the name, not the value)."""
        if name in self.errors:
            self.errors = {key: text for key, text in self.errors.items() if key != name}

    @event
    def save(self, form: dict[str, Any]) -> EventSpec | None:
        """Create or update from the editor's form. Secret fields left empty keep the saved
        value; typed ones go to the service and nowhere else."""
        self.errors = {}
        try:
            spec = TOOL_SPECS[_tool(self.form_tool)]
            values = {name: str(form.get(name, "")) for name in ("name", "base_url", *(
                f.name for f in spec.fields))}
            settings = {name: values[name] for name in spec.setting_fields}
            secrets = {name: values[name] for name in spec.secret_fields}
            with session_scope() as db:
                principal = self._principal(db)
                if self.editing_id:
                    saved = connections.update_connection(
                        db, principal, parse_id(self.editing_id, "Connection"),
                        name=values["name"], base_url=values["base_url"],
                        settings_values=settings, secret_values=secrets)
                else:
                    saved = connections.create_connection(
                        db, principal, tool=spec.tool.value, name=values["name"],
                        base_url=values["base_url"], settings_values=settings,
                        secret_values=secrets)
                self._fill(db, principal)
        except Conflict as exc:
            self.errors = {"name": exc.message}
            return None
        except AppError as exc:
            return self._fail(exc, field=FORM)
        verb = "saved" if self.editing_id else "added"
        self.close_editor()
        return rx.toast.success(f"{saved.name} {verb}. Test it to check the credentials.")

    @event
    def remove(self, connection_id: str) -> Events:
        return self._tenant_action(
            lambda db, p: connections.delete_connection(db, p,
                                                        parse_id(connection_id, "Connection")),
            success="Connection removed.", field=LIST)

    async def _check(self, connection_id: str) -> connection_checks.CheckResult:
        with session_scope() as db:
            principal = self._principal(db)
            return await connection_checks.check_connection(
                db, principal, tool_clients(principal), parse_id(connection_id, "Connection"))

    @event(background=True)
    async def test_connection(self, connection_id: str) -> EventSpec | None:
        """Call the tool with the saved credentials. In the background: a slow or unreachable
        tool may take the connector's whole time budget, and the tab stays usable meanwhile."""
        async with self:
            if self.testing_id:
                return rx.toast.info("Another test is still running.")
            self.testing_id, self.errors = connection_id, {}
        try:
            result = await self._check(connection_id)
        except AppError as exc:
            async with self:
                return self._fail(exc, field=LIST)
        finally:
            async with self:
                self.testing_id = ""
        async with self:
            try:
                with session_scope() as db:
                    self._fill(db, self._principal(db))
            except AppError as exc:
                return self._fail(exc, field=LIST)
        if result.ok:
            return rx.toast.success(result.message)
        return rx.toast.error("The test failed. The tool's answer is shown with the connection.")

    @event
    def close_hook(self) -> None:
        """Forget the address and secret: they are shown once."""
        self.hook_open, self.hook_registered, self.hook_url, self.hook_secret = (
            False, False, "", "")
        self.hook_steps, self.hook_problem = [], ""

    @event
    def set_hook_open(self, is_open: bool) -> None:
        if not is_open:
            self.close_hook()

    async def _switch_webhook(self, connection_id: str, on: bool) -> EventSpec | None:
        """Turn the connection's webhook on or off (the service checks the role), then show
        the setup or the list again. In the background: the tool is called."""
        async with self:
            if self.webhook_busy:
                return rx.toast.info("Another change is still running.")
            self.webhook_busy, self.errors = connection_id, {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
            key = parse_id(connection_id, "Connection")
            tools = tool_clients(principal)
            done = await (webhook_setup.turn_on(new_session, principal, tools, key) if on
                          else webhook_setup.turn_off(new_session, principal, tools, key))
        except AppError as exc:
            async with self:
                self.webhook_busy = ""
                return self._fail(exc, field=LIST)
        async with self:
            self.webhook_busy = ""
            with session_scope() as db:
                self._fill(db, self._principal(db))
            if isinstance(done, webhook_setup.WebhookSetup):
                self.hook_open, self.hook_registered = True, done.mode == "registered"
                self.hook_url, self.hook_secret = done.url, done.secret
                self.hook_steps, self.hook_problem = list(done.instructions), done.problem
        return None if on else rx.toast.success("Instant updates turned off.")

    @event(background=True)
    async def turn_on_webhook(self, connection_id: str) -> EventSpec | None:
        return await self._switch_webhook(connection_id, True)

    @event(background=True)
    async def turn_off_webhook(self, connection_id: str) -> EventSpec | None:
        return await self._switch_webhook(connection_id, False)
