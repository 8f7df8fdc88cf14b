"""Fixtures every test package uses: the test database (built with ``alembic upgrade head``
exactly as in production, emptied after each test) and the API test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from tests.environment import TEST_DATABASE_URL

# isort: split
# Below the environment: projecthub reads its settings at import.
from projecthub.core.db import configure_engine
from projecthub.core.migrations import upgrade_database


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
def db(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(engine) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The API over its ASGI app; a server error is an answer (500) here, not an exception."""
    from projecthub.api.main import api_app  # only when asked for: it builds the whole API

    with TestClient(api_app, raise_server_exceptions=False) as test_client:
        yield test_client
