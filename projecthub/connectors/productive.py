"""Productive.io (API v2, JSON:API) with an API token and an organization id.

Only the calls ProjectHub needs: who the token acts as, find people, companies, workflows,
subsidiaries and service types, create a company, find or create a project, add members, create
or find its budget with the section and service that give it its amount, and read its status
(budget figures, task counts). Productive sends no rate-limit headers, so the client keeps
itself under the published limits (100 requests per 10 s, 4000 per 30 min, per connection).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, timedelta
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from projecthub.connectors.base import Connector, ConnectorClient, JsonResponse, VendorError, all_of
from projecthub.connectors.clock import Clock
from projecthub.connectors.errors import AuthFailed, Invalid, NotFound
from projecthub.connectors.pagination import Params, iter_page_number
from projecthub.connectors.productive_models import (
    Activity,
    BillingType,
    Budget,
    Company,
    CustomField,
    DealType,
    Identity,
    Membership,
    OrganizationMembership,
    Person,
    Project,
    ProjectType,
    Section,
    Service,
    ServiceType,
    Subsidiary,
    TaskCounts,
    Unit,
    Workflow,
)
from projecthub.connectors.ratelimit import Window
from projecthub.connectors.retry import RetryPolicy
from projecthub.connectors.throttle_store import ThrottleStore

TOOL = "productive"
BASE_URL = "https://api.productive.io"
API = "/api/v2"
JSON_API = "application/vnd.api+json"
DEFAULT_LIMITS = (Window(100, 10), Window(4000, 1800))
# A 429 comes without Retry-After and the short window is 10 s: spread retries across it.
DEFAULT_RETRY = RetryPolicy(base_delay=2.5)
PERSON_MEMBERSHIP = 1  # membership type_id: one person (2 is a dynamic group, 3 a team)
MEMBER_ACCESS = 5  # access_type_id "member", the only access level a project membership takes
BUDGET_STAGE = 2  # deals' stage_type, filtered as ``filter[type]``: 1 sales deal, 2 budget
STATUS_CATEGORIES = {"not_started": 1, "started": 2, "closed": 3}
_ID = re.compile(r"^[0-9]{1,18}$")
M = TypeVar("M", bound=BaseModel)


def parse_productive_error(_status: int, body: Any) -> VendorError:
    """JSON:API ``errors[]``; entries with a ``source.pointer`` become field errors."""
    if isinstance(body, str):
        return VendorError(body.splitlines()[0])
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return VendorError("")
    messages: list[str] = []
    fields: dict[str, str] = {}
    for error in (e for e in errors if isinstance(e, dict)):
        detail = str(error.get("detail") or error.get("title") or "")
        pointer = (error.get("source") or {}).get("pointer")
        if isinstance(pointer, str) and pointer:
            name = pointer.rstrip("/").rsplit("/", 1)[-1]
            fields[name] = detail
            detail = f"{name} {detail}"
        messages.append(detail)
    codes = [str(e["code"]) for e in errors if isinstance(e, dict) and e.get("code")]
    return VendorError("; ".join(dict.fromkeys(m for m in messages if m)), fields,
                       codes[0] if codes else None)


class ProductiveConnector(Connector):
    """One Productive organization as seen by one API token; use as an async context manager.

    ``base_url`` is the API host (``/api/v2`` is added). ``marker_field_id`` names a text custom
    field on projects where provisioning writes its own marker, so a retried run can tell its
    project from a namesake (project names are not unique).
    """

    def __init__(
        self,
        *,
        api_token: str,
        organization_id: str,
        base_url: str = BASE_URL,
        marker_field_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: tuple[Window, ...] = DEFAULT_LIMITS,
        page_size: int = 200,
        share_key: str | None = None,
        throttle_store: ThrottleStore | None = None,
    ) -> None:
        self.organization_id = _id(organization_id)
        self.marker_field_id = None if marker_field_id is None else _id(marker_field_id)
        self._page_size = page_size
        self._client = ConnectorClient(
            tool=TOOL, base_url=base_url.rstrip("/") + API, error_parser=parse_productive_error,
            request_id_headers=("x-request-id",), secrets=(api_token,),
            headers={"X-Auth-Token": api_token, "X-Organization-Id": self.organization_id,
                     "Accept": JSON_API},
            transport=transport, clock=clock, retry=retry or DEFAULT_RETRY, rate_limits=rate_limits,
            max_concurrency=4, share_key=share_key,
            throttle_store=throttle_store,
        )

    async def current_identity(self) -> Identity:
        """The person the token acts as in this organization; the cheapest proof it works."""
        memberships = self._iter("organization_memberships", OrganizationMembership,
                                 {"include": "person,organization"})
        async for membership in memberships:
            if membership.organization_id == self.organization_id and membership.person_id:
                person = await self._get(f"people/{_id(membership.person_id)}", Person)
                return Identity(organization_id=self.organization_id, person=person)
        raise AuthFailed(TOOL, None, None, "the token has no membership in this organization")

    async def find_people_by_email(self, email: str) -> list[Person]:
        """People whose email is exactly ``email`` (ignoring case), active ones first."""
        wanted = email.strip()
        people = [p async for p in self._iter("people", Person, {"filter[email]": wanted})
                  if _same(p.email or "", wanted)]
        return sorted(people, key=lambda p: not p.active)

    def iter_companies(self, *, name: str | None = None) -> AsyncIterator[Company]:
        """Companies, optionally narrowed by Productive's name filter (a match, not equality)."""
        return self._iter("companies", Company, {"filter[name]": name} if name else {})

    async def find_company_by_name(self, name: str) -> Company | None:
        """The company called exactly ``name`` (ignoring case), preferring an active one."""
        matches = [c async for c in self.iter_companies(name=name.strip())
                   if _same(c.name, name)]
        return min(matches, key=lambda c: c.archived, default=None)

    async def create_company(self, name: str) -> Company:
        """Create a client company. Names are not unique, so a retried step looks the name up
        with ``find_company_by_name`` first; never retried here."""
        return await self._create("companies", Company, {"name": name.strip()}, {})

    def iter_service_types(self) -> AsyncIterator[ServiceType]:
        """Active service types, by name (Productive's default order)."""
        return self._iter("service_types", ServiceType, {"filter[status]": 1})

    def iter_workflows(self) -> AsyncIterator[Workflow]:
        return self._iter("workflows", Workflow, {})

    def iter_subsidiaries(self) -> AsyncIterator[Subsidiary]:
        return self._iter("subsidiaries", Subsidiary, {})

    def iter_project_custom_fields(self) -> AsyncIterator[CustomField]:
        """Custom fields on projects: where to find the field that holds our marker."""
        return self._iter("custom_fields", CustomField, {"filter[customizable_type]": "projects"})

    async def get_person(self, person_id: str) -> Person:
        return await self._get(f"people/{_id(person_id)}", Person)

    async def get_project(self, project_id: str) -> Project:
        return await self._get(f"projects/{_id(project_id)}", Project,
                               {"include": "company,project_manager,workflow"})

    def iter_projects(self, *, query: str | None = None) -> AsyncIterator[Project]:
        """Projects, oldest first, active and archived; ``query`` is Productive's text search."""
        params: Params = {"sort": "created_at", "include": "company,project_manager,workflow"}
        if query:
            params["filter[query]"] = query
        return self._iter("projects", Project, params)

    async def find_project_by_name(self, name: str, *, marker: str | None = None) -> Project | None:
        """The oldest project called exactly ``name``; with ``marker``, only one carrying it.

        This is how a provisioning step adopts what an earlier, interrupted run created.
        """
        field = self._marker_field() if marker is not None else None
        async for project in self.iter_projects(query=name.strip()):
            if not _same(project.name, name):
                continue
            if field is None or project.custom_fields.get(field) == marker:
                return project
        return None

    async def create_project(
        self, *, name: str, project_type: ProjectType, company_id: str, workflow_id: str,
        project_manager_id: str, marker: str | None = None,
    ) -> Project:
        """Create a project. Productive accepts a second project of the same name, so a retried
        step must call ``find_project_by_name`` with its marker first; never retried here."""
        attributes: dict[str, Any] = {"name": name, "project_type_id": int(project_type)}
        if marker is not None:
            attributes["custom_fields"] = {self._marker_field(): marker}
        relationships = {"company": _ref("companies", company_id),
                         "project_manager": _ref("people", project_manager_id),
                         "workflow": _ref("workflows", workflow_id)}
        return await self._create("projects", Project, attributes, relationships)

    async def archive_project(self, project_id: str) -> Project:
        """Archive the project (custom action ``PATCH /projects/{id}/archive``). Idempotent:
        the project is read first and an archived one is left alone."""
        project = await self.get_project(project_id)
        if project.archived:
            return project
        return await self._project_action(project_id, "archive")

    async def restore_project(self, project_id: str) -> Project:
        """Restore (unarchive) the project (``PATCH /projects/{id}/restore``); an active one
        is left alone."""
        project = await self.get_project(project_id)
        if not project.archived:
            return project
        return await self._project_action(project_id, "restore")

    async def _project_action(self, project_id: str, action: str) -> Project:
        response = await self._client.request(
            "PATCH", f"/projects/{_id(project_id)}/{action}", headers={"Content-Type": JSON_API})
        return response.model(Project, _data(response))

    async def add_project_member(self, project_id: str, person_id: str) -> Membership:
        """Make a person a member of a project; an existing membership is returned as is."""
        existing = await self._project_membership(project_id, person_id)
        if existing is not None:
            return existing
        attributes = {"type_id": PERSON_MEMBERSHIP, "access_type_id": MEMBER_ACCESS}
        relationships = {"person": _ref("people", person_id),
                         "project": _ref("projects", project_id)}
        try:
            return await self._create("memberships", Membership, attributes, relationships)
        except Invalid as exc:
            # Lost a race with another writer: the membership exists now, which is the goal.
            if not any("taken" in m for m in exc.field_errors.values()):
                raise
            found = await self._project_membership(project_id, person_id)
            if found is None:
                raise
            return found

    async def update_project(self, project_id: str, *, name: str | None = None,
                             project_manager_id: str | None = None) -> Project:
        """``PATCH /projects/{id}`` with what differs (name, project manager), which Productive
        accepts on an archived project too; a project that matches already is left alone."""
        project = await self.get_project(project_id)
        attributes: dict[str, Any] = {}
        relationships: dict[str, Any] = {}
        if name is not None and project.name != name:
            attributes["name"] = name
        if project_manager_id is not None and project.project_manager_id != project_manager_id:
            relationships["project_manager"] = _ref("people", project_manager_id)
        if not attributes and not relationships:
            return project
        body = {"data": {"type": "projects", "id": _id(project_id), "attributes": attributes,
                         "relationships": relationships}}
        response = await self._client.request("PATCH", f"/projects/{_id(project_id)}",
                                              json_body=body, headers={"Content-Type": JSON_API})
        return response.model(Project, _data(response))

    async def remove_project_member(self, project_id: str, person_id: str) -> bool:
        """End a person's membership of a project; False when there was none."""
        membership = await self._project_membership(project_id, person_id)
        if membership is None:
            return False
        try:
            await self._client.request("DELETE", f"/memberships/{_id(membership.id)}")
        except NotFound:
            return False  # removed meanwhile: the goal
        return True

    def iter_project_memberships(self, project_id: str) -> AsyncIterator[Membership]:
        """Who is a member of a project (person memberships, with their person ids)."""
        return self._iter("memberships", Membership, {"filter[project_id]": _id(project_id),
                                                      "include": "person"})

    def iter_project_budgets(self, project_id: str) -> AsyncIterator[Budget]:
        return self._iter("deals", Budget, {"filter[project_id]": _id(project_id),
                                            "filter[type]": BUDGET_STAGE})

    async def find_budget(self, project_id: str, name: str) -> Budget | None:
        return await anext((b async for b in self.iter_project_budgets(project_id)
                            if _same(b.name, name)), None)

    async def create_budget(
        self, *, name: str, project_id: str, company_id: str, responsible_id: str,
        subsidiary_id: str, deal_type: DealType = DealType.CLIENT, currency: str | None = None,
        start: date | None = None, end: date | None = None,
    ) -> Budget:
        """Create a budget on a project. Its total comes from the services added to it
        (``budget_total`` is read-only); like projects, budget names are not unique."""
        attributes: dict[str, Any] = {"name": name, "deal_type_id": int(deal_type), "budget": True}
        if currency:
            attributes["currency"] = currency
        if start:
            attributes["date"] = start.isoformat()
        if end:
            attributes["end_date"] = end.isoformat()
        relationships = {"project": _ref("projects", project_id),
                         "company": _ref("companies", company_id),
                         "responsible": _ref("people", responsible_id),
                         "subsidiary": _ref("subsidiaries", subsidiary_id)}
        return await self._create("deals", Budget, attributes, relationships)

    async def get_budget(self, budget_id: str) -> Budget:
        return await self._get(f"deals/{_id(budget_id)}", Budget)

    async def rename_budget(self, budget_id: str, name: str) -> Budget:
        """``PATCH /deals/{id}`` with the new name; a budget named so already is left alone."""
        budget = await self.get_budget(budget_id)
        if budget.name == name:
            return budget
        body = {"data": {"type": "deals", "id": _id(budget_id), "attributes": {"name": name}}}
        response = await self._client.request("PATCH", f"/deals/{_id(budget_id)}",
                                              json_body=body, headers={"Content-Type": JSON_API})
        return response.model(Budget, _data(response))

    async def create_section(self, budget_id: str, name: str, *, position: int = 1) -> Section:
        """Services belong to a section of their budget (every budget has at least one)."""
        return await self._create("sections", Section, {"name": name, "position": position},
                                  {"deal": _ref("deals", budget_id)})

    def iter_budget_sections(self, budget_id: str) -> AsyncIterator[Section]:
        return self._iter("sections", Section, {"filter[deal_id]": _id(budget_id)})

    def iter_budget_services(self, budget_id: str) -> AsyncIterator[Service]:
        return self._iter("services", Service, {"filter[deal_id]": _id(budget_id)})

    async def create_service(
        self, *, budget_id: str, section_id: str, service_type_id: str, name: str,
        billing_type: BillingType, unit: Unit, quantity: float, price_cents: int,
        position: int = 1,
    ) -> Service:
        """Add a line to a budget: ``price_cents`` per unit times ``quantity`` becomes its share
        of the budget's total. Non-billable services (billing type none) are not billable."""
        attributes = {"name": name, "position": position,
                      "billable": billing_type != BillingType.NONE,
                      "billing_type_id": int(billing_type), "unit_id": int(unit),
                      "quantity": quantity, "price": price_cents}
        relationships = {"deal": _ref("deals", budget_id),
                         "section": _ref("sections", section_id),
                         "service_type": _ref("service_types", service_type_id)}
        return await self._create("services", Service, attributes, relationships)

    async def task_counts(self, project_id: str) -> TaskCounts:
        """Tasks per status category, from three one-item pages' ``meta.total_count``."""
        project = _id(project_id)
        counts = await all_of(*(self._count("tasks", {
            "filter[project_id]": project, "filter[workflow_status_category_id]": category,
        }) for category in STATUS_CATEGORIES.values()))
        return TaskCounts(**dict(zip(STATUS_CATEGORIES, counts, strict=True)))

    async def changed_project_ids(self, project_ids: Iterable[str], *, minutes: int) -> set[str]:
        """Which of ``project_ids`` have figures that may differ from ``minutes`` ago: one
        paged read of the activity feed since then, whose roots name a project (its tasks,
        memberships, the project itself) or a budget (its lines, time tracked on it); each
        budget named is then read once for its project. The schema gives deals no ``id``
        filter, and the real API is reported to ignore unknown filters rather than refuse them,
        so budgets are read one by one (``GET /deals/{id}``), only those the feed names.
        A budget deleted since leaves its project unnamed (it no longer says which project
        it was on), and one moved names only its new project; the full pass reads those. Sales
        deals (not budgets) are not in the figures and are not looked up. The window's start
        is our clock's, so the caller's overlap covers skew."""
        wanted = {_id(p) for p in project_ids}
        if not wanted:
            return set()
        after = self._client.clock.now().astimezone(UTC) - timedelta(minutes=max(int(minutes), 1))
        projects: set[str] = set()
        budgets: set[str] = set()
        feed = self._iter("activities", Activity,
                          {"filter[after]": after.isoformat(timespec="seconds")})
        async for activity in feed:
            if activity.root_id is None:
                continue
            if activity.root_type == "Project":
                projects.add(activity.root_id)
            elif activity.root_type == "Deal" and activity.deal_is_budget is not False:
                budgets.add(activity.root_id)
        owners = await all_of(*(self._budget_project(b) for b in sorted(budgets)))
        return (projects | {p for p in owners if p}) & wanted

    async def _budget_project(self, budget_id: str) -> str | None:
        """The project a budget is on; ``None`` for a deleted one or one on no project."""
        try:
            budget = await self._get(f"deals/{_id(budget_id)}", Budget, {"include": "project"})
        except NotFound:
            return None
        return budget.project_id

    def _iter(self, path: str, model: type[M], params: Params) -> AsyncIterator[M]:
        return iter_page_number(self._client, f"/{path}", model, params=params,
                                page_size=self._page_size)

    async def _get(self, path: str, model: type[M], params: Params | None = None) -> M:
        response = await self._client.request("GET", f"/{path}", params=params)
        return response.model(model, _data(response))

    async def _count(self, path: str, params: Params) -> int:
        response = await self._client.request(
            "GET", f"/{path}", params={**params, "page[number]": 1, "page[size]": 1})
        return int(((response.body or {}).get("meta") or {}).get("total_count", 0))

    async def _create(self, kind: str, model: type[M], attributes: dict[str, Any],
                      relationships: dict[str, Any]) -> M:
        body = {"data": {"type": kind, "attributes": attributes, "relationships": relationships}}
        response = await self._client.request("POST", f"/{kind}", json_body=body,
                                              headers={"Content-Type": JSON_API})
        return response.model(model, _data(response))

    async def _project_membership(self, project_id: str, person_id: str) -> Membership | None:
        params: Params = {"filter[project_id]": _id(project_id),
                          "filter[person_id]": _id(person_id)}
        return await anext(aiter(self._iter("memberships", Membership, params)), None)

    def _marker_field(self) -> str:
        if self.marker_field_id is None:
            raise ValueError("a project marker needs marker_field_id (a project custom field)")
        return self.marker_field_id


def _data(response: JsonResponse) -> Any:
    """The primary resource of a single-resource document (``None`` makes validation fail)."""
    return (response.body or {}).get("data") if isinstance(response.body, dict) else None


def _ref(kind: str, ident: str) -> dict[str, dict[str, str]]:
    return {"data": {"type": kind, "id": _id(ident)}}


def _id(ident: str) -> str:
    """Refuse anything but a numeric id before it reaches a URL path or a request body."""
    if not _ID.fullmatch(str(ident)):
        raise ValueError(f"not a Productive id: {ident!r}")
    return str(ident)


def _same(left: str, right: str) -> bool:
    return left.strip().casefold() == right.strip().casefold()


__all__ = ["BASE_URL", "DEFAULT_LIMITS", "DEFAULT_RETRY", "ProductiveConnector",
           "parse_productive_error"]
