"""``GET /api/v1/ready``: 200 with every check when the process can serve, 503 naming the failed
check otherwise, and never a connection string."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from projecthub.api.routes import readiness
from projecthub.core.config import settings
from projecthub.core.db import build_engine


@pytest.mark.usefixtures("worker_heartbeat")
def test_ready_when_the_database_is_at_head(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database", "migrations", "redis", "workers"}
    assert body["checks"]["redis"]["detail"] == "not configured"


def test_postgresql_is_ready_only_with_a_recent_worker_heartbeat(client, postgres_database,
                                                                 monkeypatch):
    app_engine = build_engine(postgres_database)
    monkeypatch.setattr(readiness, "get_engine", lambda: app_engine)
    try:
        response = client.get("/api/v1/ready")
        assert response.status_code == 503
        assert response.json()["failed"] == ["workers"]
        assert "projecthub worker" in response.json()["checks"]["workers"]["detail"]
        with app_engine.begin() as connection:
            connection.execute(text("INSERT INTO procrastinate_workers (last_heartbeat) "
                                    "VALUES (now() - interval '10 minutes')"))
        response = client.get("/api/v1/ready")
        assert response.json()["failed"] == ["workers"]
        assert response.json()["checks"]["workers"]["detail"].startswith("last worker heartbeat 60")
        with app_engine.begin() as connection:
            connection.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES"))
        response = client.get("/api/v1/ready")
        assert response.status_code == 200, response.text
    finally:
        app_engine.dispose()


def test_a_database_behind_head_is_not_ready(client, tmp_path, monkeypatch):
    behind = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # never migrated
    monkeypatch.setattr(readiness, "get_engine", lambda: behind)
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["database"]["ok"]
    assert "no revision" in body["checks"]["migrations"]["detail"]
    assert "projecthub migrate" in body["checks"]["migrations"]["detail"]


def test_an_unreachable_database_is_named_without_its_address(client, tmp_path, monkeypatch):
    address = f"{tmp_path}/no-such-directory/secret-name.db"
    monkeypatch.setattr(readiness, "get_engine", lambda: create_engine(f"sqlite:///{address}"))
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database", "migrations"]
    assert "secret-name" not in response.text and str(tmp_path) not in response.text


@pytest.mark.usefixtures("worker_heartbeat")
def test_unreachable_redis_is_named_without_its_url(client, monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", "redis://:hunter2@127.0.0.1:1/0")
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert "hunter2" not in response.text and "127.0.0.1" not in response.text

