"""What one person's page load keeps on the server: the Reflex state of the dashboard and of a
project's status page, for an organization of 100 projects and one of 10,000 (issue 13, goal 6,
its in-process half).

For each size, ``--sessions`` signed-in tabs (real sessions, the router data a websocket
handshake carries) load the page through the same handler the browser's ``on_load`` calls.
Reported per page and size: CPU time per load (``time.process_time``), the state's size as
Reflex stores it between events (pickled, as in Redis), and the memory each tab's state keeps
alive (``tracemalloc``: what the loaded states still hold once every load is done, divided by
the number of tabs). The server's whole resident growth per session (sockets, Reflex's own
bookkeeping) is not in these figures: it needs the production build and real websocket clients.

Goal: under 2 MiB per session, and no growth with the organization's size.

    python -m benchmarks.page_state [--sessions 20]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from benchmarks.common import engine_for, fresh_database, machine, print_table
from benchmarks.dashboard_scale import fill
from benchmarks.world import make_org
from projecthub.core.clock import utcnow
from projecthub.models import Project, User
from projecthub.ui.state.dashboard import DashboardState
from projecthub.ui.state.project_status import ProjectState
from tests.ui.tabs import browser_state, login

SIZES = (100, 10_000)
GOAL_BYTES = 2 * 2**20


def seed(url: str) -> dict[int, tuple[User, uuid.UUID]]:
    """One organization per size; size -> (its owner, one of its projects)."""
    engine = engine_for(url)
    made = {}
    with Session(engine, expire_on_commit=False) as session:
        for size in SIZES:
            org = make_org(session, slug=f"state{size}", email=f"owner-{size}@bench.example")
            fill(session, org.principal, org.owner.id, size, now=utcnow())
            project = session.exec(select(Project.id).where(
                Project.organization_id == org.org.id).limit(1)).one()
            made[size] = (org.owner, project)
    return made


def measure(tabs: Callable[[], Any], sessions: int) -> tuple[float, int, float]:
    """CPU ms per load, pickled bytes of one loaded state, bytes kept alive per tab (after one
    load outside the count, which fills the process-wide caches every later load shares)."""
    tabs().load()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept, cpu = [], 0.0
    for _ in range(sessions):
        state = tabs()
        started = time.process_time()
        state.load()
        cpu += time.process_time() - started
        kept.append(state)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    retained = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return cpu / sessions * 1000, len(pickle.dumps(kept[0])), retained / sessions


def _tabs(db: Session, owner: User, page: type[Any], path: str) -> Callable[[], Any]:
    """A new signed-in tab of ``owner`` on ``path`` at each call."""
    return lambda: browser_state(page, login(db, owner), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    print(machine())
    rows, worst = [], 0.0
    with fresh_database("sqlite") as url:
        made = seed(url)
        engine = engine_for(url)
        for size in SIZES:
            owner, project = made[size]
            with Session(engine) as db:
                for name, page, path in (("dashboard", DashboardState, "/dashboard"),
                                         ("status page", ProjectState, f"/projects/{project}")):
                    cpu, pickled, kept = measure(_tabs(db, owner, page, path), args.sessions)
                    worst = max(worst, kept)
                    rows.append([name, size, cpu, pickled / 1024, kept / 1024])
    print_table(["page", "projects", "CPU ms/load", "state KiB (pickled)", "kept KiB/tab"],
                rows)
    print(f"memory kept per tab, worst: {worst / 2**20:.2f} MiB (goal < 2 MiB: "
          f"{'met' if worst < GOAL_BYTES else 'missed'}; in process, without the server's "
          f"socket and Reflex bookkeeping)")


if __name__ == "__main__":
    main()
