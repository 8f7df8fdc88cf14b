"""Security headers (issue 10, finding 10): every response, whatever serves it, carries a CSP
that forbids framing, nosniff, a same-origin referrer policy, and HSTS in production."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from projecthub.api.security_headers import (
    SecurityHeaders,
    content_security_policy,
    with_security_headers,
)
from projecthub.core.config import settings


def _inner() -> Starlette:
    def own_policy(_request: object) -> PlainTextResponse:
        return PlainTextResponse("x", headers={"content-security-policy": "sandbox"})

    return Starlette(routes=[
        Route("/static/app.js", lambda _r: PlainTextResponse("js")),
        Route("/api/v1/docs", lambda _r: PlainTextResponse("docs")),
        Route("/own", own_policy),
    ])


async def _get(path: str) -> httpx.Response:
    app = SecurityHeaders(_inner(), docs_path="/api/v1/docs")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://hub.test") as client:
        return await client.get(path)


async def test_every_response_gets_the_headers():
    response = await _get("/static/app.js")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "default-src 'self'" in policy and "cdn.jsdelivr.net" not in policy
    assert "strict-transport-security" not in response.headers  # development: plain http


async def test_hsts_in_production(monkeypatch):
    monkeypatch.setattr(type(settings), "is_production", property(lambda _self: True))
    response = await _get("/static/app.js")
    assert response.headers["strict-transport-security"].startswith("max-age=63072000")


async def test_only_the_api_docs_may_load_swagger_from_its_cdn_and_own_headers_win():
    assert "https://cdn.jsdelivr.net" in (await _get("/api/v1/docs")).headers[
        "content-security-policy"]
    assert (await _get("/own")).headers["content-security-policy"] == "sandbox"


def test_the_websocket_origin_of_every_allowed_origin_may_be_connected_to():
    policy = content_security_policy(origins=["https://hub.example", "http://localhost:3000"])
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src"))
    assert connect.split()[1:] == ["'self'", "https://hub.example", "wss://hub.example",
                                   "http://localhost:3000", "ws://localhost:3000"]


def test_the_app_wraps_everything_it_serves_in_the_headers():
    from projecthub.app import _api_transformers

    assert _api_transformers()[-1] is with_security_headers
