"""Productive's activity feed (``GET /api/v2/activities``), as the sandbox models it.

Every write the sandbox makes to a record whose figures a status read depends on (projects,
memberships, tasks, deals, sections, services, time tracked on a service) adds one activity:
``event`` create, update or delete, a Rails-style ``changeset`` (attribute → [before, after]),
and the item with its parent and root. The resource schema documents these fields but not which
parent and root the vendor gives each item type, so the choice here is UNVERIFIED: a task's
and a membership's parent and root are their Project (a real task's parent is probably its task
list, which the sandbox does not model); a deal's root is the Deal itself, with no parent; a
section's, service's and time entry's root is their Deal (a time entry's parent its Service).
Whether tracked time shows in the real feed at all is UNVERIFIED too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

# The JSON:API type of a record → the class name Productive writes in item/parent/root_type.
ITEM_TYPES = {"projects": "Project", "memberships": "Membership", "tasks": "Task",
              "deals": "Deal", "sections": "Section", "services": "Service",
              "time_entries": "TimeEntry"}


@dataclass(frozen=True)
class Ref:
    """An item, parent or root: its class name, id and name."""

    type: str
    id: str
    name: str


@dataclass
class Activity:
    KIND: ClassVar[str] = "activities"
    id: str
    event: str
    changeset: dict[str, list[Any]]
    created_at: datetime
    item: Ref
    parent: Ref | None
    root: Ref | None
    # What the feed's filters match (``filter[project_id]`` etc.): the records it concerns.
    about: dict[str, str] = field(default_factory=dict)
    deal_is_budget: bool | None = None


def describe(record: Any, tables: dict[str, dict[str, Any]],
             ) -> tuple[Ref, Ref | None, Ref | None, dict[str, str], bool | None]:
    """A record's item, parent and root refs, the ids the filters match, and whether its deal
    is a budget (``None`` when no deal is involved)."""
    kind = record.KIND
    item = Ref(ITEM_TYPES[kind], record.id, name_of(record))
    if kind in ("tasks", "memberships"):
        project = _ref(tables, "projects", record.project_id)
        about = {"project_id": record.project_id}
        if kind == "tasks":
            about["task_id"] = record.id
        else:
            about["person_id"] = record.person_id
        return item, project, project, about, None
    if kind == "projects":
        return item, None, item, {"project_id": record.id, "company_id": record.company_id}, None
    if kind == "deals":
        return item, None, item, {"deal_id": record.id, "company_id": record.company_id}, \
            record.budget
    deal = tables["deals"][record.deal_id]
    parent = _ref(tables, "services", record.service_id) if kind == "time_entries" else \
        _ref(tables, "deals", record.deal_id)
    return item, parent, _ref(tables, "deals", record.deal_id), \
        {"deal_id": record.deal_id}, deal.budget


def render(activity: Activity) -> dict[str, Any]:
    """The attributes a reply carries (the schema's fields; ``*_deleted_at`` stay null: the
    sandbox deletes only memberships, whose root lives on)."""
    attributes: dict[str, Any] = {
        "event": activity.event, "changeset": activity.changeset,
        "created_at": activity.created_at.isoformat(timespec="milliseconds"),
        "made_by_automation": False, "deal_is_budget": activity.deal_is_budget,
        "item_deleted_at": activity.created_at.isoformat(timespec="milliseconds")
        if activity.event == "delete" else None,
        "parent_deleted_at": None, "root_deleted_at": None}
    for role, ref in (("item", activity.item), ("parent", activity.parent),
                      ("root", activity.root)):
        attributes[f"{role}_id"] = int(ref.id) if ref else None
        attributes[f"{role}_name"] = ref.name if ref else None
        attributes[f"{role}_type"] = ref.type if ref else None
    return attributes


def _ref(tables: dict[str, dict[str, Any]], kind: str, ident: str) -> Ref:
    return Ref(ITEM_TYPES[kind], ident, name_of(tables[kind][ident]))


def name_of(record: Any) -> str:
    """What the feed calls a record: its name, or a task's title ("" for neither)."""
    return str(getattr(record, "name", None) or getattr(record, "title", None) or "")


__all__ = ["ITEM_TYPES", "Activity", "Ref", "describe", "name_of", "render"]
