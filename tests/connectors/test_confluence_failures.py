"""How the Confluence connector reports and survives failures the sandbox plays back: each API's
error envelope mapped to the typed errors, retries on the fake clock, and no retry where a retry
could duplicate or cannot help."""

from __future__ import annotations

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.confluence import parse_confluence_error
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
from tests.connectors.confluence_setup import confluence_site, make_connector, make_sandbox

SPACES = "/wiki/api/v2/spaces"


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
def faults(app):
    return app.vendors["confluence"].faults


@pytest.fixture
async def confluence(app, clock):
    connector, transport = make_connector(app, clock, retry=RetryPolicy(max_attempts=3,
                                                                        deadline=120))
    async with connector:
        yield connector, transport


async def test_wrong_token_is_auth_failed_without_retry_or_secret(app, clock):
    connector, transport = make_connector(app, clock, token="not-a-sandbox-token")
    async with connector:
        with pytest.raises(AuthFailed) as caught:
            await connector.find_space("WEB")
    assert caught.value.status == 401 and caught.value.request_id
    assert "Basic authentication with passwords is deprecated" in caught.value.message
    assert "not-a-sandbox-token" not in repr(caught.value) + str(caught.value)
    assert transport.validated == ["GET /spaces"] and clock.sleeps == []


async def test_current_user_with_a_wrong_token_is_auth_failed(app, clock):
    connector, _ = make_connector(app, clock, token="sandbox-acme-x", validate=False,
                                  email="stranger@example.com")
    async with connector:
        with pytest.raises(AuthFailed):
            await connector.current_user()


async def test_missing_space_on_create_page_is_not_found_in_v2_words(confluence):
    connector, _ = confluence
    with pytest.raises(NotFound) as caught:
        await connector.create_page(space_id="4242", title="Lost", body="<p/>")
    assert caught.value.message.endswith("Space with id 4242 not found")
    assert caught.value.request_id
    with pytest.raises(NotFound):
        [p async for p in connector.iter_pages("4242")]


async def test_duplicate_space_key_is_a_conflict_from_v2s_400(confluence, clock):
    connector, transport = confluence
    with pytest.raises(Conflict) as caught:
        await connector.create_space(key="web", name="Another web")
    assert caught.value.status == 400
    assert "A space already exists with key web" in caught.value.message
    assert transport.validated == ["POST /spaces"] and clock.sleeps == []


async def test_duplicate_space_key_on_v1_is_a_conflict_too(app, clock):
    connector, transport = make_connector(app, clock, token="sandbox-acme-norbac")
    async with connector:
        with pytest.raises(Conflict) as caught:
            await connector.create_space(key="WEB", name="Again")
    assert caught.value.status == 400
    assert caught.value.message.endswith(": A space already exists with key WEB")
    assert "com.atlassian" not in caught.value.message
    assert transport.validated == ["POST /spaces", "POST /wiki/rest/api/space"]


async def test_duplicate_page_title_is_a_conflict(confluence):
    connector, _ = confluence
    web = await connector.get_space("WEB")
    with pytest.raises(Conflict, match="A page with this title already exists"):
        await connector.create_page(space_id=web.id, title="sitemap", body="<p/>")


async def test_invalid_space_is_invalid_in_either_api(confluence, app, clock):
    connector, _ = confluence
    with pytest.raises(Invalid, match="Space name cannot be empty") as caught:
        await connector.create_space(key="EMPTY", name=" ")
    assert not isinstance(caught.value, Conflict) and caught.value.status == 400
    legacy, _ = make_connector(app, clock, token="sandbox-acme-norbac")
    async with legacy:
        with pytest.raises(Invalid, match=r"api/space: Space name cannot be empty \(request"):
            await legacy.create_space(key="EMPTY", name="")


async def test_no_right_to_create_spaces_is_permission_denied_from_v1(confluence, app):
    connector, transport = confluence
    confluence_site(app).can_create_spaces = False
    with pytest.raises(PermissionDenied) as caught:
        await connector.create_space(key="NOPE", name="Nope")
    assert caught.value.status == 403 and "No permission to create spaces" in caught.value.message
    assert transport.validated == ["POST /spaces", "POST /wiki/rest/api/space"]


async def test_429_waits_at_least_retry_after_then_succeeds(confluence, faults, clock):
    connector, transport = confluence
    faults.add(Fault(kind="rate_limit", retry_after=17, path_prefix=SPACES))
    space = await connector.get_space("WEB")
    assert space.key == "WEB"
    assert clock.sleeps and clock.sleeps[0] >= 17 and clock.monotonic() >= 17
    assert transport.validated == ["GET /spaces"] * 2


async def test_429_on_a_create_is_retried_because_nothing_happened(confluence, faults, app):
    connector, transport = confluence
    faults.add(Fault(kind="rate_limit", retry_after=3, method="POST", path_prefix=SPACES))
    await connector.create_space(key="RETRY", name="Retry")
    assert [s.key for s in confluence_site(app).spaces.values()].count("RETRY") == 1
    assert transport.validated == ["POST /spaces"] * 2


async def test_429_longer_than_the_budget_raises_rate_limited(app, clock, faults):
    connector, _ = make_connector(app, clock, retry=RetryPolicy(deadline=30))
    faults.add(Fault(kind="rate_limit", retry_after=600, times=None))
    async with connector:
        with pytest.raises(RateLimited) as caught:
            await connector.current_user()
    assert caught.value.retry_after == 600 and clock.sleeps == []


async def test_500_is_retried_on_reads_but_not_on_creates(confluence, faults, clock):
    connector, transport = confluence
    faults.add(Fault(kind="status", status=500, method="GET", path_prefix=SPACES))
    assert (await connector.get_space("OPS")).key == "OPS"
    assert len(clock.sleeps) == 1
    faults.add(Fault(kind="status", status=500, method="POST", path_prefix=SPACES))
    with pytest.raises(ServerError):
        await connector.create_space(key="ONCE", name="Once")
    assert transport.validated.count("POST /spaces") == 1


async def test_a_create_that_timed_out_after_taking_effect_is_found_not_repeated(
        confluence, faults, app):
    connector, transport = confluence
    faults.add(Fault(kind="hang", seconds=40, method="POST", after_handler=True))
    with pytest.raises(Timeout):
        await connector.create_space(key="GHOST", name="Ghost")
    assert transport.validated.count("POST /spaces") == 0
    found = await connector.find_space("GHOST")
    assert found is not None and found.name == "Ghost"


async def test_malformed_reply_is_a_server_error_after_retries(confluence, faults):
    connector, _ = confluence
    faults.add(Fault(kind="malformed", times=None, path_prefix=SPACES))
    with pytest.raises(ServerError, match="malformed JSON"):
        await connector.get_space("WEB")


def test_error_parser_reads_v2_v1_gateway_and_plain_text_bodies():
    v2 = parse_confluence_error(400, {"errors": [
        {"status": 400, "code": "INVALID_REQUEST_PARAMETER", "title": "Bad key", "detail": None},
        {"status": 400, "code": "INVALID_REQUEST_PARAMETER", "title": "Bad", "detail": "name"}]})
    assert (v2.message, v2.code) == ("Bad key; Bad: name", "INVALID_REQUEST_PARAMETER")
    v1 = parse_confluence_error(403, {
        "statusCode": 403, "data": {"authorized": False, "valid": True, "errors": [],
                                    "successful": False},
        "message": "com.atlassian.confluence.api.service.exceptions.PermissionException: "
                   "Could not create content with type page"})
    assert (v1.message, v1.code) == ("Could not create content with type page",
                                     "PermissionException")
    gateway = parse_confluence_error(401, {"code": 401, "message": "Unauthorized; scope does "
                                                                   "not match"})
    assert gateway.message == "Unauthorized; scope does not match"
    assert parse_confluence_error(401, "Basic auth is deprecated.\nSee …").message == (
        "Basic auth is deprecated.")
    assert parse_confluence_error(502, None).message == ""

