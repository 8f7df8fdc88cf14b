"""Admission control: requests past the limit wait their turn instead of running at once."""

from __future__ import annotations

import asyncio

import httpx

from projecthub.api.admission import AdmissionLimit


async def test_requests_beyond_the_limit_wait_for_a_slot():
    running, peak = 0, 0

    async def app(scope, receive, send):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = AdmissionLimit(app, limit=3)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited),
                                 base_url="http://test") as client:
        responses = await asyncio.gather(*(client.get("/") for _ in range(12)))
    assert [r.status_code for r in responses] == [200] * 12
    assert peak == 3
