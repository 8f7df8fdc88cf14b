"""A link into another of one's organizations (a notification mail, a colleague's message).

Ann belongs to two organizations and works in the first. A link to a project of the second
opens it: the header switches to that organization and a notice says so. A link to a project of
an organization she does not belong to is "not found", and her organization stays as it was.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from projecthub.models import Membership, Organization, Role, User
from projecthub.services import verification
from tests.browser.harness import AppServer, save_screenshot, sign_up_and_log_in, visit
from tests.factories import make_org, make_user
from tests.ui.status_seed import add_project

pytestmark = pytest.mark.browser

EMAIL = "ann@deeplinks.example"
PASSWORD = "links that know the way"
HOME, SLUG = "Deep Home", "deep-home"
OTHER, STRANGER = "Deep Other", "Deep Stranger"


def _two_more_organizations(server: AppServer) -> tuple[str, str]:
    """Ann joins a second organization where she manages a project; a third she is not in has
    one too. Their ids."""
    engine = create_engine(server.database_url)
    with Session(engine) as db:
        ann = db.exec(select(User).where(User.email == EMAIL)).one()
        verification.mark_verified(db, ann)  # keeps the screenshot to the page
        boss = make_user(db, name="Bo Boss")
        other = make_org(db, boss, name=OTHER, slug="deep-other")
        db.add(Membership(organization_id=other.id, user_id=ann.id, role=Role.MEMBER))
        db.commit()
        mine = add_project(db, other, ann, name="Harbour portal", key="HBR")
        stranger = make_org(db, boss, name=STRANGER, slug="deep-stranger")
        foreign = add_project(db, stranger, boss, name="Secret plans", key="SCR")
        ids = str(mine.id), str(foreign.id)
        assert db.exec(select(Organization).where(Organization.slug == SLUG)).one()
    engine.dispose()
    return ids


def test_a_link_into_my_other_organization_switches_to_it(page: Page, app_server: AppServer,
                                                          console_errors: list[str]) -> None:
    sign_up_and_log_in(page, email=EMAIL, name="Ann Both", password=PASSWORD, org_name=HOME,
                       org_slug=SLUG)
    mine, foreign = _two_more_organizations(app_server)

    visit(page, f"/projects/{foreign}")
    expect(page.get_by_role("heading", name="Project not found")).to_be_visible()
    expect(page.get_by_text("Secret plans")).to_have_count(0)
    expect(page.get_by_role("button", name=f"{HOME}, switch organization")).to_be_visible()

    visit(page, f"/projects/{mine}")
    expect(page.get_by_role("heading", name="Harbour portal", level=1)).to_be_visible()
    expect(page.get_by_text(f"Switched to {OTHER}, where this link belongs.")).to_be_visible()
    expect(page.get_by_role("button", name=f"{OTHER}, switch organization")).to_be_visible()
    page.mouse.move(0, 0)
    save_screenshot(page, "deep-link-switched")

    visit(page, "/dashboard")  # the switch holds: the dashboard is the other organization's
    expect(page.get_by_role("link", name="Harbour portal")).to_be_visible()
    assert console_errors == []
