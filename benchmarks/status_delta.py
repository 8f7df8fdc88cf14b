"""The status sync's delta scenario (issue 13, goal 2): N projects in Jira, read in full once,
then 5 % of them change and one change cycle reads again only those.

Printed: Jira requests of the full pass and of the change cycle (goal: at least 10 times
fewer), and the cycle's wall time against the same figures fetched with ``jira`` (pycontribs)
and ``atlassian-python-api`` in the same run (goal: at least 10 times faster). The figures
are the Jira card's: issues per status category, open issues past due, and the active sprint
with its issues per category; the libraries read them as their docs show, one call after
another (approximate counts, the project's boards, the board's active sprint). After the cycle,
what the database holds must equal what each library read, project for project.

``--delta-tools jira confluence productive graph`` adds the projects' Confluence spaces (a
new page in each changed one), Productive projects (a new line on the budget of every other
changed one, a new name on the rest; after the cycle every project's Productive figures must
equal a full read made then) and Graph's team and Planner plan (the changed projects' teams
renamed): teams are read again only when Graph's group delta names them, plans at every sync (no
delta query in v1.0). A connection has no delta link until a change cycle takes one, and that
first cycle reads every team, so with Graph one cycle runs (and is counted) before the changes.
The libraries read Jira only (without Jira in the run they are skipped). Run through
``python -m benchmarks.status_sync --scenario delta``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import httpx
from atlassian import Jira as AtlassianJira
from jira import JIRA
from sqlmodel import Session, col, select

from benchmarks.common import engine_for, fresh_database, print_table
from benchmarks.served import Served, serve
from benchmarks.world import TENANT, connect_tools, make_org
from projecthub.connectors.jira import STATUS_CATEGORIES
from projecthub.connectors.productive import ProductiveConnector
from projecthub.core.clock import utcnow
from projecthub.models import JiraSummary, Project, ProjectResource, StatusSnapshot
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.sandbox.productive_state import ORGANIZATION_ID
from projecthub.services.principal import Principal
from projecthub.services.status.changes import sync_changes
from projecthub.services.status.summaries import productive_project
from projecthub.services.status.sync import SyncConfig
from projecthub.services.tool_clients import ToolClients

GOAL = 10.0
TOKEN = f"sandbox-{TENANT}"
CHANGED_EVERY = 20  # 5 % of the projects change between the two cycles
PRODUCTIVE_HEADERS = {"X-Auth-Token": TOKEN, "X-Organization-Id": ORGANIZATION_ID,
                      "Content-Type": "application/vnd.api+json"}
# key -> (to do, in progress, done, overdue, sprint name, sprint to do, in progress, done)
Figures = dict[str, tuple[Any, ...]]


@dataclass(frozen=True)
class DeltaOutcome:
    n: int
    full_requests: dict[str, int]  # per tool
    full_wall: float
    delta_requests: dict[str, int]
    delta_wall: float
    changed: int
    libraries: dict[str, tuple[int, float]]  # name -> (requests, wall)
    first_cycle: tuple[dict[str, int], float] | None = None  # took Graph's delta link: (per
    # tool, wall)
    team_requests: dict[str, int] | None = None  # Graph's team requests per phase


def change_projects(served: Served, keys: list[str], tools: tuple[str, ...]) -> list[str]:
    """In every 20th project, through the tools' own REST APIs: one new issue (Jira), a new
    page in its space (Confluence), and in Productive a new line on its budget (every other
    one: a change under the budget, which the cycle maps to its project) or a new name."""
    changed = keys[::CHANGED_EVERY]
    items = {item["key"]: item for item in served.manifest}
    with httpx.Client(base_url=served.url("jira"), auth=(SANDBOX_EMAIL, TOKEN)) as client, \
            httpx.Client(base_url=served.url("confluence"), auth=(SANDBOX_EMAIL, TOKEN)) as wiki, \
            httpx.Client(base_url=served.url("productive") + "/api/v2",
                         headers=PRODUCTIVE_HEADERS) as prod:
        for n, key in enumerate(changed):
            if "jira" in tools:
                client.post("/rest/api/3/issue", json={"fields": {
                    "project": {"key": key}, "summary": "Changed since the last cycle",
                    "issuetype": {"name": "Task"}}}).raise_for_status()
            if "confluence" in tools:
                wiki.post("/wiki/api/v2/pages", json={
                    "spaceId": items[key]["space_id"], "status": "current", "title": "Changed",
                    "body": {"representation": "storage", "value": "<p>new</p>"},
                }).raise_for_status()
            if "productive" in tools:
                _change_productive(prod, items[key], budget=n % 2 == 0)
    return changed


async def rename_teams(clients: ToolClients, connection_id: str, team_ids: list[str]) -> None:
    """Rename the changed projects' teams through Graph (``PATCH /teams/{id}``)."""
    async with clients.graph(uuid.UUID(connection_id)) as graph:
        for team_id in team_ids:
            await graph.rename_team(team_id, "Changed since the last cycle")


def team_requests(served: Served) -> int:
    """Graph requests about teams: team reads (and the full pass's member reads for drift)
    and the group delta; not Planner's."""
    return sum(count for endpoint, count in served.stats()["endpoints"].items()
               if endpoint.startswith(("graph GET /sandbox/graph/v1.0/teams/",
                                       "graph GET /sandbox/graph/v1.0/groups/delta")))


def _change_productive(prod: httpx.Client, item: dict[str, Any], *, budget: bool) -> None:
    project = item["productive_id"]
    if not budget:
        prod.patch(f"/projects/{project}", json={"data": {
            "type": "projects", "id": project,
            "attributes": {"name": f"{item['name']} (renamed)"}}}).raise_for_status()
        return
    deal, section, service_type = item["productive_budget"]
    prod.post("/services", json={"data": {"type": "services", "attributes": {
        "name": "Change request", "position": 2, "billable": True, "billing_type_id": 2,
        "unit_id": 1, "quantity": 10, "price": 12_000}, "relationships": {
        "deal": {"data": {"type": "deals", "id": deal}},
        "section": {"data": {"type": "sections", "id": section}},
        "service_type": {"data": {"type": "service_types", "id": service_type}}}}},
    ).raise_for_status()


class _UnlimitedProductive:
    """Just enough of ``ToolClients`` for ``summaries.productive_project``: a connector without
    the connection's limiter, so the check after the measurement waits for no window."""

    def __init__(self, url: str) -> None:
        self._url = url

    def productive(self, _connection_id: object) -> ProductiveConnector:
        return ProductiveConnector(api_token=TOKEN, organization_id=ORGANIZATION_ID,
                                   base_url=self._url, rate_limits=())


def check_productive(served: Served, session: Session) -> int:
    """Every project's stored Productive figures equal a full read made now; returns how many
    were compared."""
    resources = session.exec(select(ProjectResource).where(
        ProjectResource.tool == "productive")).all()
    stored = {s.resource_id: s.data for s in session.exec(select(StatusSnapshot).where(
        StatusSnapshot.tool == "productive")).all()}
    tools = cast(ToolClients, _UnlimitedProductive(served.url("productive")))

    async def read_all() -> list[Any]:
        return [await productive_project(tools, r) for r in resources]

    fresh = asyncio.run(read_all())
    wrong = [(r.external_id, stored.get(r.id), now) for r, now in zip(resources, fresh,
                                                                       strict=True)
             if stored.get(r.id) != now]
    assert not wrong, f"Productive figures differ from a full read: {wrong[:2]}"
    return len(resources)


def stored_figures(session: Session) -> Figures:
    """The Jira figures the database holds, keyed by project key."""
    figures: Figures = {}
    for snap in session.exec(select(StatusSnapshot).where(StatusSnapshot.tool == "jira")).all():
        data = snap.data
        assert isinstance(data, JiraSummary), snap.error
        sprint = data.sprint
        figures[_key_of(session, snap)] = (
            data.to_do, data.in_progress, data.done, data.overdue,
            *((sprint.name, sprint.to_do, sprint.in_progress, sprint.done) if sprint
              else (None, 0, 0, 0)))
    return figures


def read_since(session: Session, at: datetime) -> list[str]:
    """Keys of the projects with a resource read from ``at`` on."""
    read = session.exec(select(Project.key).join(
        StatusSnapshot, col(StatusSnapshot.project_id) == col(Project.id))
        .where(col(StatusSnapshot.fetched_at) >= at).distinct()).all()
    return sorted(read)


def _key_of(session: Session, snap: StatusSnapshot) -> str:
    resource = session.get(ProjectResource, snap.resource_id)
    assert resource is not None
    return resource.external_key


def _queries(scope: str) -> list[str]:
    return [f'{scope} AND statusCategory = "{name}"' for name in STATUS_CATEGORIES.values()]


def _overdue(key: str) -> str:
    return f'project = "{key}" AND duedate < startOfDay() AND statusCategory != Done'


def pycontribs(served: Served, keys: list[str]) -> Figures:
    """``jira``: approximate counts, ``boards(projectKeyOrID=)``, ``sprints(state="active")``."""
    client = JIRA(server=served.url("jira"), basic_auth=(SANDBOX_EMAIL, TOKEN),
                  options={"rest_api_version": "3"})

    def count(jql: str) -> int:
        return int(client.approximate_issue_count(jql))

    def one(key: str) -> tuple[Any, ...]:
        counts = [count(q) for q in _queries(f'project = "{key}"')]
        board = next(iter(client.boards(projectKeyOrID=key, maxResults=1)), None)
        sprint = next(iter(client.sprints(board.id, state="active", maxResults=1)), None) \
            if board else None
        sprint_counts = [count(q) for q in _queries(f"sprint = {sprint.id}")] if sprint \
            else [0, 0, 0]
        return (*counts, count(_overdue(key)), sprint.name if sprint else None, *sprint_counts)

    try:
        return {key: one(key) for key in keys}
    finally:
        client.close()  # type: ignore[no-untyped-call]


def atlassian(served: Served, keys: list[str]) -> Figures:
    """``atlassian-python-api``: ``approximate_issue_count``, ``get_all_agile_boards`` and
    ``get_all_sprints_from_board(state="active")``."""
    client = AtlassianJira(url=served.url("jira"), username=SANDBOX_EMAIL, password=TOKEN,
                           cloud=True, api_version="3")

    def count(jql: str) -> int:
        return int(client.approximate_issue_count(jql)["count"])

    def one(key: str) -> tuple[Any, ...]:
        counts = [count(q) for q in _queries(f'project = "{key}"')]
        boards = (client.get_all_agile_boards(project_key=key, limit=1) or {})["values"]
        sprints = (client.get_all_sprints_from_board(boards[0]["id"], state="active", limit=1)
                   or {})["values"] if boards else []
        sprint = sprints[0] if sprints else None
        sprint_counts = [count(q) for q in _queries(f"sprint = {sprint['id']}")] if sprint \
            else [0, 0, 0]
        return (*counts, count(_overdue(key)), sprint["name"] if sprint else None,
                *sprint_counts)

    try:
        return {key: one(key) for key in keys}
    finally:
        client.close()


def _timed(fetch: Callable[[], Figures]) -> tuple[Figures, float]:
    started = time.perf_counter()
    figures = fetch()
    return figures, time.perf_counter() - started


def run_delta(n: int, db_kind: str, postgres_url: str, *, latency: float, concurrency: int,
              store: Callable[..., None], full_pass: Callable[..., Any],
              tools: tuple[str, ...] = ("jira",)) -> DeltaOutcome:
    """Full pass (``full_pass``: the scheduled sync, every project never read), 5 % changed,
    one change cycle, then both libraries; every figure compared. ``store`` writes the
    projects' rows (the status_sync benchmark's own helpers, so both scenarios share them)."""
    with serve("benchmarks.status_sync:seed", latency=latency, n=n) as served, \
            fresh_database(db_kind, postgres_url) as url:
        engine = engine_for(url)
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session)
            conn = connect_tools(session, org.principal, served)
            store(session, org.principal, org.owner.id, conn, served.manifest,
                           tools=tools)

        def new_session() -> Session:
            return Session(engine, expire_on_commit=False)

        def clients(principal: Principal) -> ToolClients:
            return ToolClients(new_session, principal)

        config = SyncConfig(session_factory=new_session, tools_factory=clients)
        served.reset()
        full_wall, _ = asyncio.run(full_pass(config, concurrency=concurrency, n=n, factory=None))
        full_requests = _counts(served, tools)
        teams = {"full pass": team_requests(served)}
        first = None
        if "graph" in tools:
            served.reset()
            started = time.perf_counter()
            asyncio.run(sync_changes(org.principal.org_id, config, concurrency=concurrency))
            first = (_counts(served, tools), time.perf_counter() - started)
            teams["first cycle"] = team_requests(served)
        keys = sorted(item["key"] for item in served.manifest)
        with Session(engine) as session:
            before = stored_figures(session)
        changed = change_projects(served, keys, tools)
        if "graph" in tools:
            by_key = {item["key"]: item["team_id"] for item in served.manifest}
            asyncio.run(rename_teams(clients(org.principal), conn["graph"],
                                     [by_key[k] for k in changed]))
        served.reset()
        started, cycle_at = time.perf_counter(), utcnow()
        outcome = asyncio.run(sync_changes(org.principal.org_id, config,
                                           concurrency=concurrency))
        delta_wall = time.perf_counter() - started
        delta_requests = _counts(served, tools)
        teams["change cycle"] = team_requests(served)
        assert outcome.projects == len(changed) and outcome.cursors_moved == len(tools), outcome
        with Session(engine) as session:
            after = stored_figures(session)
            read = read_since(session, cycle_at)
            if "productive" in tools:
                check_productive(served, session)
        engine.dispose()
        assert read == sorted(changed), f"changed {changed[:3]}, read {read[:3]}"
        moved = sorted(k for k in after if after[k] != before[k])
        assert "jira" not in tools or moved == sorted(changed), f"figures moved {moved[:3]}"
        libraries = {}
        readers = (("jira (pycontribs)", lambda: pycontribs(served, keys)),
                   ("atlassian-python-api", lambda: atlassian(served, keys)))
        for name, fetch in readers if "jira" in tools else ():
            served.reset()
            figures, wall = _timed(fetch)
            wrong = [k for k in keys if figures[k] != after[k]]
            assert not wrong, f"{name} reads {wrong[:3]} differently: " + ", ".join(
                f"{k} {figures[k]} vs ours {after[k]}" for k in wrong[:3])
            libraries[name] = (served.stats()["tools"].get("jira", 0), wall)
        return DeltaOutcome(n, full_requests, full_wall, delta_requests, delta_wall,
                            len(changed), libraries, first,
                            teams if "graph" in tools else None)


def _counts(served: Served, tools: tuple[str, ...]) -> dict[str, int]:
    counted = served.stats()["tools"]
    return {tool: int(counted.get(tool, 0)) for tool in tools}


def report_delta(outcome: DeltaOutcome) -> tuple[float, float | None]:
    """Prints the table; returns (request ratio full/delta, speed-up of the cycle over the
    fastest library, ``None`` without Jira in the run)."""
    size = f"N={outcome.n}"

    def by_tool(counts: dict[str, int]) -> str:
        return ", ".join(f"{tool} {count}" for tool, count in counts.items())

    full, delta = sum(outcome.full_requests.values()), sum(outcome.delta_requests.values())
    first = [] if outcome.first_cycle is None else [
        [size, "first change cycle (takes Graph's delta link: every team)",
         sum(outcome.first_cycle[0].values()), by_tool(outcome.first_cycle[0]),
         outcome.first_cycle[1]]]
    rows: list[list[Any]] = [
        [size, "full pass (scheduled sync, ProjectHub)", full, by_tool(outcome.full_requests),
         outcome.full_wall],
        *first,
        [size, f"change cycle, {outcome.changed} changed (ProjectHub)", delta,
         by_tool(outcome.delta_requests), outcome.delta_wall],
        *([size, f"{name}, Jira figures of every project", requests, f"jira {requests}", wall]
          for name, (requests, wall) in outcome.libraries.items()),
    ]
    print_table(["size", "what", "requests", "by tool", "wall s"], rows)
    if outcome.team_requests is not None:
        teams = outcome.team_requests
        print(f"{size}: Graph team requests (team reads, members for drift, group delta): "
              + ", ".join(f"{phase} {count}" for phase, count in teams.items())
              + f"; full pass / change cycle = "
              f"{teams['full pass'] / max(teams['change cycle'], 1):.1f}x")
    fewer = full / max(delta, 1)
    print(f"{size}: {fewer:.1f}x fewer vendor requests than a full pass (goal >= {GOAL:g}x: "
          f"{'met' if fewer >= GOAL else 'MISSED'}); " + ", ".join(
              f"{tool} {outcome.full_requests[tool] / max(count, 1):.1f}x"
              for tool, count in outcome.delta_requests.items())
          + "; the cycle read exactly the changed projects (asserted)")
    if "productive" in outcome.full_requests:
        print("Productive figures of every project identical to a full read (asserted)")
    if not outcome.libraries:
        return fewer, None
    faster = min(wall for _, wall in outcome.libraries.values()) / outcome.delta_wall
    print(f"{size}: {faster:.1f}x faster than the fastest library reading the same Jira "
          f"figures (goal >= {GOAL:g}x: {'met' if faster >= GOAL else 'MISSED'}); figures "
          "identical to both libraries' full reads (asserted)")
    return fewer, faster
