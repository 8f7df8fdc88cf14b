"""A project's status view: cards for the resources with figures of their own, links for the
rest (starter pages, channels, budgets, the team, whose address may come from its summary)."""

from __future__ import annotations

from sqlmodel import Session, select

from projecthub.models import ProjectResource, StatusSnapshot, TeamSummary
from projecthub.services.status.view import has_figures, project_status
from tests.factories import make_org, make_user, principal
from tests.ui.status_seed import add_project

EXTRA = (("confluence", "space", "Docs", "https://wiki.example/spaces/SHOP"),
         ("confluence", "page", "Project charter", "https://wiki.example/pages/1"),
         ("graph", "channel", "Planning", "https://teams.example/channel/1"),
         ("graph", "team", "Shop", ""),
         ("productive", "project", "Shop", "https://productive.example/projects/1"),
         ("productive", "budget", "Shop budget", ""))


def test_resources_without_figures_are_links_and_the_rest_cards(db: Session) -> None:
    owner = make_user(db)
    org = make_org(db, owner)
    project = add_project(db, org, owner, name="Shop", key="SHOP", tools=("jira", "graph"))
    for n, (tool, kind, name, url) in enumerate(EXTRA):
        db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool=tool,
                               kind=kind, external_id=f"x{n}", name=name, url=url))
    db.flush()
    team = db.exec(select(ProjectResource).where(ProjectResource.project_id == project.id,
                                                 ProjectResource.kind == "team")).one()
    db.add(StatusSnapshot(organization_id=org.id, project_id=project.id, resource_id=team.id,
                          tool="graph", kind="team",
                          data=TeamSummary(web_url="https://teams.example/team/1")))
    db.commit()

    status = project_status(db, principal(db, owner, org), project.id)

    assert sorted((c.tool, c.kind) for c in status.figure_cards) == [
        ("confluence", "space"), ("graph", "plan"), ("jira", "project"),
        ("productive", "project")]
    assert sorted((r.kind, r.name, r.url) for r in status.links) == [
        ("budget", "Shop budget", ""), ("channel", "Planning", "https://teams.example/channel/1"),
        ("page", "Project charter", "https://wiki.example/pages/1"),
        ("team", "Shop", "https://teams.example/team/1")]
    assert len(status.cards) == len(status.figure_cards) + len(status.links)  # the API: all
    assert not has_figures("graph", "team") and not has_figures("confluence", "page")
