"""Browser test fixtures: the real app (``reflex run --env prod``) driven by system Chromium.

- ``app_server`` (session): the running app, ``.base_url``, ``.database_url`` (seed data there),
  ``.log_text()`` (its output so far). Started on first use against a fresh database.
- ``browser`` (module): Chromium through Playwright's sync API.
- ``page``: a fresh browser context per test (no shared cookies); relative URLs work.
- ``console_errors``: console errors and uncaught exceptions seen by ``page``.

Helpers are in ``tests.browser.harness``: ``visit(page, "/")`` (navigate and wait until Reflex has
hydrated; interact only after that) and ``save_screenshot(page, "name")``.
Write browser tests as plain ``def`` tests; every test here gets the ``browser`` marker.
"""

from __future__ import annotations

import fcntl
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.browser.harness import ROOT, AppServer, StartupError, fresh_database, running_app

# Fixed, git-ignored working dirs, so .web/node_modules survives between runs. Each concurrent
# pytest session in this checkout claims its own slot instead of rebuilding another's frontend.
HARNESS_DIR = ROOT / ".harness"
SLOTS = 4
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# What a page may take to show a result, for actions and assertions alike. CI runs the SQLite and
# PostgreSQL suites side by side on 2 cores, where an on_load behind another event of the same tab
# has taken more than Playwright's 5 s default for ``expect``. Speed is the benchmarks' job.
WAIT_MS = 15_000
expect.set_options(timeout=WAIT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if inspect.iscoroutinefunction(getattr(item, "function", None)):
            raise pytest.UsageError(f"{item.nodeid}: browser tests use Playwright's sync API; "
                                    "write them as plain def, not async def")


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    slot, lock = _claim_slot()
    try:
        with fresh_database(slot) as database_url, running_app(slot, database_url) as server:
            yield server
    except StartupError as error:
        pytest.fail(str(error))
    finally:
        lock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped on purpose: while Playwright's sync API is started, its event loop counts as
    running in this thread, so pytest-asyncio cannot run any ``async def`` test until it stops."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, app_server: AppServer) -> Iterator[Page]:
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT,
                                  color_scheme="light")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"{message.text} ({message.location['url']})")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _claim_slot() -> tuple[Path, IO[str]]:
    for index in range(SLOTS):
        slot = HARNESS_DIR / f"slot-{index}"
        slot.mkdir(parents=True, exist_ok=True)
        lock = (slot / "lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return slot, lock
    pytest.fail(f"all {SLOTS} harness slots in {HARNESS_DIR} are in use")
