"""The Confluence connector against the Confluence sandbox over HTTP, each exchange checked against
the v1 or v2 spec."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import NotFound
from projecthub.sandbox.confluence_state import SANDBOX_EMAIL
from tests.connectors.confluence_setup import confluence_site, make_connector, make_sandbox


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
def site(app, clock):
    site = confluence_site(app)
    site.now = clock.now
    return site


@pytest.fixture
async def confluence(app, clock):
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


async def test_current_user_is_the_account_behind_the_token(confluence):
    connector, transport = confluence
    me = await connector.current_user()
    assert (me.email, me.display_name, me.account_type) == (SANDBOX_EMAIL, "Demo Admin",
                                                            "atlassian")
    assert me.account_id.startswith("712020:")
    assert transport.validated == ["GET /wiki/rest/api/user/current"]


async def test_find_users_by_email_keeps_exact_visible_matches_only(confluence, site):
    connector, transport = confluence
    site.add_account("ana.lopez.two@projecthub.example", "Ana Two")
    found = await connector.find_users_by_email("ANA.LOPEZ@projecthub.example")
    assert [u.display_name for u in found] == ["Ana López"]
    assert await connector.find_users_by_email("ben.okafor@projecthub.example") == []
    assert await connector.find_users_by_email('no"body@projecthub.example') == []
    assert set(transport.validated) == {"GET /wiki/rest/api/search/user"}


async def test_user_search_follows_offsets_over_several_pages(confluence, site):
    connector, transport = confluence
    for n in range(110):
        site.add_account(f"pat@projecthub.example.old{n}", f"Old Pat {n}")
    site.add_account("pat@projecthub.example", "Pat Current")
    found = await connector.find_users_by_email("pat@projecthub.example")
    assert [u.display_name for u in found] == ["Pat Current"]
    assert transport.validated == ["GET /wiki/rest/api/search/user"] * 3


async def test_find_space_by_key_reads_the_v2_space(confluence, site):
    connector, transport = confluence
    space = await connector.find_space("WEB")
    assert space is not None and (space.key, space.name) == ("WEB", "Website Relaunch")
    assert space.id == str(site.space_by_key("WEB").id)
    assert space.homepage_id and space.web_path == "/spaces/WEB"
    assert await connector.find_space("NOPE") is None
    with pytest.raises(NotFound):
        await connector.get_space("NOPE")
    assert set(transport.validated) == {"GET /spaces"}


async def test_create_space_uses_v2_and_answers_the_new_space(confluence, site):
    connector, transport = confluence
    space = await connector.create_space(key="ALPHA", name="Alpha", description="Our alpha")
    assert (space.key, space.name, space.type, space.status) == ("ALPHA", "Alpha", "global",
                                                                 "current")
    stored = site.space_by_key("ALPHA")
    assert stored is not None and stored.description == "Our alpha"
    assert space.id == str(stored.id) and space.homepage_id == str(stored.homepage_id)
    assert transport.validated == ["POST /spaces"]
    assert await connector.get_space("ALPHA") == space


async def test_create_space_falls_back_to_v1_on_a_site_without_rbac(app, clock):
    connector, transport = make_connector(app, clock, token="sandbox-acme-norbac")
    async with connector:
        space = await connector.create_space(key="BETA", name="Beta", description="Legacy site")
        found = await connector.get_space("BETA")
    site = confluence_site(app, "acme-norbac")
    assert space.id == str(site.space_by_key("BETA").id) and space.homepage_id
    assert (found.id, found.key, found.homepage_id) == (space.id, "BETA", space.homepage_id)
    assert transport.validated == ["POST /spaces", "POST /wiki/rest/api/space", "GET /spaces"]


async def test_create_page_goes_under_the_homepage_unless_a_parent_is_given(confluence, site):
    connector, transport = confluence
    space = await connector.get_space("OPS")
    first = await connector.create_page(space_id=space.id, title="Plan",
                                        body="<p>The <strong>plan</strong>.</p>")
    child = await connector.create_page(space_id=space.id, title="Plan details", body="<p/>",
                                        parent_id=first.id)
    assert (first.parent_id, child.parent_id) == (space.homepage_id, first.id)
    assert first.version is not None and first.version.number == 1
    assert site.pages[int(first.id)].body == "<p>The <strong>plan</strong>.</p>"
    assert transport.validated == ["GET /spaces", "POST /pages", "POST /pages"]


async def test_iter_pages_follows_the_cursor_over_several_pages(confluence, site):
    connector, transport = confluence
    ops = site.space_by_key("OPS")
    admin = site.accounts[0]
    for n in range(52):
        site.add_page(ops, f"Note {n:02d}", admin)
    pages = [p async for p in connector.iter_pages(str(ops.id), page_size=20)]
    assert len(pages) == 56 and len({p.id for p in pages}) == 56
    assert [int(p.id) for p in pages] == sorted(int(p.id) for p in pages)
    assert all(p.space_id == str(ops.id) for p in pages)
    assert transport.validated == ["GET /spaces/{id}/pages"] * 3


async def test_iter_pages_newest_first_orders_by_last_edit(confluence, site):
    connector, _ = confluence
    web = site.space_by_key("WEB")
    sitemap = next(p for p in site.pages.values() if p.title == "Sitemap")
    site.edit_page(sitemap, site.accounts[1], at=datetime(2026, 3, 1, tzinfo=UTC))
    titles = [p.title async for p in connector.iter_pages(str(web.id), newest_first=True)]
    assert titles[0] == "Sitemap" and len(titles) == 6


async def test_space_activity_counts_pages_and_names_the_last_editor(confluence, site):
    connector, transport = confluence
    web = site.space_by_key("WEB")
    ana = site.accounts[1]
    charter = next(p for p in site.pages.values() if p.title == "Project charter")
    site.edit_page(charter, ana, at=datetime(2026, 2, 2, 10, 30, tzinfo=UTC))
    activity = await connector.space_activity(str(web.id))
    assert activity.page_count == 6
    change = activity.last_change
    assert change is not None and change.page_title == "Project charter"
    assert change.at == datetime(2026, 2, 2, 10, 30, tzinfo=UTC)
    assert (change.by_account_id, change.by_display_name) == (ana.account_id, "Ana López")
    assert transport.validated == ["GET /spaces/{id}/pages", "POST /users-bulk"]


async def test_space_activity_of_a_space_without_current_pages(confluence, site):
    connector, _ = confluence
    ops = site.space_by_key("OPS")
    for page in site.pages_in(ops, {"current"}):
        page.status = "archived"
    activity = await connector.space_activity(str(ops.id))
    assert (activity.page_count, activity.last_change) == (0, None)


async def test_space_activity_of_a_large_space_pages_through_250_at_a_time(confluence, site):
    connector, transport = confluence
    ops = site.space_by_key("OPS")
    for n in range(600):
        site.add_page(ops, f"Log {n}", site.accounts[0])
    activity = await connector.space_activity(str(ops.id))
    assert activity.page_count == 604
    assert transport.validated.count("GET /spaces/{id}/pages") == 3


async def test_ids_and_keys_are_checked_before_they_reach_a_url(confluence):
    connector, transport = confluence
    with pytest.raises(ValueError):
        await connector.find_space("WEB&keys=OPS")
    with pytest.raises(ValueError):
        [p async for p in connector.iter_pages("1/../2")]
    with pytest.raises(ValueError):
        await connector.create_page(space_id="x", title="t", body="")
    assert transport.validated == []
