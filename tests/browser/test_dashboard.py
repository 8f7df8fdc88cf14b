"""The dashboard and a project's status page in the built app, against the app's own sandbox.

An organization with nine projects is written into the app's database (one of them, Website
Relaunch, linked to the sandbox's demo Jira project, Confluence space, Productive project and
Planner plan through ProjectHub's own connectors). The journey filters the dashboard (rows and
URL agree, a reload keeps the view, CSV exports it), opens Website Relaunch, presses Refresh
(figures arrive from the tools), adds a Confluence page through the sandbox's Confluence API,
and presses Refresh again: the page count goes up and says what it was. Then an admin tunes
the status settings, with a refused value explained next to its input.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.core.clock import utcnow
from projecthub.models import (
    Lifecycle,
    Membership,
    Organization,
    Project,
    ProjectMember,
    ProjectResource,
    ProjectStatus,
    ProvisioningRun,
    ProvisioningStep,
    Role,
    RunStatus,
    StatusHistory,
    StepStatus,
    User,
)
from projecthub.services import accounts, connections, drafts, verification
from projecthub.services.principal import Principal, actor_for, principal_in_org
from projecthub.services.templates import library
from projecthub.services.tool_clients import ToolClients
from projecthub.ui.state.status_format import EN_DASH
from tests.browser.harness import AppServer, save_screenshot, sign_up_and_log_in, visit

pytestmark = pytest.mark.browser

EMAIL = "mina@harbor.example"
PASSWORD = "seven lanterns on the harbour wall"
SLUG = "harbor-digital"
DEMO_EMAIL = "demo@projecthub.example"
TOKEN = "sandbox-demo"
_HYDRATED = '"is_hydrated_rx_state_":true'  # Reflex's set_is_hydrated delta
DASHBOARD = re.compile(r"/dashboard(\?.*)?$")
START, END = date(2026, 9, 1), date(2027, 1, 31)


@dataclass(frozen=True)
class Seeded:
    relaunch_id: uuid.UUID
    space_id: str
    connection_ids: dict[str, str]


def _in_thread(coroutine: Any) -> Any:
    """Playwright's sync API keeps an event loop running in this thread: use another one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _params(page: Page) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(page.url).query))


def _shot(page: Page, name: str) -> Path:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    return save_screenshot(page, name)


def _connections(db: Session, who: Principal, base: str) -> dict[str, uuid.UUID]:
    values = {
        "jira": ({"email": DEMO_EMAIL}, {"api_token": TOKEN}),
        "confluence": ({"email": DEMO_EMAIL}, {"api_token": TOKEN}),
        "productive": ({"organization_id": "1000"}, {"api_token": TOKEN}),
        "graph": ({"tenant_id": "projecthub.example",
                   "client_id": "00000000-0000-0000-0000-0000000a11ce",
                   "authority_host": f"{base}/sandbox/graph/login"}, {"client_secret": TOKEN}),
    }
    return {tool: connections.create_connection(
        db, who, tool=tool, name=f"Demo {tool}", base_url=f"{base}/sandbox/{tool}",
        settings_values=settings, secret_values=secrets).id
        for tool, (settings, secrets) in values.items()}


async def _demo_ids(tools: ToolClients, ids: dict[str, str]) -> dict[str, str]:
    """Where the sandbox keeps its demo Website Relaunch, asked through our own connectors."""
    async with tools.jira(ids["jira"]) as jira:
        jira_project = await jira.get_project("WEB")
    async with tools.confluence(ids["confluence"]) as wiki:
        space = await wiki.get_space("WEB")
    async with tools.productive(ids["productive"]) as prod:
        shop = await prod.find_project_by_name("Acme Web Shop Relaunch")
    async with tools.graph(ids["graph"]) as graph:
        group = await graph.find_group_by_mail_nickname("WebsiteRelaunch")
        assert group is not None
        plan = await anext(aiter(graph.iter_group_plans(group.id)))
    assert shop is not None
    return {"jira": jira_project.id, "space": space.id, "productive": shop.id,
            "group": group.id, "plan": plan.id}


async def _add_page(tools: ToolClients, connection_id: str, space_id: str) -> None:
    async with tools.confluence(connection_id) as wiki:
        await wiki.create_page(space_id=space_id, title="Go-live runbook",
                               body="<p>Who does what on launch day.</p>")


def _person(db: Session, org: Organization, name: str, email: str) -> User:
    user = accounts.create_user(db, email=email, password=PASSWORD, display_name=name)
    verification.mark_verified(db, user)
    db.add(Membership(organization_id=org.id, user_id=user.id, role=Role.MEMBER))
    db.flush()
    return user


def _project(db: Session, org: Organization, owner: User, name: str, key: str, client: str,
             *, lifecycle: Lifecycle = Lifecycle.ACTIVE, start: date = START,
             end: date = END) -> Project:
    project = Project(organization_id=org.id, name=name, key=key, client_company=client,
                      lifecycle=lifecycle, owner_id=owner.id, start_date=start, end_date=end,
                      description=f"{name} for {client}.")
    db.add(project)
    db.flush()
    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=owner.id,
                         role="manager"))
    return project


def _status(db: Session, project: Project, health: str, reasons: list[tuple[str, str]],
            figures: dict[str, Any], tools: tuple[str, ...], minutes_ago: int) -> None:
    """Figures as the sync stores them; resources so the tool filter finds the project.
    Synced minutes ago, so the app's own sync leaves them alone during the test."""
    at = utcnow() - timedelta(minutes=minutes_ago)
    for tool in tools:
        db.add(ProjectResource(organization_id=project.organization_id, project_id=project.id,
                               tool=tool, kind="plan" if tool == "graph" else "project",
                               external_id=f"{project.key}-{tool}", name=project.name))
    for data in figures.values():
        data.setdefault("stale", False)
        data.setdefault("fetched_at", at.isoformat())
    db.add(ProjectStatus(project_id=project.id, organization_id=project.organization_id,
                         health=health, figures=figures, synced_at=at, oldest_data_at=at,
                         reasons=[{"level": lv, "rule": "seed", "text": t} for lv, t in reasons]))


def _jira(to_do: int, in_progress: int, done: int, overdue: int) -> dict[str, Any]:
    return {"to_do": to_do, "in_progress": in_progress, "done": done, "overdue": overdue}


def _budget(total: int, used: int) -> dict[str, Any]:
    return {"currency": "EUR", "budget_total_cents": total, "budget_used_cents": used,
            "budget_remaining_cents": total - used, "burn_percent": round(100 * used / total, 1)}


def _portfolio(db: Session, org: Organization, owner: User, jonas: User, priya: User) -> None:
    """Eight more projects in every state and colour, their figures as if synced earlier."""
    shop = _project(db, org, jonas, "Fleet App MVP", "FLEET", "Blue Harbor Logistics",
                    start=date(2026, 6, 1), end=date(2026, 12, 15))
    _status(db, shop, "red", [("red", "Budget 107% used with 86% of the time elapsed "
                                      "(+21 points)."), ("red", "6 overdue Jira issues.")],
            {"jira": _jira(9, 4, 21, 6), "productive": _budget(2_250_000, 2_410_000)},
            ("jira", "productive"), 12)
    crm = _project(db, org, priya, "CRM Migration", "CRM", "Cedar & Co",
                   start=date(2026, 4, 1), end=date(2026, 11, 20))
    _status(db, crm, "red", [("red", "The end date 2026-11-20 has passed with 5 open items."),
                             ("amber", "2 overdue Planner tasks.")],
            {"jira": _jira(3, 2, 40, 1), "planner": {"not_started": 1, "in_progress": 2,
                                                     "done": 11, "overdue": 2}},
            ("jira", "graph"), 20)
    intranet = _project(db, org, owner, "Intranet Refresh", "INTRA", "Northwind Traders")
    _status(db, intranet, "amber", [("amber", "Budget 48% used with 36% of the time elapsed "
                                              "(+12 points).")],
            {"productive": _budget(1_200_000, 576_000), "planner": {
                "not_started": 4, "in_progress": 3, "done": 6, "overdue": 0}},
            ("productive", "graph"), 3)
    brand = _project(db, org, jonas, "Brand Portal", "BRAND", "Cedar & Co",
                     lifecycle=Lifecycle.ON_HOLD)
    _status(db, brand, "amber", [("amber", "Jira data is 30 h old: the tool did not answer.")],
            {"jira": {**_jira(6, 0, 3, 0), "stale": True}}, ("jira",), 25)
    app = _project(db, org, priya, "Loyalty App", "LOYAL", "Northwind Traders")
    _status(db, app, "green", [("green", "Budget 22% used with 36% of the time elapsed "
                                         "(-14 points).")],
            {"jira": _jira(14, 5, 12, 0), "productive": _budget(3_600_000, 792_000)},
            ("jira", "productive"), 8)
    docs = _project(db, org, owner, "Docs Hub", "DOCS", "Acme Retail",
                    lifecycle=Lifecycle.COMPLETED, start=date(2026, 2, 1),
                    end=date(2026, 10, 31))
    _status(db, docs, "green", [("green", "No rule found a problem.")],
            {"jira": _jira(0, 0, 57, 0), "productive": _budget(900_000, 871_000)},
            ("jira", "productive"), 15)
    old = _project(db, org, owner, "Summer Campaign", "SUMMER", "Acme Retail",
                   lifecycle=Lifecycle.ARCHIVED, start=date(2026, 5, 1), end=date(2026, 8, 31))
    _status(db, old, "green", [], {}, (), 29)
    setup = _project(db, org, owner, "Partner Extranet", "PARTNER", "Blue Harbor Logistics",
                     lifecycle=Lifecycle.PROVISIONING)
    run = ProvisioningRun(organization_id=org.id, project_id=setup.id, created_by_id=owner.id,
                          status=RunStatus.RUNNING, lease_owner="another-worker",
                          lease_until=utcnow() + timedelta(hours=2), started_at=utcnow())
    db.add(run)
    for n, (tool, title, state) in enumerate((
            ("jira", "Create Jira project", StepStatus.SUCCEEDED),
            ("confluence", "Create Confluence space", StepStatus.SUCCEEDED),
            ("confluence", "Create starter pages", StepStatus.SUCCEEDED),
            ("graph", "Create team", StepStatus.RUNNING),
            ("graph", "Add members", StepStatus.PENDING),
            ("graph", "Create Planner plan", StepStatus.PENDING),
            ("productive", "Create Productive project", StepStatus.PENDING))):
        db.add(ProvisioningStep(organization_id=org.id, run_id=run.id, position=n,
                                key=f"step-{n}", action=f"{tool}.step", tool=tool, title=title,
                                idempotency_key=f"seed-{run.id}-{n}", status=state))


def _history(db: Session, project: Project) -> None:
    """Thirty earlier days of figures, so the charts have a past; today comes from Refresh."""
    today = utcnow().date()
    for back in range(30, 0, -1):
        n = 30 - back
        db.add(StatusHistory(
            organization_id=project.organization_id, project_id=project.id,
            day=today - timedelta(days=back),
            figures={"jira": _jira(7 - n // 7, 2, n // 15, n // 8),
                     "productive": {"burn_percent": round(30 + n * 1.15, 1)}}))


def _seed(server: AppServer) -> Seeded:
    engine = create_engine(server.database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            owner = db.exec(select(User).where(User.email == EMAIL)).one()
            org = db.exec(select(Organization).where(Organization.slug == SLUG)).one()
            who = principal_in_org(db, actor_for(owner), org.id)
            jonas = _person(db, org, "Jonas Berg", "jonas@harbor.example")
            priya = _person(db, org, "Priya Raman", "priya@harbor.example")
            ids = _connections(db, who, server.base_url)
            db.commit()  # the tool clients read the connections in their own session
            tools = ToolClients(lambda: Session(engine, expire_on_commit=False), who)
            demo = _in_thread(_demo_ids(tools, ids))
            relaunch = _project(db, org, owner, "Website Relaunch", "WEB", "Acme Retail")
            db.add(ProjectMember(organization_id=org.id, project_id=relaunch.id,
                                 user_id=jonas.id, role="member"))
            base = server.base_url
            for tool, kind, external_id, key, url in (
                    ("jira", "project", demo["jira"], "WEB", f"{base}/sandbox/jira/browse/WEB"),
                    ("confluence", "space", demo["space"], "WEB",
                     f"{base}/sandbox/confluence/wiki/spaces/WEB"),
                    ("productive", "project", demo["productive"], "",
                     f"{base}/sandbox/productive/1000/projects/{demo['productive']}"),
                    ("graph", "plan", demo["plan"], "", ""),
                    ("graph", "team", demo["group"], "", "")):
                db.add(ProjectResource(
                    organization_id=org.id, project_id=relaunch.id, tool=tool, kind=kind,
                    connection_id=ids[tool], external_id=external_id,
                    external_key=key, name="Website Relaunch", url=url, origin="linked"))
            # Synced "now" with nothing fetched: the app's background sync waits its interval,
            # so the figures on the page come from this test's Refresh.
            db.add(ProjectStatus(project_id=relaunch.id, organization_id=org.id,
                                 synced_at=utcnow()))
            _history(db, relaunch)
            _portfolio(db, org, owner, jonas, priya)
            db.commit()
            template = library.list_templates(db, who)[0]
            drafts.save_draft(db, who, template_version_id=template.version_id,
                              answers={"name": "Customer Portal"}, step="jira")
            db.commit()
            return Seeded(relaunch.id, demo["space"], ids)
    finally:
        engine.dispose()


def _sign_up(page: Page) -> None:
    sign_up_and_log_in(page, email=EMAIL, name="Mina Okafor", password=PASSWORD,
                       org_name="Harbor Digital", org_slug=SLUG)


@pytest.fixture(scope="module")
def seeded_state() -> dict[str, Seeded]:
    return {}


@pytest.fixture
def seeded(page: Page, app_server: AppServer, seeded_state: dict[str, Seeded]) -> Iterator[Seeded]:
    """The organization, once per module; each test's page is logged in as its owner."""
    if "org" not in seeded_state:
        _sign_up(page)
        seeded_state["org"] = _seed(app_server)
    else:
        response = page.request.post("/api/v1/auth/login",
                                     data={"email": EMAIL, "password": PASSWORD})
        assert response.ok, response.text()
    yield seeded_state["org"]


def _rows(page: Page) -> list[str]:
    return [r.get_by_role("link").first.inner_text()
            for r in page.get_by_test_id("project-row").all()]


def _pick(page: Page, name: str, option: str) -> None:
    page.get_by_test_id(f"filter-{name}").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_the_dashboard_filters_sorts_and_exports_the_view_in_its_url(
        page: Page, seeded: Seeded, console_errors: list[str]) -> None:
    visit(page, "/dashboard")
    expect(page.get_by_test_id("project-row")).to_have_count(8)  # archived ones stay out
    expect(page.get_by_test_id("tile-red")).to_contain_text("2")
    expect(page.get_by_test_id("tile-archived")).to_contain_text("1")
    fleet = page.get_by_test_id("project-row").filter(has_text="Fleet App MVP")
    expect(fleet.get_by_test_id("budget")).to_contain_text("107% used")
    expect(fleet.get_by_test_id("budget")).to_contain_text("€1,600 over")
    expect(fleet.get_by_test_id("first-reason")).to_have_text(
        "Budget 107% used with 86% of the time elapsed (+21 points).")
    brand = page.get_by_test_id("project-row").filter(has_text="Brand Portal")
    expect(brand.get_by_test_id("stale")).to_be_visible()
    expect(page.get_by_role("heading", name="Provisioning")).to_be_visible()
    expect(page.get_by_role("link", name="Partner Extranet").first).to_be_visible()
    expect(page.get_by_text("Customer Portal")).to_be_visible()  # the draft
    _shot(page, "dashboard")

    page.get_by_test_id("tile-red").click()
    page.wait_for_url(re.compile(r"\?health=red$"))
    expect(page.get_by_test_id("project-row")).to_have_count(2)
    assert sorted(_rows(page)) == ["CRM Migration", "Fleet App MVP"]
    _pick(page, "tool", "Productive")
    page.wait_for_url(re.compile(r"tool=productive"))
    assert _params(page) == {"health": "red", "tool": "productive"}
    expect(page.get_by_test_id("project-row")).to_have_count(1)
    assert _rows(page) == ["Fleet App MVP"]

    # The URL is the view: opened afresh (a shared link), it shows the same.
    visit(page, page.url)
    expect(page.get_by_test_id("project-row")).to_have_count(1)
    expect(page.get_by_test_id("filter-tool")).to_have_text("Productive")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0].startswith("key,name,client,lifecycle,health")
    assert "Fleet App MVP" in text and "CRM Migration" not in text

    page.get_by_test_id("clear").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.get_by_test_id("project-row")).to_have_count(8)  # the cleared view is loaded
    search = page.get_by_label("Search projects")
    search.fill("northwind")
    expect(search).to_have_value("northwind")  # not reset by a late load of the cleared view
    search.press("Enter")
    page.wait_for_url(re.compile(r"\?q=northwind$"))
    expect(page.get_by_test_id("project-row")).to_have_count(2)
    assert sorted(_rows(page)) == ["Intranet Refresh", "Loyalty App"]
    _pick(page, "owner", "Priya Raman")
    page.wait_for_url(re.compile(r"q=northwind&owner="))
    expect(page.get_by_test_id("project-row")).to_have_count(1)
    assert _rows(page) == ["Loyalty App"]

    visit(page, "/dashboard?sort=health&size=3")
    expect(page.get_by_test_id("project-row")).to_have_count(3)
    expect(page.get_by_test_id("showing")).to_have_text(f"1{EN_DASH}3 of 8")
    assert [h.get_attribute("data-health") for h in page.get_by_test_id("health").all()] == [
        "red", "red", "amber"]
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"sort=health&page=2&size=3$"))
    expect(page.get_by_test_id("showing")).to_have_text(f"4{EN_DASH}6 of 8")

    page.emulate_media(color_scheme="dark")
    visit(page, "/dashboard")
    expect(page.get_by_test_id("project-row")).to_have_count(8)
    _shot(page, "dashboard-dark")
    assert console_errors == []


def _figure(page: Page, card: str, label: str) -> Any:
    return (page.get_by_test_id("resource-card").filter(has_text=card)
            .locator(f"[data-label='{label}']"))


def test_refresh_brings_the_tools_figures_and_shows_what_changed(
        page: Page, seeded: Seeded, app_server: AppServer, console_errors: list[str]) -> None:
    visit(page, "/dashboard")
    page.get_by_role("link", name="Website Relaunch").click()
    page.wait_for_url(re.compile(rf"/projects/{seeded.relaunch_id}$"))
    expect(page.get_by_role("heading", name="Website Relaunch")).to_be_visible()
    expect(page.get_by_test_id("resource-card")).to_have_count(4)  # the team is a link
    expect(page.get_by_test_id("resource-link").filter(has_text="Team")).to_have_count(1)
    expect(page.get_by_test_id("stale-note").first).to_contain_text("Not synced yet")

    page.get_by_test_id("refresh").click()
    expect(page.get_by_text("Figures refreshed")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("refresh")).to_be_enabled()
    expect(_figure(page, "Jira project", "To do").get_by_test_id("figure-value")).to_have_text(
        "3")
    expect(_figure(page, "Productive project", "Used")).to_contain_text("65%")
    pages = _figure(page, "Confluence space", "Pages").get_by_test_id("figure-value")
    before = int(pages.inner_text())
    expect(page.get_by_test_id("stale-note")).to_have_count(0)
    expect(page.get_by_test_id("synced")).to_contain_text("Synced a few seconds ago")
    expect(page.get_by_test_id("reason").first).to_be_visible()

    # Someone writes a page in Confluence (the sandbox's own API, as a person's tool would).
    engine = create_engine(app_server.database_url)
    try:
        with Session(engine) as db:
            owner = db.exec(select(User).where(User.email == EMAIL)).one()
            org = db.exec(select(Organization).where(Organization.slug == SLUG)).one()
            who = principal_in_org(db, actor_for(owner), org.id)
        tools = ToolClients(lambda: Session(engine, expire_on_commit=False), who)
        _in_thread(_add_page(tools, seeded.connection_ids["confluence"], seeded.space_id))
    finally:
        engine.dispose()
    expect(pages).to_have_text(str(before))  # nothing changes until asked

    page.get_by_test_id("refresh").click()
    expect(page.get_by_text(re.compile(r"Figures refreshed: \d+ changed\."))).to_be_visible(
        timeout=30_000)
    expect(pages).to_have_text(str(before + 1))
    expect(_figure(page, "Confluence space", "Pages").get_by_test_id("figure-was")).to_have_text(
        f"was {before}")
    space = page.get_by_test_id("resource-card").filter(has_text="Confluence space")
    expect(space).to_contain_text("Last edited page: Go-live runbook")
    _shot(page, "status")
    page.emulate_media(color_scheme="dark")
    _shot(page, "status-dark")
    page.emulate_media(color_scheme="light")

    page.get_by_test_id("lifecycle-select").click()
    page.get_by_role("option", name="On hold").click()
    preview = page.get_by_role("dialog", name="Move the project to On hold")
    expect(preview).to_be_visible()  # what each tool would do, before anything changes
    preview.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The project is now on hold.")).to_be_visible()
    visit(page, "/dashboard?state=on_hold")
    expect(page.get_by_test_id("project-row")).to_have_count(2)
    assert sorted(_rows(page)) == ["Brand Portal", "Website Relaunch"]
    assert console_errors == []


def test_admins_tune_the_status_settings_and_see_what_is_refused(page: Page,
                                                                  seeded: Seeded) -> None:
    visit(page, "/org/settings")
    form = page.get_by_test_id("status-settings")
    expect(form.get_by_label("Sync every (minutes)")).to_have_value("30")
    form.get_by_label("Budget ahead of time: red (points)").fill("8")
    form.get_by_role("button", name="Save status settings").click()
    expect(page.locator("#field-burn_red_points-note")).to_have_text(
        "Must be above the amber threshold.")
    expect(form.get_by_label("Budget ahead of time: red (points)")).to_have_value("8")
    form.get_by_label("Budget ahead of time: red (points)").fill("30")
    form.get_by_label("Read everything every (hours)").fill("24")
    form.get_by_role("button", name="Save status settings").click()
    expect(page.locator("#field-full_pass_hours-note")).to_have_text(
        "Must be below the stale threshold.")
    form.get_by_label("Read everything every (hours)").fill("6")
    form.get_by_label("Sync every (minutes)").fill("15")
    form.get_by_role("button", name="Save status settings").click()
    expect(page.get_by_text("Status settings saved.")).to_be_visible()
    expect(page.locator("#field-burn_red_points-note")).to_have_text(
        "Above the amber threshold.")
    visit(page, "/org/settings")
    expect(page.get_by_test_id("status-settings").get_by_label("Sync every (minutes)")
           ).to_have_value("15")
    expect(page.get_by_test_id("status-settings").get_by_label(
        "Read everything every (hours)")).to_have_value("6")


def test_the_rows_show_with_the_dashboards_own_answer(page: Page, seeded: Seeded) -> None:
    """The dashboard's on_load checks the session and fills the page in one event, and the rows
    show with that answer (docs/architecture.md §16): with Reflex's later ``set_is_hydrated``
    held back they still show, and the bell waits for it."""
    held: list[str | bytes] = []

    def hold_hydrated(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if _HYDRATED in (message if isinstance(message, str) else message.decode()):
                held.append(message)
            else:
                socket.send(message)
        server.on_message(to_page)

    visit(page, "/dashboard")  # the tab's state now holds rows, which the next snapshot carries
    page.route_web_socket(re.compile(r"/_event"), hold_hydrated)
    page.goto("/dashboard?sort=name")

    expect(page.get_by_test_id("project-row")).to_have_count(8)
    assert held, "set_is_hydrated's frame never came, so it proved nothing"
    expect(page.get_by_test_id("bell")).to_have_count(0)
