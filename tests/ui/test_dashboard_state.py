"""The dashboard: the URL is the view (read on load, written by every change), rows show each
tool's figures and their age, tiles count every project, drafts and unfinished runs beside."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from reflex.istate.data import RouterData
from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.models import Lifecycle, Organization, Role, User
from projecthub.services import drafts
from projecthub.services.provisioning import service
from projecthub.services.status.dashboard import DashboardQuery
from projecthub.ui.state.dashboard import DashboardState, query_from_url, url_for
from projecthub.ui.state.status_format import EN_DASH
from tests.factories import add_member, make_org, make_user, owner_principal, user_of
from tests.services.provisioning.world import answers, build_world
from tests.ui.status_seed import JIRA, PLANNER, PRODUCTIVE, add_project
from tests.ui.tabs import browser_state, redirect_path
from tests.ui.times import instant, near


@pytest.fixture
def org(db: Session) -> tuple[Organization, User]:
    owner = make_user(db, name="Olive Owner")
    return make_org(db, owner, name="Northwind"), owner


def _params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_the_default_view_is_the_bare_url_and_every_setting_round_trips() -> None:
    assert url_for(DashboardQuery()) == "/dashboard"
    view = DashboardQuery(q="web shop", health="red", lifecycle="on_hold", tool="jira",
                          owner="6731de76-14a6-49ae-97bc-6eba6914391e", sort="end_date",
                          descending=True, page=3, page_size=50)
    url = url_for(view)

    assert url.startswith("/dashboard?q=web+shop&health=red&state=on_hold&tool=jira&owner=")
    assert query_from_url(_params(url)) == view


def test_load_reads_the_view_from_the_url(db, org, as_user):
    organization, owner = org
    for n, health in enumerate(("red", "red", "green", "amber")):
        add_project(db, organization, owner, name=f"Project {n}", key=f"P{n}", health=health,
                    client="Acme" if n else "Blue Harbor")
    state = as_user(DashboardState, owner, path="/dashboard?health=red&sort=name&desc=1&size=1")

    state.load()

    assert (state.health, state.descending, state.page_size, state.page) == ("red", True, 1, 1)
    assert [r.name for r in state.rows] == ["Project 1"] and state.total == 2
    assert (state.page_count, state.showing) == (2, f"1{EN_DASH}1 of 2")
    assert state.next_href == "/dashboard?health=red&desc=1&page=2&size=1"
    assert state.prev_href == ""
    assert {t.key: (t.count, t.active) for t in state.health_tiles} == {
        "green": (1, False), "amber": (1, False), "red": (2, True), "unknown": (0, False)}
    red = next(t for t in state.health_tiles if t.key == "red")
    assert red.href == "/dashboard?desc=1&size=1"  # the active tile clears its filter
    assert state.sort_links["name"] == "/dashboard?health=red&size=1"  # toggles back to asc
    assert state.loaded and state.filtered


def test_search_and_filters_navigate_to_the_new_url_from_page_one(db, org, as_user):
    organization, owner = org
    add_project(db, organization, owner, name="Web shop", key="WEB")
    state = as_user(DashboardState, owner, path="/dashboard?tool=jira&page=2&size=1")
    state.load()

    assert redirect_path(state.filter_by("health", "amber")) == (
        "/dashboard?health=amber&tool=jira&size=1")
    assert redirect_path(state.filter_by("tool", "all")) == "/dashboard?size=1"
    assert redirect_path(state.search({"q": "  shop "})) == "/dashboard?q=shop&tool=jira&size=1"
    assert redirect_path(state.filter_by("page_size", "50")) == "/dashboard?tool=jira&size=50"
    assert state.filter_by("organization_id", "x") is None  # not a filter: ignored


def test_a_malformed_url_says_so_and_shows_no_rows(db, org, as_user):
    organization, owner = org
    add_project(db, organization, owner, name="Web shop", key="WEB")
    state = as_user(DashboardState, owner, path="/dashboard?health=purple")

    state.load()

    assert state.rows == [] and "Choose one of green, amber, red, unknown." in (
        state.errors["filters"])
    assert (state.health, state.loaded) == ("", False)


def test_rows_show_each_tools_figures_and_how_old_they_are(db, org, as_user):
    organization, owner = org
    old = utcnow() - timedelta(hours=30)
    add_project(db, organization, owner, name="Shop", key="SHOP", health="amber",
                reasons=["Budget 65% used with 40% of the time elapsed (+25 points).",
                         "1 overdue Jira issues.", "Productive data is 30 h old."],
                tools=("jira", "productive", "graph"), synced=old,
                figures={"jira": {**JIRA, "stale": False}, "planner": {**PLANNER, "overdue": 2},
                         "productive": {**PRODUCTIVE, "stale": True}})
    add_project(db, organization, owner, name="Unsynced", key="NEW", health=None)
    state = as_user(DashboardState, owner)

    state.load()

    shop, new = state.rows
    assert (shop.issues, shop.issues_note) == ("5 open · 7 done", "1 overdue")
    assert (shop.budget, shop.budget_note, shop.budget_over) == ("65% used", "€16,800 left",
                                                                 False)
    assert (shop.planner, shop.planner_note) == ("3 open", "2 overdue")
    assert shop.reason.startswith("Budget 65% used") and shop.reasons.count("\n") == 2
    assert (shop.health_label, shop.synced_utc, shop.stale) == (
        "Needs attention", old.strftime("%d %b %Y, %H:%M UTC"), True)
    assert datetime.fromisoformat(shop.synced_at) == old
    assert "productive" in shop.stale_note
    assert (shop.owner, shop.dates, shop.lifecycle_label) == (
        "Olive Owner", f"01 Jan 2026 {EN_DASH} 31 Dec 2026", "Active")
    assert (new.health, new.issues, new.budget, new.synced_at) == ("unknown", "", "", "")


def test_export_downloads_the_current_view_as_csv(db, org, as_user):
    organization, owner = org
    add_project(db, organization, owner, name="Red one", key="RED", health="red")
    add_project(db, organization, owner, name="Green one", key="GRN", health="green")
    state = as_user(DashboardState, owner, path="/dashboard?health=red")
    state.load()

    spec = state.export_csv()

    args = {key._js_expr: str(value).strip('"') for key, value in spec.args}
    prefix = "data:text/csv;base64,"
    assert args["url"].startswith(prefix) and args["filename"].startswith("projects-")
    text = base64.b64decode(args["url"].removeprefix(prefix)).decode()
    assert text.splitlines()[0].startswith("key,name,client,lifecycle,health")
    assert "Red one" in text and "Green one" not in text


def test_every_handler_checks_the_session_again(db, org):
    organization, owner = org
    add_project(db, organization, owner, name="Web shop", key="WEB")
    state = browser_state(DashboardState, None)  # a tab whose session has ended

    assert (redirect_path(state.load()) == redirect_path(state.filter_by("health", "red"))
            == redirect_path(state.search({"q": "x"})) == redirect_path(state.export_csv())
            == "/login?next=/dashboard")
    assert state.rows == []


def test_members_see_only_their_projects_and_viewers_cannot_create(db, org, as_user):
    organization, owner = org
    viewer = user_of(db, add_member(db, organization, role=Role.VIEWER))
    add_project(db, organization, owner, name="Theirs", key="THR")
    add_project(db, organization, owner, name="Shared", key="SHR", members=(viewer,))
    state = as_user(DashboardState, viewer)

    state.load()

    assert [r.name for r in state.rows] == ["Shared"] and not state.can_create
    assert sum(t.count for t in state.health_tiles) == 1


def test_an_empty_organization_is_honest(db, org, as_user):
    _, owner = org
    state = as_user(DashboardState, owner)

    state.load()

    assert (state.rows, state.any_projects, state.total, state.showing) == (
        [], False, 0, "No projects")
    assert state.can_create and state.runs == [] and state.drafts == []


def test_archived_projects_leave_the_default_view_but_keep_their_tile(db, org, as_user):
    organization, owner = org
    add_project(db, organization, owner, name="Old", key="OLD", lifecycle=Lifecycle.ARCHIVED)
    state = as_user(DashboardState, owner)

    state.load()

    assert state.rows == [] and state.any_projects
    archived = next(t for t in state.lifecycle_tiles if t.key == "archived")
    assert (archived.count, archived.href) == (1, "/dashboard?state=archived")


async def test_drafts_and_unfinished_runs_are_listed(db, as_user):
    world = build_world(db)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    drafts.save_draft(db, owner_principal(db, world.org),
                      template_version_id=world.template_version_id,
                      answers={"name": "Intranet"}, step="jira")
    state = as_user(DashboardState, world.owner)

    state.load()

    assert [(r.project, r.key, r.status, r.progress, r.href) for r in state.runs] == [
        ("Website relaunch", "WEBX", "pending", "0 of 2 steps", f"/runs/{run.id}")]
    assert near(instant(state.runs[0].started_at, state.runs[0].started), run.created_at)
    assert [d.title for d in state.drafts] == ["Intranet"]
    assert [r.lifecycle for r in state.rows] == ["provisioning"]


def test_load_marks_this_connection_and_url_checked_only_after_the_session_check(db, org, as_user):
    """The shell shows the dashboard with its load's own answer when the mark names this
    websocket and URL (docs/architecture.md §16): a mark an earlier connection left never
    matches, and a tab whose session has ended is never marked."""
    organization, owner = org
    add_project(db, organization, owner, name="Web shop", key="WEB")
    state = as_user(DashboardState, owner, path="/dashboard?health=red")
    path = "/dashboard?health=red"
    state.router = RouterData.from_router_data({
        "token": "client-token", "pathname": path, "asPath": path, "sid": "socket-2",
        "headers": {"cookie": state.router.headers.cookie}})
    state.checked_view = "socket-1 /dashboard?health=red"  # what the snapshot carries

    state.load()

    assert state.checked_view == "socket-2 /dashboard?health=red"
    assert state.checked_view == f"{state.router.session.session_id} {state.router.url}"
    ended = browser_state(DashboardState, None)
    assert redirect_path(ended.load()) == "/login?next=/dashboard"
    assert ended.checked_view == ""
