"""Each paging style, driven through the shared client over a scripted vendor."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from projecthub.connectors.errors import ServerError
from projecthub.connectors.pagination import (
    iter_link_cursor,
    iter_next_page_token,
    iter_odata,
    iter_page_number,
    iter_start_at,
)
from tests.connectors.scripted import ScriptedTransport, reply


class Item(BaseModel):
    id: str


def items(*ids: str) -> list[dict[str, str]]:
    return [{"id": i} for i in ids]


async def collect(iterator) -> list[str]:
    return [item.id async for item in iterator]


async def test_next_page_token_follows_tokens_in_the_post_body(make_client):
    transport = ScriptedTransport(
        reply(200, {"issues": items("1", "2"), "nextPageToken": "t2", "isLast": False}),
        reply(200, {"issues": items("3"), "isLast": True}),
    )
    async with make_client(transport) as client:
        got = await collect(iter_next_page_token(client, "/search/jql", Item, items_key="issues",
                                                 body={"jql": "project = A"}, page_size=2))
    assert got == ["1", "2", "3"]
    assert b'"nextPageToken":"t2"' in transport.requests[1].content.replace(b" ", b"")


async def test_start_at_stops_at_is_last_or_total(make_client):
    transport = ScriptedTransport(
        reply(200, {"values": items("a", "b"), "startAt": 0, "maxResults": 2, "isLast": False}),
        reply(200, {"values": items("c"), "startAt": 2, "maxResults": 2, "total": 3}),
    )
    async with make_client(transport) as client:
        got = await collect(iter_start_at(client, "/board", Item, page_size=2))
    assert got == ["a", "b", "c"]
    assert transport.requests[1].url.params["startAt"] == "2"


async def test_link_cursor_follows_the_link_header_relative_to_the_site(make_client):
    link = '</wiki/api/v2/spaces?cursor=abc&limit=1>; rel="next"'
    transport = ScriptedTransport(
        reply(200, {"results": items("s1"), "_links": {}}, {"Link": link}),
        reply(200, {"results": items("s2"), "_links": {}}),
    )
    async with make_client(transport, base_url="https://site.test/wiki/api/v2") as client:
        got = await collect(iter_link_cursor(client, "/spaces", Item, page_size=1))
    assert got == ["s1", "s2"]
    assert str(transport.requests[1].url) == "https://site.test/wiki/api/v2/spaces?cursor=abc&limit=1"


async def test_page_number_walks_to_total_pages(make_client):
    transport = ScriptedTransport(*[
        reply(200, {"data": items(str(n)), "meta": {"total_pages": 3}}) for n in (1, 2, 3)])
    async with make_client(transport) as client:
        got = await collect(iter_page_number(client, "/projects", Item, page_size=1))
    assert got == ["1", "2", "3"]
    assert [r.url.params["page[number]"] for r in transport.requests] == ["1", "2", "3"]


async def test_odata_follows_next_link_until_absent(make_client):
    nxt = "https://acme.test/api/groups?$skiptoken=X"
    transport = ScriptedTransport(
        reply(200, {"value": items("g1"), "@odata.nextLink": nxt}),
        reply(200, {"value": items("g2")}),
    )
    async with make_client(transport) as client:
        assert await collect(iter_odata(client, "/groups", Item)) == ["g1", "g2"]


async def test_a_next_link_to_another_host_is_refused(make_client):
    transport = ScriptedTransport(
        reply(200, {"value": items("g1"), "@odata.nextLink": "https://evil.test/steal"}))
    async with make_client(transport) as client:
        with pytest.raises(ServerError, match="outside"):
            await collect(iter_odata(client, "/groups", Item))


async def test_a_repeated_token_stops_with_an_error_instead_of_looping(make_client):
    page = {"issues": items("1"), "nextPageToken": "same", "isLast": False}
    transport = ScriptedTransport(reply(200, page), reply(200, page))
    async with make_client(transport) as client:
        with pytest.raises(ServerError, match="same next page"):
            await collect(iter_next_page_token(client, "/s", Item, items_key="issues"))


async def test_an_item_of_the_wrong_shape_is_a_server_error(make_client):
    transport = ScriptedTransport(reply(200, {"value": [{"name": "no id"}]}))
    async with make_client(transport) as client:
        with pytest.raises(ServerError, match="unexpected Item"):
            await collect(iter_odata(client, "/groups", Item))
