"""PostgreSQL row-level security, the defence behind the service layer's scoping: once a
transaction acts as an organization, even a query that forgets the tenant filter (ORM or raw
SQL) sees and writes that organization's rows only. Runs on a fresh PostgreSQL database made
by the migrations, through the app's own engine (SQLite has no RLS)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError
from sqlmodel import Session, SQLModel, select

from projecthub.core.db import build_engine
from projecthub.core.tenancy import APP_ROLE
from projecthub.models import Membership, Organization, Project, User
from projecthub.services import sessions
from projecthub.services.principal import actor_for, principal_in_org
from projecthub.services.scoping import act_as
from tests.factories import add_member, make_org, make_user

TENANT_TABLES = sorted(t.name for t in SQLModel.metadata.sorted_tables
                       if "organization_id" in t.columns)


@pytest.fixture
def app_engine(postgres_database: str) -> Iterator[Engine]:
    engine = build_engine(postgres_database)
    yield engine
    engine.dispose()


def _project(db: Session, org: Organization, owner: User, key: str) -> Project:
    project = Project(organization_id=org.id, key=key, name=key.title(), owner_id=owner.id)
    db.add(project)
    db.commit()
    return project


@pytest.fixture
def two_tenants(app_engine: Engine) -> tuple[User, Organization, Organization]:
    """Alice owns A and is a member of B; B has its own owner; each has one project."""
    with Session(app_engine, expire_on_commit=False) as db:
        alice = make_user(db)
        org_a, org_b = make_org(db, alice), make_org(db)
        add_member(db, org_b, alice)
        _project(db, org_a, alice, "AAA")
        _project(db, org_b, alice, "BBB")
    return alice, org_a, org_b


def test_every_tenant_table_has_forced_rls_and_a_policy(app_engine: Engine) -> None:
    with app_engine.connect() as connection:
        flags = dict(connection.execute(text(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")).all())
        with_policy = set(connection.execute(text(
            "SELECT tablename FROM pg_policies WHERE schemaname = 'public'")).scalars())
    assert len(TENANT_TABLES) >= 16
    assert {t: flags.get(t) for t in TENANT_TABLES} == dict.fromkeys(TENANT_TABLES, True)
    assert set(TENANT_TABLES) <= with_policy


def test_the_app_queries_as_a_role_that_cannot_bypass_rls(app_engine: Engine) -> None:
    with app_engine.connect() as connection:
        role, superuser, bypass = connection.execute(text(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user")).one()
    assert (role, superuser, bypass) == (APP_ROLE, False, False)


def test_a_query_without_tenant_filter_sees_only_the_acting_organization(
        app_engine: Engine, two_tenants: tuple[User, Organization, Organization]) -> None:
    alice, org_a, org_b = two_tenants
    with Session(app_engine) as db:
        act_as(db, principal_in_org(db, actor_for(alice), org_a.id))
        assert [p.key for p in db.exec(select(Project)).all()] == ["AAA"]
        raw = db.execute(text("SELECT organization_id FROM projects")).scalars().all()
        assert [uuid.UUID(str(o)) for o in raw] == [org_a.id]
        # Her own memberships stay visible in every organization (the organization switcher).
        assert {m.organization_id for m in db.exec(select(Membership))} == {org_a.id, org_b.id}


def test_each_transaction_acts_as_a_tenant_anew(
        app_engine: Engine, two_tenants: tuple[User, Organization, Organization]) -> None:
    alice, _, org_b = two_tenants
    with Session(app_engine) as db:
        principal = principal_in_org(db, actor_for(alice), org_b.id)
        act_as(db, principal)
        db.commit()  # the next transaction of the same session starts unrestricted ...
        assert len(db.exec(select(Project)).all()) == 2
        act_as(db, principal)  # ... until it acts as the tenant again
        assert [p.key for p in db.exec(select(Project)).all()] == ["BBB"]


def test_another_organizations_row_cannot_be_written(
        app_engine: Engine, two_tenants: tuple[User, Organization, Organization]) -> None:
    alice, org_a, org_b = two_tenants
    with Session(app_engine) as db:
        act_as(db, principal_in_org(db, actor_for(alice), org_a.id))
        db.add(Project(organization_id=org_b.id, key="EVIL", name="Evil", owner_id=alice.id))
        with pytest.raises(ProgrammingError, match="row-level security"):
            db.flush()
    with Session(app_engine) as db:
        act_as(db, principal_in_org(db, actor_for(alice), org_a.id))
        moved = db.execute(text("UPDATE projects SET name = 'x' WHERE organization_id = :b"),
                           {"b": org_b.id})
        assert moved.rowcount == 0


def test_the_setting_dies_with_the_transaction(
        app_engine: Engine, two_tenants: tuple[User, Organization, Organization]) -> None:
    """Transaction-local: the next user of the pooled connection is not left acting as A."""
    alice, org_a, _ = two_tenants
    with app_engine.connect() as connection:
        with Session(bind=connection) as db:
            act_as(db, principal_in_org(db, actor_for(alice), org_a.id))
            assert db.execute(text("SELECT current_setting('app.org_id')")).scalar() == str(
                org_a.id)
            db.commit()
        with Session(bind=connection) as db:
            assert not db.execute(text("SELECT current_setting('app.org_id', true)")).scalar()
            assert len(db.exec(select(Project)).all()) == 2


def test_a_ui_event_acts_as_the_sessions_current_organization(
        app_engine: Engine, two_tenants: tuple[User, Organization, Organization]) -> None:
    alice, _, org_b = two_tenants
    with Session(app_engine) as db:
        token = sessions.start_session(db, db.get_one(User, alice.id))
        db.commit()
        sessions.switch_organization(db, sessions.resolve_session(db, token), org_b.id)
        assert [p.key for p in db.exec(select(Project)).all()] == ["BBB"]
        db.commit()
        sessions.session_principal(db, sessions.resolve_session(db, token))
        assert [p.key for p in db.exec(select(Project)).all()] == ["BBB"]
