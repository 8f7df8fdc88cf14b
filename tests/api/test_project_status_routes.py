"""Status over the API from rows stored as the earlier, untyped code wrote them (raw JSON: no
tool/kind tag, a never-fetched snapshot as ``{}``, figures with only ``stale``): they still read,
and the JSON the API answers is exactly what it answered before the payloads were typed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.models import (
    Lifecycle,
    Organization,
    Project,
    ProjectResource,
    ProjectStatus,
    StatusHistory,
    StatusSnapshot,
    User,
)
from tests.api.tokens import bearer
from tests.factories import make_org, make_user

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
JIRA = {"to_do": 3, "in_progress": 2, "done": 7, "overdue": 1,
        "sprint": {"name": "Sprint 4", "start": "2026-05-25T09:00:00+00:00",
                   "end": "2026-06-08T09:00:00+00:00", "goal": None, "to_do": 1,
                   "in_progress": 1, "done": 2, "percent_done": 50.0}}
PRODUCTIVE = {"currency": "EUR", "budget_total_cents": 4_800_000, "budget_used_cents": 3_120_000,
              "budget_remaining_cents": 1_680_000, "budgeted_minutes": 36_000,
              "worked_minutes": 24_300, "burn_percent": 65.0, "tasks_not_started": 1,
              "tasks_started": 2, "tasks_closed": 3}
CONFLUENCE = {"page_count": 4, "last_edit_at": "2026-05-31T08:30:00+00:00",
              "last_edit_by": "Ada", "last_page_title": "Charter"}
TEAM = {"web_url": "https://teams.microsoft.com/l/team/x"}
REASONS = [{"level": "red", "rule": "budget_burn", "text": "Budget 65% used."},
           {"level": "amber", "rule": "stale", "text": "Microsoft 365: no data yet (503)."},
           {"level": "green", "rule": "overdue", "text": "0 overdue Planner tasks."}]
FIGURES = {"jira": {**JIRA, "stale": False, "fetched_at": AT.isoformat()},
           "productive": {**PRODUCTIVE, "extra": "kept by no one", "stale": False,
                          "fetched_at": AT.isoformat()},
           "confluence": {**CONFLUENCE, "stale": False, "fetched_at": AT.isoformat()},
           "planner": {"stale": True, "fetched_at": None},
           "teams": {**TEAM, "stale": False, "fetched_at": AT.isoformat()}}
# What the older dashboard-seeding code wrote: Jira counts without overdue or sprint.
SPARSE = {"jira": {"to_do": 1, "in_progress": 0, "done": 2}}



def _plain_json(table: Any) -> sa.TableClause:
    """The table with its payload columns as plain JSON, so rows go in exactly as written."""
    return sa.table(table.name, *(
        sa.column(c.name, sa.JSON() if c.name in ("data", "figures", "reasons") else c.type)
        for c in table.columns))


_SNAPSHOTS = _plain_json(StatusSnapshot.__table__)
_STATUS = _plain_json(ProjectStatus.__table__)
_HISTORY = _plain_json(StatusHistory.__table__)


def _project(db: Session, org: Organization, owner: User, key: str) -> Project:
    project = Project(organization_id=org.id, name=f"Project {key}", key=key,
                      client_company="Acme", lifecycle=Lifecycle.ACTIVE, owner_id=owner.id,
                      start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    db.add(project)
    db.flush()
    return project


def _resource(db: Session, project: Project, tool: str, kind: str) -> uuid.UUID:
    resource = ProjectResource(organization_id=project.organization_id, project_id=project.id,
                               tool=tool, kind=kind, external_id=f"{tool}-{kind}",
                               name=f"{tool} {kind}", url=f"https://{tool}.example/{kind}")
    db.add(resource)
    db.flush()
    return resource.id


def _seed(db: Session, org: Organization, owner: User) -> tuple[Project, dict[str, uuid.UUID]]:
    """Rows written with plain JSON, bypassing the models, as the earlier code stored them."""
    project = _project(db, org, owner, "OLD")
    sparse = _project(db, org, owner, "SPARSE")
    payloads = {("jira", "project"): (JIRA, ""), ("productive", "project"): (PRODUCTIVE, ""),
                ("confluence", "space"): ({**CONFLUENCE, "unknown_key": 1}, ""),
                ("graph", "plan"): ({}, "graph 503"), ("graph", "team"): (TEAM, "")}
    ids = {}
    for (tool, kind), (data, error) in payloads.items():
        ids[f"{tool}/{kind}"] = resource = _resource(db, project, tool, kind)
        db.execute(_SNAPSHOTS.insert().values(
            id=uuid.uuid4(), organization_id=org.id, project_id=project.id,
            resource_id=resource, tool=tool, kind=kind, data=data,
            fetched_at=None if error else AT, attempted_at=AT, error=error))
    _resource(db, sparse, "jira", "project")
    for target, health, reasons, figures in ((project, "red", REASONS, FIGURES),
                                             (sparse, "green", [], SPARSE)):
        db.execute(_STATUS.insert().values(
            project_id=target.id, organization_id=org.id, health=health, synced_at=AT,
            oldest_data_at=AT, lease_owner="", reasons=reasons, figures=figures))
    db.execute(_HISTORY.insert().values(id=uuid.uuid4(), organization_id=org.id,
                                        project_id=project.id, day=utcnow().date(),
                                        figures=FIGURES))
    db.commit()
    return project, ids


def test_rows_in_the_earlier_shape_read_back_and_answer_the_same_json(client, db):
    owner = make_user(db, name="Olive Owner")
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    project, ids = _seed(db, org, owner)
    base = f"/api/v1/orgs/acme/projects/{project.id}"

    listed = client.get("/api/v1/orgs/acme/projects?sort=key", headers=headers)
    assert listed.status_code == 200, listed.text
    old, sparse = listed.json()["items"]
    assert old["figures"] == {**FIGURES, "productive": {**PRODUCTIVE, "stale": False,
                                                        "fetched_at": AT.isoformat()}}
    assert old["reasons"] == ["Budget 65% used.", "Microsoft 365: no data yet (503)."]
    assert (old["health"], old["lifecycle"], old["tools"]) == (
        "red", "active", ["confluence", "graph", "jira", "productive"])
    assert (old["synced_at"], old["owner_name"]) == (AT.isoformat().replace("+00:00", "Z"),
                                                     "Olive Owner")
    # Keys the older rows lack read as their defaults; keys no model knows are dropped.
    assert sparse["figures"] == {"jira": {**SPARSE["jira"], "overdue": None, "sprint": None,
                                          "stale": False, "fetched_at": None}}

    detail = client.get(base, headers=headers)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert (body["health"], body["reasons"]) == ("red", REASONS)
    cards = {f"{c['tool']}/{c['kind']}": c for c in body["resources"]}
    assert cards["jira/project"] == {
        "resource_id": str(ids["jira/project"]), "tool": "jira", "kind": "project",
        "name": "jira project", "url": "https://jira.example/project", "origin": "created",
        "data": JIRA, "fetched_at": AT.isoformat().replace("+00:00", "Z"), "error": "",
        "refreshed_by": "sync"}  # rows from before webhooks (0015) were all the sync's
    assert cards["productive/project"]["data"] == PRODUCTIVE
    assert cards["confluence/space"]["data"] == CONFLUENCE
    assert cards["graph/team"]["data"] == TEAM
    assert (cards["graph/plan"]["data"], cards["graph/plan"]["fetched_at"],
            cards["graph/plan"]["error"]) == ({}, None, "graph 503")

    history = client.get(f"{base}/history", headers=headers)
    assert history.status_code == 200, history.text
    point, = history.json()
    assert point == {"day": utcnow().date().isoformat(), "figures": old["figures"]}
