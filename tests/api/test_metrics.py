"""``GET /metrics``: 404 without ``PROJECTHUB_METRICS_TOKEN``, 401 without that bearer token,
and then HTTP requests by route template, sync lag per organization and the DB pool."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import select

from projecthub.core import metrics
from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.db import TimedQueuePool
from projecthub.models import ProjectResource, StatusSnapshot
from tests.factories import make_org, make_user
from tests.metrics import sample
from tests.ui.status_seed import add_project

TOKEN = "metrics-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def token(monkeypatch) -> None:
    monkeypatch.setattr(settings, "METRICS_TOKEN", TOKEN)


def test_metrics_do_not_exist_without_a_configured_token(client):
    assert client.get("/metrics", headers=AUTH).status_code == 404


@pytest.mark.usefixtures("token")
@pytest.mark.parametrize("header", [None, "Bearer wrong", TOKEN, f"Basic {TOKEN}"])
def test_metrics_refuse_anything_but_the_bearer_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert TOKEN not in response.text


@pytest.mark.usefixtures("token")
def test_requests_are_counted_by_route_template_never_by_raw_path(client):
    template = "/api/v1/orgs/{org_slug}/projects"
    before = sample("projecthub_http_requests_total", method="GET", route=template,
                    status="401")
    client.get("/api/v1/orgs/secret-org-slug/projects")
    client.get("/api/v1/orgs/another-org/projects")
    body = client.get("/metrics", headers=AUTH).text
    assert sample("projecthub_http_requests_total", method="GET", route=template,
                  status="401") == before + 2
    assert "secret-org-slug" not in body and "another-org" not in body
    client.get("/no/such/path/42")
    assert "/no/such/path" not in client.get("/metrics", headers=AUTH).text


@pytest.mark.usefixtures("token")
def test_sync_lag_is_the_age_of_each_organizations_oldest_figure(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="lagging")
    project = add_project(db, org, owner, name="Late", key="LATE", tools=("jira", "productive"))
    resources = db.exec(select(ProjectResource)).all()
    for minutes, resource in zip((5, 30), resources, strict=True):
        db.add(StatusSnapshot(organization_id=org.id, project_id=project.id,
                              resource_id=resource.id, tool=resource.tool, kind=resource.kind,
                              fetched_at=utcnow() - timedelta(minutes=minutes)))
    db.commit()
    line = next(line for line in client.get("/metrics", headers=AUTH).text.splitlines()
                if line.startswith('projecthub_status_sync_lag_seconds{organization="lagging"}'))
    assert 30 * 60 <= float(line.split()[-1]) < 31 * 60


def test_checked_out_database_connections_are_a_gauge(engine):
    before = sample("projecthub_db_pool_checked_out")
    with engine.connect():
        assert sample("projecthub_db_pool_checked_out") == before + 1
    assert sample("projecthub_db_pool_checked_out") == before


def test_each_pool_checkout_is_timed(engine):
    before = sample("projecthub_db_pool_checkout_seconds_count")
    with engine.connect():
        pass
    assert sample("projecthub_db_pool_checkout_seconds_count") == before + 1


def test_a_checkout_that_gives_up_waiting_is_counted():
    pool = TimedQueuePool(lambda: sqlite3.connect(":memory:"), pool_size=1, max_overflow=0,
                          timeout=0.01)
    before = sample("projecthub_db_pool_timeouts_total")
    held = pool.connect()
    with pytest.raises(PoolTimeout):
        pool.connect()
    held.close()
    pool.dispose()
    assert sample("projecthub_db_pool_timeouts_total") == before + 1


def test_requests_are_timed_by_route_template(client):
    template = "/api/v1/orgs/{org_slug}/projects"
    before = sample("projecthub_http_request_duration_seconds_count", method="GET",
                    route=template)
    client.get("/api/v1/orgs/some-org/projects")
    assert sample("projecthub_http_request_duration_seconds_count", method="GET",
                  route=template) == before + 1


@pytest.fixture
def a_waiting_mail_job(engine, monkeypatch) -> Iterator[None]:
    """One mail job ready to run: in procrastinate's table on PostgreSQL, in the in-process
    engine's figures on SQLite."""
    if engine.dialect.name != "postgresql":
        monkeypatch.setattr(metrics, "_local_job_stats", lambda: {"mail": (1, 42.0)})
        yield
        return
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) "
            "VALUES ('mail', 'send_mail', '{}', 'todo')"))
        connection.execute(text(
            "UPDATE procrastinate_events SET at = now() - interval '42 seconds'"))
    yield
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM procrastinate_events"))
        connection.execute(text("DELETE FROM procrastinate_jobs"))


@pytest.mark.usefixtures("token", "a_waiting_mail_job")
def test_job_queue_depth_and_oldest_job_age_by_queue(client):
    body = client.get("/metrics", headers=AUTH).text
    assert 'projecthub_job_queue_depth{queue="mail"} 1.0' in body
    age = next(line for line in body.splitlines()
               if line.startswith('projecthub_job_oldest_age_seconds{queue="mail"}'))
    assert 42 <= float(age.rsplit(" ", 1)[1]) < 60
