"""What each signed-in browser session costs the production server in memory (issue 13, goal 6,
its server half; ``benchmarks.page_state`` is the in-process half).

One production server (``reflex run --env prod``, started as the browser tests start it) on a
fresh database holding an organization of 100 projects and one of 10,000. For each size, real
Chromium contexts (Playwright, ``/usr/bin/chromium``), each with a session of its own, log in
and open ``/dashboard`` until its first project row shows, and stay open: 10, then 20, then 40 of
them. Printed: the resident memory (RSS) of the backend process before, after each step and once
every context has closed, and the growth per session from the first step to the last (which
leaves out what the first sessions warm up once: imports, caches, the database pool).

Goal: under 2 MiB per session, and no growth with the organization's size.

    python -m benchmarks.session_memory [--steps 10 20 40] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from playwright.async_api import Browser, BrowserContext, async_playwright

from benchmarks.common import fresh_database, machine, print_table
from benchmarks.dashboard_browser import SIZES, first_row_seconds, seed
from benchmarks.load import CHROMIUM, CHROMIUM_ARGS
from benchmarks.world import PASSWORD
from tests.browser.harness import ROOT, running_app

WORKDIR = ROOT / ".harness" / "bench-session-memory"  # git-ignored; keeps the built frontend
GOAL_BYTES = 2 * 2**20
SETTLE_S = 3.0  # after the last step, for the server to finish what the pages started
TIMEOUT_MS = 60_000
MIB = 2**20


def backend_process(port: int) -> psutil.Process:
    """The process that serves the app's port (the worker, when a server forks one)."""
    listening = [psutil.Process(c.pid) for c in psutil.net_connections(kind="tcp")
                 if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid]
    if not listening:
        raise RuntimeError(f"no process listens on port {port}")
    return max(listening, key=lambda p: p.memory_info().rss)


def rss(process: psutil.Process) -> int:
    return int(process.memory_info().rss)


async def open_session(browser: Browser, base: str, email: str) -> BrowserContext:
    """A context logged in with a session of its own, showing the dashboard's first page."""
    context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    response = await page.request.post("/api/v1/auth/login",
                                       data={"email": email, "password": PASSWORD})
    assert response.ok, await response.text()
    await first_row_seconds(page)
    return context


async def measure_size(browser: Browser, base: str, email: str, steps: list[int],
                       backend: psutil.Process) -> list[tuple[str, int, int]]:
    """(what, sessions open, RSS) before, after each step and after every context closed."""
    marks = [("before", 0, rss(backend))]
    contexts: list[BrowserContext] = []
    for target in steps:
        while len(contexts) < target:  # one at a time: 2 cores, one Chromium
            contexts.append(await open_session(browser, base, email))
        await asyncio.sleep(SETTLE_S)
        marks.append((f"{target} open", target, rss(backend)))
    for context in contexts:
        await context.close()
    await asyncio.sleep(SETTLE_S)
    marks.append(("all closed", 0, rss(backend)))
    return marks


async def measure(base: str, owners: dict[int, str], steps: list[int],
                  backend: psutil.Process) -> dict[int, list[tuple[str, int, int]]]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # One warm-up session, so the first step does not carry the server's own warm-up.
            await (await open_session(browser, base, owners[SIZES[0]])).close()
            return {size: await measure_size(browser, base, owners[size], steps, backend)
                    for size in SIZES}
        finally:
            await browser.close()


def report(found: dict[int, list[tuple[str, int, int]]], pid: int) -> None:
    rows = [[size, what, open_, value / MIB] for size, marks in found.items()
            for what, open_, value in marks]
    print(f"backend process {pid}")
    print_table(["projects", "when", "sessions", "RSS MiB"], rows)
    growths = {}
    for size, marks in found.items():
        steps = [m for m in marks if m[1]]
        (_, first_n, first_rss), (_, last_n, last_rss) = steps[0], steps[-1]
        growths[size] = (last_rss - first_rss) / (last_n - first_n)
        print(f"{size:,} projects: {growths[size] / MIB:.2f} MiB per session "
              f"({first_n} to {last_n} open); {(marks[-1][2] - marks[0][2]) / MIB:+.1f} MiB "
              "from before to all closed")
    worst = max(growths.values())
    print(f"per-session growth: worst {worst / MIB:.2f} MiB (goal < {GOAL_BYTES / MIB:.0f} MiB: "
          f"{'met' if worst < GOAL_BYTES else 'missed'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 20, 40])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    print(machine())
    WORKDIR.mkdir(parents=True, exist_ok=True)
    with fresh_database(args.db) as url, running_app(Path(WORKDIR), url) as server:
        owners = seed(url)
        backend = backend_process(urlsplit(server.base_url).port or 80)
        started = time.perf_counter()
        found = asyncio.run(measure(server.base_url, owners, sorted(args.steps), backend))
        report(found, backend.pid)
        print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
