"""The dashboard's project list for an organization of 100, 1,000 and 10,000 projects with status
rows, on SQLite and PostgreSQL: time in the service (``dashboard.list_projects``, what the API
and the dashboard page both call) and SQL statements per page, for the first page and a filtered
page. Each database is fresh (``alembic upgrade head``) and filled with bulk inserts.

Goals: the same number of statements at every size; the time at 10,000 within 1.5 times the
time at 100 (the baseline, measured in the same run). The slowest statement of a page that
misses is shown with its plan (``EXPLAIN QUERY PLAN`` / ``EXPLAIN ANALYZE``).

    python -m benchmarks.dashboard_scale [--sizes 100 1000 10000] [--db both]
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.common import (
    add_database_options,
    engine_for,
    fresh_database,
    machine,
    median,
    percentile,
    print_table,
)
from benchmarks.world import make_org
from projecthub.models import Lifecycle, Project, ProjectResource, ProjectStatus
from projecthub.services.principal import Principal
from projecthub.services.status.dashboard import DashboardQuery, list_projects

GOAL = 1.5
PAGES = {"first page": DashboardQuery(),
         "filtered page": DashboardQuery(health="red", tool="jira", sort="end_date")}
HEALTH = (("green", 60), ("amber", 25), ("red", 10), ("unknown", 5))
LIFECYCLE = ((Lifecycle.ACTIVE, 80), (Lifecycle.ON_HOLD, 5), (Lifecycle.COMPLETED, 10),
             (Lifecycle.ARCHIVED, 5))
WORDS = ("Website", "Mobile app", "Data platform", "Brand refresh", "Intranet", "Checkout",
         "Onboarding", "Analytics", "Migration", "Campaign")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class Recorder:
    """Every statement the engine runs while recording: text, parameters and seconds."""

    on: bool = False
    statements: list[tuple[str, Any, float]] = field(default_factory=list)

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, _cursor: Any, _statement: str, _parameters: Any,
                context: Any, _executemany: bool) -> None:
        context._bench_started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any,
               _executemany: bool) -> None:
        if self.on:
            self.statements.append((statement, parameters,
                                    time.perf_counter() - context._bench_started))

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, Any, float]]]:
        self.statements = []
        self.on = True
        try:
            yield self.statements
        finally:
            self.on = False


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _figures(rng: random.Random, now: datetime) -> dict[str, Any]:
    """The roll-up the status sync writes, in its shape and about its size."""
    fetched = (now - timedelta(minutes=rng.randint(1, 90))).isoformat()
    return {
        "jira": {"to_do": rng.randint(0, 40), "in_progress": rng.randint(0, 15),
                 "done": rng.randint(0, 200), "overdue": rng.randint(0, 5), "sprint": None,
                 "stale": False, "fetched_at": fetched},
        "confluence": {"page_count": rng.randint(1, 80), "last_edit_at": fetched,
                       "last_edit_by": "Ana Lopez", "last_page_title": "Meeting notes",
                       "stale": False, "fetched_at": fetched},
        "productive": {"currency": "EUR", "budget_total_cents": 5_000_000,
                       "budget_used_cents": rng.randint(0, 6_000_000),
                       "budget_remaining_cents": 0, "budgeted_minutes": 60_000,
                       "worked_minutes": rng.randint(0, 70_000), "burn_percent": 50.0,
                       "tasks_not_started": 3, "tasks_started": 4, "tasks_closed": 9,
                       "stale": False, "fetched_at": fetched},
        "planner": {"not_started": 2, "in_progress": 3, "done": 7, "overdue": 1,
                    "stale": False, "fetched_at": fetched},
    }


def fill(session: Session, principal: Principal, owner_id: uuid.UUID, n: int, *,
         now: datetime = NOW) -> list[uuid.UUID]:
    """N projects, each with a status row and two to four resources, in bulk; their ids."""
    rng = random.Random(n)
    org_id = principal.org_id
    projects, statuses, resources = [], [], []
    for i in range(n):
        project_id = uuid.uuid4()
        start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 400))
        projects.append({
            "id": project_id, "organization_id": org_id, "key": f"K{i:05d}",
            "name": f"{rng.choice(WORDS)} {i:05d}", "client_company": f"Client {i % 97:02d}",
            "lifecycle": _pick(rng, LIFECYCLE), "owner_id": owner_id, "start_date": start,
            "end_date": start + timedelta(days=rng.randint(30, 400)), "answers": {}})
        health = _pick(rng, HEALTH)
        statuses.append({
            "project_id": project_id, "organization_id": org_id, "health": health,
            "reasons": [] if health == "green" else [
                {"level": health, "rule": "budget_burn", "text": "Budget 92% used at 70% time"}],
            "figures": _figures(rng, now), "synced_at": now, "oldest_data_at": now,
            "lease_owner": ""})
        for tool, kind in (("jira", "project"), ("confluence", "space"),
                           ("productive", "project"), ("graph", "team"))[: 2 + i % 3]:
            resources.append({"id": uuid.uuid4(), "organization_id": org_id,
                              "project_id": project_id, "tool": tool, "kind": kind,
                              "external_id": str(10_000 + i)})
    for model, rows in ((Project, projects), (ProjectStatus, statuses),
                        (ProjectResource, resources)):
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(model), rows[chunk:chunk + 5000])
    session.commit()
    return [p["id"] for p in projects]


@dataclass(frozen=True)
class PageResult:
    db: str
    size: int
    page: str
    statements: int
    median_ms: float
    p95_ms: float
    rows: int
    slowest: tuple[str, Any, float]
    by_statement: dict[str, float]  # label -> median ms


def label(statement: str) -> str:
    """What each of the service's statements is for, from its text."""
    text = " ".join(statement.split()).lower()
    if "from project_tallies" in text:
        return "tiles and total (tallies)"
    if "group by" in text:
        return "tiles by health" if "coalesce" in text.split("from")[0] else "tiles by lifecycle"
    if "distinct" in text:
        return "tools of the page"
    if " limit " in text:
        return "page rows"
    return "total count" if "count(" in text else "other"


def measure(session: Session, principal: Principal, recorder: Recorder, db: str, size: int,
            repeats: int) -> list[PageResult]:
    results = []
    for name, query in PAGES.items():
        for _ in range(3):  # warm caches and the statement cache
            list_projects(session, principal, query)
        times: list[float] = []
        per_label: dict[str, list[float]] = {}
        for _ in range(repeats):
            session.expire_all()
            with recorder.recording() as statements:
                started = time.perf_counter()
                page = list_projects(session, principal, query)
                times.append(time.perf_counter() - started)
            for statement, _params, seconds in statements:
                per_label.setdefault(label(statement), []).append(seconds * 1000)
        slowest = max(statements, key=lambda s: s[2])
        per = {k: median(v) for k, v in per_label.items()}
        results.append(PageResult(db, size, name, len(statements), median(times) * 1000,
                                  percentile(times, 0.95) * 1000, len(page.rows), slowest,
                                  per))
    return results


def explain(engine: Engine, db: str, statement: str, parameters: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if db == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    return "\n".join("    " + " | ".join(str(c) for c in row) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--repeats", type=int, default=25, help="timed calls per page")
    add_database_options(parser, default="both")
    args = parser.parse_args()
    print(f"dashboard_scale on {machine()}; service time of dashboard.list_projects "
          f"(median of {args.repeats}), SQL statements per call")
    results: list[PageResult] = []
    plans: dict[tuple[str, str], str] = {}
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        for size in args.sizes:
            with fresh_database(db, args.postgres_url) as url:
                engine = engine_for(url)
                recorder = Recorder()
                recorder.attach(engine)
                with Session(engine, expire_on_commit=False) as session:
                    org = make_org(session)
                    fill(session, org.principal, org.owner.id, size)
                    if db == "postgresql":
                        session.connection().exec_driver_sql("ANALYZE")
                        session.commit()
                    measured = measure(session, org.principal, recorder, db, size,
                                       args.repeats)
                results += measured
                plans |= _plans(engine, db, size == max(args.sizes), measured)
                engine.dispose()
    verdicts = report(results, args.sizes)
    print(f"\nmedian ms per statement, {min(args.sizes):,} -> {max(args.sizes):,} projects")
    small = {(r.db, r.page): r for r in results if r.size == min(args.sizes)}
    print_table(["db", "page", "statement", f"ms at {min(args.sizes):,}",
                 f"ms at {max(args.sizes):,}"],
                [[r.db, r.page, name, small[(r.db, r.page)].by_statement.get(name, 0.0), ms]
                 for r in results if r.size == max(args.sizes)
                 for name, ms in r.by_statement.items()])
    for (db, page), plan in plans.items():
        if not verdicts[(db, page)]:
            print(f"\nslowest statement of the {page} on {db} at {max(args.sizes):,}:\n{plan}")
    missed = [f"{db} {page}" for (db, page), ok in verdicts.items() if not ok]
    print("ratio summary: " + ", ".join(
        f"{db} {page} {ratio:.2f}x" for (db, page), ratio in _ratios(results, args.sizes).items())
        + f"; goal <= {GOAL}x and equal statement counts: "
        + ("met" if not missed else "MISSED (" + ", ".join(missed) + ")"))


def _plans(engine: Engine, db: str, largest: bool,
           measured: list[PageResult]) -> dict[tuple[str, str], str]:
    """The slowest statement of each page with its plan, at the largest size only."""
    plans = {}
    for result in measured if largest else []:
        statement, parameters, _ = result.slowest
        plans[(result.db, result.page)] = (f"  {statement.strip()[:600]}\n"
                                           + explain(engine, db, statement, parameters))
    return plans


def _ratios(results: list[PageResult], sizes: list[int]) -> dict[tuple[str, str], float]:
    by = {(r.db, r.page, r.size): r for r in results}
    return {(db, page): by[(db, page, max(sizes))].median_ms / by[(db, page, min(sizes))].median_ms
            for db, page, size in by if size == min(sizes)}


def report(results: list[PageResult], sizes: list[int]) -> dict[tuple[str, str], bool]:
    ratios = _ratios(results, sizes)
    print_table(["db", "projects", "page", "statements", "median ms", "p95 ms", "rows",
                 f"vs {min(sizes)}", "slowest statement ms"],
                [[r.db, r.size, r.page, r.statements, r.median_ms, r.p95_ms, r.rows,
                  f"{r.median_ms / next(x.median_ms for x in results if x.db == r.db and x.page == r.page and x.size == min(sizes)):.2f}x",  # noqa: E501
                  r.slowest[2] * 1000] for r in results])
    verdicts = {}
    for key, ratio in ratios.items():
        counts = {r.statements for r in results if (r.db, r.page) == key}
        verdicts[key] = ratio <= GOAL and len(counts) == 1
    return verdicts


if __name__ == "__main__":
    main()
