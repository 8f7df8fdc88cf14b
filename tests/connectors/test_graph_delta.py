"""``GraphConnector.changed_groups`` against the sandbox (requests and replies checked against the
Groups spec): without a link every group may have changed and a fresh link comes back without
listing the directory; from a link only the groups renamed or deleted since, over every page;
a link Graph forgot, or one for another host, starts over the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import ServerError
from projecthub.sandbox.faults import Fault
from tests.connectors.graph_setup import graph_sandbox, graph_state, make_connector, make_sandbox


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
async def graph(app, clock):
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


def groups(app):
    state = graph_state(app)
    web = next(g for g in state.groups.values() if g.is_team)
    everyone = next(g for g in state.groups.values() if not g.is_team)
    return state, web, everyone


async def test_without_a_link_any_group_may_have_changed_and_a_link_comes_back(graph, app):
    connector, transport = graph
    first = await connector.changed_groups(None)
    assert first.group_ids is None
    assert transport.validated == ["GET /groups/microsoft.graph.delta()"]
    assert (await connector.changed_groups(first.delta_link)).group_ids == frozenset()


async def test_from_a_link_only_renamed_and_deleted_groups_over_every_page(graph, app):
    connector, _ = graph
    state, web, everyone = groups(app)
    link = (await connector.changed_groups(None)).delta_link
    state.page_size = 1
    await connector.rename_team(web.id, "Relaunch 2027")
    state.remove_group(everyone.id)
    changes = await connector.changed_groups(link)
    assert changes.group_ids == {web.id, everyone.id}
    assert (await connector.changed_groups(changes.delta_link)).group_ids == frozenset()


async def test_a_membership_change_is_not_tracked(graph, app):
    """Only the name and description are selected: a team read would answer the same."""
    connector, _ = graph
    state, web, _ = groups(app)
    link = (await connector.changed_groups(None)).delta_link
    state.add_member(state.teams[web.id], state.user("ben.okafor@projecthub.example"))
    assert (await connector.changed_groups(link)).group_ids == frozenset()


async def test_an_expired_link_means_everything_changed_and_a_fresh_link(graph, app, clock):
    connector, _ = graph
    state, web, _ = groups(app)
    state.changes.now = clock.now
    link = (await connector.changed_groups(None)).delta_link
    clock.advance(timedelta(days=8).total_seconds())
    await connector.rename_team(web.id, "Renamed while nobody looked")
    changes = await connector.changed_groups(link)
    assert changes.group_ids is None and changes.delta_link != link
    assert (await connector.changed_groups(changes.delta_link)).group_ids == frozenset()


async def test_a_link_to_another_host_is_never_followed(graph, app):
    connector, transport = graph
    link = (await connector.changed_groups(None)).delta_link
    elsewhere = link.replace("http://sandbox.test", "https://attacker.example")
    transport.validated.clear()
    assert (await connector.changed_groups(elsewhere)).group_ids is None
    assert transport.validated == ["GET /groups/microsoft.graph.delta()"]


async def test_other_failures_are_raised_not_taken_for_an_expired_link(graph, app):
    connector, _ = graph
    link = (await connector.changed_groups(None)).delta_link
    graph_sandbox(app).faults.add(Fault(kind="status", status=500, times=None,
                                        path_prefix="/v1.0/groups/delta"))
    with pytest.raises(ServerError):
        await connector.changed_groups(link)
