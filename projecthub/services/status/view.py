"""One project's status as its page shows it: header, health with reasons, a card per tool
resource that has figures (with their data age), a link to every other resource (starter pages,
channels, budgets, the team), history for charts; and its lifecycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    field_serializer,
    model_validator,
)
from sqlmodel import Session, col

from projecthub.core.clock import utcnow
from projecthub.core.errors import Invalid
from projecthub.models import (
    HealthLevel,
    Project,
    ProjectResource,
    ProjectStatus,
    Reason,
    StatusHistory,
    StatusSnapshot,
    Tool,
)
from projecthub.models.status_data import SUMMARY_TYPES, MaybeSummary, TeamSummary
from projecthub.services import audit
from projecthub.services.principal import Principal
from projecthub.services.projects import get_project
from projecthub.services.provisioning import lifecycle
from projecthub.services.scoping import scoped_select

MANUAL_STATES = lifecycle.MANUAL_STATES


class ResourceCard(BaseModel):
    """One tool resource with its latest summary (``data``, an empty object until first
    fetched); the API answers this very shape."""

    model_config = ConfigDict(frozen=True)

    resource_id: uuid.UUID
    tool: Tool
    kind: str
    name: str
    url: str
    origin: str
    data: MaybeSummary
    fetched_at: datetime | None
    error: str
    refreshed_by: str = "sync"  # "webhook" when the tool's webhook asked for these figures

    @model_validator(mode="before")
    @classmethod
    def _tag_data(cls, value: Any) -> Any:
        """Read back from JSON, the summary is recognised by the card's own tool and kind."""
        if isinstance(value, dict) and isinstance(value.get("data"), dict) and value["data"]:
            return {**value, "data": {"tool": value.get("tool"), "kind": value.get("kind"),
                                      **value["data"]}}
        return value

    @field_serializer("data", mode="wrap")
    def _data(self, data: MaybeSummary,
              handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {} if data is None else dict(handler(data))


class ResourceLink(BaseModel):
    """A resource without figures of its own: where it is in its tool. A budget's figures are
    on its Productive project's card, which adds up the project's budgets."""

    model_config = ConfigDict(frozen=True)

    resource_id: uuid.UUID
    tool: Tool
    kind: str
    name: str
    url: str
    origin: str


def has_figures(tool: str, kind: str) -> bool:
    """Whether a resource of this tool and kind gets a card of figures on the status page."""
    summary = SUMMARY_TYPES.get((tool, kind))
    return summary is not None and summary.has_figures


def _link(card: ResourceCard) -> ResourceLink:
    """A team's address may be known only from its fetched summary."""
    url = card.url or (card.data.web_url if isinstance(card.data, TeamSummary) else "")
    return ResourceLink(resource_id=card.resource_id, tool=card.tool, kind=card.kind,
                        name=card.name, url=url, origin=card.origin)


@dataclass(frozen=True)
class StatusView:
    project: Project
    health: HealthLevel
    reasons: list[Reason]
    synced_at: datetime | None
    cards: list[ResourceCard]  # every resource (the API answers them all)

    @property
    def figure_cards(self) -> list[ResourceCard]:
        return [c for c in self.cards if has_figures(c.tool, c.kind)]

    @property
    def links(self) -> list[ResourceLink]:
        """Starter pages, channels, budgets, the team: shown as links, not as cards that
        would claim to be stale."""
        return [_link(c) for c in self.cards if not has_figures(c.tool, c.kind)]


def project_status(session: Session, principal: Principal, project_id: uuid.UUID) -> StatusView:
    project = get_project(session, principal, project_id)
    status = session.get(ProjectStatus, project.id)
    snapshots = {s.resource_id: s for s in session.exec(scoped_select(
        principal, StatusSnapshot).where(StatusSnapshot.project_id == project.id)).all()}
    resources = session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id).order_by(
        col(ProjectResource.tool), col(ProjectResource.kind), col(ProjectResource.name))).all()
    cards = []
    for r in resources:
        snap = snapshots.get(r.id)
        cards.append(ResourceCard(
            resource_id=r.id, tool=Tool(r.tool), kind=r.kind, name=r.name, url=r.url,
            origin=r.origin, data=snap.data if snap else None,
            fetched_at=snap.fetched_at if snap else None, error=snap.error if snap else "",
            refreshed_by=snap.refreshed_by if snap else "sync"))
    return StatusView(project, status.health if status else HealthLevel.UNKNOWN,
                      status.reasons if status else [], status.synced_at if status else None,
                      cards)


def last_synced(session: Session, principal: Principal,
                project_id: uuid.UUID) -> datetime | None:
    """When the project's figures last changed hands: cheap enough for an open page to ask
    every few seconds (a webhook's refresh shows without a reload)."""
    project = get_project(session, principal, project_id)
    status = session.get(ProjectStatus, project.id)
    return status.synced_at if status else None


def history(session: Session, principal: Principal, project_id: uuid.UUID, *,
            days: int = 90) -> list[StatusHistory]:
    project = get_project(session, principal, project_id)
    if not 1 <= days <= 730:
        raise Invalid("Ask for 1 to 730 days of history.", {"days": "1 to 730."})
    since: date = (utcnow() - timedelta(days=days)).date()
    return list(session.exec(scoped_select(principal, StatusHistory).where(
        StatusHistory.project_id == project.id, StatusHistory.day >= since).order_by(
        col(StatusHistory.day))).all())


def set_lifecycle(session: Session, principal: Principal, project_id: uuid.UUID,
                  state: str) -> Project:
    """Project owners (its manager) and org admins move a project through its lifecycle; a
    change that reaches the tools starts a lifecycle run (services/provisioning/lifecycle.py)
    and the project takes the state when the run has succeeded."""
    project, _ = lifecycle.start_lifecycle_change(session, principal, project_id, state)
    return project


def request_refresh(session: Session, principal: Principal, project_id: uuid.UUID) -> Project:
    """Anyone who may see the project may ask for fresh figures now; the request is audited
    (it calls every tool of the project). The caller commits, then runs the sync."""
    project = get_project(session, principal, project_id)
    audit.record(session, principal, "project.status_refreshed", target_type="project",
                 target_id=project.id)
    return project
