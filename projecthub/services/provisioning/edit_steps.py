"""What a project edit does in each tool: for every resource the project has, the steps that
rename it and put people in or out, each with the line the preview shows ("Jira: rename project
ACME → 'Acme Portal'", "Teams: add Ann as member"). A Planner plan and a Productive budget are
renamed with the project (their names carry its name: "Acme Portal budget"); they have no
members of their own. Pure: no database, no tool calls.

See docs/architecture.md §4 "Edit runs".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from projecthub.models import ProjectResource

# Project roles: the manager is the project's owner; leads co-own the team in Teams.
MANAGER, LEAD, MEMBER = "manager", "lead", "member"
PROJECT_ROLES = (MANAGER, LEAD, MEMBER)
OWNER_ROLES = frozenset({MANAGER, LEAD})


@dataclass(frozen=True)
class EditTool:
    """How one kind of resource takes a new name and members, and what the preview calls it."""

    label: str
    noun: str
    rename: str
    add: str | None  # None: the resource has no members of its own (a plan, a budget)
    remove: str | None
    names: Callable[[ProjectResource], dict[str, Any]]  # the inputs that name the resource
    owners: bool = False  # the tool tells owners from members (Teams)
    by_key: bool = False  # people know the resource by its key (Jira, Confluence)
    manager: bool = False  # the resource names the project manager (Productive's project)


TOOLS: dict[tuple[str, str], EditTool] = {
    ("jira", "project"): EditTool(
        "Jira", "project", "jira.rename_project", "jira.add_member", "jira.remove_member",
        lambda r: {"key": r.external_key, "external_id": r.external_id}, by_key=True),
    ("confluence", "space"): EditTool(
        "Confluence", "space", "confluence.rename_space", "confluence.add_member",
        "confluence.remove_member", lambda r: {"key": r.external_key}, by_key=True),
    ("graph", "team"): EditTool(
        "Teams", "team", "graph.rename_team", "graph.set_member", "graph.remove_member",
        lambda r: {"team_id": r.external_id}, owners=True),
    ("productive", "project"): EditTool(
        "Productive", "project", "productive.update_project", "productive.add_member",
        "productive.remove_member", lambda r: {"external_id": r.external_id}, manager=True),
    ("graph", "plan"): EditTool(
        "Planner", "plan", "graph.rename_plan", None, None,
        lambda r: {"plan_id": r.external_id}),
    ("productive", "budget"): EditTool(
        "Productive", "budget", "productive.rename_budget", None, None,
        lambda r: {"budget_id": r.external_id}),
}


def follow_name(current: str, old_project: str, new_project: str) -> str:
    """A resource's name after the project is renamed: the old project name in it replaced
    ("Acme budget" → "Acme Portal budget"); a name without it becomes the project's."""
    if old_project and old_project in current:
        return current.replace(old_project, new_project, 1)
    return new_project


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class MemberDiff:
    """People in and out of the project, and those whose role changed (old, new)."""

    added: dict[Person, str] = field(default_factory=dict)
    removed: list[Person] = field(default_factory=list)
    changed: dict[Person, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedStep:
    resource: ProjectResource
    tool: str
    action: str
    title: str
    inputs: dict[str, Any]
    # Removals and demotions wait for the same resource's additions and promotions, so a team
    # never loses its last owner halfway (Teams refuses that).
    takes_away: bool = False

    @property
    def key(self) -> str:
        subject = self.inputs.get("email") or "project"
        return f"{self.action}:{self.resource.external_id}:{subject}"[:120]


def _label(resource: ProjectResource, spec: EditTool) -> str:
    if spec.by_key and resource.external_key:
        return resource.external_key
    return f"'{resource.name}'" if resource.name else resource.external_id


def plan_resource(resource: ProjectResource, *, new_name: str | None,
                  manager_email: str | None, members: MemberDiff,
                  old_name: str = "") -> list[PlannedStep]:
    """The steps for one resource; none for a resource whose connection is gone."""
    spec = TOOLS.get((resource.tool, resource.kind))
    if spec is None or resource.connection_id is None:
        return []
    names = spec.names(resource)
    if spec.add is None and new_name is not None:  # a plan or a budget follows the project
        new_name = follow_name(resource.name, old_name, new_name)

    def step(action: str, title: str, takes_away: bool = False, **inputs: Any) -> PlannedStep:
        return PlannedStep(resource, resource.tool, action, f"{spec.label}: {title}",
                           {**names, **inputs}, takes_away)

    steps: list[PlannedStep] = []
    manager = manager_email if spec.manager else None
    if new_name is not None or manager is not None:
        extra: dict[str, Any] = {"name": new_name} if new_name is not None else {}
        if manager is not None:
            extra["manager_email"] = manager
        label = _label(resource, spec)
        title = (f"rename {spec.noun} {label} → '{new_name}'" if new_name is not None
                 else f"make {manager} the project manager")
        steps.append(step(spec.rename, title, **extra))
    if spec.add is None or spec.remove is None:
        return steps
    for person, role in members.added.items():
        owner = spec.owners and role in OWNER_ROLES
        extra = {"owner": owner} if spec.owners else {}
        steps.append(step(spec.add, f"add {person.name} as {'owner' if owner else 'member'}",
                          email=person.email, **extra))
    if spec.owners:
        for person, (before, after) in members.changed.items():
            if (before in OWNER_ROLES) != (after in OWNER_ROLES):
                owner = after in OWNER_ROLES
                what = "an owner" if owner else "a member"
                steps.append(step(spec.add, f"make {person.name} {what}", not owner,
                                  email=person.email, owner=owner))
    for person in members.removed:
        steps.append(step(spec.remove, f"remove {person.name}", True, email=person.email))
    return steps


def dependencies(step: PlannedStep, steps: list[PlannedStep]) -> list[str]:
    """The keys a step waits for: a removal or demotion waits for its resource's other steps."""
    if not step.takes_away:
        return []
    return [s.key for s in steps if s.resource is step.resource and not s.takes_away]


__all__ = [
    "LEAD",
    "MANAGER",
    "MEMBER",
    "OWNER_ROLES",
    "PROJECT_ROLES",
    "TOOLS",
    "EditTool",
    "MemberDiff",
    "Person",
    "PlannedStep",
    "dependencies",
    "follow_name",
    "plan_resource",
]
