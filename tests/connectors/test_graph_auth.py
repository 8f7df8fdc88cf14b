"""App-only auth as MSAL runs it against the sandbox's Entra ID: discovery and token over our HTTP
stack, the cache reused until near expiry, Entra's refusals typed, secrets kept out of errors."""

from __future__ import annotations

import msal
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import AuthFailed, NotFound, RateLimited, ServerError
from projecthub.sandbox.faults import Fault
from tests.connectors.graph_setup import SECRET, graph_sandbox, make_connector, make_sandbox

WRONG_SECRET = "Rt58Q~not-the-secret-value"


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


async def test_one_token_serves_many_calls(app, clock):
    connector, _ = make_connector(app, clock)
    async with connector:
        await connector.test_connection()
        await connector.find_users_by_email("ana.lopez@projecthub.example")
        await connector.find_group_by_mail_nickname("allcompany")
    assert graph_sandbox(app).issuer.issued == 1


async def test_a_shared_cache_serves_a_second_connector(app, clock):
    cache = msal.TokenCache()
    for _ in range(2):
        connector, _ = make_connector(app, clock, token_cache=cache)
        async with connector:
            await connector.test_connection()
    assert graph_sandbox(app).issuer.issued == 1


async def test_a_token_close_to_expiry_is_replaced(app, clock):
    graph_sandbox(app).issuer.lifetime = 240
    connector, _ = make_connector(app, clock)
    async with connector:
        await connector.test_connection()
        await connector.test_connection()
    assert graph_sandbox(app).issuer.issued == 4


async def test_a_revoked_token_is_dropped_and_the_call_retried_once(app, clock):
    connector, transport = make_connector(app, clock)
    async with connector:
        await connector.test_connection()
        graph_sandbox(app).issuer.revoke_all()
        found = await connector.find_users_by_email("ana.lopez@projecthub.example")
    assert len(found) == 1 and graph_sandbox(app).issuer.issued == 2
    assert transport.validated.count("GET /users") == 3


async def test_wrong_secret_is_auth_failed_in_entras_words_without_the_secret(app, clock):
    connector, transport = make_connector(app, clock, secret=WRONG_SECRET)
    async with connector:
        with pytest.raises(AuthFailed) as caught:
            await connector.test_connection()
        shown = repr(caught.value) + str(caught.value) + repr(connector._tokens)
    assert caught.value.status == 401 and caught.value.request_id
    assert "invalid_client: AADSTS7000215: Invalid client secret provided" in caught.value.message
    assert "Trace ID" not in caught.value.message
    assert WRONG_SECRET not in shown and transport.validated == [] and clock.sleeps == []


@pytest.mark.parametrize(("tenant_id", "client_id", "expected"), [
    ("nowhere.invalid", "6731de76-14a6-49ae-97bc-6eba6914391e", "invalid_tenant"),
    ("contoso", "6731de76-14a6-49ae-97bc-6eba6914391e", "invalid_tenant"),
    ("contoso.onmicrosoft.com", "not-a-client-id", "unauthorized_client: AADSTS700016"),
])
async def test_unknown_directory_or_app_is_auth_failed(app, clock, tenant_id, client_id,
                                                       expected):
    connector, _ = make_connector(app, clock, tenant_id=tenant_id, client_id=client_id)
    async with connector:
        with pytest.raises(AuthFailed) as caught:
            await connector.test_connection()
    assert caught.value.status == 400 and expected in caught.value.message


async def test_throttled_token_endpoint_is_rate_limited_with_its_wait(app, clock):
    graph_sandbox(app).login.faults.add(Fault(kind="rate_limit", retry_after=30, method="POST"))
    connector, _ = make_connector(app, clock)
    async with connector:
        with pytest.raises(RateLimited) as caught:
            await connector.test_connection()
        assert (caught.value.status, caught.value.retry_after) == (429, 30.0)
        assert (await connector.test_connection()).roles


async def test_entra_outage_is_a_server_error(app, clock):
    graph_sandbox(app).login.faults.add(Fault(kind="status", status=503))
    connector, _ = make_connector(app, clock)
    async with connector:
        with pytest.raises(ServerError) as caught:
            await connector.test_connection()
    assert caught.value.status == 503 and caught.value.request_id


async def test_credentials_never_leave_for_a_host_other_than_the_authority(app, clock):
    """The sandbox's discovery names login.microsoftonline.com; an authority elsewhere (a
    national cloud here) must not follow it with the secret."""
    connector, _ = make_connector(app, clock, authority="https://login.microsoftonline.us")
    async with connector:
        with pytest.raises(ServerError) as caught:
            await connector.test_connection()
    assert "refusing to send credentials to login.microsoftonline.com" in caught.value.message
    assert graph_sandbox(app).issuer.issued == 0


async def test_secret_is_scrubbed_from_graph_errors_too(app, clock):
    connector, _ = make_connector(app, clock)
    async with connector:
        with pytest.raises(NotFound) as caught:
            await connector.get_user(SECRET)
    assert SECRET not in str(caught.value) + repr(caught.value)
