"""``/projects/import``: what the connected tools already have, as suggested ProjectHub projects
(matched across tools by key and name); the admin searches, picks and imports them in bulk.

Listing calls every tool and importing commits chunk by chunk, so both are background events
that show progress. The proposals stay on the server (``_proposals``): the browser only names
them by key, so it cannot make up a resource to link.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from projecthub.core.db import new_session, session_scope
from projecthub.core.errors import AppError
from projecthub.models import Tool
from projecthub.services import project_import
from projecthub.services.project_import import Proposal
from projecthub.services.wiring import tool_clients
from projecthub.ui.state.projects import tool_label
from projecthub.ui.state.session import Events, SessionState
from projecthub.ui.typed import event

IMPORT_FIELD = "import"
MATCHES = {"key": "Matched by key", "name": "Matched by name", "": "One tool"}


@dataclasses.dataclass(frozen=True)
class ResourceLine:
    tool: str
    name: str
    url: str


@dataclasses.dataclass(frozen=True)
class ProposalRow:
    key: str
    name: str
    matched: str
    resources: list[ResourceLine]
    members: int
    selected: bool


@dataclasses.dataclass(frozen=True)
class FailureRow:
    key: str
    name: str
    reason: str


def _row(proposal: Proposal, selected: bool) -> ProposalRow:
    return ProposalRow(proposal.key, proposal.name, MATCHES[proposal.matched_by],
                       [ResourceLine(tool_label(Tool(r.tool)), r.name, r.url)
                        for r in proposal.resources],
                       len(proposal.member_emails), selected)


class ImportState(SessionState):
    rows: rx.Field[list[ProposalRow]] = rx.field(default_factory=list)
    query: rx.Field[str] = rx.field("")
    proposal_count: rx.Field[int] = rx.field(0)
    selected_count: rx.Field[int] = rx.field(0)
    linked_count: rx.Field[int] = rx.field(0)
    problems: rx.Field[list[str]] = rx.field(default_factory=list)
    listing: rx.Field[bool] = rx.field(False)
    listed: rx.Field[bool] = rx.field(False)
    importing: rx.Field[bool] = rx.field(False)
    done: rx.Field[int] = rx.field(0)
    total: rx.Field[int] = rx.field(0)
    created: rx.Field[int] = rx.field(0)
    finished: rx.Field[bool] = rx.field(False)
    failures: rx.Field[list[FailureRow]] = rx.field(default_factory=list)
    unmatched: rx.Field[list[str]] = rx.field(default_factory=list)

    _proposals: rx.Field[list[Proposal]] = rx.field(default_factory=list)
    _selected: rx.Field[set[str]] = rx.field(default_factory=set)

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def _show(self) -> None:
        """The rows the search matches, with their selection (the browser gets no more)."""
        visible = project_import.search(self._proposals, self.query)
        self.rows = [_row(p, p.key in self._selected) for p in visible]
        self.proposal_count = len(self._proposals)
        self.selected_count = len(self._selected)

    @event
    def load(self) -> Events:
        self._proposals, self._selected = [], set()
        self.rows, self.problems, self.failures, self.unmatched = [], [], [], []
        self.query, self.listed, self.finished, self.done, self.total = "", False, False, 0, 0
        fail = self._load_page(lambda _db, _principal: None)
        if fail is not None or not self.is_org_admin or self.org_problem:
            return fail
        return ImportState.discover

    @event(background=True)
    async def discover(self) -> Events:
        """List every connection (page by page) and suggest matches; the tools are called
        with no transaction open and without holding this tab's state."""
        async with self:
            if self.listing or self.importing:
                return None
            self.listing = True
        try:
            with session_scope() as db:
                principal = self._principal(db)
                connections = project_import.import_connections(db, principal)
            listing = await project_import.list_candidates(tool_clients(principal), connections)
            with session_scope() as db:
                principal = self._principal(db)
                listing = project_import.mark_linked(db, principal, listing)
                taken = project_import.project_keys(db, principal)
        except AppError as exc:
            async with self:
                self.listing = False
                return self._fail(exc, field=IMPORT_FIELD)
        async with self:
            self.listing, self.listed = False, True
            self._proposals = project_import.suggest(listing.candidates, taken_keys=taken)
            self._selected = set()
            self.linked_count = sum(1 for c in listing.candidates if c.linked_to)
            self.problems = [f"{p.connection_name}: {p.message}" for p in listing.problems]
            self._show()
        return None

    @event
    def search(self, text: str) -> None:
        self.query = str(text)[:200]
        self._show()

    @event
    def toggle(self, key: str) -> None:
        """Select or unselect the proposal with this key (unknown keys are ignored)."""
        key = str(key)
        if key in self._selected:
            self._selected.discard(key)
        elif any(p.key == key for p in self._proposals):
            self._selected.add(key)
        self._show()

    @event
    def select_all(self) -> None:
        """Every proposal the search shows."""
        self._selected |= {p.key for p in project_import.search(self._proposals, self.query)}
        self._show()

    @event
    def select_none(self) -> None:
        self._selected = set()
        self._show()

    @event(background=True)
    async def start_import(self) -> Events:
        """Import the selection chunk by chunk, each chunk committed, progress in between."""
        async with self:
            if self.importing or not self._selected:
                return None
            chosen = [p for p in self._proposals if p.key in self._selected]
            self.importing, self.finished = True, False
            self.done, self.total, self.created = 0, len(chosen), 0
            self.failures, self.unmatched = [], []
        results: list[project_import.ChunkResult] = []
        try:
            with session_scope() as db:
                principal = self._principal(db)
                project_import.check_connections(db, principal, chosen)
            for chunk in project_import.chunks(chosen):
                results.append(await asyncio.to_thread(
                    project_import.import_committed, new_session, principal, chunk))
                async with self:
                    self.done += len(chunk)
                    self.created = sum(len(r.created) for r in results)
        except AppError as exc:
            async with self:
                self.importing = False
                return self._fail(exc, field=IMPORT_FIELD)
        report = project_import.merge(len(chosen), results)
        async with self:
            failed = {f.key for f in report.failures}
            imported = {p.key for p in chosen} - failed
            self._proposals = [p for p in self._proposals if p.key not in imported]
            self._selected -= imported
            self.linked_count += sum(len(p.resources) for p in chosen if p.key in imported)
            self.failures = [FailureRow(f.key, f.name, f.reason) for f in report.failures]
            self.unmatched = list(report.unmatched_emails)
            self.importing, self.finished = False, True
            self._show()
        return rx.toast.success(f"{report.created} projects imported.")

