"""Secret canaries: plant a known password, API token and tool credentials, drive every path that
handles them (sign-up, login, password change, token creation, connections created, updated and
tested with good and bad credentials, a provisioning run failing on a bad token and retried, and
error paths), then search everything the app left behind for them: every log record of every
logger at DEBUG (SQL echo included), every API response with its headers, the Reflex states a
browser tab would hold, every row of every table, and on SQLite the raw database files.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import reflex as rx
from sqlalchemy import inspect, make_url, text
from sqlmodel import Session, select

from projecthub.connectors.clock import FakeClock
from projecthub.core.web import API_PREFIX
from projecthub.models import RunStatus, User
from projecthub.sandbox import Fault, create_sandbox_app
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.services.provisioning.runner import RunnerConfig, drive_run
from projecthub.services.wiring import new_session
from projecthub.ui.state.account import NEW_TOKEN_ID, AccountState
from projecthub.ui.state.audit import AuditState
from projecthub.ui.state.connections import ConnectionsState
from tests.environment import TEST_DATABASE_URL
from tests.reliability.sandboxed import route_tools_to
from tests.ui.tabs import browser_state, login, revealed

LOGGERS = ("", "projecthub", "httpx", "httpx2", "httpcore", "uvicorn", "uvicorn.error",
           "uvicorn.access", "fastapi", "starlette", "reflex", "sqlalchemy.engine", "msal",
           "asyncio")
EMAIL = "canary-owner@example.com"


class Canaries:
    """Unique per run, so rows other tests left in the database never match."""

    def __init__(self) -> None:
        tag = secrets.token_hex(6)
        self.password = f"Canary-pass-{tag}-Xq7"
        self.new_password = f"Canary-next-{tag}-Zr4"
        self.wrong_password = f"Canary-wrong-{tag}-Kv2"
        self.tenant = f"cnry{tag}"
        self.tool_ok = f"sandbox-{self.tenant}"  # the sandbox accepts it
        self.tool_bad = f"canary-bad-tool-token-{tag}"  # the sandbox refuses it (401)
        self.api_token = ""  # created by the app, known once the account page shows it

    def planted(self) -> dict[str, str]:
        values = {"password": self.password, "new password": self.new_password,
                  "wrong password": self.wrong_password, "tool token": self.tool_ok,
                  "bad tool token": self.tool_bad, "API token": self.api_token}
        return {name: value for name, value in values.items() if value}

    def forms(self) -> dict[str, str]:
        """Every canary in the shapes it could leak in: as is, URL- or base64-encoded (Basic auth
        of ``email:secret``), and its middle (a truncated or partly masked leak)."""
        forms: dict[str, str] = {}
        for name, value in self.planted().items():
            forms[name] = value
            forms[f"{name} (middle)"] = value[4:-4]
            forms[f"{name} (url)"] = urllib.parse.quote(value, safe="")
            for user in (EMAIL, SANDBOX_EMAIL):
                basic = base64.b64encode(f"{user}:{value}".encode()).decode()
                forms[f"{name} (basic auth as {user})"] = basic
        return forms


class Capture(logging.Handler):
    """Every record, unfiltered: message, arguments, extra fields and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.name, record.getMessage(), repr(record.args), repr(record.__dict__)]
        if record.exc_info:
            parts.append(self._formatter.formatException(record.exc_info))
        self.texts.append("\n".join(parts))


@pytest.fixture
def captured_logs() -> Iterator[Capture]:
    capture = Capture()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.disabled))
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(capture)
    try:
        yield capture
    finally:
        for logger, level, disabled in saved:
            logger.removeHandler(capture)
            logger.setLevel(level)
            logger.disabled = disabled


class Recorder:
    """The API client, keeping every response (status, headers, body) for the search."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.seen: list[str] = []

    def __call__(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = self.client.request(method, API_PREFIX + path, **kwargs)  # type: ignore[arg-type]
        self.seen.append(f"{method} {path} -> {response.status_code}\n"
                         f"{dict(response.headers)}\n{response.text}")
        return response


def test_no_canary_leaks_anywhere(client, db, engine, monkeypatch, captured_logs):
    canaries = Canaries()
    clock = FakeClock()
    sandbox = create_sandbox_app(sleep=clock.sleep)
    jira = sandbox.vendors["jira"].tenant(canaries.tenant)
    jira.add_user(EMAIL, "Casey Canary")
    tools = route_tools_to(monkeypatch, sandbox, clock)
    api = Recorder(client)
    states: list[str] = []

    _accounts(api, canaries)
    owner = db.exec(select(User).where(User.email == EMAIL)).one()
    bearer = {"Authorization": f"Bearer {_plant_api_token(db, owner, canaries, states)}"}
    connection_id = _connections(api, bearer, canaries)
    sandbox.vendors["jira"].faults.add(Fault(kind="rate_limit", retry_after=2))  # a retry logged
    run_id = _provisioning(api, bearer, canaries, connection_id, owner, tools)
    states += _ui_states(db, owner, connection_id, canaries)
    _error_paths(api, bearer, canaries, connection_id)

    assert api.client.get(f"{API_PREFIX}/orgs/canary/runs/{run_id}",
                          headers=bearer).json()["status"] == "succeeded"
    places = {"log records": captured_logs.texts, "API responses": api.seen,
              "Reflex state": states, "database rows": _table_dump(engine),
              "database files": _raw_database_files()}
    assert len(api.seen) > 20 and len(captured_logs.texts) > 50  # the net was really cast
    assert any(t.startswith("projecthub") for t in captured_logs.texts)
    leaks = [f"{form} in {place}" for place, texts in places.items()
             for form, value in canaries.forms().items() for blob in texts if value in blob]
    assert not leaks, sorted(set(leaks))


def _accounts(api: Recorder, c: Canaries) -> None:
    signed_up = api("POST", "/auth/signup", json={
        "email": EMAIL, "password": c.password, "display_name": "Casey Canary",
        "org_name": "Canary", "org_slug": "canary"})
    assert signed_up.status_code == 202, signed_up.text
    assert api("POST", "/auth/login", json={"email": EMAIL, "password": c.password}
               ).status_code == 200
    assert api("POST", "/auth/logout").status_code == 200
    assert api("POST", "/auth/login", json={"email": EMAIL,
                                            "password": c.wrong_password}).status_code == 401
    assert api("POST", "/auth/login", json={"email": c.password,  # typed into the wrong box
                                            "password": c.password}).status_code == 401
    assert api("POST", "/auth/login", json={"email": EMAIL, "password": c.password}
               ).status_code == 200
    refused = api("POST", "/auth/password", json={"current_password": c.wrong_password,
                                                  "new_password": c.new_password})
    assert refused.status_code == 422, refused.text
    changed = api("POST", "/auth/password", json={"current_password": c.password,
                                                  "new_password": c.new_password})
    assert changed.status_code == 200, changed.text
    assert api("POST", "/auth/login", json={"email": EMAIL, "password": c.new_password}
               ).status_code == 200
    taken = api("POST", "/auth/signup", json={"email": EMAIL, "password": c.password})
    assert taken.status_code == 202


def _plant_api_token(db: Session, owner: User, c: Canaries, states: list[str]) -> str:
    """Created on the account page, the one place it is shown once; never in the state store."""
    root = browser_state(rx.State, login(db, owner), path="/account")
    page = root.get_substate(AccountState.get_full_name().split("."))
    assert isinstance(page, AccountState)
    page.load()
    c.api_token = revealed(page.create_token({"name": "canary"}), NEW_TOKEN_ID) or ""
    assert c.api_token.startswith("pht_")
    states.append(repr(root.dict()) + repr(root._serialize()))  # what Reflex stores, while shown
    page.dismiss_token()
    states.append(repr(root.dict()))
    page.load()
    states.append(repr(root.dict()))
    return c.api_token


def _connections(api: Recorder, bearer: dict[str, str], c: Canaries) -> str:
    base = "/orgs/canary/connections"
    created = api("POST", base, headers=bearer, json={
        "tool": "jira", "name": "Jira", "base_url": "http://127.0.0.1:9/sandbox/jira",
        "settings": {"email": SANDBOX_EMAIL}, "secrets": {"api_token": c.tool_bad}})
    assert created.status_code == 201, created.text
    connection_id = created.json()["id"]
    failing = api("POST", f"{base}/{connection_id}/test", headers=bearer)
    assert failing.json()["ok"] is False, failing.text
    assert api("PATCH", f"{base}/{connection_id}", headers=bearer,
               json={"secrets": {"api_token": c.tool_ok}}).status_code == 200
    assert api("POST", f"{base}/{connection_id}/test", headers=bearer).json()["ok"] is True
    assert api("GET", base, headers=bearer).status_code == 200
    assert api("PATCH", f"{base}/{connection_id}", headers=bearer,
               json={"secrets": {"api_token": c.tool_bad}}).status_code == 200
    return str(connection_id)


async def _drive(run_id: str, tools: object) -> RunStatus | None:
    config = RunnerConfig(session_factory=new_session, tools_factory=tools,  # type: ignore[arg-type]
                          worker_id="canary-worker")
    return await drive_run(uuid.UUID(run_id), config)


def _provisioning(api: Recorder, bearer: dict[str, str], c: Canaries, connection_id: str,
                  owner: User, tools: object) -> str:
    """A run that fails on the bad token, then the token is fixed and the run retried."""
    answers = {"name": "Canary launch", "key": "CNRY", "project_type": "internal",
               "client_company": "Canary", "project_manager": str(owner.id),
               "jira_mode": "create", "jira_connection": connection_id,
               "confluence_mode": "skip", "m365_mode": "skip", "productive_mode": "skip"}
    planned = api("POST", "/orgs/canary/projects", headers=bearer,
                  json={"answers": answers, "dry_run": True})
    assert planned.status_code == 200, planned.text
    started = api("POST", "/orgs/canary/projects", headers=bearer, json={"answers": answers})
    assert started.status_code == 201, started.text
    run_id = started.json()["run"]["id"]
    assert asyncio.run(_drive(run_id, tools)) == RunStatus.FAILED
    failed = api("GET", f"/orgs/canary/runs/{run_id}", headers=bearer).json()
    assert failed["status"] == "failed" and any(s["error"] for s in failed["steps"])
    api("PATCH", f"/orgs/canary/connections/{connection_id}", headers=bearer,
        json={"secrets": {"api_token": c.tool_ok}})
    assert api("POST", f"/orgs/canary/runs/{run_id}/retry", headers=bearer).status_code == 200
    assert asyncio.run(_drive(run_id, tools)) == RunStatus.SUCCEEDED
    return str(run_id)


def _ui_states(db: Session, owner: User, connection_id: str, c: Canaries) -> list[str]:
    """The connections page saving and testing a canary secret, and the audit log, as a tab
    would hold them (``root.dict()`` is all the browser could ever be sent)."""
    dumps = []
    root = browser_state(rx.State, login(db, owner), path="/org/connections")
    page = root.get_substate(ConnectionsState.get_full_name().split("."))
    assert isinstance(page, ConnectionsState)
    page.load()
    page.open_edit(connection_id)
    dumps.append(repr(root.dict()))
    page.open_edit(connection_id)
    page.save({"name": "Jira", "base_url": "http://127.0.0.1:9/sandbox/jira",
               "email": SANDBOX_EMAIL, "api_token": c.tool_bad})
    asyncio.run(ConnectionsState.test_connection.fn(page, connection_id))
    dumps.append(repr(root.dict()))
    page.open_edit(connection_id)
    page.save({"name": "Jira", "base_url": "http://127.0.0.1:9/sandbox/jira",
               "email": SANDBOX_EMAIL, "api_token": c.tool_ok})
    asyncio.run(ConnectionsState.test_connection.fn(page, connection_id))
    assert any(row.test_status == "passed" for group in page.groups for row in group.connections)
    dumps.append(repr(root.dict()))
    audit_root = browser_state(rx.State, login(db, owner), path="/org/audit")
    audit = audit_root.get_substate(AuditState.get_full_name().split("."))
    assert isinstance(audit, AuditState)
    audit.load()
    dumps.append(repr(audit_root.dict()))
    return dumps


def _error_paths(api: Recorder, bearer: dict[str, str], c: Canaries, connection_id: str) -> None:
    base = "/orgs/canary/connections"
    bad_url = api("POST", base, headers=bearer, json={
        "tool": "jira", "name": "Other", "base_url": "ftp://nowhere",
        "settings": {"email": SANDBOX_EMAIL}, "secrets": {"api_token": c.tool_ok}})
    assert bad_url.status_code == 422
    unknown = api("POST", base, headers=bearer, json={
        "tool": "jira", "name": "Other", "base_url": "http://127.0.0.1:9/sandbox/jira",
        "settings": {"email": SANDBOX_EMAIL, "note": c.tool_ok},
        "secrets": {"api_token": c.tool_ok, "extra": c.tool_bad}})
    assert unknown.status_code == 422, unknown.text
    malformed = api("PATCH", f"{base}/{connection_id}", headers=bearer,
                    json={"secrets": {"api_token": 12345}, "unexpected": c.tool_ok})
    assert malformed.status_code == 422
    assert api("GET", "/me", headers={"Authorization": f"Token {c.api_token}"}
               ).status_code == 401
    assert api("GET", "/me", headers={"Authorization": f"Bearer {c.api_token}x"}
               ).status_code == 401
    assert api("POST", "/auth/login", json={"email": EMAIL, "password": c.password}
               ).status_code == 401  # the old password, after the change


def _table_dump(engine) -> list[str]:
    """``SELECT *`` of every table in the database (not only the models'), as text."""
    with engine.connect() as connection:
        return [f"{name}: {list(map(tuple, connection.execute(text(f'SELECT * FROM {name}'))))}"
                for name in inspect(connection).get_table_names()]


def _raw_database_files() -> list[str]:
    """On SQLite, the bytes of the database and its journal/WAL files, as Latin-1 text."""
    url = make_url(TEST_DATABASE_URL)
    if url.get_backend_name() != "sqlite" or not url.database:
        return []
    path = Path(url.database)
    files = [p for p in (path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm",
                                                                          "-journal")))
             if p.exists()]
    assert files
    return [p.read_bytes().decode("latin-1") for p in files]
