"""Test database: a fresh SQLite file, or the PostgreSQL database named by
``PROJECTHUB_TEST_DATABASE_URL``, built with ``alembic upgrade head`` exactly as in production."""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="projecthub-tests-"))
TEST_DATABASE_URL = (os.environ.get("PROJECTHUB_TEST_DATABASE_URL")
                     or f"sqlite:///{_TMP / 'test.db'}")
os.environ["PROJECTHUB_DATABASE_URL"] = TEST_DATABASE_URL
os.environ.setdefault("PROJECTHUB_SECRET_KEYS", base64.urlsafe_b64encode(b"k" * 32).decode())

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from projecthub.core.db import configure_engine  # noqa: E402
from projecthub.core.migrations import upgrade_database  # noqa: E402

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
def db(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        yield session
