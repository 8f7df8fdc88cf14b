"""What only Confluence does wrong: each API's error envelope (v2, v1, the gateway, plain text)
and the v1 fallbacks, as typed errors (shared failures are in ``test_vendor_contract.py``)."""

from __future__ import annotations

import pytest

from projecthub.connectors.confluence import parse_confluence_error
from projecthub.connectors.errors import AuthFailed, Conflict, Invalid, NotFound, PermissionDenied
from tests.connectors.confluence_setup import confluence_site, make_connector
from tests.connectors.vendors import CONFLUENCE, VendorCase


@pytest.fixture
def vendor() -> VendorCase:
    return CONFLUENCE


async def test_current_user_with_a_wrong_token_is_auth_failed(app, clock):
    connector, _ = make_connector(app, clock, token="sandbox-acme-x", validate=False,
                                  email="stranger@example.com")
    async with connector:
        with pytest.raises(AuthFailed):
            await connector.current_user()


async def test_missing_space_on_create_page_is_not_found_in_v2_words(connected):
    connector, _ = connected
    with pytest.raises(NotFound) as caught:
        await connector.create_page(space_id="4242", title="Lost", body="<p/>")
    assert caught.value.message.endswith("Space with id 4242 not found")
    assert caught.value.request_id
    with pytest.raises(NotFound):
        [p async for p in connector.iter_pages("4242")]


async def test_duplicate_space_key_is_a_conflict_from_v2s_400(connected, clock):
    connector, transport = connected
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


async def test_duplicate_page_title_is_a_conflict(connected):
    connector, _ = connected
    web = await connector.get_space("WEB")
    with pytest.raises(Conflict, match="A page with this title already exists"):
        await connector.create_page(space_id=web.id, title="sitemap", body="<p/>")


async def test_invalid_space_is_invalid_in_either_api(connected, app, clock):
    connector, _ = connected
    with pytest.raises(Invalid, match="Space name cannot be empty") as caught:
        await connector.create_space(key="EMPTY", name=" ")
    assert not isinstance(caught.value, Conflict) and caught.value.status == 400
    legacy, _ = make_connector(app, clock, token="sandbox-acme-norbac")
    async with legacy:
        with pytest.raises(Invalid, match=r"api/space: Space name cannot be empty \(request"):
            await legacy.create_space(key="EMPTY", name="")


async def test_no_right_to_create_spaces_is_permission_denied_from_v1(connected, app):
    connector, transport = connected
    confluence_site(app).can_create_spaces = False
    with pytest.raises(PermissionDenied) as caught:
        await connector.create_space(key="NOPE", name="Nope")
    assert caught.value.status == 403 and "No permission to create spaces" in caught.value.message
    assert transport.validated == ["POST /spaces", "POST /wiki/rest/api/space"]


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

