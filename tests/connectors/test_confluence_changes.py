"""The status sync's change query for Confluence: which spaces had a page created or edited in
a window, asked of the Confluence sandbox with every exchange checked against the v1 spec."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from projecthub.connectors.clock import FakeClock
from tests.connectors.confluence_setup import confluence_site, make_connector, make_sandbox

SEARCH = "GET /wiki/rest/api/content/search"


@pytest.fixture
def clock() -> FakeClock:
    """After the demo site's last edit (mid-January 2026)."""
    return FakeClock(start=datetime(2026, 1, 26, 10, 0, tzinfo=UTC))


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
def site(app, clock):
    site = confluence_site(app)
    site.now = clock.now
    return site


@pytest.fixture
async def confluence(app, clock, site):  # the site fixture sets the site clock first
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


def space(site, key):
    return next(s for s in site.spaces.values() if s.key == key)


async def test_nothing_changed_is_one_search_and_no_space(confluence):
    connector, transport = confluence
    assert await connector.changed_space_keys(["WEB", "OPS"], minutes=15) == set()
    assert transport.validated == [SEARCH]


async def test_created_and_edited_pages_name_their_spaces_within_the_window(confluence, site,
                                                                            clock):
    connector, _ = confluence
    editor = site.accounts[0]
    site.edit_page(next(p for p in site.pages.values() if p.space_id == space(site, "WEB").id),
                   editor)
    clock.advance(10 * 60)
    site.add_page(space(site, "OPS"), "New runbook", editor)
    assert await connector.changed_space_keys(["WEB", "OPS"], minutes=15) == {"WEB", "OPS"}
    assert await connector.changed_space_keys(["OPS"], minutes=15) == {"OPS"}
    assert await connector.changed_space_keys(["WEB", "OPS", "GONE"], minutes=5) == {"OPS"}


async def test_changes_are_read_page_by_page(confluence, site):
    connector, transport = confluence
    editor = site.accounts[0]
    for n in range(150):
        site.add_page(space(site, "OPS"), f"Imported {n}", editor)
    assert await connector.changed_space_keys(["OPS"], minutes=1) == {"OPS"}
    assert transport.validated == [SEARCH, SEARCH]


async def test_no_spaces_ask_nothing(confluence):
    connector, transport = confluence
    assert await connector.changed_space_keys([], minutes=15) == set()
    assert transport.validated == []
