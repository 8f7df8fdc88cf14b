"""Status sync of N projects that live in all four tools, against sandboxes on a real port.

Every request takes ``--latency-ms`` (50) in the sandbox; our connectors' own per-connection
limiters keep to the vendors' limits (Productive 100 per 10 s and 4000 per 30 min; Jira and
Confluence the connectors' default burst limit of 20 per second; Graph 15 per second), with at
most 4 requests in flight per connection. The real background task (``sync_projects`` batches of
up to 25 projects, 8 at a time each, ``--concurrency`` jobs at once) refreshes every project.

The baseline is a lower bound computed from what the sandbox counted, per tool: the rate bound
(the least time a sliding window lets R requests out, ``floor((R-1)/B)*T`` plus one latency,
where B is what the client may send per window of T seconds: the vendor's limit less the 4
requests that may still be in flight, e.g. Jira 16 of 20 per second, ``Window.budget``) and the
concurrency bound (``R * latency / 4``). The largest of them is the bound; the goal is a wall
time within 1.1 times it. Requests to Entra ID count towards Graph.

    python -m benchmarks.status_sync [--n 100 1000] [--db sqlite|postgresql] [--what-if none before]
    python -m benchmarks.status_sync --scenario delta --n 1000   # issue 13 goal 2, status_delta.py
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from benchmarks.common import (
    add_database_options,
    chosen_databases,
    engine_for,
    fresh_database,
    machine,
    print_table,
    profiled,
)
from benchmarks.served import serve
from benchmarks.status_delta import report_delta, run_delta
from benchmarks.transports import (
    TransportPool,
    add_what_if_option,
    msal_applications,
    transport_factory,
)
from benchmarks.world import TENANT, connect_tools, make_org
from projecthub.connectors import confluence, graph, jira, productive
from projecthub.connectors.ratelimit import Window
from projecthub.jobs import work
from projecthub.models import Lifecycle, Project, ProjectResource, StatusSnapshot
from projecthub.sandbox import SandboxApp
from projecthub.sandbox import productive_state as prod_st
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.services.principal import Principal
from projecthub.services.status.schedule import SyncBatch, plan_sync
from projecthub.services.status.sync import SyncConfig
from projecthub.services.tool_clients import ToolClients

GOAL = 1.1
CONCURRENCY_CAP = 4  # every connector's max_concurrency, shared per connection
LIMITS: dict[str, tuple[Window, ...]] = {
    "jira": jira.DEFAULT_LIMITS, "confluence": confluence.DEFAULT_LIMITS,
    "productive": productive.DEFAULT_LIMITS, "graph": graph.DEFAULT_LIMITS}
SCRUM = "com.pyxis.greenhopper.jira:gh-simplified-scrum-classic"
SEED_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
APP_ID = "00000000-0000-0000-0000-0000000be9c4"


def seed(sandbox: SandboxApp, *, n: int) -> list[dict[str, str]]:
    """N projects with work in every tool (runs in the sandbox process)."""
    site = sandbox.vendors["jira"].tenant(TENANT)
    admin = site.add_user(SANDBOX_EMAIL, "Sandbox Admin", site_admin=True)
    wiki = sandbox.vendors["confluence"].tenant(TENANT)
    editors = [wiki.add_account(SANDBOX_EMAIL, "Sandbox Admin"),
               wiki.add_account("ana@example.com", "Ana Lopez")]
    prod = sandbox.vendors["productive"].tenant(TENANT)
    prod.clock = lambda: SEED_TIME  # its activity feed: the seed is history, not a change
    service_type = next(iter(prod.table("service_types").values()))
    directory = sandbox.vendors["graph"].tenant(TENANT)
    owner = directory.add_user(SANDBOX_EMAIL, "Sandbox Admin")
    manifest = []
    for i in range(n):
        key, name = f"P{i:04d}", f"Project {i:04d}"
        project = site.add_project(key, name, admin, template_key=SCRUM)
        board = next(b for b in site.boards.values() if b.project_key == key)
        sprint = site.add_sprint(board, f"{key} Sprint 1", "active", start=SEED_TIME)
        for n_issue, (status, in_sprint) in enumerate([
                ("To Do", False), ("To Do", True), ("In Progress", True), ("In Review", True),
                ("Done", True), ("Done", False)][: 4 + i % 3]):
            site.add_issue(project, f"Issue {n_issue}", status,
                           sprint=sprint if in_sprint else None,
                           due=date(2026, 1, 2) if n_issue == 0 else None)
        space = wiki.add_space(key, name, editors[0], created=SEED_TIME)
        for n_page in range(1 + i % 3):
            page = wiki.add_page(space, f"Page {n_page}", editors[0],
                                 created=SEED_TIME + timedelta(hours=n_page))
        wiki.edit_page(page, editors[1], at=SEED_TIME + timedelta(days=1))
        prod_project = prod.add_project(name)
        budget = prod.add_deal(f"{name} budget", company_id=prod.organization.company_id or "",
                               project_id=prod_project.id)
        section = prod.add_section(budget.id, "Work")
        line = prod.add_service(section, "Development", service_type_id=service_type.id,
                                billing_type_id=2, unit_id=1, quantity=100, price=10_000 + i,
                                billable=True)
        prod.track_time(line.id, 1500)
        for category in (prod_st.NOT_STARTED, prod_st.STARTED, prod_st.CLOSED)[: 1 + i % 3]:
            prod.add_task(prod_project.id, f"Task {category}", category=category)
        group = directory.add_group(name, f"project{i:04d}", created=SEED_TIME)
        team = directory.add_team(group, owner, created=SEED_TIME)
        plan = directory.add_plan(group, name, app_id=APP_ID, created=SEED_TIME)
        for percent in (0, 50, 100)[: 1 + i % 3]:
            directory.add_task(plan, f"Task {percent}", percent, created=SEED_TIME)
        manifest.append({"key": key, "name": name, "jira_id": str(project.id),
                         "space_id": str(space.id), "productive_id": prod_project.id,
                         "productive_budget": [budget.id, section.id, service_type.id],
                         "team_id": team.id, "plan_id": plan.id})
    prod.clock = prod_st.now
    return manifest


def store_projects(session: Session, principal: Principal, owner_id: uuid.UUID,
                   conn: dict[str, str], manifest: list[dict[str, str]],
                   tools: tuple[str, ...] = ("jira", "confluence", "productive", "graph")) -> None:
    """The projects and their resources in ``tools`` as rows, in two bulk inserts."""
    projects, resources = [], []
    for item in manifest:
        project_id = uuid.uuid4()
        projects.append({"id": project_id, "organization_id": principal.org_id,
                         "name": item["name"], "key": item["key"], "owner_id": owner_id,
                         "lifecycle": Lifecycle.ACTIVE, "start_date": date(2026, 1, 1),
                         "end_date": date(2026, 12, 31), "answers": {}})
        for tool, kind, external_id, external_key in (
                ("jira", "project", item["jira_id"], item["key"]),
                ("confluence", "space", item["space_id"], item["key"]),
                ("productive", "project", item["productive_id"], ""),
                ("graph", "team", item["team_id"], item["team_id"]),
                ("graph", "plan", item["plan_id"], "")):
            if tool not in tools:
                continue
            resources.append({"id": uuid.uuid4(), "organization_id": principal.org_id,
                              "project_id": project_id, "connection_id": uuid.UUID(conn[tool]),
                              "tool": tool, "kind": kind, "external_id": external_id,
                              "external_key": external_key})
    session.execute(insert(Project), projects)
    session.execute(insert(ProjectResource), resources)
    session.commit()


@dataclass(frozen=True)
class Outcome:
    n: int
    wall: float
    passes: int
    counts: dict[str, int]
    failures: int


class _NoDefer:
    async def defer(self, job: work.Job) -> bool:  # noqa: ARG002  (sync batches defer nothing)
        return False


async def sync_everything(config: SyncConfig, *, concurrency: int, n: int,
                          factory: object) -> tuple[float, int]:
    """What the job engine does: plan the batches (all new projects are caught up at once) and
    run them as ``sync_projects`` jobs, ``concurrency`` at a time. Returns (wall, batches)."""
    context = work.Context(_NoDefer(), work.runner_config(), config)
    with config.session_factory() as session:
        batches = plan_sync(session, config.now())
    assert sum(len(b.project_ids) for b in batches) == n
    slots = asyncio.Semaphore(concurrency)

    async def one(batch: SyncBatch) -> None:
        async with slots:
            await work.sync_projects(context, [str(p) for p in batch.project_ids])

    started = time.perf_counter()
    try:
        await asyncio.gather(*(one(b) for b in batches))
    finally:
        if isinstance(factory, TransportPool):
            await factory.shutdown()
    return time.perf_counter() - started, len(batches)


def run(n: int, db_kind: str, postgres_url: str, *, latency: float, concurrency: int,
        profile: str, what_if: str) -> Outcome:
    with serve("benchmarks.status_sync:seed", latency=latency, n=n) as served, \
            fresh_database(db_kind, postgres_url) as url:
        engine = engine_for(url)
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session)
            conn = connect_tools(session, org.principal, served)
            store_projects(session, org.principal, org.owner.id, conn, served.manifest)

        def new_session() -> Session:
            return Session(engine, expire_on_commit=False)

        factory = transport_factory(what_if)

        def tools(principal: Principal) -> ToolClients:
            return ToolClients(new_session, principal, transport_factory=factory)

        config = SyncConfig(session_factory=new_session, tools_factory=tools)
        with msal_applications(what_if):
            wall, passes = profiled(profile, lambda: asyncio.run(
                sync_everything(config, concurrency=concurrency, n=n, factory=factory)))
        with Session(engine) as session:
            snaps = session.exec(select(StatusSnapshot)).all()
            failures = sum(1 for s in snaps if s.error) + (5 * n - len(snaps))
        engine.dispose()
        return Outcome(n, wall, passes, dict(served.stats()["tools"]), failures)


def bounds(counts: dict[str, int], latency: float) -> dict[str, tuple[float, float]]:
    """Per tool: (rate bound, concurrency bound) in seconds. Entra ID's discovery calls are not
    under Graph's limiter but take a connection slot's time, so they count towards Graph."""
    per_tool = {tool: counts.get(tool, 0) for tool in LIMITS}
    per_tool["graph"] += counts.get("graph-login", 0)
    result = {}
    for tool, requests in per_tool.items():
        rate = max((((requests - 1) // w.budget(CONCURRENCY_CAP)) * w.seconds + latency
                    for w in LIMITS[tool] if requests), default=0.0)
        result[tool] = (rate, requests * latency / CONCURRENCY_CAP)
    return result


def report(outcome: Outcome, latency: float) -> float:
    tool_bounds = bounds(outcome.counts, latency)
    rows: list[list[Any]] = []
    for tool, (rate, conc) in tool_bounds.items():
        limit = ", ".join(f"{w.budget(CONCURRENCY_CAP)} of {w.limit}/{w.seconds:g}s"
                          for w in LIMITS[tool])
        requests = outcome.counts.get(tool, 0)
        if tool == "graph":
            requests += outcome.counts.get("graph-login", 0)
        rows.append([f"N={outcome.n}", tool, requests, limit, rate, conc])
    print_table(["size", "tool", "requests", "limit", "rate bound s", "conc. bound s"], rows)
    bound = max(max(pair) for pair in tool_bounds.values())
    ratio = outcome.wall / bound
    print(f"N={outcome.n}: wall {outcome.wall:.1f}s in {outcome.passes} sync batches, bound "
          f"{bound:.1f}s, failed fetches {outcome.failures}, requests by tool "
          f"{dict(sorted(outcome.counts.items()))}")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="project counts")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=8,
                        help="projects the worker refreshes at once (its default: 8)")
    parser.add_argument("--profile", default="", help="write a pyinstrument report here")
    parser.add_argument("--scenario", choices=("full", "delta"), default="full",
                        help="full: every project read (goal 1); delta: read in full, 5 %% "
                             "changed, one change cycle, libraries alongside (goal 2)")
    parser.add_argument("--delta-tools", nargs="+",
                        choices=("jira", "confluence", "productive", "graph"),
                        default=["jira"], help="tools of the delta scenario's projects")
    add_what_if_option(parser)
    add_database_options(parser)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    if args.scenario == "delta":
        delta_main(args, latency)
        return
    print(f"status_sync on {machine()}; latency {args.latency_ms:g} ms per request, worker "
          f"concurrency {args.concurrency}, Jira limit {jira.DEFAULT_LIMITS[0].limit}/s (client "
          f"budget {jira.DEFAULT_LIMITS[0].budget(CONCURRENCY_CAP)}/s)"
          + f", what-if: {', '.join(args.what_if)}")
    ratios = []
    for db_kind in chosen_databases(args):
        for n in args.n:
            for what_if in args.what_if:
                outcome = run(n, db_kind, args.postgres_url, latency=latency,
                              concurrency=args.concurrency, profile=args.profile,
                              what_if=what_if)
                ratio = report(outcome, latency)
                label = f"N={n} {db_kind}" + (f" what-if {what_if}" if what_if != "none" else "")
                ratios.append((label, ratio))
                print(f"{label}: {ratio:.2f}x the lower bound (goal <= {GOAL}x)\n")
    mine = [v for k, v in ratios if "what-if" not in k]
    print("ratio (wall / lower bound): " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios)
          + f"; goal <= {GOAL}x: " + ("met" if all(v <= GOAL for v in mine) else "MISSED"))


def delta_main(args: argparse.Namespace, latency: float) -> None:
    print(f"status_sync --scenario delta on {machine()}; latency {args.latency_ms:g} ms per "
          f"request, worker concurrency {args.concurrency}, Jira budget "
          f"{jira.DEFAULT_LIMITS[0].budget(CONCURRENCY_CAP)}/s")
    results = []
    for db_kind in chosen_databases(args):
        for n in args.n:
            outcome = run_delta(n, db_kind, args.postgres_url, latency=latency,
                                concurrency=args.concurrency, store=store_projects,
                                full_pass=sync_everything, tools=tuple(args.delta_tools))
            results.append((f"N={n} {db_kind}", *report_delta(outcome)))
            print()
    print("delta (fewer requests, faster than libraries): " + ", ".join(
        f"{label} {fewer:.1f}x / " + ("-" if faster is None else f"{faster:.1f}x")
        for label, fewer, faster in results))


if __name__ == "__main__":
    main()
