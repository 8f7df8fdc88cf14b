"""In-memory Productive organization: the records the sandbox serves, and how tests add them.

Every tenant is one organization with what a real one always has: its own company, a subsidiary,
the person the API token belongs to, a default workflow and a text custom field on projects for
provisioning markers. Ids are numeric strings from one counter, as unique as Productive's.
Every create, update and delete of a record the status figures come from goes through
``_put``, ``changed`` or ``delete``, which add its entry to the activity feed
(``productive_activities``), dated by ``clock``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Protocol, TypeVar

from projecthub.sandbox.productive_activities import Activity, describe, name_of
from projecthub.sandbox.webhooks import Hook

ORGANIZATION_ID = "1000"
OWNER_EMAIL = "demo@projecthub.example"
MARKER_FIELD_NAME = "ProjectHub ID"
NOT_STARTED, STARTED, CLOSED = 1, 2, 3
DEFAULT_STATUSES = (("To do", NOT_STARTED), ("In progress", STARTED), ("Review", STARTED),
                    ("Done", CLOSED))


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Organization:
    KIND: ClassVar[str] = "organizations"
    id: str
    name: str
    currency: str = "EUR"
    time_zone: str = "Europe/Zagreb"
    company_id: str | None = None


@dataclass
class Company:
    KIND: ClassVar[str] = "companies"
    id: str
    name: str
    created_at: datetime
    default_currency: str | None = None
    company_code: str | None = None
    domain: str | None = None
    archived_at: datetime | None = None


@dataclass
class Subsidiary:
    KIND: ClassVar[str] = "subsidiaries"
    id: str
    name: str


@dataclass
class Person:
    KIND: ClassVar[str] = "people"
    id: str
    first_name: str
    last_name: str
    email: str | None
    company_id: str
    created_at: datetime
    title: str | None = None
    is_user: bool = True
    archived_at: datetime | None = None
    deactivated_at: datetime | None = None


@dataclass
class OrganizationMembership:
    KIND: ClassVar[str] = "organization_memberships"
    id: str
    person_id: str
    organization_id: str
    updated_at: datetime


@dataclass
class WorkflowStatus:
    KIND: ClassVar[str] = "workflow_statuses"
    id: str
    name: str
    position: int
    category_id: int
    workflow_id: str


@dataclass
class Workflow:
    KIND: ClassVar[str] = "workflows"
    id: str
    name: str
    status_ids: list[str] = field(default_factory=list)
    archived_at: datetime | None = None


@dataclass
class CustomField:
    KIND: ClassVar[str] = "custom_fields"
    id: str
    name: str
    customizable_type: str
    data_type_id: int = 1
    position: int = 1


@dataclass
class Project:
    KIND: ClassVar[str] = "projects"
    id: str
    name: str
    number: str
    project_type_id: int
    company_id: str
    project_manager_id: str
    workflow_id: str
    created_at: datetime
    custom_fields: dict[str, Any] | None = None
    project_color_id: int | None = None
    archived_at: datetime | None = None


@dataclass
class Membership:
    KIND: ClassVar[str] = "memberships"
    id: str
    person_id: str
    project_id: str
    created_at: datetime
    type_id: int = 1
    access_type_id: int = 5


@dataclass
class Deal:
    """A sales deal or, with ``budget`` set, a budget; money in cents, time in minutes."""

    KIND: ClassVar[str] = "deals"
    id: str
    name: str
    number: str
    company_id: str
    responsible_id: str
    subsidiary_id: str
    deal_type_id: int
    budget: bool
    currency: str
    date: date
    created_at: datetime
    project_id: str | None = None
    end_date: dt.date | None = None  # ``date`` is a field name here
    budget_total: int = 0
    budget_used: int = 0
    budgeted_time: int = 0
    worked_time: int = 0
    closed_at: datetime | None = None


@dataclass
class ServiceType:
    """A kind of work (Design, Development); every service on a budget names one."""

    KIND: ClassVar[str] = "service_types"
    id: str
    name: str
    archived_at: datetime | None = None


@dataclass
class Section:
    KIND: ClassVar[str] = "sections"
    id: str
    name: str
    position: int
    deal_id: str


@dataclass
class Service:
    """A line on a budget: ``price`` (cents per unit) times ``quantity`` is its total."""

    KIND: ClassVar[str] = "services"
    id: str
    name: str
    position: int
    billable: bool
    billing_type_id: int
    unit_id: int
    quantity: float
    price: int
    deal_id: str
    section_id: str
    service_type_id: str
    worked_time: int = 0
    budget_used: int = 0

    @property
    def budget_total(self) -> int:
        return round(self.price * self.quantity)

    @property
    def budgeted_time(self) -> int:
        """Minutes sold: hours (unit 1) or days of 8 hours (unit 3); pieces carry no time."""
        per_unit = {1: 60, 3: 480}.get(self.unit_id, 0)
        return round(self.quantity * per_unit)


@dataclass
class TimeEntry:
    """Approved time on a service; kept only so the activity feed can name it (not served)."""

    KIND: ClassVar[str] = "time_entries"
    id: str
    service_id: str
    deal_id: str
    time: int
    date: date


@dataclass
class Task:
    KIND: ClassVar[str] = "tasks"
    id: str
    title: str
    number: str
    project_id: str
    workflow_status_id: str
    created_at: datetime
    closed_at: datetime | None = None


class _Row(Protocol):
    KIND: ClassVar[str]
    id: str


R = TypeVar("R", bound=_Row)
# Kinds whose writes the activity feed records: what a project's status figures come from.
TRACKED = frozenset({"projects", "memberships", "tasks", "deals", "sections", "services",
                     "time_entries"})


class ProductiveState:
    """One organization's records, by JSON:API type and id."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.tables: dict[str, dict[str, Any]] = {}
        self.hooks: dict[int, Hook] = {}  # webhooks (sandbox-only; see productive_webhooks)
        self._ids: Iterator[int] = itertools.count(100_001)
        self._numbers: dict[str, Iterator[int]] = {}
        # When activities happen; a test or a benchmark's seed sets its own clock.
        self.clock: Callable[[], datetime] = now
        self.organization = self._put(Organization(ORGANIZATION_ID, "ProjectHub Sandbox"))
        own = self.add_company(self.organization.name)
        self.organization.company_id = own.id
        self.subsidiary = self._put(Subsidiary(self.next_id(), f"{own.name} Ltd"))
        self.owner = self.add_person("Dana", "Demo", OWNER_EMAIL, title="Operations lead")
        self._put(OrganizationMembership(self.next_id(), self.owner.id, ORGANIZATION_ID, now()))
        self.default_workflow = self.add_workflow("Default workflow")
        self.marker_field = self._put(CustomField(self.next_id(), MARKER_FIELD_NAME, "projects"))
        self.add_service_type("General")
        # Resource kinds the token's person may not read or write (their permission set): 403.
        self.forbidden: set[str] = set()

    def table(self, kind: str) -> dict[str, Any]:
        return self.tables.setdefault(kind, {})

    def get(self, kind: str, ident: str) -> Any | None:
        return self.table(kind).get(ident)

    def add_company(self, name: str, **extra: Any) -> Company:
        return self._put(Company(self.next_id(), name, now(), **extra))

    def add_person(self, first_name: str, last_name: str, email: str | None, *,
                   company_id: str | None = None, **extra: Any) -> Person:
        company = company_id or self.organization.company_id or ""
        return self._put(Person(self.next_id(), first_name, last_name, email, company, now(),
                                **extra))

    def add_workflow(self, name: str,
                     statuses: tuple[tuple[str, int], ...] = DEFAULT_STATUSES) -> Workflow:
        workflow = self._put(Workflow(self.next_id(), name))
        for position, (status, category) in enumerate(statuses, start=1):
            row = self._put(WorkflowStatus(self.next_id(), status, position, category, workflow.id))
            workflow.status_ids.append(row.id)
        return workflow

    def add_project(self, name: str, *, company_id: str | None = None,
                    project_manager_id: str | None = None, workflow_id: str | None = None,
                    project_type_id: int = 2, **extra: Any) -> Project:
        return self._put(Project(
            self.next_id(), name, self.next_number("projects"), project_type_id,
            company_id or self.organization.company_id or "", project_manager_id or self.owner.id,
            workflow_id or self.default_workflow.id, now(), **extra))

    def add_membership(self, project_id: str, person_id: str, **extra: Any) -> Membership:
        return self._put(Membership(self.next_id(), person_id, project_id, now(), **extra))

    def add_deal(self, name: str, *, company_id: str, responsible_id: str | None = None,
                 budget: bool = True, deal_type_id: int = 2, currency: str | None = None,
                 subsidiary_id: str | None = None, start: date | None = None,
                 **extra: Any) -> Deal:
        return self._put(Deal(
            self.next_id(), name, self.next_number("deals"), company_id,
            responsible_id or self.owner.id, subsidiary_id or self.subsidiary.id, deal_type_id,
            budget, currency or self.organization.currency, start or now().date(), now(),
            **extra))

    def add_service_type(self, name: str, **extra: Any) -> ServiceType:
        return self._put(ServiceType(self.next_id(), name, **extra))

    def add_section(self, deal_id: str, name: str, position: int = 1) -> Section:
        return self._put(Section(self.next_id(), name, position, deal_id))

    def add_service(self, section: Section, name: str, *, service_type_id: str,
                    billing_type_id: int, unit_id: int, quantity: float, price: int,
                    billable: bool, position: int = 1) -> Service:
        """A service, and its budget's totals recomputed as Productive does (from services)."""
        service = self._put(Service(self.next_id(), name, position, billable, billing_type_id,
                                    unit_id, quantity, price, section.deal_id, section.id,
                                    service_type_id))
        self.recompute(section.deal_id)
        return service

    def track_time(self, service_id: str, minutes: int) -> TimeEntry:
        """Approved time on a service: it uses the budget at the service's hourly price."""
        service: Service = self.table("services")[service_id]
        service.worked_time += minutes
        if service.unit_id == 1:
            service.budget_used += round(service.price * minutes / 60)
        self.recompute(service.deal_id)
        return self._put(TimeEntry(self.next_number("time_entries"), service.id,
                                   service.deal_id, minutes, self.clock().date()))

    def recompute(self, deal_id: str) -> None:
        deal: Deal = self.table("deals")[deal_id]
        services = [s for s in self.table("services").values() if s.deal_id == deal_id]
        deal.budget_total = sum(s.budget_total for s in services)
        deal.budgeted_time = sum(s.budgeted_time for s in services)
        deal.budget_used = sum(s.budget_used for s in services)
        deal.worked_time = sum(s.worked_time for s in services)

    def add_task(self, project_id: str, title: str, *, category: int = NOT_STARTED) -> Task:
        """A task in the first status of ``category`` in its project's workflow."""
        status = self._status_of(project_id, category)
        closed = now() if category == CLOSED else None
        return self._put(Task(self.next_id(), title, self.next_number(f"tasks:{project_id}"),
                              project_id, status.id, now(), closed))

    def move_task(self, task: Task, category: int) -> None:
        """A status change: the task moves to the first status of ``category``."""
        before = task.workflow_status_id
        task.workflow_status_id = self._status_of(task.project_id, category).id
        task.closed_at = (task.closed_at or now()) if category == CLOSED else None
        self.changed(task, {"workflow_status_id": [before, task.workflow_status_id]})

    def delete(self, record: Any) -> None:
        """Remove a record (a task, a membership), leaving its trace in the activity feed."""
        del self.table(record.KIND)[record.id]
        if record.KIND in TRACKED:
            self._record("delete", record, {})

    def changed(self, record: Any, changeset: dict[str, list[Any]]) -> None:
        """Record an update that the caller made to ``record`` (attribute → [before, after])."""
        if changeset and record.KIND in TRACKED:
            self._record("update", record, changeset)

    def task_category(self, task: Task) -> int:
        status: WorkflowStatus = self.table("workflow_statuses")[task.workflow_status_id]
        return status.category_id

    def next_id(self) -> str:
        return str(next(self._ids))

    def next_number(self, series: str) -> str:
        """Human-facing numbers (project 633, deal 1) count per series, from 1."""
        return str(next(self._numbers.setdefault(series, itertools.count(1))))

    def _status_of(self, project_id: str, category: int) -> WorkflowStatus:
        project: Project = self.table("projects")[project_id]
        statuses: list[WorkflowStatus] = [
            self.table("workflow_statuses")[s]
            for s in self.table("workflows")[project.workflow_id].status_ids]
        return next(s for s in statuses if s.category_id == category)

    def _put(self, record: R) -> R:
        self.table(record.KIND)[record.id] = record
        if record.KIND in TRACKED:
            name = name_of(record)
            self._record("create", record, {"name": [None, name]} if name else {})
        return record

    def _record(self, event: str, record: Any, changeset: dict[str, list[Any]]) -> None:
        item, parent, root, about, budget = describe(record, self.tables)
        activity = Activity(self.next_number("activities"), event, changeset, self.clock(),
                            item, parent, root, about, budget)
        self.table(Activity.KIND)[activity.id] = activity


__all__ = [
    "CLOSED",
    "MARKER_FIELD_NAME",
    "NOT_STARTED",
    "ORGANIZATION_ID",
    "OWNER_EMAIL",
    "STARTED",
    "Company",
    "CustomField",
    "Deal",
    "Membership",
    "Organization",
    "OrganizationMembership",
    "Person",
    "ProductiveState",
    "Project",
    "Section",
    "Service",
    "ServiceType",
    "Subsidiary",
    "Task",
    "TimeEntry",
    "Workflow",
    "WorkflowStatus",
]
