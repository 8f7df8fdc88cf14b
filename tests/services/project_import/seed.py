"""Existing work in the sandbox tools, as an organization has it before it adopts ProjectHub:
``n`` Jira projects with a Confluence space of the same key each, and for some of them a
Productive project or a team of the same name (so matches are found by key and by name)."""

from __future__ import annotations

from dataclasses import dataclass

from projecthub.sandbox import SandboxApp
from projecthub.sandbox.graph_state import GraphState
from projecthub.sandbox.jira_state import SANDBOX_EMAIL, JiraState
from projecthub.sandbox.productive_state import ProductiveState


@dataclass(frozen=True)
class Existing:
    keys: list[str]
    names: list[str]


def key_of(i: int) -> str:
    return f"P{i:03d}"


def name_of(i: int) -> str:
    return f"Client Project {i:03d}"


def seed_existing(sandbox: SandboxApp, tenant: str, n: int, *, lead_email: str,
                  productive_every: int = 3, teams_every: int = 10,
                  team_member_emails: tuple[str, ...] = ()) -> Existing:
    """Seed through the sandboxes' state (the tools' own records), not through our code."""
    jira = sandbox.vendors["jira"].tenant(tenant)
    assert isinstance(jira, JiraState)
    admin = next((u for u in jira.users if u.email == SANDBOX_EMAIL), None) or jira.add_user(
        SANDBOX_EMAIL, "Sandbox Admin", site_admin=True)
    lead = next((u for u in jira.users if u.email == lead_email), None) or jira.add_user(
        lead_email, "Project Lead")
    wiki = sandbox.vendors["confluence"].tenant(tenant)
    author = next(a for a in wiki.accounts if a.email == SANDBOX_EMAIL)
    prod = sandbox.vendors["productive"].tenant(tenant)
    assert isinstance(prod, ProductiveState)
    manager = prod.add_person("Project", "Lead", lead_email)
    graph = sandbox.vendors["graph"].tenant(tenant)
    assert isinstance(graph, GraphState)
    owner = graph.user(lead_email) or graph.add_user(lead_email, "Project Lead")
    others = [graph.user(e) or graph.add_user(e, e.split("@")[0].title())
              for e in team_member_emails]
    keys, names = [], []
    for i in range(n):
        key, name = key_of(i), name_of(i)
        jira.add_project(key, name, lead if i % 2 else admin)
        wiki.add_space(key, name, author)
        if productive_every and i % productive_every == 0:
            prod.add_project(name, project_manager_id=manager.id)
        if teams_every and i % teams_every == 0:
            team = graph.add_team(graph.add_group(name, f"team{i:03d}"), owner)
            for person in others:
                graph.add_member(team, person)
        keys.append(key)
        names.append(name)
    return Existing(keys, names)
