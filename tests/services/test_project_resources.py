"""A project's resources in its tools: listed for those who may see the project, nobody else."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from projecthub.core.errors import NotFound
from projecthub.models import Organization, Project, ProjectMember, ProjectResource, User
from projecthub.services import projects
from tests.factories import add_member, make_org, make_user, owner_principal, principal


def _project(db: Session, org: Organization, *, key: str = "ACME") -> Project:
    project = Project(organization_id=org.id, name=f"{key} project", key=key)
    db.add(project)
    db.commit()
    return project


def _resource(db: Session, project: Project, tool: str, kind: str, external_id: str) -> None:
    db.add(ProjectResource(organization_id=project.organization_id, project_id=project.id,
                           tool=tool, kind=kind, external_id=external_id,
                           external_key=external_id.upper(), url=f"https://{tool}.example/x"))
    db.commit()


def test_resources_of_a_project_are_listed_by_tool(db: Session) -> None:
    org = make_org(db)
    project = _project(db, org)
    _resource(db, project, "jira", "project", "acme")
    _resource(db, project, "confluence", "space", "acme")
    _resource(db, _project(db, org, key="OTHER"), "jira", "project", "other")

    rows = projects.list_resources(db, owner_principal(db, org), project.id)

    assert [(r.tool, r.kind, r.external_key) for r in rows] == [
        ("confluence", "space", "ACME"), ("jira", "project", "ACME")]


def test_a_member_outside_the_project_does_not_find_it(db: Session) -> None:
    org = make_org(db)
    project = _project(db, org)
    _resource(db, project, "jira", "project", "acme")
    outsider = db.get_one(User, add_member(db, org).user_id)

    with pytest.raises(NotFound):
        projects.list_resources(db, principal(db, outsider, org), project.id)

    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=outsider.id))
    db.commit()
    assert len(projects.list_resources(db, principal(db, outsider, org), project.id)) == 1


def test_another_organizations_project_is_not_found(db: Session) -> None:
    project = _project(db, make_org(db))
    _resource(db, project, "jira", "project", "acme")
    stranger_org = make_org(db, make_user(db))

    with pytest.raises(NotFound):
        projects.list_resources(db, owner_principal(db, stranger_org), project.id)
