"""``alembic upgrade head`` on an empty database yields exactly the models' schema."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import projecthub.models  # noqa: F401
from projecthub.core.migrations import is_ours, upgrade_database


def _assert_no_diff(url: str) -> None:
    upgrade_database(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": is_ours})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


# SQLite's reflection cannot read an index on an expression (``lower(name)``): it is checked by
# name below, and in full on PostgreSQL.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_empty_sqlite_upgrades_to_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _assert_no_diff(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE type = 'index' "
                                      "AND name = 'ix_projects_org_name'")).scalar_one()
    engine.dispose()
    assert "lower(name)" in sql


def test_empty_postgresql_upgrades_to_the_models(postgres_admin_url):
    name = f"ph_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - the suite documents PostgreSQL as required
        pytest.fail(f"PostgreSQL not reachable at {postgres_admin_url}: {exc}")
    try:
        _assert_no_diff(postgres_admin_url.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_gets_procrastinates_own_schema_and_sqlite_none(postgres_database, tmp_path):
    """0007 installs the job engine's schema from procrastinate itself (PostgreSQL only)."""
    from procrastinate.schema import SchemaManager

    engine = create_engine(postgres_database)
    with engine.connect() as connection:
        tables = set(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'")).scalars())
        functions = set(connection.execute(text(
            "SELECT proname FROM pg_proc WHERE proname LIKE 'procrastinate%'")).scalars())
    engine.dispose()
    assert {"procrastinate_jobs", "procrastinate_workers", "procrastinate_events",
            "procrastinate_periodic_defers"} <= tables
    assert {name for name in functions if f"FUNCTION {name}(" in SchemaManager.get_schema()} \
        == functions
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade_database(url)
    sqlite = create_engine(url)
    with sqlite.connect() as connection:
        names = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    sqlite.dispose()
    assert not [n for n in names if n.startswith("procrastinate")]


def test_projects_rejected_before_0020_become_not_approved(tmp_path):
    """0020: a project left in ``provisioning`` by a rejected creation run says it was not
    approved; one whose run still waits (or runs) keeps its state."""
    from sqlmodel import Session

    from projecthub.core.clock import utcnow
    from projecthub.models import Lifecycle, Project, ProvisioningRun, RunStatus

    url = f"sqlite:///{tmp_path / 'rejected.db'}"
    upgrade_database(url, "0018")
    engine = create_engine(url)
    with Session(engine) as db:
        # Only 0018's columns: the model's later ones (data_version, 0019) do not exist yet.
        org_id = uuid.uuid4()
        db.execute(text("INSERT INTO organizations (id, name, slug, status, settings, created_at) "
                        "VALUES (:id, 'Org', 'org', 'active', '{}', :now)"),
                   {"id": org_id.hex, "now": utcnow()})
        ids = {}
        for key, status in (("REJ", RunStatus.REJECTED), ("WAIT", RunStatus.AWAITING_APPROVAL)):
            project = Project(organization_id=org_id, key=key, name=key,
                              lifecycle=Lifecycle.PROVISIONING)
            db.add(project)
            db.flush()
            db.add(ProvisioningRun(organization_id=org_id, project_id=project.id, status=status))
            ids[key] = project.id
        db.commit()
    upgrade_database(url)
    with Session(engine) as db:
        states = {key: db.get_one(Project, project_id).lifecycle
                  for key, project_id in ids.items()}
    engine.dispose()
    assert states == {"REJ": Lifecycle.NOT_APPROVED, "WAIT": Lifecycle.PROVISIONING}


def test_0021_gives_sync_cursors_a_change_token_and_keeps_their_rows(tmp_path):
    """0021: a cursor written before it keeps its time and has no token (Jira, Confluence);
    going back drops only the column. (A plain SQLite engine does not enforce foreign keys.)"""
    from alembic import command
    from projecthub.core.migrations import alembic_config

    url = f"sqlite:///{tmp_path / 'cursors.db'}"
    upgrade_database(url, "0019")
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text("INSERT INTO sync_cursors (connection_id, organization_id, tool, "
                        "checked_at) VALUES (:id, :org, 'jira', '2026-12-01 00:15:00')"),
                   {"id": uuid.uuid4().hex, "org": uuid.uuid4().hex})
    upgrade_database(url)
    with engine.connect() as db:
        row = db.execute(text("SELECT checked_at, change_token FROM sync_cursors")).one()
    assert tuple(row) == ("2026-12-01 00:15:00", None)
    command.downgrade(alembic_config(url), "0019")
    with engine.connect() as db:
        columns = [c[1] for c in db.execute(text("PRAGMA table_info(sync_cursors)"))]
        rows = db.execute(text("SELECT count(*) FROM sync_cursors")).scalar_one()
    engine.dispose()
    assert "change_token" not in columns and "checked_at" in columns and rows == 1
