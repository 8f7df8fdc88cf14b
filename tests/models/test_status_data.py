"""Status payloads are models: validated when written, read back as models, and rows in the
earlier untyped shape (no tool/kind tag, ``{}`` for never fetched, figures with only ``stale``,
keys missing or unknown) still read."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from projecthub.models import (
    ConfluenceSummary,
    HealthLevel,
    JiraSummary,
    Lifecycle,
    Project,
    ProjectResource,
    ProjectStatus,
    Reason,
    StatusSnapshot,
    TeamSummary,
    Tool,
)
from tests.factories import make_org

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _project(db: Session) -> tuple[Project, uuid.UUID]:
    org = make_org(db)
    project = Project(organization_id=org.id, name="Shop", key="SHOP",
                      lifecycle=Lifecycle.ACTIVE, start_date=date(2026, 1, 1))
    db.add(project)
    db.flush()
    resource = ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                               kind="project", external_id="10001")
    db.add(resource)
    db.flush()
    return project, resource.id


def _raw(db: Session, table: str, **values: object) -> None:
    """Insert with the payload columns as plain JSON, as the earlier code stored them."""
    columns = [sa.column(k, sa.JSON() if k in ("data", "figures", "reasons") else None)
               for k in values]
    db.execute(sa.table(table, *columns).insert().values(**values))
    db.commit()


def _snapshot(db: Session, project: Project, resource: uuid.UUID, tool: str, kind: str,
              data: dict[str, object]) -> StatusSnapshot:
    _raw(db, "status_snapshots", id=uuid.uuid4().hex, organization_id=project.organization_id.hex,
         project_id=project.id.hex, resource_id=resource.hex, tool=tool, kind=kind, data=data,
         error="")
    db.expire_all()
    return db.execute(sa.select(StatusSnapshot).where(
        StatusSnapshot.resource_id == resource)).scalar_one()


@pytest.mark.parametrize(("tool", "kind", "data", "expected"), [
    ("jira", "project", {"to_do": 3, "in_progress": 2, "done": 7},
     JiraSummary(to_do=3, in_progress=2, done=7, overdue=None, sprint=None)),
    ("confluence", "space", {"page_count": 4, "last_edit_at": "2026-06-01T12:00:00+00:00",
                             "last_edit_by": "Ada", "last_page_title": "Charter", "old": 1},
     ConfluenceSummary(page_count=4, last_edit_at=AT, last_edit_by="Ada",
                       last_page_title="Charter")),
    ("graph", "team", {"web_url": "https://teams.example/t"},
     TeamSummary(web_url="https://teams.example/t")),
    ("jira", "project", {}, None),
])
def test_an_untagged_snapshot_reads_back_as_its_summary(db, tool, kind, data, expected):
    project, resource = _project(db)
    snap = _snapshot(db, project, resource, tool, kind, data)
    assert snap.data == expected and type(snap.data) is type(expected)
    assert snap.tool is Tool(tool)


def test_a_summary_is_stored_with_its_tool_and_kind(db):
    project, resource = _project(db)
    db.add(StatusSnapshot(organization_id=project.organization_id, project_id=project.id,
                          resource_id=resource, tool=Tool.JIRA, kind="project",
                          data=JiraSummary(to_do=1, in_progress=0, done=0, overdue=2)))
    db.commit()
    stored = db.execute(sa.text("SELECT data FROM status_snapshots")).scalar_one()
    stored = stored if isinstance(stored, dict) else json.loads(stored)  # SQLite: text
    assert stored == {"tool": "jira", "kind": "project", "to_do": 1, "in_progress": 0,
                      "done": 0, "overdue": 2, "sprint": None}


def test_a_payload_of_the_wrong_shape_is_refused_when_written(db):
    project, resource = _project(db)
    db.add(StatusSnapshot(organization_id=project.organization_id, project_id=project.id,
                          resource_id=resource, tool=Tool.JIRA, kind="project",
                          data={"tool": "jira", "kind": "project", "to_do": "many"}))
    with pytest.raises(StatementError) as caught:
        db.commit()
    assert isinstance(caught.value.orig, ValidationError)


def test_old_status_rows_read_back_as_figures_and_reasons(db):
    project, _resource = _project(db)
    _raw(db, "project_status", project_id=project.id.hex,
         organization_id=project.organization_id.hex, health="amber", lease_owner="",
         reasons=[{"level": "amber", "rule": "stale", "text": "Jira data is 30 h old."}],
         figures={"jira": {"to_do": 1, "in_progress": 0, "done": 2, "extra": True},
                  "planner": {"stale": True, "fetched_at": None}})
    db.expire_all()
    status = db.get_one(ProjectStatus, project.id)
    assert status.health is HealthLevel.AMBER
    assert status.reasons == [Reason(level=HealthLevel.AMBER, rule="stale",
                                     text="Jira data is 30 h old.")]
    assert status.figures.jira is not None and status.figures.jira.summary == JiraSummary(
        to_do=1, in_progress=0, done=2)
    assert (status.figures.jira.stale, status.figures.jira.fetched_at) == (False, None)
    assert status.figures.planner is not None and status.figures.planner.summary is None
    assert status.figures.planner.stale and set(status.figures.entries()) == {"jira",
                                                                               "planner"}
