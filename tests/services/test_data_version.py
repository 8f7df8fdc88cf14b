"""``organizations.data_version`` (migration 0019): every write the project list can show moves
its organization's version, in the writing transaction, whoever writes; other organizations'
versions stay (except for a person's new name, which may show in any of them)."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, col, delete, select

from projecthub.models import (
    HealthLevel,
    Lifecycle,
    Organization,
    Project,
    ProjectMember,
    ProjectResource,
    ProjectStatus,
)
from projecthub.services import api_tokens
from tests.factories import make_org, make_user, principal


def _version(db: Session, org: Organization) -> int:
    db.expire_all()
    return db.exec(select(Organization.data_version).where(Organization.id == org.id)).one()


def test_each_write_the_list_shows_moves_only_its_organizations_version(db):
    owner = make_user(db)
    org, other = make_org(db, owner), make_org(db, owner)
    seen = [_version(db, org)]
    untouched = _version(db, other)

    def moved() -> bool:
        seen.append(_version(db, org))
        return seen[-1] > seen[-2]

    project = Project(organization_id=org.id, name="A", key="A", owner_id=owner.id)
    db.add(project)
    db.commit()
    assert moved()
    db.add(ProjectStatus(project_id=project.id, organization_id=org.id))
    db.commit()
    assert moved()
    status = db.get_one(ProjectStatus, project.id)
    status.health = HealthLevel.AMBER
    db.add(status)
    db.commit()
    assert moved()
    project.lifecycle = Lifecycle.ON_HOLD
    db.add(project)
    db.commit()
    assert moved()
    db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                           kind="project", external_id="1"))
    db.commit()
    assert moved()
    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=owner.id))
    db.commit()
    assert moved()
    db.exec(delete(ProjectMember).where(col(ProjectMember.project_id) == project.id))
    db.commit()
    assert moved()
    db.delete(project)
    db.commit()
    assert moved()
    assert _version(db, other) == untouched


def test_a_new_display_name_moves_the_versions_and_other_writes_do_not(db):
    owner = make_user(db)
    org = make_org(db, owner)
    before = _version(db, org)
    api_tokens.create_api_token(db, principal(db, owner, org), name="t")  # not in the list
    owner.last_login_at = None
    db.add(owner)
    db.commit()
    assert _version(db, org) == before
    owner.display_name = "Someone Else"
    db.add(owner)
    db.commit()
    assert _version(db, org) > before


def test_a_rolled_back_write_leaves_the_version(db):
    owner = make_user(db)
    org = make_org(db, owner)
    before = _version(db, org)
    db.add(Project(organization_id=org.id, name="A", key="A", owner_id=owner.id))
    db.flush()
    db.rollback()
    assert _version(db, org) == before


def test_writers_of_one_organization_do_not_wait_for_each_other_before_commit(db, engine):
    """PostgreSQL: the version's row is locked at commit (deferred triggers), so a transaction
    still open on one project does not hold up another writing a second project."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    owner = make_user(db)
    org = make_org(db, owner)
    first, second = (Project(organization_id=org.id, name=n, key=n, owner_id=owner.id)
                     for n in ("A", "B"))
    db.add_all([first, second])
    db.commit()
    before = _version(db, org)
    rename = update(Project).values(name="renamed")
    with engine.connect() as slow, engine.connect() as quick:
        slow.execute(rename.where(col(Project.id) == first.id))
        quick.execute(text("SET LOCAL lock_timeout = '2s'"))
        quick.execute(rename.where(col(Project.id) == second.id))
        quick.commit()  # would time out if the open transaction held the organization's row
        assert _version(db, org) == before + 1
        slow.commit()
    assert _version(db, org) == before + 2
