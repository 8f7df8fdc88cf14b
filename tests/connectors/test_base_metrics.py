"""Every vendor reply, every retry and every 429 is counted by tool (``GET /metrics``)."""

from __future__ import annotations

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
