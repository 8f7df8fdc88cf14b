"""On PostgreSQL the project list reads its token on the event loop (``core.async_reads``), with
no worker thread unless the answer must be built: every check still holds on that path, a dead
connection is replaced, and the pool closes with the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from projecthub.api import deps
from projecthub.api.routes.projects import LIST_ANSWERS
from projecthub.core.async_reads import AsyncReads, async_reads
from projecthub.core.clock import utcnow
from projecthub.models import ApiToken, Lifecycle, Organization, OrgStatus, Project, Role
from projecthub.services import api_tokens
from tests.factories import add_member, make_org, make_user, principal, user_of

LIST = "/api/v1/orgs/acme/projects"


@pytest.fixture
def on_the_loop(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """PostgreSQL only, and the worker-thread path of the token fails the test if taken."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads the token in a worker thread")

    def thread_path(*_args: object) -> None:
        raise AssertionError("the token was read in a worker thread")

    monkeypatch.setattr(deps, "single_read", thread_path)


def _pool(client: TestClient) -> AsyncReads:
    async def running_loops_pool() -> AsyncReads | None:
        return async_reads()

    pool = client.portal.call(running_loops_pool)  # type: ignore[union-attr]
    assert pool is not None
    return pool


def _acme(db: Session) -> tuple[Organization, ApiToken, dict[str, str]]:
    owner = make_user(db, name="Olivia")
    org = make_org(db, owner, slug="acme")
    db.add(Project(organization_id=org.id, name="Intranet", key="INTRA",
                   lifecycle=Lifecycle.ACTIVE, owner_id=owner.id))
    admin = user_of(db, add_member(db, org, role=Role.ADMIN))
    created = api_tokens.create_api_token(db, principal(db, admin, org), name="t")
    db.commit()
    return org, created.token, {"Authorization": f"Bearer {created.secret}"}


def test_every_token_check_holds_on_the_event_loop(client, db, on_the_loop):
    org, token, headers = _acme(db)
    assert client.get(LIST, headers=headers).status_code == 200
    assert _pool(client).opened >= 1
    org.status = OrgStatus.SUSPENDED
    db.add(org)
    db.commit()
    assert client.get(LIST, headers=headers).status_code == 403
    org.status = OrgStatus.ACTIVE
    db.add(org)
    db.commit()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.add(token)
    db.commit()
    assert client.get(LIST, headers=headers).status_code == 401
    token.expires_at = utcnow() + timedelta(days=1)
    db.add(token)
    db.commit()
    assert client.get(LIST, headers=headers).status_code == 200  # cached by now
    token.revoked_at = utcnow()
    db.add(token)
    db.commit()
    assert client.get(LIST, headers=headers).status_code == 401


def test_another_organizations_slug_is_not_found_on_the_event_loop(client, db, on_the_loop):
    _, _, headers = _acme(db)
    make_org(db, make_user(db), slug="other")
    assert client.get("/api/v1/orgs/other/projects", headers=headers).status_code == 404


def test_a_kept_answer_needs_no_worker_thread(client, db, on_the_loop, monkeypatch):
    _, _, headers = _acme(db)
    LIST_ANSWERS.clear()
    first = client.get(LIST, headers=headers)

    async def no_thread(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a kept answer went to a worker thread")

    monkeypatch.setattr(deps.to_thread, "run_sync", no_thread)
    again = client.get(LIST, headers=headers)
    assert again.status_code == 200 and again.content == first.content


def test_a_dead_connection_is_replaced_on_the_event_loop(client, db, engine, on_the_loop):
    _, _, headers = _acme(db)
    assert client.get(LIST, headers=headers).status_code == 200
    pool = _pool(client)
    opened = pool.opened
    with engine.connect() as connection:
        connection.exec_driver_sql("RESET ROLE")  # the superuser may end any backend
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert client.get(LIST, headers=headers).status_code == 200
    assert pool.opened == opened + 1


def test_the_pool_closes_when_the_server_stops(engine, api_app, db, on_the_loop):
    _, _, headers = _acme(db)
    with TestClient(api_app) as client:
        assert client.get(LIST, headers=headers).status_code == 200
        pool = _pool(client)
        connections = [cursor.connection for cursor in pool._idle]
        assert connections
    assert all(connection.closed for connection in connections)
