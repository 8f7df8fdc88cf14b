"""The shared client's retry policy, budgets and error mapping, over a scripted transport."""

from __future__ import annotations

import random
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest

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
from tests.connectors.scripted import ScriptedTransport, reply

OK = reply(200, {"ok": True})


async def test_429_waits_the_retry_after_seconds_then_succeeds(make_client, clock):
    transport = ScriptedTransport(reply(429, {"message": "slow down"}, {"Retry-After": "7"}), OK)
    async with make_client(transport) as client:
        response = await client.request("GET", "/things")
    assert response.body == {"ok": True}
    assert clock.sleeps == [7.0]


async def test_retry_after_as_http_date_is_honoured(make_client, clock):
    when = format_datetime(clock.now() + timedelta(seconds=12), usegmt=True)
    transport = ScriptedTransport(reply(503, None, {"Retry-After": when}), OK)
    async with make_client(transport) as client:
        await client.request("GET", "/things")
    assert clock.sleeps == [12.0]


async def test_x_ratelimit_reset_iso_time_is_used_without_retry_after(make_client, clock):
    reset = (clock.now() + timedelta(seconds=3)).isoformat().replace("+00:00", "Z")
    transport = ScriptedTransport(reply(429, None, {"X-RateLimit-Reset": reset}), OK)
    async with make_client(transport) as client:
        await client.request("GET", "/things")
    assert clock.sleeps == [3.0]


async def test_wait_longer_than_the_time_budget_raises_rate_limited_without_sleeping(
        make_client, clock):
    transport = ScriptedTransport(reply(429, {"message": "quota"}, {"Retry-After": "300"}))
    async with make_client(transport, retry=RetryPolicy(deadline=60)) as client:
        with pytest.raises(RateLimited) as caught:
            await client.request("GET", "/things")
    assert caught.value.retry_after == 300.0
    assert clock.sleeps == []


async def test_attempt_budget_stops_after_max_attempts(make_client, clock):
    transport = ScriptedTransport(*[reply(503) for _ in range(3)])
    async with make_client(transport, retry=RetryPolicy(max_attempts=3)) as client:
        with pytest.raises(ServerError) as caught:
            await client.request("GET", "/things")
    assert caught.value.status == 503
    assert len(transport.requests) == 3 and len(clock.sleeps) == 2


async def test_backoff_is_full_jitter_within_the_exponential_ceiling(make_client, clock):
    transport = ScriptedTransport(reply(502), reply(502), reply(502), OK)
    policy = RetryPolicy(base_delay=1.0, max_delay=3.0)
    async with make_client(transport, retry=policy, rng=random.Random(7)) as client:
        await client.request("GET", "/things")
    ceilings = [1.0, 2.0, 3.0]
    assert all(0 <= wait <= cap for wait, cap in zip(clock.sleeps, ceilings, strict=True))


@pytest.mark.parametrize(("status", "error"), [
    (400, Invalid), (401, AuthFailed), (403, PermissionDenied), (404, NotFound),
    (409, Conflict), (422, Invalid),
])
async def test_client_errors_are_typed_and_never_retried(make_client, clock, status, error):
    transport = ScriptedTransport(reply(status, {"message": "nope"}, {"x-request-id": "r-1"}))
    async with make_client(transport) as client:
        with pytest.raises(error) as caught:
            await client.request("GET", "/things")
    error_ = caught.value
    assert (error_.status, error_.request_id, error_.tool) == (status, "r-1", "acme")
    assert "nope" in caught.value.message
    assert clock.sleeps == []


async def test_invalid_carries_the_vendor_field_errors(make_client):
    body = {"message": "bad", "fields": {"key": "must be uppercase"}}
    async with make_client(ScriptedTransport(reply(400, body))) as client:
        with pytest.raises(Invalid) as caught:
            await client.request("POST", "/things", json_body={"key": "x"})
    assert caught.value.field_errors == {"key": "must be uppercase"}


async def test_500_is_retried_for_reads_only(make_client):
    async with make_client(ScriptedTransport(reply(500), OK)) as client:
        assert (await client.request("GET", "/things")).status == 200
    async with make_client(ScriptedTransport(reply(500))) as client:
        with pytest.raises(ServerError):
            await client.request("POST", "/things", json_body={})


async def test_search_post_marked_as_read_is_retried_on_500(make_client):
    async with make_client(ScriptedTransport(reply(500), OK)) as client:
        assert (await client.request("POST", "/search", json_body={}, read=True)).status == 200


async def test_ambiguous_failures_of_a_create_are_not_retried(make_client):
    """A 504 or lost reply after a POST may hide a created object; the caller must look it up."""
    for failure in (reply(504), httpx.ReadTimeout("slow")):
        async with make_client(ScriptedTransport(failure)) as client:
            with pytest.raises(Timeout):
                await client.request("POST", "/things", json_body={})


async def test_requests_that_never_reached_the_server_are_retried_even_for_writes(make_client):
    transport = ScriptedTransport(httpx.ConnectError("refused"), reply(429), reply(201, {"id": 1}))
    async with make_client(transport) as client:
        assert (await client.request("POST", "/things", json_body={})).status == 201


async def test_read_timeouts_are_retried_then_reported_as_timeout(make_client):
    transport = ScriptedTransport(*[httpx.ReadTimeout("slow") for _ in range(4)])
    async with make_client(transport) as client:
        with pytest.raises(Timeout) as caught:
            await client.request("GET", "/things")
    assert caught.value.status is None
    assert len(transport.requests) == 4


async def test_time_budget_bounds_the_whole_call(make_client, clock):
    def slow(_request: httpx.Request) -> httpx.Response:
        clock.advance(25)
        return reply(503)
    transport = ScriptedTransport(slow, slow, slow)
    policy = RetryPolicy(max_attempts=10, deadline=60, base_delay=1, max_delay=1)
    async with make_client(transport, retry=policy) as client:
        with pytest.raises(ServerError):
            await client.request("GET", "/things")
    assert len(transport.requests) <= 3
    assert clock.monotonic() <= 60 + 25


async def test_per_attempt_timeout_shrinks_to_the_remaining_budget(make_client):
    transport = ScriptedTransport(OK)
    async with make_client(transport, retry=RetryPolicy(deadline=4)) as client:
        await client.request("GET", "/things")
    assert transport.requests[0].extensions["timeout"]["read"] == 4


async def test_malformed_json_on_a_read_is_retried_then_a_server_error(make_client):
    broken = httpx.Response(200, content=b'{"half', headers={"content-type": "application/json"})
    async with make_client(ScriptedTransport(broken, OK)) as client:
        assert (await client.request("GET", "/things")).body == {"ok": True}
    async with make_client(ScriptedTransport(broken)) as client:
        with pytest.raises(ServerError, match="malformed JSON"):
            await client.request("POST", "/things", json_body={})


async def test_secrets_echoed_by_the_vendor_never_reach_the_error(make_client):
    body = {"message": "token s3cr3t-token is invalid", "fields": {"auth": "s3cr3t-token"}}
    async with make_client(ScriptedTransport(reply(400, body)), secrets=["s3cr3t-token"]) as client:
        with pytest.raises(Invalid) as caught:
            await client.request("GET", "/things")
    rendered = str(caught.value) + repr(caught.value) + str(caught.value.field_errors)
    assert "s3cr3t-token" not in rendered


async def test_auth_header_is_sent_but_not_in_any_error(make_client):
    transport = ScriptedTransport(reply(401, {"message": "Unauthorized"}))
    async with make_client(transport, auth=httpx.BasicAuth("me@x.test", "tok-123")) as client:
        with pytest.raises(AuthFailed) as caught:
            await client.request("GET", "/things")
    assert transport.requests[0].headers["authorization"].startswith("Basic ")
    assert "tok-123" not in repr(caught.value) + str(caught.value)
