"""An httpx transport that checks every Productive exchange against the resource schema.

The Productive counterpart of :mod:`tests.connectors.validating` (which needs an OpenAPI file
Productive does not publish here): wrap the transport a connector uses, and any request the
schema would reject, or any sandbox reply that breaks the schema, the recorded envelope or the
recorded headers, fails the test with an ``AssertionError`` at the call site. ``validated`` lists
``"METHOD /kind"`` or ``"METHOD /kind/{id}"`` per checked exchange.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx

from projecthub.sandbox.common import FAULT_HEADER
from tests.connectors.productive_schema import check_errors, check_reply_headers, load_schema

SANDBOX_API = "/sandbox/productive/api/v2"
JSON_API = "application/vnd.api+json"


@dataclass
class ProductiveValidatingTransport(httpx.AsyncBaseTransport):
    inner: httpx.AsyncBaseTransport
    prefix: str = SANDBOX_API
    validated: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        assert path.startswith(self.prefix + "/"), f"{path} is outside {self.prefix}"
        kind, _, ident = path[len(self.prefix) + 1:].partition("/")
        ident, _, action = ident.partition("/")
        label = f"{request.method} /{kind}" + ("/{id}" if ident else "") + (
            f"/{action}" if action else "")
        schema = load_schema()
        assert kind in schema.resources, f"{label}: Productive has no resource {kind!r}"
        content = await request.aread()
        if action:
            # A custom action (``customActions`` in the schema): its method, and no body.
            declared = (schema.resources[kind].get("customActions") or {}).get(action)
            assert declared is not None, f"{label}: {kind} has no custom action {action!r}"
            assert request.method == declared["method"], f"{label}: declared {declared['method']}"
            assert not content, f"{label}: a custom action is sent without a body"
        problems = [f"missing {h}" for h in ("x-auth-token", "x-organization-id")
                    if not request.headers.get(h)]
        problems += schema.check_query(
            kind, parse_qsl(request.url.query.decode(), keep_blank_values=True))
        if request.method in ("POST", "PATCH") and not action:
            if request.headers.get("content-type", "").split(";")[0] != JSON_API:
                problems.append(f"content-type {request.headers.get('content-type')!r}")
            problems += schema.check_request(kind, json.loads(content or b"null"),
                                             create=request.method == "POST")
        _raise(f"request {label}", problems)

        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        status = response.status_code
        if response.headers.get(FAULT_HEADER) == "malformed":
            # A body the sandbox cut in half on purpose: the connector, not the schema, must cope.
            self.validated.append(label)
            return _replay(response, body, request)
        problems = check_reply_headers(status, response.headers, bool(body))
        document = json.loads(body) if body else None
        if status >= 400:
            problems += check_errors(document, status)
        elif body:
            problems += schema.check_document(document, kind,
                                              many=request.method == "GET" and not ident)
        _raise(f"reply {status} to {label}", problems)
        self.validated.append(label)
        return _replay(response, body, request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _replay(response: httpx.Response, body: bytes, request: httpx.Request) -> httpx.Response:
    return httpx.Response(response.status_code, headers=response.headers, content=body,
                          request=request, extensions=response.extensions)


def _raise(what: str, problems: list[str]) -> None:
    if problems:
        raise AssertionError(f"{what} breaks Productive's schema: " + "; ".join(problems))


__all__ = ["SANDBOX_API", "ProductiveValidatingTransport"]
