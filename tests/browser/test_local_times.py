"""Times as a viewer in New York with a German browser reads them: API tokens (account and
members pages), the audit log, the bell, connections and the development outbox show seeded
instants in that zone and language, each with its UTC time on hover; and the bell in the chrome
keeps its distance from the last nav link, named by the count it shows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, FloatRect, Locator, Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import (
    AuditEvent,
    HealthLevel,
    Notification,
    Organization,
    OutboxMessage,
    Project,
    Reason,
    ToolConnection,
    User,
)
from projecthub.services import api_tokens, connections
from projecthub.services.notifications import events
from tests.browser.conftest import VIEWPORT
from tests.browser.harness import SCREENSHOT_DIR, AppServer, save_screenshot, visit
from tests.browser.test_journeys import ADA_PASSWORD, _seed_user
from tests.factories import principal

pytestmark = pytest.mark.browser

EMAIL, NAME, ORG = "nora@hudson.example", "Nora Hudson-Castellanos Vanderbilt", "Hudson"
# Long names in the header must not push the nav links out of sight (they are clipped).
ORG_NAME = "Hudson Yards Digital Partners International"
ZONE, LOCALE = "America/New_York", "de-DE"
# Summer time in New York (UTC-4): 18:30 UTC is 14:30 there.
SUMMER = datetime(2026, 7, 4, 18, 30, tzinfo=UTC)
SUMMER_UTC, SUMMER_LOCAL = "04 Jul 2026, 18:30 UTC", "4. Juli 2026 14:30"
# Winter time (UTC-5): 03:30 UTC is still the evening before there.
WINTER = datetime(2027, 1, 15, 3, 30, tzinfo=UTC)
WINTER_UTC, WINTER_LOCAL = "15 Jan 2027, 03:30 UTC", "14. Jan. 2027 22:30"
TOKEN, SUBJECT, CONNECTION = "Nightly export", "Hudson times check", "Hudson Jira"
SANDBOX_JIRA = "http://127.0.0.1:9/sandbox/jira"  # never dialled: only listed


def _seed(server: AppServer) -> None:
    """An owner with one of everything that shows a time, each dated SUMMER (a token's expiry
    WINTER), straight in the app's database."""
    _seed_user(server, EMAIL, NAME, org=ORG)
    engine = create_engine(server.database_url)
    with Session(engine) as db:
        user = db.exec(select(User).where(User.email == EMAIL)).one()
        org = db.exec(select(Organization).where(Organization.slug == ORG.lower())).one()
        org.name = ORG_NAME
        acting = principal(db, user, org)
        token = api_tokens.create_api_token(db, acting, name=TOKEN).token
        token.created_at, token.expires_at, token.last_used_at = SUMMER, WINTER, SUMMER
        connection = connections.create_connection(
            db, acting, tool="jira", name=CONNECTION, base_url=SANDBOX_JIRA,
            settings_values={"email": EMAIL}, secret_values={"api_token": "hudson-token-1234"})
        row = db.get_one(ToolConnection, connection.id)
        row.last_tested_at, row.last_test_ok, row.last_test_message = SUMMER, True, "Connected."
        row.secret_hints = {"api_token": {**row.secret_hints["api_token"],
                                          "updated_at": SUMMER.isoformat()}}
        project = Project(organization_id=org.id, key="HUD", name="Hudson Yards",
                          owner_id=user.id)
        db.add(project)
        db.flush()
        events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, [Reason(
            level=HealthLevel.RED, rule="overdue", text="3 Jira issues are overdue")], SUMMER)
        db.add(OutboxMessage(to_address=EMAIL, subject=SUBJECT, kind="test",
                             body_text="Hello", created_at=SUMMER))
        db.flush()
        for note in db.exec(select(Notification).where(Notification.user_id == user.id)):
            note.created_at = note.updated_at = SUMMER
        db.exec(select(AuditEvent).where(AuditEvent.organization_id == org.id,
                                         AuditEvent.action == "org.created")).one(
            ).created_at = SUMMER
        db.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def seeded(app_server: AppServer) -> None:
    _seed(app_server)


@pytest.fixture
def viewer(browser: Browser, app_server: AppServer, seeded: None) -> Iterator[Page]:
    """A signed-in tab in New York with a German browser."""
    context = browser.new_context(base_url=app_server.base_url, viewport=VIEWPORT,
                                  color_scheme="light", timezone_id=ZONE, locale=LOCALE)
    context.set_default_timeout(15_000)
    response = context.request.post("/api/v1/auth/login",
                                    data={"email": EMAIL, "password": ADA_PASSWORD})
    assert response.ok, response.text()
    yield context.new_page()
    context.close()


def _shows(times: Locator, *expected: tuple[str, str]) -> None:
    """Each time in ``times`` reads as the local text, with the UTC time as its title."""
    expect(times).to_have_count(len(expected))
    for index, (local, utc) in enumerate(expected):
        expect(times.nth(index)).to_have_text(local)
        expect(times.nth(index)).to_have_attribute("title", utc)


def _shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    save_screenshot(page, name)


def _times(page: Page, scope: Locator | None = None) -> Locator:
    return (scope or page).get_by_test_id("local-time")


def test_api_tokens_show_in_the_viewers_zone_with_utc_on_hover(viewer: Page) -> None:
    visit(viewer, "/account")
    row = viewer.get_by_role("row").filter(has_text=TOKEN)
    _shows(_times(viewer, row), (SUMMER_LOCAL, SUMMER_UTC), (WINTER_LOCAL, WINTER_UTC),
           (SUMMER_LOCAL, SUMMER_UTC))  # created, expires (the evening before), last used
    row.locator("xpath=ancestor::table").screenshot(
        path=SCREENSHOT_DIR / "local-times-account-tokens.png", animations="disabled")

    visit(viewer, "/org/members")
    row = viewer.get_by_role("row").filter(has_text=TOKEN)
    _shows(_times(viewer, row), (WINTER_LOCAL, WINTER_UTC), (SUMMER_LOCAL, SUMMER_UTC))


def test_audit_log_connections_and_outbox_show_local_times(viewer: Page) -> None:
    visit(viewer, "/org/audit")
    created = viewer.get_by_role("row").filter(has_text="org.created")
    _shows(_times(viewer, created), (SUMMER_LOCAL, SUMMER_UTC))
    _shot(viewer, "local-times-audit")

    visit(viewer, "/org/connections")
    card = viewer.get_by_test_id("connection-row").filter(has_text=CONNECTION)
    _shows(_times(viewer, card), (SUMMER_LOCAL, SUMMER_UTC), (SUMMER_LOCAL, SUMMER_UTC))
    expect(card).to_contain_text(f"API token: set · ••••1234 · updated {SUMMER_LOCAL}")

    visit(viewer, "/outbox")
    message = viewer.locator(".outbox-message").filter(has_text=SUBJECT)
    _shows(_times(viewer, message), (SUMMER_LOCAL, SUMMER_UTC))


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None
    return box


# What a button shows (its visible children), not its box: ghost buttons reach out by
# their padding.
_INK = """b => { const r = [...b.children].map(c => c.getBoundingClientRect())
        .filter(q => q.width > 0);  // a child hidden at this width shows nothing
    const x = Math.min(...r.map(q => q.left)), y = Math.min(...r.map(q => q.top));
    return {x, y, width: Math.max(...r.map(q => q.right)) - x,
            height: Math.max(...r.map(q => q.bottom)) - y}; }"""


def _ink(locator: Locator) -> FloatRect:
    box: FloatRect = locator.evaluate(_INK)
    return box


def test_the_bell_keeps_its_distance_and_shows_local_times(viewer: Page) -> None:
    visit(viewer, "/dashboard")
    bell = viewer.get_by_test_id("bell")
    expect(bell).to_have_accessible_name("1 unread notifications")
    expect(bell).to_contain_text("1")  # the visible count is in its name (WCAG 2.5.3)
    settings = viewer.get_by_role("link", name="Settings", exact=True)
    chrome = [bell, viewer.get_by_role("button", name=f"{NAME}, user menu"),
              viewer.get_by_role("button", name="Toggle dark mode")]
    for width in (1280, 1100, 900):
        viewer.set_viewport_size({"width": width, "height": 800})
        settings.scroll_into_view_if_needed()  # narrow windows scroll the links sideways
        link, boxes = _box(settings), [_ink(part) for part in chrome]
        gap = boxes[0]["x"] - (link["x"] + link["width"])
        assert gap >= 24, f"at {width}px the bell is {gap:.0f}px from Settings"
        assert abs(boxes[0]["y"] + boxes[0]["height"] / 2 - link["y"] - link["height"] / 2) <= 2
        for left, right in itertools.pairwise(boxes):  # side by side, none over another
            assert left["x"] + left["width"] <= right["x"], f"overlap at {width}px"
        assert boxes[-1]["x"] + boxes[-1]["width"] <= width, f"cut off at {width}px"
        if width >= 1100:  # wide enough: every link in sight, nothing scrolled away
            assert settings.evaluate("a => a.parentElement.scrollWidth"
                                     " <= a.parentElement.clientWidth"), \
                f"links scroll at {width}px"
        if width == 1100:
            viewer.screenshot(path=SCREENSHOT_DIR / "local-times-header.png",
                              clip={"x": 0, "y": 0, "width": width, "height": 64})
    viewer.set_viewport_size(VIEWPORT)
    bell.click()
    item = viewer.get_by_test_id("bell-item")
    expect(item).to_contain_text("Hudson Yards (HUD) is now red")
    _shows(_times(viewer, item), (SUMMER_LOCAL, SUMMER_UTC))
    viewer.mouse.move(0, 0)
    save_screenshot(viewer, "local-times-bell")
