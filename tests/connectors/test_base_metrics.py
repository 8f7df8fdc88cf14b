"""Every vendor reply, every retry and every 429 is counted by tool (``GET /metrics``)."""

from __future__ import annotations

from projecthub.connectors.ratelimit import Window
from tests.connectors.scripted import ScriptedTransport, reply
from tests.metrics import sample


async def test_a_429_then_success_counts_two_replies_one_retry_and_one_429(make_client):
    before = {
        "429": sample("projecthub_vendor_requests_total", tool="acme", status="429"),
        "200": sample("projecthub_vendor_requests_total", tool="acme", status="200"),
        "retries": sample("projecthub_vendor_retries_total", tool="acme"),
        "limited": sample("projecthub_vendor_rate_limited_total", tool="acme"),
    }
    transport = ScriptedTransport(reply(429, None, {"Retry-After": "1"}), reply(200, {"ok": 1}))
    async with make_client(transport) as client:
        await client.request("GET", "/things")
    assert sample("projecthub_vendor_requests_total", tool="acme", status="429") == \
        before["429"] + 1
    assert sample("projecthub_vendor_requests_total", tool="acme", status="200") == \
        before["200"] + 1
    assert sample("projecthub_vendor_retries_total", tool="acme") == before["retries"] + 1
    assert sample("projecthub_vendor_rate_limited_total", tool="acme") == before["limited"] + 1


async def test_time_spent_waiting_for_the_connections_limits_is_counted(make_client):
    before = sample("projecthub_vendor_throttle_wait_seconds_total", tool="acme")
    transport = ScriptedTransport(reply(200, {}), reply(200, {}))
    async with make_client(transport, rate_limits=(Window(2, 1),), max_concurrency=1,
                           share_key="metrics") as client:
        await client.request("GET", "/a")
        await client.request("GET", "/b")  # one per second: waits for the first to age out
    waited = sample("projecthub_vendor_throttle_wait_seconds_total", tool="acme") - before
    assert 0.5 < waited <= 1.5
