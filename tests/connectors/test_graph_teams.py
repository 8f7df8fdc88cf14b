"""Team creation as Graph runs it: a 202, then an operation polled on the fake clock until it
ends; Retry-After honoured, failure and impatience typed, repeated names not deduplicated."""

from __future__ import annotations

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import NotFound, ServerError, Timeout
from projecthub.sandbox.graph_state import SANDBOX_EMAIL
from tests.connectors.graph_setup import graph_state, make_connector, make_sandbox


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
async def graph(app, clock):
    connector, transport = make_connector(app, clock, poll_timeout=60.0)
    async with connector:
        owner = await connector.get_user(SANDBOX_EMAIL)
        yield connector, transport, owner.id


async def test_the_team_id_is_known_before_the_team_exists(graph, app):
    connector, _, owner = graph
    creation = await connector.start_team_creation("Beta", owner_id=owner, visibility="public")
    assert creation.operation_id in graph_state(app).operations
    with pytest.raises(NotFound):
        await connector.get_team(creation.team_id)
    assert await connector.wait_for_team(creation) == creation.team_id
    assert (await connector.get_team(creation.team_id)).display_name == "Beta"


async def test_polls_wait_as_long_as_retry_after_says(graph, app, clock):
    """The 202's Retry-After paces the first poll, each in-progress answer's the next."""
    connector, _, owner = graph
    state = graph_state(app)
    state.poll_retry_after, state.team_creation_polls = 7, 3
    await connector.create_team("Gamma", owner_id=owner)
    assert clock.sleeps == [7.0, 7.0, 7.0, 7.0]
    clock.sleeps.clear()
    team = await connector.find_group_by_mail_nickname("Gamma")
    await connector.archive_team(team.id)
    assert clock.sleeps == [7.0, 7.0, 7.0, 7.0]


async def test_without_retry_after_polls_keep_the_connectors_pace(graph, app, clock):
    connector, _, owner = graph
    graph_state(app).team_creation_polls = 2
    await connector.create_team("Delta", owner_id=owner)
    assert clock.sleeps == [5.0, 5.0, 5.0]


async def test_a_failed_operation_is_a_server_error_with_graphs_reason(graph, app):
    connector, _, owner = graph
    graph_state(app).fail_team_creations = 1
    with pytest.raises(ServerError) as caught:
        await connector.create_team("Doomed", owner_id=owner)
    assert "team creation failed: Team creation failed" in caught.value.message
    assert await connector.find_group_by_mail_nickname("Doomed") is None


async def test_an_operation_that_outlasts_the_patience_is_a_timeout_and_resumable(graph, app,
                                                                                   clock):
    connector, _, owner = graph
    graph_state(app).team_creation_polls = 50
    creation = await connector.start_team_creation("Slow", owner_id=owner)
    with pytest.raises(Timeout) as caught:
        await connector.wait_for_team(creation)
    assert creation.team_id in caught.value.message and clock.monotonic() <= 60.0
    graph_state(app).operations[creation.operation_id].polls_left = 0
    assert await connector.wait_for_team(creation) == creation.team_id


async def test_a_repeated_display_name_makes_a_second_team_with_its_own_nickname(graph):
    connector, transport, owner = graph
    first = await connector.create_team("Alpha Launch", owner_id=owner)
    second = await connector.create_team("Alpha Launch", owner_id=owner)
    assert first != second
    one = await connector.find_group_by_mail_nickname("AlphaLaunch")
    two = await connector.find_group_by_mail_nickname("AlphaLaunch1")
    assert (one.id, two.id) == (first, second)
    assert one.display_name == two.display_name == "Alpha Launch"
    assert transport.validated.count("POST /teams") == 2


async def test_a_team_whose_operation_was_lost_is_awaited_by_its_id(graph, clock):
    connector, transport, owner = graph
    creation = await connector.start_team_creation("Lost reply", owner_id=owner)
    team = await connector.wait_for_existing_team(creation.team_id)
    assert (team.id, team.display_name) == (creation.team_id, "Lost reply")
    assert clock.sleeps == [5.0, 5.0] and transport.validated.count("GET /teams/{team-id}") == 3


async def test_a_lost_team_that_never_appears_stays_not_found(graph, app, clock):
    connector, _, owner = graph
    graph_state(app).team_creation_polls = 50
    creation = await connector.start_team_creation("Never", owner_id=owner)
    with pytest.raises(NotFound):
        await connector.wait_for_existing_team(creation.team_id)
    assert clock.monotonic() <= 60.0
