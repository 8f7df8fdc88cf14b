"""The project edit page's state: it loads the project and every organization member's place in
it, previews the form's changes per tool without changing anything, then starts the edit run
(its page follows); viewers and other organizations' tabs get nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from projecthub.models import Project, ProjectMember, ProjectResource, ProvisioningRun, Role
from projecthub.services import connections
from projecthub.ui.state.project_edit import ProjectEditState
from tests.factories import add_member, make_org, make_user, principal
from tests.services.provisioning.approval_world import gate_project
from tests.ui.status_seed import add_project
from tests.ui.tabs import redirect_path


def _shop(db: Session):  # type: ignore[no-untyped-def]
    owner = make_user(db, name="Pat Owner")
    org = make_org(db, owner)
    jira = connections.create_connection(
        db, principal(db, owner, org), tool="jira", name="Jira",
        base_url="https://acme.atlassian.net", settings_values={"email": "a@example.com"},
        secret_values={"api_token": "t"})
    project = add_project(db, org, owner, name="Shop", key="SHOP", tools=())
    db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                           kind="project", external_id="10001", external_key="SHOP",
                           name="Shop", connection_id=jira.id))
    ann = make_user(db, email="ann@example.com", name="Ann Example")
    add_member(db, org, ann)
    db.commit()
    return org, owner, project, ann


def _page(as_user: Any, user: Any, project: Project) -> ProjectEditState:
    state = as_user(ProjectEditState, user, path=f"/projects/{project.id}/edit")
    state.load()
    return state


def _form(page: ProjectEditState, **changes: str) -> dict[str, str]:
    form = {"name": page.name, "description": page.description, "client_company": page.client,
            "start_date": page.start_date, "end_date": page.end_date, "owner_id": page.owner_id}
    form.update({f"role_{p.user_id}": "member" if p.role == "manager" else p.role
                 for p in page.people})
    form.update(changes)
    return form


def test_preview_then_run_starts_an_edit_run(db, as_user):
    _, owner, project, ann = _shop(db)
    page = _page(as_user, owner, project)
    assert page.problem == "" and page.name == "Shop" and page.end_date == "2026-12-31"
    assert {p.email: p.role for p in page.people} == {owner.email: "manager",
                                                      "ann@example.com": "none"}

    page.preview(_form(page, name="Shop Portal", **{f"role_{ann.id}": "member"}))
    assert page.preview_open and page.runs_in_tools
    lines = [(line.tool, line.description) for line in page.lines]
    assert ("jira", "Jira: rename project SHOP → 'Shop Portal'") in lines
    assert ("jira", "Jira: add Ann Example as member") in lines
    db.expire_all()
    assert db.get_one(Project, project.id).name == "Shop"
    assert db.exec(select(ProvisioningRun)).all() == []

    path = redirect_path(page.confirm())
    assert path is not None and path.startswith("/runs/")
    db.expire_all()
    assert db.exec(select(ProjectMember).where(ProjectMember.user_id == ann.id)).one()


def test_an_edit_of_a_gated_project_says_it_waits_and_changes_nothing(db, as_user):
    org, owner, project, ann = _shop(db)
    gate_project(db, principal(db, owner, org), project)
    page = _page(as_user, owner, project)
    page.preview(_form(page, name="Shop Portal", **{f"role_{ann.id}": "member"}))
    assert page.runs_in_tools and page.waits_for == "an owner or admin"
    events = page.confirm()
    path = redirect_path(events)
    assert path is not None and path.startswith("/runs/")
    assert "The changes wait for approval." in str(events)
    db.expire_all()
    [run] = db.exec(select(ProvisioningRun)).all()
    assert run.status == "awaiting_approval"
    assert db.exec(select(ProjectMember).where(ProjectMember.user_id == ann.id)).first() is None
    assert db.get_one(Project, project.id).name == "Shop"


def test_dates_alone_apply_at_once(db, as_user):
    _, owner, project, _ = _shop(db)
    page = _page(as_user, owner, project)
    page.preview(_form(page, end_date="2027-03-31"))
    assert not page.runs_in_tools
    assert redirect_path(page.confirm()) == f"/projects/{project.id}"
    db.expire_all()
    assert db.get_one(Project, project.id).end_date.isoformat() == "2027-03-31"


def test_bad_dates_are_shown_next_to_the_field(db, as_user):
    _, owner, project, _ = _shop(db)
    page = _page(as_user, owner, project)
    page.preview(_form(page, start_date="2027-01-01", end_date="2026-01-01"))
    assert not page.preview_open and "end_date" in page.errors


def test_a_viewer_and_another_organization_get_nothing(db, as_user):
    org, _, project, _ = _shop(db)
    viewer = make_user(db)
    add_member(db, org, viewer, role=Role.VIEWER)
    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=viewer.id))
    stranger = make_user(db)
    make_org(db, stranger)
    db.commit()
    refused = _page(as_user, viewer, project)
    assert refused.problem and refused.edit_id == "" and refused.people == []
    foreign = _page(as_user, stranger, project)
    assert "not found" in foreign.problem.lower() and foreign.people == []
    # handlers called anyway (the browser may call any of them) change nothing
    foreign._project = str(project.id)
    foreign.preview({"name": "Taken"})
    foreign._pending = '{"name": "Taken"}'
    foreign.confirm()
    assert "not found" in " ".join(foreign.errors.values()).lower()
    db.expire_all()
    assert db.get_one(Project, project.id).name == "Shop"
    assert db.exec(select(ProvisioningRun)).all() == []
