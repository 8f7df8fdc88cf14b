"""Fixtures every test package uses: the test database (built with ``alembic upgrade head``
exactly as in production, emptied after each test), the API test client, and the throwaway
PostgreSQL and Redis that scripts/test starts, for the tests that need them."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel

from tests.environment import TEST_DATABASE_URL

# isort: split
# Below the environment: projecthub reads its settings at import.
from projecthub.core.db import configure_engine
from projecthub.core.migrations import upgrade_database


def _started_by_scripts_test(variable: str, what: str) -> str:
    url = os.environ.get(variable)
    if not url:
        pytest.fail(f"this test needs {what}: run it with scripts/test, which starts a throwaway "
                    f"server and sets {variable} (or set it to a server of your own)")
    return url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that make a PostgreSQL database of their own (workers, row-level security,
    readiness, migrations): they run the same whichever database the suite runs on, so CI's
    SQLite half leaves them to its PostgreSQL half (``-m "not own_postgresql"``)."""
    for item in items:
        if "postgres_admin_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.own_postgresql)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """A superuser URL (database ``postgres``) on the PostgreSQL that scripts/test started."""
    return _started_by_scripts_test("PROJECTHUB_TEST_POSTGRES_ADMIN_URL", "PostgreSQL")


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    """``redis://host:port`` of the Redis that scripts/test started (pick a database number)."""
    return _started_by_scripts_test("PROJECTHUB_TEST_REDIS_URL", "Redis")

@pytest.fixture
def postgres_database(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database at ``head`` (made as in production), dropped afterwards."""
    admin_url = make_url(postgres_admin_url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"projecthub_test_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:  # connection refused, unknown host, no such role
        admin.dispose()
        pytest.fail(f"PostgreSQL not reachable at {admin_url!r}: {exc}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

pytest_plugins = ["tests.mail_fixtures"]  # the ``smtp`` fixture: a real SMTP server


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    upgrade_database(TEST_DATABASE_URL)
    engine = configure_engine(TEST_DATABASE_URL)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts from empty tables (cheaper than rebuilding the schema)."""
    yield
    if "engine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("engine")
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))


@pytest.fixture
def worker_heartbeat(engine) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """On PostgreSQL a job worker somewhere has just sent its heartbeat, as in a running
    deployment (``/api/v1/ready`` asks for one); SQLite runs its jobs in process."""
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES"))
    yield
    if postgres:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM procrastinate_workers"))


@pytest.fixture
def db(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def api_app() -> FastAPI:
    """The API app, built once: building it takes most of a second (every route's models), and
    a few hundred tests use it. It reads its settings per request, except the CORS origins and
    the admission limit: a test that changes those builds its own app."""
    from projecthub.api.main import create_api  # only when asked for: it builds the whole API

    return create_api()


@pytest.fixture
def client(engine, api_app: FastAPI) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The API over its ASGI app; a server error is an answer (500) here, not an exception."""
    try:
        with TestClient(api_app, raise_server_exceptions=False) as test_client:
            yield test_client
    finally:
        api_app.dependency_overrides.clear()
