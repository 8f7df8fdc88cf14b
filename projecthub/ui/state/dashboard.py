"""``/dashboard``: tiles, the project list with its figures, the runs awaiting the person's
approval, drafts and unfinished runs.

The URL's query string is the view (search, filters, sort, page), so a view can be shared or
bookmarked: handlers only work out the next URL and navigate there, and ``load`` (the page's
on_load, which runs again on every navigation) reads the URL and asks the service for that page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Invalid
from projecthub.models import Role
from projecthub.services import members
from projecthub.services.principal import Principal
from projecthub.services.provisioning import decisions
from projecthub.services.status import dashboard, overview
from projecthub.services.status.settings import get_status_settings
from projecthub.ui.format import iso, when
from projecthub.ui.state.dashboard_rows import DashRow, Tile, dash_row, tiles
from projecthub.ui.state.projects import DraftsState
from projecthub.ui.state.session import Events
from projecthub.ui.state.status_format import EN_DASH, run_label
from projecthub.ui.typed import event

DASHBOARD = "/dashboard"
FILTERS_FIELD = "filters"
ALL = "all"  # a select's "no filter" item (Radix selects cannot hold "")
# DashboardQuery field -> its name in the URL.
PARAMS = {"q": "q", "health": "health", "lifecycle": "state", "tool": "tool", "owner": "owner",
          "sort": "sort", "descending": "desc", "page": "page", "page_size": "size",
          "drifted": "drifted"}
FILTERABLE = ("health", "lifecycle", "tool", "owner", "page_size", "drifted")
SORTABLE = ("name", "health", "end_date", "lifecycle", "synced_at")
_DEFAULT = dashboard.DashboardQuery()


def query_from_url(params: Mapping[str, str]) -> dashboard.DashboardQuery:
    """The view a URL asks for; anything malformed raises Invalid naming the parameter."""
    def number(name: str, default: int) -> int:
        raw = params.get(PARAMS[name], "").strip()
        if not raw:
            return default
        if not raw.isdigit():
            raise Invalid("Some filters are not valid.", {
                "page": "Pages are numbered from 1 and hold 1 to 200 projects."})
        return int(raw)

    query = dashboard.DashboardQuery(
        q=params.get("q", "")[:200], health=params.get("health", ""),
        lifecycle=params.get("state", ""), tool=params.get("tool", ""),
        owner=params.get("owner", ""), sort=params.get("sort", "") or _DEFAULT.sort,
        descending=params.get("desc", "") in ("1", "true"), page=number("page", 1),
        page_size=number("page_size", _DEFAULT.page_size),
        drifted=params.get("drifted", "") in ("1", "true"))
    query.check()
    return query


def url_for(query: dashboard.DashboardQuery) -> str:
    """``/dashboard`` with only what differs from the default view, in a fixed order."""
    pairs = []
    for item in dataclasses.fields(query):
        value = getattr(query, item.name)
        if value != getattr(_DEFAULT, item.name):
            pairs.append((PARAMS[item.name], "1" if value is True else str(value)))
    return DASHBOARD + (f"?{urlencode(pairs)}" if pairs else "")


@dataclasses.dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class RunLine:
    id: str
    project: str
    key: str
    status: str
    status_label: str
    progress: str
    started: str  # UTC text
    started_at: str  # ISO, shown in the viewer's zone
    href: str


@dataclasses.dataclass(frozen=True)
class ApprovalLine:
    project: str
    key: str
    requested_by: str
    requested: str  # UTC text
    requested_at: str  # ISO, shown in the viewer's zone
    href: str


APPROVALS_SHOWN = 10


class DashboardState(DraftsState):
    """The dashboard; its drafts (resume, delete) come from ``DraftsState``."""

    # The view, as the URL has it.
    q: rx.Field[str] = rx.field("")
    health: rx.Field[str] = rx.field("")
    lifecycle: rx.Field[str] = rx.field("")
    tool: rx.Field[str] = rx.field("")
    owner: rx.Field[str] = rx.field("")
    sort: rx.Field[str] = rx.field(_DEFAULT.sort)
    descending: rx.Field[bool] = rx.field(False)
    page: rx.Field[int] = rx.field(1)
    page_size: rx.Field[int] = rx.field(_DEFAULT.page_size)
    drifted: rx.Field[bool] = rx.field(False)

    rows: rx.Field[list[DashRow]] = rx.field(default_factory=list)
    total: rx.Field[int] = rx.field(0)
    page_count: rx.Field[int] = rx.field(1)
    # any visible project at all (for an honest empty state)
    any_projects: rx.Field[bool] = rx.field(False)
    health_tiles: rx.Field[list[Tile]] = rx.field(default_factory=list)
    lifecycle_tiles: rx.Field[list[Tile]] = rx.field(default_factory=list)
    sort_links: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    prev_href: rx.Field[str] = rx.field("")
    drifted_href: rx.Field[str] = rx.field("")  # the view with the "Drifted" filter toggled
    next_href: rx.Field[str] = rx.field("")
    owners: rx.Field[list[Choice]] = rx.field(default_factory=list)
    runs: rx.Field[list[RunLine]] = rx.field(default_factory=list)
    approvals: rx.Field[list[ApprovalLine]] = rx.field(default_factory=list)  # for the caller
    can_create: rx.Field[bool] = rx.field(False)
    loaded: rx.Field[bool] = rx.field(False)

    @rx.var
    def filtered(self) -> bool:
        return any((self.q, self.health, self.lifecycle, self.tool, self.owner, self.drifted))

    @rx.var
    def showing(self) -> str:
        if not self.total:
            return "No projects"
        first = (self.page - 1) * self.page_size + 1
        last = min(self.total, self.page * self.page_size)
        return f"{first}{EN_DASH}{last} of {self.total}"

    def _query(self) -> dashboard.DashboardQuery:
        return dashboard.DashboardQuery(self.q, self.health, self.lifecycle, self.tool,
                                        self.owner, self.sort, self.descending, self.page,
                                        self.page_size, self.drifted)

    def _show_query(self, query: dashboard.DashboardQuery) -> None:
        self.q, self.health, self.lifecycle = query.q, query.health, query.lifecycle
        self.tool, self.owner, self.sort = query.tool, query.owner, query.sort
        self.descending, self.page, self.page_size = (query.descending, query.page,
                                                      query.page_size)
        self.drifted = query.drifted

    def _href(self, **changes: Any) -> str:
        """The URL of the current view with ``changes``; a new filter starts at page 1."""
        return url_for(dataclasses.replace(self._query(), **{"page": 1, **changes}))

    def _fill_page(self, db: Session, principal: Principal,
                   query: dashboard.DashboardQuery) -> None:
        result = dashboard.list_projects(db, principal, query)
        stale_hours = get_status_settings(db, principal).stale_hours
        now = utcnow()
        self.rows = [dash_row(r, now, stale_hours) for r in result.rows]
        self.total = result.total
        self.page_count = max(1, -(-result.total // query.page_size))
        self.any_projects = sum(result.by_lifecycle.values()) > 0
        self.health_tiles, self.lifecycle_tiles = tiles(
            result.by_health, result.by_lifecycle,
            lambda name, value: self._href(**{name: value}), query.health, query.lifecycle)
        self.sort_links = {c: self._href(sort=c, descending=c == query.sort and not
                                         query.descending) for c in SORTABLE}
        self.drifted_href = self._href(drifted=not query.drifted)
        self.prev_href = self._href(page=query.page - 1) if query.page > 1 else ""
        self.next_href = (self._href(page=query.page + 1)
                          if query.page < self.page_count else "")

    def _fill_around(self, db: Session, principal: Principal) -> None:
        self.can_create = principal.has_role(Role.MEMBER)
        self.owners = [Choice(str(m.user_id), m.display_name or m.email)
                       for m in members.list_members(db, principal) if m.is_active]
        self.runs = [RunLine(r.run_id, r.project_name, r.project_key, r.status, run_label(r.status),
                             f"{r.steps_done} of {r.steps_total} steps", when(r.created_at),
                             iso(r.created_at),
                             f"/runs/{r.run_id}") for r in overview.open_runs(db, principal)]
        # One bounded query, and none for viewers (they never approve).
        self.approvals = [ApprovalLine(a.project_name, a.project_key, a.requested_by,
                                       when(a.requested_at), iso(a.requested_at),
                                       f"/runs/{a.run_id}")
                          for a in (decisions.pending_approvals(db, principal,
                                                                limit=APPROVALS_SHOWN)
                                    if principal.has_role(Role.MEMBER) else [])]
        self._fill_drafts(db, principal)

    @event
    def load(self) -> EventSpec | None:
        self.rows, self.total, self.loaded = [], 0, False
        try:
            with session_scope() as db:
                principal = self._refresh(db)
                if principal is None:
                    return None
                self._fill_around(db, principal)
                try:
                    query = query_from_url(self.router.url.query_parameters)
                except Invalid as exc:
                    self._show_query(_DEFAULT)
                    self.errors = {FILTERS_FIELD: exc.message + " " + " ".join(
                        exc.fields.values())}
                    return None
                self._show_query(query)
                self._fill_page(db, principal, query)
        except AppError as exc:
            return self._fail(exc, field=FILTERS_FIELD)
        self.loaded = True
        return None

    def _go(self, **changes: Any) -> Events:
        """Navigate to the view with ``changes`` (the session is checked first, as always)."""
        try:
            with session_scope() as db:
                self._principal(db)
        except AppError as exc:
            return self._fail(exc, field=FILTERS_FIELD)
        return rx.redirect(self._href(**changes))

    @event
    def search(self, form: dict[str, Any]) -> Events:
        return self._go(q=str(form.get("q", "")).strip()[:200])

    @event
    def filter_by(self, name: str, value: str) -> Events:
        if name not in FILTERABLE:
            return None
        if name == "page_size":
            return self._go(page_size=int(value) if value.isdigit() else _DEFAULT.page_size)
        if name == "drifted":
            return self._go(drifted=value == "1")
        return self._go(**{name: "" if value == ALL else value})

    @event
    def export_csv(self) -> Events:
        """The current view (every page of it) as a CSV download."""
        self.errors = {}
        try:
            with session_scope() as db:
                text = dashboard.export_csv(db, self._principal(db), self._query())
        except AppError as exc:
            return self._fail(exc, field=FILTERS_FIELD)
        return rx.download(data=text, filename=f"projects-{utcnow():%Y-%m-%d}.csv",
                           mime_type="text/csv")
