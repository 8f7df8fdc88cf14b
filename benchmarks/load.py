"""Load on one production server: 200 API clients and 20 browsers at once, for ``--seconds``.

The server is the real app, ``reflex run --env prod``, started on a free loopback port the way
the browser tests start it (``tests.browser.harness.running_app``), on a fresh PostgreSQL
database holding one organization of ``--projects`` projects with status rows. Meanwhile:

- ``--api-clients`` (200) clients, each with its own API token and connection, read the project
  list (a random page) and then one project's status, over and over;
- ``--browsers`` (20) Chromium contexts (Playwright, ``/usr/bin/chromium``) log in once (all at
  once, before the clock starts), then click through the dashboard and a project's status page,
  a page counting as loaded when Reflex has hydrated it.

Reported: throughput, p50/p95/p99 latency and errors per kind of request. The goal is zero
errors: any non-2xx answer, timeout, failed navigation, console error or uncaught page error.

    python -m benchmarks.load [--seconds 60] [--api-clients 200] [--browsers 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Locator, Page, WebSocket, async_playwright
from sqlmodel import Session

from benchmarks.common import (
    engine_for,
    fresh_database,
    machine,
    percentile,
    print_table,
)
from benchmarks.dashboard_scale import fill
from benchmarks.world import OWNER_EMAIL, PASSWORD, Org, make_org
from projecthub.connectors.tls import ssl_context
from projecthub.core.clock import utcnow
from projecthub.services import api_tokens
from tests.browser.harness import ROOT, running_app

WORKDIR = ROOT / ".harness" / "bench-load"  # git-ignored; keeps the built frontend between runs
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
HYDRATED = '"is_hydrated_rx_state_":true'
NAVIGATION_TIMEOUT_S = 30
LOGIN_TIMEOUT_S = 180  # all contexts log in at once before the clock starts; not measured
PROJECT_LINK = re.compile(r"/projects/[0-9a-f-]{36}/?$")


@dataclass
class Tally:
    """Latencies and errors per kind of request, shared by every client task."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def error(self, kind: str, what: str) -> None:
        self.errors[kind].append(what[:200])


async def api_client(base: str, slug: str, token: str, ids: list[str], pages: int,
                     deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"{base}/api/v1/orgs/{slug}", headers=headers,
                                 timeout=30, verify=ssl_context()) as client:
        while time.monotonic() < deadline:
            for kind, path in (("api list", f"/projects?page={rng.randint(1, pages)}"),
                               ("api detail", f"/projects/{rng.choice(ids)}")):
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx.HTTPError as exc:
                    tally.error(kind, f"{type(exc).__name__}: {exc}")
                    continue
                tally.latencies[kind].append(time.perf_counter() - started)
                if response.status_code != 200:
                    tally.error(kind, f"{response.status_code} {path}")


class Tab:
    """One browser context's page, and a way to wait until Reflex has hydrated a route (the
    hydration frame arrives on the event websocket, after a load or a client-side navigation)."""

    def __init__(self, page: Page, tally: Tally) -> None:
        self.page = page
        self._waiter: asyncio.Event | None = None
        page.on("websocket", self._watch)
        page.on("pageerror", lambda error: tally.error("browser", f"page error: {error}"))
        page.on("console", lambda message: tally.error("browser", f"console: {message.text}")
                if message.type == "error" else None)
        page.on("response", lambda response: tally.error(
            "browser", f"{response.status} {response.url}") if response.status >= 400 else None)

    def _watch(self, socket: WebSocket) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        if self._waiter is not None and HYDRATED in str(payload):
            self._waiter.set()

    async def until_hydrated(self, action: Callable[[], Awaitable[Any]],
                             timeout: float = NAVIGATION_TIMEOUT_S) -> float:
        self._waiter = asyncio.Event()
        started = time.perf_counter()
        await action()
        await asyncio.wait_for(self._waiter.wait(), timeout)
        return time.perf_counter() - started


async def log_in(browser: Browser, base: str, tally: Tally) -> Tab | None:
    """A logged-in browser context on the dashboard (before the clock starts), or None."""
    context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(LOGIN_TIMEOUT_S * 1000)
    tab = Tab(await context.new_page(), tally)
    page = tab.page
    try:
        started = time.perf_counter()
        await tab.until_hydrated(lambda: page.goto("/login"), LOGIN_TIMEOUT_S)
        await page.get_by_label("Email").fill(OWNER_EMAIL)
        await page.get_by_label("Password").fill(PASSWORD)
        await tab.until_hydrated(lambda: page.get_by_role("button", name="Log in").click(),
                                 LOGIN_TIMEOUT_S)
        await page.wait_for_url(re.compile(r"/dashboard/?$"))
        tally.latencies["browser login"].append(time.perf_counter() - started)
    except Exception as exc:  # a failed login is an error, not a crash of the run
        tally.error("browser login", f"{type(exc).__name__}: {str(exc)[:150]}")
        await context.close()
        return None
    context.set_default_timeout(NAVIGATION_TIMEOUT_S * 1000)
    return tab


async def browser_user(tab: Tab, deadline: float, tally: Tally, seed: int) -> None:
    """Dashboard, then a random project's status page through its link, until the deadline."""
    rng = random.Random(seed)
    page = tab.page
    try:
        while time.monotonic() < deadline:
            await _step(tab, "browser dashboard", tally, lambda: page.goto("/dashboard"))
            # Projects' own links: the page has others under /projects/ (import, new).
            hrefs = [h for h in await page.locator("a[href^='/projects/']").evaluate_all(
                "links => links.map(link => link.getAttribute('href'))")
                if PROJECT_LINK.search(h or "")]
            if not hrefs:
                tally.error("browser project", "no project link on the dashboard")
                continue
            link = page.locator(f"a[href='{rng.choice(hrefs)}']").first

            async def open_project(link: Locator = link) -> None:
                await link.click()
                await page.wait_for_url(PROJECT_LINK)

            await _step(tab, "browser project", tally, open_project)
    except Exception as exc:  # a broken session is an error, not a crash of the run
        tally.error("browser", f"{type(exc).__name__}: {str(exc)[:150]}")
    finally:
        await page.context.close()


async def _step(tab: Tab, kind: str, tally: Tally,
                action: Callable[[], Awaitable[Any]]) -> None:
    try:
        tally.latencies[kind].append(await tab.until_hydrated(action))
    except TimeoutError:
        tally.error(kind, "not hydrated in time")


async def drive(base: str, slug: str, tokens: list[str], ids: list[str], *, seconds: float,
                browsers: int) -> tuple[Tally, float]:
    """Log the browsers in, then run every client until the deadline; the tally and how long
    the measured window really lasted (the last requests finish after the deadline)."""
    tally = Tally()
    pages = max(1, len(ids) // 25)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tabs = await asyncio.gather(*(log_in(browser, base, tally) for _ in range(browsers)))
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(api_client(base, slug, t, ids, pages, deadline, tally, n)
              for n, t in enumerate(tokens)),
            *(browser_user(tab, deadline, tally, n)
              for n, tab in enumerate(tabs) if tab is not None))
        window = time.monotonic() - started
        await browser.close()
    return tally, window


def prepare(url: str, projects: int, clients: int) -> tuple[Org, list[str], list[str]]:
    """The organization, one API token per client, and the project ids to read."""
    engine = engine_for(url)
    with Session(engine, expire_on_commit=False) as session:
        org = make_org(session, slug="loadtest")
        ids = [str(i) for i in fill(session, org.principal, org.owner.id, projects,
                                    now=utcnow())]
        tokens = [api_tokens.create_api_token(session, org.principal, name=f"load {n}").secret
                  for n in range(clients)]
        session.commit()  # the service leaves the transaction to its caller
    engine.dispose()
    return org, tokens, ids


def report(tally: Tally, seconds: float) -> int:
    rows = []
    for kind in sorted(set(tally.latencies) | set(tally.errors)):
        done = tally.latencies.get(kind, [])
        rows.append([kind, len(done), len(done) / seconds,
                     *(percentile(done, f) * 1000 for f in (0.5, 0.95, 0.99)),
                     len(tally.errors.get(kind, []))])
    print_table(["requests", "done", "per s", "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
    errors = sum(len(e) for e in tally.errors.values())
    for kind, messages in tally.errors.items():
        for message in sorted(set(messages))[:5]:
            print(f"  {kind}: {message} (x{messages.count(message)})")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--api-clients", type=int, default=200)
    parser.add_argument("--browsers", type=int, default=20)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--redis", default="",
                        help="a Redis URL: Reflex state there and several backend workers")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://root@127.0.0.1:5432/"
                                                  "postgres")
    args = parser.parse_args()
    WORKDIR.mkdir(parents=True, exist_ok=True)
    if args.redis:  # the harness hands the server this process's environment
        os.environ["PROJECTHUB_REDIS_URL"] = args.redis
    with fresh_database("postgresql", args.postgres_url) as url, \
            running_app(Path(WORKDIR), url) as server:
        org, tokens, ids = prepare(url, args.projects, args.api_clients)
        print(f"load on {machine()}; reflex run --env prod at {server.base_url} on PostgreSQL, "
              f"{args.projects} projects; {args.api_clients} API clients and {args.browsers} "
              f"browser contexts for {args.seconds:g}s"
              + (f"; Redis at {args.redis} (several workers)" if args.redis else "; no Redis "
                 "(one backend worker)"))
        tally, elapsed = asyncio.run(drive(server.base_url, org.org.slug, tokens, ids,
                                           seconds=args.seconds, browsers=args.browsers))
    errors = report(tally, elapsed)
    total = sum(len(v) for v in tally.latencies.values())
    print(f"ratio: {errors} errors in {total:,} requests and page loads "
          f"({errors / max(total, 1):.4%}) over {elapsed:.0f}s; goal zero errors: "
          + ("met" if errors == 0 else "MISSED"))


if __name__ == "__main__":
    main()
