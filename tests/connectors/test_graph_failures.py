"""How the Graph connector reports and survives what the sandbox plays back: Graph's error bodies
as typed errors with the request id, 429 waits on the fake clock, and no retry of an ambiguous
team creation."""

from __future__ import annotations

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import (
    AuthFailed,
    Conflict,
    Invalid,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
)
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox.faults import Fault
from projecthub.sandbox.graph_state import SANDBOX_EMAIL
from tests.connectors.test_graph_setup import (
    graph_sandbox,
    graph_state,
    make_connector,
    make_sandbox,
)

USERS = "/v1.0/users"


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
def faults(app):
    return graph_sandbox(app).faults


@pytest.fixture
async def graph(app, clock):
    connector, transport = make_connector(app, clock, retry=RetryPolicy(max_attempts=3,
                                                                        deadline=120))
    async with connector:
        yield connector, transport


async def test_missing_user_is_not_found_with_graphs_code_and_request_id(graph):
    connector, _ = graph
    with pytest.raises(NotFound) as caught:
        await connector.get_user("nobody@projecthub.example")
    error = caught.value
    assert error.message.startswith("GET /users/nobody@projecthub.example: "
                                    "Request_ResourceNotFound: Resource 'nobody@")
    assert len(error.request_id or "") == 36


async def test_an_always_expired_token_ends_in_auth_failed_after_one_fresh_try(app, clock):
    graph_sandbox(app).issuer.lifetime = 0
    connector, transport = make_connector(app, clock)
    async with connector:
        with pytest.raises(AuthFailed) as caught:
            await connector.get_user(SANDBOX_EMAIL)
    assert caught.value.status == 401
    assert "InvalidAuthenticationToken: Lifetime validation failed" in caught.value.message
    assert len(transport.validated) == 2 and graph_sandbox(app).issuer.issued == 2


async def test_missing_teams_permission_is_permission_denied_naming_the_roles(app, clock):
    graph_state(app).roles = {"User.Read.All"}
    connector, _ = make_connector(app, clock)
    async with connector:
        owner = await connector.get_user(SANDBOX_EMAIL)
        with pytest.raises(PermissionDenied) as caught:
            await connector.create_team("Nope", owner_id=owner.id)
        assert "API requires one of 'Team.Create" in caught.value.message
        with pytest.raises(PermissionDenied) as directory:
            await connector.find_group_by_mail_nickname("allcompany")
    assert "Authorization_RequestDenied" in directory.value.message


async def test_invalid_input_is_invalid(graph):
    connector, _ = graph
    group = await connector.find_group_by_mail_nickname("WebsiteRelaunch")
    with pytest.raises(Invalid) as caught:
        await connector.create_channel(group.id, "x" * 51)
    assert caught.value.status == 400 and "BadRequest" in caught.value.message


async def test_plan_for_a_missing_group_is_not_found(graph):
    connector, _ = graph
    with pytest.raises(NotFound):
        await connector.create_plan("00000000-0000-0000-0000-00000000beef", "Orphan")


async def test_a_409_is_a_conflict(graph, faults):
    connector, _ = graph
    faults.add(Fault(kind="status", status=409, path_prefix=USERS))
    with pytest.raises(Conflict) as caught:
        await connector.get_user(SANDBOX_EMAIL)
    assert caught.value.status == 409


async def test_429_waits_retry_after_on_the_clock_then_succeeds(graph, faults, clock):
    connector, transport = graph
    faults.add(Fault(kind="rate_limit", retry_after=7, path_prefix=USERS))
    assert (await connector.get_user(SANDBOX_EMAIL)).mail == SANDBOX_EMAIL
    assert clock.sleeps == [7] and len(transport.validated) == 2


async def test_a_throttled_team_creation_is_repeated_since_nothing_happened(graph, faults, app):
    connector, transport = graph
    owner = await connector.get_user(SANDBOX_EMAIL)
    faults.add(Fault(kind="rate_limit", retry_after=3, method="POST", path_prefix="/v1.0/teams"))
    team_id = await connector.create_team("Retried", owner_id=owner.id)
    assert transport.validated.count("POST /teams") == 2
    assert [g.id for g in graph_state(app).groups.values() if g.display_name == "Retried"] == [
        team_id]


async def test_429_longer_than_the_budget_is_rate_limited(graph, faults, clock):
    connector, _ = graph
    faults.add(Fault(kind="rate_limit", retry_after=600, path_prefix=USERS))
    with pytest.raises(RateLimited) as caught:
        await connector.get_user(SANDBOX_EMAIL)
    assert caught.value.retry_after == 600 and clock.sleeps == []


async def test_429_without_retry_after_backs_off_until_the_attempts_run_out(graph, faults,
                                                                           clock):
    connector, transport = graph
    faults.add(Fault(kind="rate_limit", times=None, path_prefix=USERS))
    with pytest.raises(RateLimited) as caught:
        await connector.get_user(SANDBOX_EMAIL)
    assert caught.value.retry_after is None and "TooManyRequests" in caught.value.message
    assert len(clock.sleeps) == 2 and len(transport.validated) == 3


async def test_reads_retry_a_503_but_an_ambiguous_team_creation_is_not_repeated(graph, faults,
                                                                               app):
    connector, transport = graph
    faults.add(Fault(kind="status", status=503, path_prefix=USERS))
    owner = await connector.get_user(SANDBOX_EMAIL)
    faults.add(Fault(kind="status", status=502, method="POST", path_prefix="/v1.0/teams"))
    with pytest.raises(ServerError) as caught:
        await connector.create_team("Maybe", owner_id=owner.id)
    assert caught.value.status == 502 and transport.validated.count("POST /teams") == 1


async def test_a_hang_is_a_timeout(graph, faults, clock):
    connector, _ = graph
    faults.add(Fault(kind="hang", seconds=40, times=None, path_prefix=USERS))
    with pytest.raises(Timeout):
        await connector.get_user(SANDBOX_EMAIL)
    assert clock.monotonic() >= 40


async def test_a_cut_reply_is_a_server_error(graph, faults):
    connector, _ = graph
    faults.add(Fault(kind="malformed", times=None, path_prefix=USERS))
    with pytest.raises(ServerError) as caught:
        await connector.get_user(SANDBOX_EMAIL)
    assert "malformed JSON" in caught.value.message
