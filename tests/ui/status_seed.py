"""Projects with stored status, written straight into the database (no tool is called): what
the dashboard and the status page read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.models import (
    Lifecycle,
    Organization,
    Project,
    ProjectMember,
    ProjectResource,
    ProjectStatus,
    User,
)

JIRA = {"to_do": 3, "in_progress": 2, "done": 7, "overdue": 1, "sprint": None}
PRODUCTIVE = {"currency": "EUR", "budget_total_cents": 4_800_000, "budget_used_cents": 3_120_000,
              "budget_remaining_cents": 1_680_000, "burn_percent": 65.0,
              "budgeted_minutes": 36_000, "worked_minutes": 24_300, "tasks_not_started": 1,
              "tasks_started": 2, "tasks_closed": 3}
PLANNER = {"not_started": 2, "in_progress": 1, "done": 4, "overdue": 0}


def add_project(db: Session, org: Organization, owner: User, *, name: str, key: str,
                client: str = "", health: str | None = "green",
                lifecycle: Lifecycle = Lifecycle.ACTIVE, members: tuple[User, ...] = (),
                figures: dict[str, Any] | None = None, reasons: list[str] | None = None,
                synced: datetime | None = None, tools: tuple[str, ...] = ("jira",),
                start: date | None = date(2026, 1, 1),
                end: date | None = date(2026, 12, 31)) -> Project:
    """A project, its members (the owner as manager) and, unless ``health`` is None, its
    status row; one ProjectResource per tool so the tool filter finds it."""
    project = Project(organization_id=org.id, name=name, key=key, client_company=client,
                      lifecycle=lifecycle, owner_id=owner.id, start_date=start, end_date=end)
    db.add(project)
    db.flush()
    for person, role in ((owner, "manager"), *((m, "member") for m in members)):
        db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=person.id,
                             role=role))
    for tool in tools:
        db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool=tool,
                               kind="plan" if tool == "graph" else "project",
                               external_id=f"{key}-{tool}", external_key=key, name=name))
    if health is not None:
        at = synced or utcnow() - timedelta(minutes=5)
        db.add(ProjectStatus(
            project_id=project.id, organization_id=org.id, health=health,
            reasons=[{"level": health, "rule": "test", "text": t} for t in reasons or []],
            figures=figures if figures is not None else {"jira": {**JIRA, "stale": False,
                                                                  "fetched_at": at.isoformat()}},
            synced_at=at, oldest_data_at=at))
    db.commit()
    return project
