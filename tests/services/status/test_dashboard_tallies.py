"""The dashboard's tiles and totals come from per-organization tallies that the database keeps in
the same transaction as every change of a project's health, lifecycle or tools, its creation and
its deletion; for an admin no statement counts every project."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from projecthub.models import (
    HealthLevel,
    Lifecycle,
    Organization,
    Project,
    ProjectMember,
    ProjectResource,
    ProjectStatus,
    Role,
    User,
)
from projecthub.services.principal import Principal
from projecthub.services.status.dashboard import DashboardQuery, list_projects
from projecthub.services.status.view import set_lifecycle
from tests.factories import add_member, make_org, make_user, principal
from tests.services.status.test_dashboard_scale import counted


def _project(db: Session, org: Organization, n: int, *, member: User | None = None,
             health: HealthLevel | None = None) -> Project:
    project = Project(organization_id=org.id, name=f"Project {n}", key=f"T{n}",
                      lifecycle=Lifecycle.ACTIVE, start_date=date(2026, 1, 1),
                      end_date=date(2026, 6, 30 - n))
    db.add(project)
    db.flush()
    if health is not None:
        db.add(ProjectStatus(project_id=project.id, organization_id=org.id, health=health))
    if member is not None:
        db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=member.id))
    db.flush()
    return project


def _counted_by_hand(db: Session, who: Principal) -> tuple[dict[str, int], dict[str, int]]:
    """The tiles recomputed from the projects themselves: the oracle the tallies must match."""
    rows = db.execute(select(Project.id, Project.lifecycle,
                             func.coalesce(ProjectStatus.health, HealthLevel.UNKNOWN))
                      .outerjoin(ProjectStatus, ProjectStatus.project_id == Project.id)
                      .where(Project.organization_id == who.org_id)).all()
    if not who.has_role(Role.ADMIN):
        mine = set(db.exec(select(ProjectMember.project_id)
                           .where(ProjectMember.user_id == who.user_id)).all())
        rows = [r for r in rows if r[0] in mine]
    by_health = dict.fromkeys((str(h) for h in HealthLevel), 0) | Counter(
        str(h) for _id, state, h in rows if state != Lifecycle.ARCHIVED)
    return by_health, dict(Counter(str(state) for _id, state, _h in rows))


def _assert_tiles_right(db: Session, people: list[Principal]) -> None:
    db.flush()
    for who in people:
        page = list_projects(db, who, DashboardQuery())
        by_health, by_lifecycle = _counted_by_hand(db, who)
        assert (page.by_health, page.by_lifecycle) == (by_health, by_lifecycle), who.role
        assert page.total == sum(by_health.values())
        red = list_projects(db, who, DashboardQuery(health="red"))
        assert red.total == by_health["red"] == len(red.rows)
        jira = list_projects(db, who, DashboardQuery(tool="jira"))
        assert jira.total == len(jira.rows) == len([r for r in page.rows if "jira" in r.tools])


def _link(db: Session, project: Project, tool: str) -> ProjectResource:
    resource = ProjectResource(organization_id=project.organization_id, project_id=project.id,
                               tool=tool, kind="project", external_id=f"{tool}-{project.key}")
    db.add(resource)
    return resource


def test_tiles_follow_creation_health_lifecycle_and_deletion(db: Session) -> None:
    owner, member = make_user(db), make_user(db)
    org = make_org(db, owner)
    other = make_org(db, make_user(db))
    add_member(db, org, member, role=Role.MEMBER)
    people = [principal(db, owner, org), principal(db, member, org)]
    projects = [_project(db, org, n, member=member if n % 2 else None,
                         health=(None, HealthLevel.GREEN, HealthLevel.RED)[n % 3])
                for n in range(9)]
    _project(db, other, 0, health=HealthLevel.RED)  # another organization's never count
    _assert_tiles_right(db, people)

    status = db.get(ProjectStatus, projects[1].id)
    assert status is not None
    status.health = HealthLevel.AMBER  # what the status sync's _store does
    db.add(status)
    db.add(ProjectStatus(project_id=projects[0].id, organization_id=org.id,
                         health=HealthLevel.RED))  # first sync of a project
    _assert_tiles_right(db, people)

    jira = _link(db, projects[1], "jira")
    _link(db, projects[1], "confluence")
    _link(db, projects[6], "jira")
    _assert_tiles_right(db, people)
    db.delete(jira)
    _assert_tiles_right(db, people)

    set_lifecycle(db, people[0], projects[2].id, "archived")
    set_lifecycle(db, people[0], projects[3].id, "on_hold")
    _assert_tiles_right(db, people)

    db.delete(projects[5])
    db.delete(projects[4])
    _assert_tiles_right(db, people)
    assert list_projects(db, people[0], DashboardQuery()).by_health == {
        "green": 1, "amber": 1, "red": 2, "unknown": 2}


def test_an_admin_page_reads_projects_only_to_fill_its_rows(db: Session) -> None:
    owner = make_user(db)
    org = make_org(db, owner)
    for n in range(30):
        _project(db, org, n, health=HealthLevel.RED if n % 2 else HealthLevel.GREEN)
    admin = principal(db, owner, org)
    db.flush()
    for query in (DashboardQuery(), DashboardQuery(health="red", sort="end_date")):
        with counted(db) as statements:
            page = list_projects(db, admin, query)
        assert page.total == (15 if query.health else 30)
        reading_projects = [" ".join(s.lower().split()) for s in statements
                            if "from projects" in " ".join(s.lower().split())]
        assert reading_projects and all(" limit " in s for s in reading_projects), statements
        assert any("from project_tallies" in " ".join(s.lower().split()) for s in statements)
