"""What only Graph does wrong: its error bodies with codes and request ids as typed errors, and a
token Entra ID keeps issuing expired (shared failures are in ``test_vendor_contract.py``)."""

from __future__ import annotations

import pytest

from projecthub.connectors.errors import (
    AuthFailed,
    Invalid,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from projecthub.sandbox.faults import Fault
from projecthub.sandbox.graph_state import SANDBOX_EMAIL
from tests.connectors.graph_setup import graph_sandbox, graph_state, make_connector
from tests.connectors.vendors import GRAPH, VendorCase


@pytest.fixture
def vendor() -> VendorCase:
    return GRAPH


async def test_missing_user_is_not_found_with_graphs_code_and_request_id(connected):
    connector, _ = connected
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


async def test_invalid_input_is_invalid(connected):
    connector, _ = connected
    group = await connector.find_group_by_mail_nickname("WebsiteRelaunch")
    with pytest.raises(Invalid) as caught:
        await connector.create_channel(group.id, "x" * 51)
    assert caught.value.status == 400 and "BadRequest" in caught.value.message


async def test_plan_for_a_missing_group_is_not_found(connected):
    connector, _ = connected
    with pytest.raises(NotFound):
        await connector.create_plan("00000000-0000-0000-0000-00000000beef", "Orphan")


async def test_a_throttled_reply_without_retry_after_names_graphs_code(connected, faults):
    connector, _ = connected
    faults.add(Fault(kind="rate_limit", times=None, path_prefix="/v1.0/users"))
    with pytest.raises(RateLimited, match="TooManyRequests"):
        await connector.get_user(SANDBOX_EMAIL)
