"""The same Jira status figures for N projects from our JiraConnector and from the two libraries
people would use instead, against one Jira sandbox on a real port in the same run.

Figures per project: issues per status category (To Do, In Progress, Done) and open issues past
their due date, all as approximate counts (``/rest/api/3/search/approximate-count``; the old
``/search`` answers 410). Ours runs every count at once through one connector, as the status sync
does; ``jira`` (pycontribs) and ``atlassian-python-api`` are synchronous and used as their docs
show: one client, ``approximate_issue_count(jql)`` per figure, one call after another. Every
request takes ``--latency-ms`` in the sandbox. All three must agree, figure for figure, with what
the sandbox was seeded with.

Ours runs twice: as ProjectHub ships it (the connector's per-connection burst limit of 20
requests a second and at most 4 requests in flight), and with that limiter off (still 4 in
flight), to show what the limiter costs.

    python -m benchmarks.jira_vs_libraries [--n 100 1000] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from atlassian import Jira as AtlassianJira
from jira import JIRA

from benchmarks.common import machine, print_table
from benchmarks.served import Served, serve
from benchmarks.world import TENANT
from projecthub.connectors.jira import DEFAULT_LIMITS, JiraConnector
from projecthub.connectors.ratelimit import Window
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.jira_state import SANDBOX_EMAIL

GOAL = 10.0
TOKEN = f"sandbox-{TENANT}"
CATEGORIES = {"to_do": "To Do", "in_progress": "In Progress", "done": "Done"}
# Status, due date: the first issue of each project is overdue and open.
ISSUES = (("To Do", date(2026, 1, 2)), ("In Progress", None), ("In Review", None),
          ("Done", date(2026, 1, 2)), ("To Do", None), ("Done", None))
Figures = dict[str, tuple[int, int, int, int]]


def seed(sandbox: SandboxApp, *, n: int) -> Figures:
    """N projects with 3 to 6 issues each; returns the figures every client must report."""
    site = sandbox.vendors["jira"].tenant(TENANT)
    admin = site.add_user(SANDBOX_EMAIL, "Sandbox Admin", site_admin=True)
    expected: Figures = {}
    for i in range(n):
        project = site.add_project(f"K{i:04d}", f"Project {i:04d}", admin)
        issues = ISSUES[: 3 + i % 4]
        for number, (status, due) in enumerate(issues):
            site.add_issue(project, f"Issue {number}", status, due=due)
        categories = [{"To Do": "to_do", "Done": "done"}.get(s, "in_progress") for s, _ in issues]
        overdue = sum(1 for s, due in issues if due and s != "Done")
        expected[project.key] = (categories.count("to_do"), categories.count("in_progress"),
                                 categories.count("done"), overdue)
    return expected


def queries(key: str) -> list[str]:
    """The JQL our connector sends for one project, in the order of the figures."""
    scope = f'project = "{key}"'
    return [*(f'{scope} AND statusCategory = "{name}"' for name in CATEGORIES.values()),
            f"{scope} AND duedate < startOfDay() AND statusCategory != Done"]


async def ours(served: Served, keys: list[str], limits: tuple[Window, ...]) -> Figures:
    async with JiraConnector(site_url=served.url("jira"), email=SANDBOX_EMAIL, api_token=TOKEN,
                             rate_limits=limits) as client:
        async def one(key: str) -> tuple[int, int, int, int]:
            counts, overdue = await asyncio.gather(client.issue_counts(key),
                                                   client.overdue_issue_count(key))
            return counts.to_do, counts.in_progress, counts.done, overdue

        return dict(zip(keys, await asyncio.gather(*(one(k) for k in keys)), strict=True))


def pycontribs(served: Served, keys: list[str]) -> Figures:
    """``jira``: ``JIRA(server, basic_auth=...)`` and ``approximate_issue_count`` (Cloud)."""
    client = JIRA(server=served.url("jira"), basic_auth=(SANDBOX_EMAIL, TOKEN),
                  options={"rest_api_version": "3"})
    try:
        return {key: tuple(int(client.approximate_issue_count(jql))  # type: ignore[misc]
                           for jql in queries(key)) for key in keys}
    finally:
        client.close()


def atlassian(served: Served, keys: list[str]) -> Figures:
    """``atlassian-python-api``: ``Jira(url, username, password, cloud=True)`` and its
    ``approximate_issue_count``, which answers the JSON body."""
    client = AtlassianJira(url=served.url("jira"), username=SANDBOX_EMAIL, password=TOKEN,
                           cloud=True, api_version="3")
    try:
        return {key: tuple(int(client.approximate_issue_count(jql)["count"])  # type: ignore[misc]
                           for jql in queries(key)) for key in keys}
    finally:
        client.close()


def timed(fetch: Callable[[], Figures]) -> tuple[Figures, float]:
    started = time.perf_counter()
    figures = fetch()
    return figures, time.perf_counter() - started


def run(n: int, latency: float) -> tuple[list[list[Any]], float, float]:
    """Rows for the table; ratios of the best library to ours (as shipped, limiter off)."""
    with serve("benchmarks.jira_vs_libraries:seed", latency=latency, n=n) as served:
        expected: Figures = {k: tuple(v) for k, v in served.manifest.items()}  # type: ignore[misc]
        keys = sorted(expected)
        clients: list[tuple[str, Callable[[], Figures]]] = [
            ("ProjectHub JiraConnector (20/s, 4 in flight)",
             lambda: asyncio.run(ours(served, keys, DEFAULT_LIMITS))),
            ("ProjectHub JiraConnector (no limiter, 4 in flight)",
             lambda: asyncio.run(ours(served, keys, ()))),
            ("jira (pycontribs) 3.10", lambda: pycontribs(served, keys)),
            ("atlassian-python-api 5.0", lambda: atlassian(served, keys)),
        ]
        rows, walls = [], {}
        for name, fetch in clients:
            served.reset()
            figures, wall = timed(fetch)
            if figures != expected:
                wrong = [k for k in keys if figures.get(k) != expected[k]][:3]
                raise AssertionError(f"{name} disagrees with the sandbox on {wrong}")
            requests = served.stats()["tools"].get("jira", 0)
            walls[name] = wall
            rows.append([f"N={n}", name, requests, wall, requests / wall])
        libraries = min(walls[name] for name, _ in clients[2:])
        shipped, unlimited = (walls[name] for name, _ in clients[:2])
        for row in rows:
            row.append(libraries / row[3])
        return rows, libraries / shipped, libraries / unlimited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="project counts")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    print(f"jira_vs_libraries on {machine()}; latency {args.latency_ms:g} ms per request; "
          f"figures identical across clients (asserted)")
    rows, ratios = [], []
    for n in args.n:
        table, shipped, unlimited = run(n, args.latency_ms / 1000)
        rows += table
        ratios.append((n, shipped, unlimited))
    print_table(["size", "client", "requests", "wall s", "req/s", "speed-up vs best library"],
                rows)
    print("ratio (best library wall / ours): " + ", ".join(
        f"N={n} {s:.2f}x as shipped, {u:.2f}x without the limiter" for n, s, u in ratios)
        + f"; goal >= {GOAL:g}x at N=1000 (as shipped): " + _verdict(ratios))


def _verdict(ratios: list[tuple[int, float, float]]) -> str:
    at_goal_size = [shipped for n, shipped, _ in ratios if n == 1000]
    if not at_goal_size:
        return "not measured (run with --n 1000)"
    return "met" if min(at_goal_size) >= GOAL else "MISSED"


if __name__ == "__main__":
    main()
