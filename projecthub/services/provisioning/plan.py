"""Turn a project's answers into a plan: steps with inputs, dependencies and deterministic
idempotency keys. Pure: the same answers always give the same plan."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from projecthub.services.views import View

JIRA_TEMPLATES = {
    "scrum": ("software", "com.pyxis.greenhopper.jira:gh-simplified-scrum-classic"),
    "kanban": ("software", "com.pyxis.greenhopper.jira:gh-simplified-kanban-classic"),
    "business": ("business", "com.atlassian.jira-core-project-templates:jira-core-simplified-"
                             "project-management"),
}


def team_nickname(display_name: str) -> str:
    """The mail nickname Teams derives from a team's display name: the team's natural key."""
    return re.sub(r"[^A-Za-z0-9]", "", display_name)[:56] or "team"


class PlannedStepSummary(View):
    """What a person reviewing the plan sees of a step (no inputs: they hold people's emails)."""

    key: str
    action: str
    tool: str
    title: str
    depends_on: tuple[str, ...] = ()


class PlannedStep(PlannedStepSummary):
    connection_id: uuid.UUID | None
    inputs: dict[str, Any]
    idempotency_key: str = ""


@dataclass(frozen=True)
class PlanInput:
    """Everything the plan needs, already resolved (member ids → emails) by the service."""

    org_id: str
    project_id: str
    answers: dict[str, Any]
    manager_email: str
    member_emails: tuple[str, ...]
    lead_email: str


@dataclass
class _Builder:
    source: PlanInput
    steps: list[PlannedStep] = field(default_factory=list)

    def add(self, key: str, action: str, title: str, connection: str | uuid.UUID | None,
            inputs: dict[str, Any], depends_on: tuple[str, ...] = ()) -> str:
        digest = hashlib.sha256(f"{self.source.org_id}|{self.source.project_id}|{key}".encode())
        self.steps.append(PlannedStep(key=key, action=action, tool=action.split(".")[0],
                                      title=title, connection_id=connection or None, inputs=inputs,
                                      depends_on=depends_on,
                                      idempotency_key=digest.hexdigest()[:32]))
        return key


def _people(source: PlanInput) -> list[str]:
    return list(dict.fromkeys([source.manager_email, *source.member_emails]))


def _jira(b: _Builder, a: dict[str, Any]) -> list[str]:
    conn, mode = a.get("jira_connection"), a.get("jira_mode", "skip")
    if mode == "link":
        return [b.add("jira.link_project", "jira.link_project",
                      f"Link Jira project {a['jira_existing_key']}", conn,
                      {"key": a["jira_existing_key"]})]
    if mode != "create":
        return []
    type_key, template_key = JIRA_TEMPLATES[a.get("jira_template", "scrum")]
    project = b.add("jira.create_project", "jira.create_project",
                    f"Create Jira project {a['key']}", conn,
                    {"key": a["key"], "name": a["name"], "lead_email": b.source.lead_email,
                     "project_type_key": type_key, "template_key": template_key,
                     "description": a.get("description", "")})
    members = b.add("jira.add_members", "jira.add_members", "Add the team to the Jira project",
                    conn, {"key": a["key"], "emails": _people(b.source)}, (project,))
    return [project, members]


def _confluence(b: _Builder, a: dict[str, Any]) -> list[str]:
    conn, mode = a.get("confluence_connection"), a.get("confluence_mode", "skip")
    space_key = a.get("space_key") or a["key"]
    if mode == "link":
        return [b.add("confluence.link_space", "confluence.link_space",
                      f"Link Confluence space {space_key}", conn, {"key": space_key})]
    if mode != "create":
        return []
    space = b.add("confluence.create_space", "confluence.create_space",
                  f"Create Confluence space {space_key}", conn,
                  {"key": space_key, "name": a.get("space_name") or a["name"],
                   "description": a.get("description", ""), "emails": _people(b.source)})
    pages = [b.add(f"confluence.create_page:{title}", "confluence.create_page",
                   f"Create page “{title}”", conn,
                   {"space_key": space_key, "title": title}, (space,))
             for title in a.get("starter_pages", [])]
    return [space, *pages]


def _graph(b: _Builder, a: dict[str, Any]) -> list[str]:
    conn, mode = a.get("graph_connection"), a.get("m365_mode", "skip")
    if mode == "link":
        return [b.add("graph.link_team", "graph.link_team", "Link the Microsoft 365 team", conn,
                      {"mail_nickname": a["m365_existing_nickname"]})]
    if mode != "create":
        return []
    name = a.get("team_name") or a["name"]
    team = b.add("graph.create_team", "graph.create_team", f"Create Teams team {name}", conn,
                 {"display_name": name, "mail_nickname": team_nickname(name),
                  "description": a.get("team_description") or a.get("description") or a["name"],
                  "visibility": a.get("team_visibility", "private"),
                  "owner_email": b.source.manager_email})
    steps = [team, b.add("graph.add_members", "graph.add_members", "Add the team members", conn,
                         {"emails": list(b.source.member_emails)}, (team,))]
    steps += [b.add(f"graph.create_channel:{name}", "graph.create_channel",
                    f"Create channel {name}", conn, {"name": name}, (team,))
              for name in a.get("channels", [])]
    if a.get("planner", False):
        steps.append(b.add("graph.create_plan", "graph.create_plan", "Create the Planner plan",
                           conn, {"title": a.get("team_name") or a["name"]}, (team,)))
    return steps


def _productive(b: _Builder, a: dict[str, Any]) -> list[str]:
    conn, mode = a.get("productive_connection"), a.get("productive_mode", "skip")
    if mode == "link":
        return [b.add("productive.link_project", "productive.link_project",
                      f"Link Productive project {a['productive_existing_project']}", conn,
                      {"name": a["productive_existing_project"]})]
    if mode != "create":
        return []
    company = str(a.get("client_company", "")).strip()
    steps = []
    if a.get("company_mode") == "create":
        steps.append(b.add("productive.create_company", "productive.create_company",
                           f"Create company {company} in Productive", conn, {"name": company}))
    project = b.add("productive.create_project", "productive.create_project",
                    f"Create Productive project {a['name']}", conn,
                    {"name": a["name"], "marker": b.source.project_id, "company": company,
                     "client": a.get("project_type") == "client",
                     "workflow": a.get("workflow", ""), "manager_email": b.source.manager_email},
                    tuple(steps))
    members = b.add("productive.add_memberships", "productive.add_memberships",
                    "Add the team to the Productive project", conn,
                    {"emails": _people(b.source)}, (project,))
    budget = b.add("productive.create_budget", "productive.create_budget",
                   "Create the Productive budget", conn,
                   {"name": f"{a['name']} budget", "budget_type": a.get("budget_type",
                                                                         "non_billable"),
                    "amount": a.get("budget_amount"), "currency": a.get("currency", "EUR"),
                    "billable_hours": a.get("billable_hours"),
                    "start_date": a.get("start_date"), "end_date": a.get("end_date")},
                   (project,))
    return [project, members, budget, *steps]  # the project first: what the links page cites


def build_plan(source: PlanInput) -> list[PlannedStep]:
    """The steps for every selected tool, then a Confluence page linking all resources."""
    builder = _Builder(source)
    answers = source.answers
    creates = {tool: fn(builder, answers) for tool, fn in (
        ("jira", _jira), ("confluence", _confluence), ("graph", _graph),
        ("productive", _productive))}
    if answers.get("confluence_mode") == "create":
        anchors = tuple(keys[0] for keys in creates.values() if keys)
        builder.add("confluence.create_links_page", "confluence.create_links_page",
                    "Create the “Project links” page", answers.get("confluence_connection"),
                    {"space_key": answers.get("space_key") or answers["key"],
                     "title": "Project links"}, anchors)
    return builder.steps
