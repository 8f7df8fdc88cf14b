"""One full four-tool project provisioned against sandboxes on a real port where every request
takes ``--latency-ms`` (100), Teams creation staying in progress for ``--team-polls`` requests.

The baseline is the least time the plan allows: the sum of latencies along its longest chain of
dependent steps. Each step's weight is its number of sequential requests times the latency,
measured from the sandbox's request log (every request carries the step that sent it, set by a
wrapper around each provisioning action and a transport that stamps it as a header; a step's
sequential requests are the most of its requests that do not overlap in time). The goal is a
wall time within 1.25 times that bound.

    python -m benchmarks.provisioning_critical_path [--runs 3] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlmodel import Session

from benchmarks.common import (
    add_database_options,
    chosen_databases,
    engine_for,
    fresh_database,
    machine,
    median,
    print_table,
    profiled,
)
from benchmarks.served import TAG_HEADER, Served, serve
from benchmarks.transports import msal_applications, ssl_context
from benchmarks.world import OWNER_EMAIL, TENANT, Org, connect_tools, make_org
from projecthub.models import RunStatus
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.services.principal import Principal
from projecthub.services.provisioning import service
from projecthub.services.provisioning.actions import ACTIONS
from projecthub.services.provisioning.actions.base import Action, StepContext
from projecthub.services.provisioning.runner import RunnerConfig, drive_run
from projecthub.services.templates import library
from projecthub.services.tool_clients import ToolClients

GOAL = 1.25
COMPANY = "Acme Retail GmbH"
STEP: contextvars.ContextVar[str] = contextvars.ContextVar("bench_step", default="")


def seed(sandbox: SandboxApp, *, team_polls: int) -> dict[str, Any]:
    """The people and the client company the plan refers to (runs in the sandbox process)."""
    site = sandbox.vendors["jira"].tenant(TENANT)
    site.add_user(SANDBOX_EMAIL, "Sandbox Admin", site_admin=True)
    site.add_user(OWNER_EMAIL, "Pat Manager")
    sandbox.vendors["confluence"].tenant(TENANT).add_account(SANDBOX_EMAIL, "Sandbox Admin")
    prod = sandbox.vendors["productive"].tenant(TENANT)
    prod.add_person("Pat", "Manager", OWNER_EMAIL)
    prod.add_company(COMPANY)
    directory = sandbox.vendors["graph"].tenant(TENANT)
    directory.add_user(OWNER_EMAIL, "Pat Manager")
    directory.team_creation_polls = team_polls
    return {}


class StampingTransport(httpx.AsyncBaseTransport):
    """A connector's own transport (as httpx would build it) that adds the current step."""

    def __init__(self, verify: ssl.SSLContext | bool = True) -> None:
        self._inner = httpx.AsyncHTTPTransport(verify=verify)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers[TAG_HEADER.decode()] = STEP.get()
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def stamped(action: Action) -> Action:
    async def run(context: StepContext) -> Any:
        STEP.set(context.key)
        return await action(context)
    return run


def everything(org: Org, conn: dict[str, str], n: int) -> dict[str, Any]:
    """Answers that create a project in all four tools (as the full-run test does)."""
    name = f"Critical path {n}"
    return {"name": name, "key": f"CRIT{n}", "project_type": "client",
            "project_manager": str(org.owner.id), "client_company": COMPANY,
            "jira_mode": "create", "jira_connection": conn["jira"],
            "confluence_mode": "create", "confluence_connection": conn["confluence"],
            "starter_pages": ["Project charter"],
            "m365_mode": "create", "graph_connection": conn["graph"], "team_name": name,
            "channels": ["Planning"], "planner": True,
            "productive_mode": "create", "productive_connection": conn["productive"],
            "budget_type": "time_and_materials", "budget_amount": 5000, "billable_hours": 40}


@dataclass(frozen=True)
class StepTiming:
    key: str
    depends_on: tuple[str, ...]
    requests: int
    sequential: int
    seconds: float


def sequential_requests(intervals: Iterable[tuple[float, float]]) -> int:
    """The most requests that do not overlap (earliest end first): the step's serial chain."""
    count, free_from = 0, float("-inf")
    for start, end in sorted(intervals, key=lambda i: i[1]):
        if start >= free_from:
            count, free_from = count + 1, end
    return count


def longest_chain(steps: dict[str, StepTiming], latency: float) -> tuple[float, list[str]]:
    """The heaviest path through the dependencies, weights in seconds of latency."""
    memo: dict[str, tuple[float, list[str]]] = {}

    def finish(key: str) -> tuple[float, list[str]]:
        if key not in memo:
            before = max((finish(d) for d in steps[key].depends_on if d in steps),
                         default=(0.0, []))
            memo[key] = (before[0] + steps[key].sequential * latency, [*before[1], key])
        return memo[key]

    return max((finish(k) for k in steps), default=(0.0, []))


def wave_bound(steps: dict[str, StepTiming], latency: float) -> float:
    """The runner starts a wave of ready steps and waits for all of them before the next: the
    sum, over dependency levels, of each level's heaviest step."""
    level: dict[str, int] = {}

    def depth(key: str) -> int:
        if key not in level:
            level[key] = 1 + max((depth(d) for d in steps[key].depends_on if d in steps),
                                 default=-1)
        return level[key]

    heaviest: dict[int, float] = {}
    for key, step in steps.items():
        heaviest[depth(key)] = max(heaviest.get(depth(key), 0.0), step.sequential * latency)
    return sum(heaviest.values())


def run_once(session: Session, org: Org, conn: dict[str, str], served: Served, engine: Any,
             *, n: int, template_version_id: str, poll_seconds: float,
             what_if: str, profile: str) -> tuple[float, Any]:
    _, run = service.start_project(session, org.principal,
                                   template_version_id=template_version_id,
                                   answers=everything(org, conn, n))
    session.commit()  # the caller owns the transaction; the runner's sessions must see the run

    def new_session() -> Session:
        return Session(engine, expire_on_commit=False)

    # ``before``: each connector's transport builds its own SSL context, as before issue 13.
    verify = True if what_if == "before" else ssl_context()

    def tools(principal: Principal) -> ToolClients:
        return ToolClients(new_session, principal, transport_factory=lambda _url:
                           StampingTransport(verify), graph_poll_seconds=poll_seconds)

    config = RunnerConfig(session_factory=new_session, tools_factory=tools,
                          actions={k: stamped(a) for k, a in ACTIONS.items()})
    served.reset()
    started = time.perf_counter()
    with msal_applications(what_if):
        outcome = profiled(profile, lambda: asyncio.run(drive_run(run.id, config)))
    wall = time.perf_counter() - started
    view = service.get_run(session, org.principal, run.id)
    if outcome != RunStatus.SUCCEEDED:
        raise AssertionError(f"run {outcome}: {[(s.key, s.error) for s in view.steps]}")
    return wall, view


def timings(view: Any, log: list[list[Any]]) -> dict[str, StepTiming]:
    result = {}
    for step in view.steps:
        mine = [(e[3], e[4]) for e in log if e[6] == step.key]
        seconds = (step.finished_at - step.started_at).total_seconds() \
            if step.finished_at and step.started_at else 0.0
        result[step.key] = StepTiming(step.key, tuple(step.depends_on), len(mine),
                                      sequential_requests(mine), seconds)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="projects to provision, one by one")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--team-polls", type=int, default=3,
                        help="requests a Teams creation stays in progress in the sandbox")
    parser.add_argument("--poll-seconds", type=float, default=0.05,
                        help="ToolClients(graph_poll_seconds=...): wait between polls")
    parser.add_argument("--what-if", choices=("none", "before"), default="none",
                        help="before: an SSL context and an MSAL discovery per connector, as "
                             "before issue 13 (see benchmarks/transports.py)")
    parser.add_argument("--profile", default="",
                        help="write a pyinstrument report of the last run here")
    add_database_options(parser)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    print(f"provisioning_critical_path on {machine()}; latency {args.latency_ms:g} ms, Teams "
          f"creation in progress for {args.team_polls} requests, polled every "
          f"{args.poll_seconds:g}s, what-if: {args.what_if}")
    results, waves, last_log = [], [], []
    for db_kind in chosen_databases(args):
        with serve("benchmarks.provisioning_critical_path:seed", latency=latency,
                   team_polls=args.team_polls) as served, \
                fresh_database(db_kind, args.postgres_url) as url:
            engine = engine_for(url)
            with Session(engine, expire_on_commit=False) as session:
                org = make_org(session)
                conn = connect_tools(session, org.principal, served)
                version = library.list_templates(session, org.principal)[0].version_id
                for n in range(1, args.runs + 1):
                    wall, view = run_once(session, org, conn, served, engine, n=n,
                                          template_version_id=version,
                                          poll_seconds=args.poll_seconds,
                                          what_if=args.what_if,
                                          profile=args.profile if n == args.runs else "")
                    last_log = served.log()
                    steps = timings(view, last_log)
                    bound, chain = longest_chain(steps, latency)
                    results.append((db_kind, n, wall, bound, chain, steps))
                    waves.append(wave_bound(steps, latency))
            engine.dispose()
    db_kind, _, wall, bound, chain, steps = results[-1]
    print(f"\nsteps of the last run ({db_kind}); * marks the longest chain")
    print_table(["step", "after", "requests", "sequential", "bound s", "step took s"], [
        [("* " if s.key in chain else "  ") + s.key, ", ".join(s.depends_on) or "-",
         s.requests, s.sequential, s.sequential * latency, s.seconds] for s in steps.values()])
    polls = sum(1 for e in last_log if e[6] == "graph.create_team" and "/operations/" in e[2])
    print(f"Teams creation polled {polls} times: {polls * args.poll_seconds:.2f}s of poll waits "
          f"on the longest chain are in the wall time, not in the bound")
    print()
    print_table(["db", "run", "wall s", "bound s", "ratio", "wave bound s", "longest chain"], [
        [d, n, w, b, w / b, wave, " > ".join(c)]
        for (d, n, w, b, c, _), wave in zip(results, waves, strict=True)])
    ratios = [w / b for _, _, w, b, _, _ in results]
    print(f"ratio (wall / critical-path latency): median {median(ratios):.2f}x over "
          f"{len(ratios)} runs (best {min(ratios):.2f}x, worst {max(ratios):.2f}x); "
          f"goal <= {GOAL}x: " + ("met" if median(ratios) <= GOAL else "MISSED"))


if __name__ == "__main__":
    main()
