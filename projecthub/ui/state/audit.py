"""``/org/audit``: the organization's audit log for admins, filtered and paged."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import urlencode

import reflex as rx
from reflex_base.event import EventSpec

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.core.web import API_PREFIX
from projecthub.models import AuditEvent
from projecthub.services import audit
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import event

PAGE_SIZE = 25
# The whole log with the page's filters, streamed by the API for this session (the same rule as
# this page: admins and owners of the current organization).
EXPORT_PATH = f"{API_PREFIX}/session/audit-events/export"
ALL = "all"  # the filter selects' "no filter" value (Radix selects refuse an empty one)


@dataclasses.dataclass(frozen=True)
class EventRow:
    when: str  # UTC text
    at: str  # ISO, shown in the viewer's zone
    actor: str
    action: str
    target: str
    detail: str


def _row(event: AuditEvent) -> EventRow:
    target = f"{event.target_type} {event.target_id[:8]}".strip()
    detail = ", ".join(f"{key}: {json.dumps(value) if not isinstance(value, str) else value}"
                       for key, value in event.detail.items())
    return EventRow(when(event.created_at), iso(event.created_at),
                    event.actor_email or "system", event.action, target, detail)


class AuditState(SessionState):
    events: rx.Field[list[EventRow]] = rx.field(default_factory=list)
    total: rx.Field[int] = rx.field(0)
    page: rx.Field[int] = rx.field(1)
    actor_filter: rx.Field[str] = rx.field(ALL)
    action_filter: rx.Field[str] = rx.field(ALL)
    actor_options: rx.Field[list[str]] = rx.field(default_factory=list)
    action_options: rx.Field[list[str]] = rx.field(default_factory=list)

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var
    def csv_query(self) -> str:
        return self._export_query("csv")

    @rx.var
    def jsonl_query(self) -> str:
        return self._export_query("jsonl")

    def _export_query(self, fmt: str) -> str:
        """The download's query: the format and the current filters (see ``EXPORT_PATH``)."""
        query = {"format": fmt}
        if self.actor_filter != ALL:
            query["actor"] = self.actor_filter
        if self.action_filter != ALL:
            query["action"] = self.action_filter
        return urlencode(query)

    def _query(self) -> EventSpec | None:
        """Read one page with the current filters; the service checks the admin role."""
        try:
            with session_scope() as db:
                result = audit.list_events(
                    db, self._principal(db),
                    actor_email=None if self.actor_filter == ALL else self.actor_filter,
                    action=None if self.action_filter == ALL else self.action_filter,
                    limit=PAGE_SIZE, offset=(self.page - 1) * PAGE_SIZE)
        except AppError as exc:
            self.events, self.total = [], 0
            return self._fail(exc)
        self.events = [_row(event) for event in result.events]
        self.total = result.total
        self.actor_options = [ALL, *result.actors]
        self.action_options = [ALL, *result.actions]
        return None

    @event
    def load(self) -> EventSpec | None:
        self.page, self.actor_filter, self.action_filter = 1, ALL, ALL
        try:
            with session_scope() as db:
                principal = self._refresh(db)
        except AppError as exc:
            return self._fail(exc)
        return self._query() if principal is not None and self.is_org_admin else None

    @event
    def filter_actor(self, actor: str) -> EventSpec | None:
        self.actor_filter, self.page = actor or ALL, 1
        return self._query()

    @event
    def filter_action(self, action: str) -> EventSpec | None:
        self.action_filter, self.page = action or ALL, 1
        return self._query()

    @event
    def go_to_page(self, page: int) -> EventSpec | None:
        self.page = min(max(int(page), 1), self.page_count)
        return self._query()
