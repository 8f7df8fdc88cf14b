"""``GET /api/v1/ready``: 200 with every check when the process can serve, 503 naming the failed
check otherwise, and never a connection string."""

from __future__ import annotations

from sqlalchemy import create_engine

from projecthub.api.routes import readiness
from projecthub.core.config import settings


def test_ready_when_the_database_is_at_head(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database", "migrations", "redis"}
    assert body["checks"]["redis"]["detail"] == "not configured"


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


def test_unreachable_redis_is_named_without_its_url(client, monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", "redis://:hunter2@127.0.0.1:1/0")
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert "hunter2" not in response.text and "127.0.0.1" not in response.text

