"""The dashboard in Chromium: how long a person waits for the first page of projects, for an
organization of 100 projects and one of 10,000 (issue 13, goal 4, its browser half).

One production server (``reflex run --env prod``, started as the browser tests start it) on a
fresh database holding both organizations, each with its own owner. For each organization a
Chromium context (Playwright, ``/usr/bin/chromium``) logs in once, then navigates to
``/dashboard`` ``--repeats`` times; a sample is the time from the start of the navigation until
the first project row of the page is visible. The first navigation of each context is a warm-up
(it fetches the built frontend) and is not counted.

Goal: the 10,000-project median within 1 s, and within 1.5x of the 100-project median.
``--timeline`` first prints one warm navigation per size: the event websocket's frames (the
events sent, the states and vars each answer changes) and the navigation's own timing.

    python -m benchmarks.dashboard_browser [--repeats 15] [--db sqlite|postgresql] [--timeline]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, WebSocket, async_playwright
from sqlmodel import Session

from benchmarks.common import engine_for, fresh_database, machine, print_table
from benchmarks.dashboard_scale import fill
from benchmarks.load import CHROMIUM, CHROMIUM_ARGS
from benchmarks.world import PASSWORD, make_org
from projecthub.core.clock import utcnow
from tests.browser.harness import ROOT, running_app

WORKDIR = ROOT / ".harness" / "bench-dashboard-browser"  # git-ignored; keeps the built frontend
SIZES = (100, 10_000)
GOAL_SECONDS, GOAL_RATIO = 1.0, 1.5
TIMEOUT_MS = 60_000


def seed(url: str) -> dict[int, str]:
    """One organization per size, each with its own owner; size -> the owner's email."""
    engine = engine_for(url)
    owners = {}
    with Session(engine, expire_on_commit=False) as session:
        for size in SIZES:
            email = f"owner-{size}@bench.example"
            org = make_org(session, slug=f"dash{size}", email=email)
            fill(session, org.principal, org.owner.id, size, now=utcnow())
            owners[size] = email
    engine.dispose()
    return owners


async def first_row_seconds(page: Page) -> float:
    """From the start of a navigation to /dashboard until its first project row is visible."""
    rows = page.locator("a[href^='/projects/']").filter(has_not_text="New project")
    started = time.perf_counter()
    await page.goto("/dashboard", wait_until="commit")
    await rows.first.wait_for(state="visible", timeout=TIMEOUT_MS)
    return time.perf_counter() - started


def _frame_label(payload: str | bytes) -> str:
    """A websocket frame in a few words: the events it carries, or the states and vars a delta
    changes (Socket.IO frames are ``42["event", {...}]``)."""
    text = payload if isinstance(payload, str) else payload.decode(errors="replace")
    try:
        body = json.loads(text[text.index("["):])[1]
    except (ValueError, IndexError):
        return f"{len(text):,} chars"
    events = [str(e.get("name", "")).rsplit(".", 1)[-1] for e in body.get("events") or []
              if isinstance(e, dict)]
    if "name" in body:
        events.append(str(body["name"]).rsplit(".", 1)[-1])
    delta = {state.rsplit("____", 1)[-1]: sorted(v.removesuffix("_rx_state_") for v in vars_)
             for state, vars_ in (body.get("delta") or {}).items()}
    return f"{len(text):,} chars" + (f" events {events}" if events else "") + (
        f" delta {delta}" if delta else "")


async def timeline(page: Page) -> list[tuple[float, str]]:
    """One navigation to /dashboard as a list of (ms since it started, what happened)."""
    marks: list[tuple[float, str]] = []
    started = time.perf_counter()

    def mark(what: str) -> None:
        marks.append(((time.perf_counter() - started) * 1000, what))

    def watch(socket: WebSocket) -> None:
        mark("websocket open")
        socket.on("framesent", lambda data: mark("sent " + _frame_label(data)))
        socket.on("framereceived", lambda data: mark("received " + _frame_label(data)))

    page.on("websocket", watch)
    rows = page.locator("a[href^='/projects/']").filter(has_not_text="New project")
    await page.goto("/dashboard", wait_until="commit")
    await rows.first.wait_for(state="visible", timeout=TIMEOUT_MS)
    mark("first row visible")
    page.remove_listener("websocket", watch)
    timing = json.loads(await page.evaluate(
        "JSON.stringify(performance.getEntriesByType('navigation')[0])"))
    marks += [(timing[key], f"navigation {key}") for key in
              ("responseStart", "domContentLoadedEventEnd", "loadEventEnd") if timing.get(key)]
    return sorted(marks)


@asynccontextmanager
async def signed_in(browser: Browser, base: str, email: str) -> AsyncIterator[Page]:
    """A fresh Chromium context logged in as ``email``, its page warmed up on /dashboard."""
    context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    try:
        response = await page.request.post("/api/v1/auth/login",
                                           data={"email": email, "password": PASSWORD})
        assert response.ok, await response.text()
        await first_row_seconds(page)  # warm-up: the built frontend comes into the cache
        yield page
    finally:
        await context.close()


async def measure(base: str, owners: dict[int, str], repeats: int,
                  show_timeline: bool) -> dict[int, list[float]]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if show_timeline:
                for size in SIZES:
                    async with signed_in(browser, base, owners[size]) as page:
                        marks = await timeline(page)
                    print(f"one warm navigation, {size:,} projects:")
                    for at, what in marks:
                        print(f"  {at:7.0f} ms  {what}")
            # Interleaved rounds, so a busy moment of the machine falls on both sizes alike.
            found: dict[int, list[float]] = {size: [] for size in SIZES}
            for _ in range(3):
                for size in SIZES:
                    async with signed_in(browser, base, owners[size]) as page:
                        found[size] += [await first_row_seconds(page)
                                        for _ in range(max(1, repeats // 3))]
            return found
        finally:
            await browser.close()


def report(found: dict[int, list[float]]) -> None:
    rows = [[size, len(s), statistics.median(s) * 1000, min(s) * 1000, max(s) * 1000]
            for size, s in found.items()]
    print_table(["projects", "samples", "median ms", "best ms", "worst ms"], rows)
    small, large = (statistics.median(found[size]) for size in SIZES)
    ratio = large / small
    print(f"first page at {SIZES[1]:,} projects: {large:.2f} s (goal <= {GOAL_SECONDS:.1f} s: "
          f"{'met' if large <= GOAL_SECONDS else 'missed'}); {ratio:.2f}x the {SIZES[0]}-project "
          f"time (goal <= {GOAL_RATIO}x: {'met' if ratio <= GOAL_RATIO else 'missed'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--timeline", action="store_true",
                        help="first print one navigation per size, frame by frame")
    args = parser.parse_args()
    print(machine())
    WORKDIR.mkdir(parents=True, exist_ok=True)
    with fresh_database(args.db) as url, running_app(Path(WORKDIR), url) as server:
        owners = seed(url)
        report(asyncio.run(measure(server.base_url, owners, args.repeats, args.timeline)))


if __name__ == "__main__":
    main()
