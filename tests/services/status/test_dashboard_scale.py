"""The dashboard's page costs the same number of SQL queries at 10, 1,000 and 10,000 projects,
unfiltered and filtered, for an admin (every project) and a member (their projects only)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.models import (
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
from tests.factories import add_member, make_org, make_user, principal

SIZES = (10, 1_000, 10_000)
# Rows per transaction. The triggers update the same few tally rows for every row inserted, and
# within one transaction PostgreSQL keeps every version of those rows for each update to walk:
# seeding 10,000 projects took 36 s in one transaction, 21 s in batches.
BATCH = 500
HEALTHS = ("green", "amber", "red", "unknown")
VIEWS = {
    "first page": DashboardQuery(),
    "filtered page": DashboardQuery(q="7", health="red", tool="jira", sort="health",
                                    descending=True, page=2, page_size=10),
}


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _add_projects(db: Session, org: Organization, owner: User, member: User,
                  numbers: range) -> None:
    """Bulk inserts: projects with status rows, a Jira resource on every other one, and the
    member on every third."""
    now = utcnow()
    projects, statuses, resources, members = [], [], [], []
    for n in numbers:
        project_id = uuid.uuid4()
        health = HEALTHS[n % len(HEALTHS)]
        projects.append({"id": project_id, "organization_id": org.id, "name": f"Project {n}",
                         "key": f"P{n}", "client_company": f"Client {n % 50}",
                         "lifecycle": Lifecycle.ACTIVE, "owner_id": owner.id,
                         "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31),
                         "answers": {}, "created_at": now, "updated_at": now,
                         "description": "", "project_type": "client"})
        statuses.append({"project_id": project_id, "organization_id": org.id, "health": health,
                         "reasons": [{"level": health, "rule": "r", "text": "because"}],
                         "figures": {"jira": {"to_do": n % 7, "in_progress": 1, "done": 2}},
                         "synced_at": now - timedelta(minutes=n % 90),
                         "oldest_data_at": now - timedelta(minutes=n % 90),
                         "lease_owner": ""})
        if n % 2 == 0:
            resources.append({"id": uuid.uuid4(), "organization_id": org.id,
                              "project_id": project_id, "tool": "jira", "kind": "project",
                              "external_id": str(n), "external_key": f"P{n}", "name": "",
                              "url": "", "origin": "created", "created_at": now})
        if n % 3 == 0:
            members.append({"id": uuid.uuid4(), "organization_id": org.id,
                            "project_id": project_id, "user_id": member.id, "role": "member",
                            "created_at": now})
    for model, rows in ((Project, projects), (ProjectStatus, statuses),
                        (ProjectResource, resources), (ProjectMember, members)):
        for start in range(0, len(rows), BATCH):
            db.execute(insert(model), rows[start:start + BATCH])
            db.commit()


def _queries(db: Session, who: Principal, query: DashboardQuery) -> int:
    with counted(db) as statements:
        page = list_projects(db, who, query)
    assert page.rows or query.page > 1 or query.q  # the page did find projects
    return len(statements)


def test_a_dashboard_page_costs_the_same_queries_at_any_size(db: Session) -> None:
    """Both views at every size, over one growing organization (seeding 10,000 projects is
    most of this test's time)."""
    owner = make_user(db)
    org = make_org(db, owner)
    member = make_user(db)
    add_member(db, org, member, role=Role.MEMBER)
    people = {"admin": principal(db, owner, org), "member": principal(db, member, org)}
    counts: dict[tuple[str, str], list[int]] = {
        (view, who): [] for view in VIEWS for who in people}
    totals = []
    seeded = 0
    for size in SIZES:
        _add_projects(db, org, owner, member, range(seeded, size))
        seeded = size
        for (view, who), found in counts.items():
            found.append(_queries(db, people[who], VIEWS[view]))
        totals.append(list_projects(db, people["admin"], DashboardQuery()).total)

    assert totals == list(SIZES)
    for (view, who), found in counts.items():
        assert len(set(found)) == 1, (
            f"{view}, {who}: {dict(zip(SIZES, found, strict=True))} queries")
        if who == "admin":
            assert found[0] <= 5, f"{view}: {found[0]} queries"


def test_the_filtered_view_still_finds_the_right_projects(db: Session) -> None:
    owner = make_user(db)
    org = make_org(db, owner)
    member = make_user(db)
    add_member(db, org, member, role=Role.MEMBER)
    _add_projects(db, org, owner, member, range(1_000))
    query = VIEWS["filtered page"]

    page = list_projects(db, principal(db, owner, org), query)

    def matches(n: int) -> bool:
        return "7" in f"{n}" or "7" in f"{n % 50}"  # in the name, key or client

    red_with_jira = [n for n in range(1_000) if matches(n) and n % 4 == 2]  # red, even: Jira
    assert page.total == len(red_with_jira) > 10
    assert all(r.health == "red" and r.tools == ["jira"] for r in page.rows)
    assert len(page.rows) == min(10, len(red_with_jira) - 10)
