"""What a four-tool run of ``all_tools_answers(world)`` leaves in the sandbox and the database
when every step happened exactly once, however many attempts, workers or faults it took."""

from __future__ import annotations

from sqlmodel import Session, select

from projecthub.models import ProjectResource
from projecthub.sandbox import SandboxApp
from tests.services.provisioning.world import TENANT

TOOLS = ("confluence", "graph", "jira", "productive")


def assert_exactly_one_of_each(sandbox: SandboxApp, db: Session) -> None:
    jira = sandbox.vendors["jira"].tenant(TENANT)
    assert list(jira.projects) == ["WEBX"]
    site = sandbox.vendors["confluence"].tenant(TENANT)
    assert [s.key for s in site.spaces.values()] == ["WEBX"]
    titles = sorted(p.title for p in site.pages_in(site.space_by_key("WEBX"), {"current"}))
    assert titles == ["Project charter", "Project links", "Website relaunch Home"]
    prod = sandbox.vendors["productive"].tenant(TENANT)
    assert [p.name for p in prod.table("projects").values()] == ["Website relaunch"]
    assert [d.name for d in prod.table("deals").values()] == ["Website relaunch budget"]
    assert len(prod.table("memberships")) == 1
    graph = sandbox.vendors["graph"].tenant(TENANT)
    assert [g.display_name for g in graph.groups.values()] == ["Website Relaunch"]
    (team,) = graph.teams.values()
    assert sorted(c.display_name for c in team.channels) == ["General", "Planning"]
    assert [p.title for p in graph.plans.values()] == ["Website Relaunch"]
    rows = db.exec(select(ProjectResource)).all()
    keys = [(r.tool, r.kind, r.external_id) for r in rows]
    assert len(keys) == len(set(keys))
    assert sorted({r.tool for r in rows}) == list(TOOLS)
