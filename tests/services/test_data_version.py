"""``organizations.data_version`` (migration 0019): every write the project list can show moves
its organization's version, in the writing transaction, whoever writes; other organizations'
versions stay (except for a person's new name, which may show in any of them)."""

from __future__ import annotations

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
