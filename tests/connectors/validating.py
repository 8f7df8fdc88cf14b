"""An httpx transport that checks every request, and the sandbox's reply, against the vendor spec.

Wrap the transport a connector uses (``httpx.ASGITransport`` over the sandbox, or a real socket
transport) in :class:`ValidatingTransport`; a request that the vendor's OpenAPI description would
reject, an operation it marks deprecated, or a reply that breaks its declared schema fails the test
with an ``AssertionError`` at the call site. Specs are parsed once per process (see
tests/vendor_specs/README.md for the loading quirks handled here).

Pattern for a vendor test module::

    @pytest.fixture
    def transport(sandbox_app):
        return ValidatingTransport(httpx.ASGITransport(app=sandbox_app), JIRA_BINDINGS)

and assert ``transport.validated`` covers the operations the test meant to exercise.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from werkzeug.datastructures import Headers, ImmutableMultiDict

from projecthub.sandbox.common import FAULT_HEADER

SPECS_DIR = Path(__file__).resolve().parents[1] / "vendor_specs"
UNDECLARED_OK = frozenset({429, 500, 502, 503, 504})


@cache
def load_spec(relative: str) -> OpenAPI:
    """Parse a spec once per process, with the fixes documented in this module applied.

    Graph YAML loses ``additionalProperties`` (README). ``security`` is dropped everywhere:
    openapi-core cannot check OAuth2 (it warns, and warnings are errors here), and each sandbox
    enforces its vendor's auth itself.
    """
    path = SPECS_DIR / relative
    if path.suffix in (".yml", ".yaml"):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        _drop_additional_properties(data)
    else:
        data = json.loads(path.read_text())
        _relax_atlassian_quirks(data, data.get("components", {}).get("schemas", {}))
    _drop_security(data)
    for api_path, method, name in STRING_PARAMETERS.get(relative, []):
        for parameter in data["paths"][api_path][method]["parameters"]:
            if parameter["name"] == name:
                parameter["schema"] = {"type": "string"}
    return OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))


# Parameters a spec types wrongly: the Agile spec declares these comma-separated lists as
# objects, which no client can send (Jira takes e.g. ``state=active,future``).
STRING_PARAMETERS: dict[str, list[tuple[str, str, str]]] = {
    "jira/jira-software-agile.openapi.json": [
        ("/rest/agile/1.0/board/{boardId}/sprint", "get", "state"),
        ("/rest/agile/1.0/board", "get", "type"),
    ],
}


def _drop_security(data: dict[str, Any]) -> None:
    data.pop("security", None)
    for operations in data["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                operation.pop("security", None)


def _relax_atlassian_quirks(node: Any, schemas: dict[str, Any]) -> None:
    """Two Confluence spec habits that would fail every correct exchange (Jira has neither).

    - ``content: {}`` on most error responses means "body not described" (Jira omits the key for
      the same thing), yet the service sends a body; drop the key so the body goes unchecked.
    - Writes declare ``body`` as ``oneOf: [flat, nested]`` where neither branch requires a key, so
      every object matches both and ``oneOf`` can never pass; read such a ``oneOf`` as ``anyOf``.
    """
    if isinstance(node, dict):
        for response in (node.get("responses") or {}).values():
            if isinstance(response, dict) and response.get("content") == {}:
                del response["content"]
        branches = node.get("oneOf")
        if isinstance(branches, list) and all(_unconstrained(b, schemas) for b in branches):
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _relax_atlassian_quirks(value, schemas)
    elif isinstance(node, list):
        for value in node:
            _relax_atlassian_quirks(value, schemas)


def _unconstrained(branch: Any, schemas: dict[str, Any]) -> bool:
    """An object schema (or a ref to one) that requires no key and has no discriminator."""
    if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
        branch = schemas.get(branch["$ref"].rsplit("/", 1)[-1])
    return (isinstance(branch, dict) and branch.get("type") == "object"
            and not branch.get("required") and "discriminator" not in branch)


def _drop_additional_properties(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("additionalProperties", None)
        for value in node.values():
            _drop_additional_properties(value)
    elif isinstance(node, list):
        for value in node:
            _drop_additional_properties(value)


@dataclass(frozen=True)
class SpecBinding:
    """Requests under ``mount`` whose vendor path starts with ``path_prefix`` belong to ``spec``.

    ``host_url`` is the spec's server as openapi-core should see it (the vendor's real host).
    """

    spec: str
    mount: str
    host_url: str
    path_prefix: str = "/"


@dataclass
class _OpenAPIRequest:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters


@dataclass
class _OpenAPIResponse:
    status_code: int
    headers: Headers
    content_type: str
    data: bytes | None


@dataclass
class ValidatingTransport(httpx.AsyncBaseTransport):
    """Validates each exchange; ``validated`` lists ``"METHOD /spec/path/{template}"`` seen."""

    inner: httpx.AsyncBaseTransport
    bindings: tuple[SpecBinding, ...]
    validated: list[str] = field(default_factory=list)
    # "METHOD /template" a spec marks deprecated that a third-party client still calls (and the
    # vendor still serves); ProjectHub's own connectors get no such allowance.
    allow_deprecated: frozenset[str] = frozenset()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        binding, vendor_path = self._binding(request.url.path, request.method)
        spec = load_spec(binding.spec)
        openapi_request = _OpenAPIRequest(
            host_url=binding.host_url,
            path=vendor_path,
            method=request.method.lower(),
            body=content or None,
            content_type=request.headers.get("content-type", ""),
            parameters=RequestParameters(
                query=ImmutableMultiDict(parse_qsl(request.url.query.decode(),
                                                   keep_blank_values=True)),
                header=Headers(list(request.headers.items())),
                cookie=ImmutableMultiDict(),
            ),
        )
        try:
            operation, openapi_request.path = _find_operation(
                spec, openapi_request.method, binding.host_url, vendor_path)
        except PathError as exc:
            raise AssertionError(f"{binding.spec} has no {request.method} {vendor_path}") from exc
        template = operation.path.parts[-1]
        deprecated = "deprecated" in operation.operation and (
            operation.operation / "deprecated").read_value()
        assert not deprecated or f"{request.method} {template}" in self.allow_deprecated, (
            f"{request.method} {template} is deprecated in {binding.spec}")
        _raise_all(f"request {request.method} {template}",
                   list(spec.iter_request_errors(openapi_request)))
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        declared = operation.operation / "responses"
        injected = FAULT_HEADER in response.headers
        # A 204 has no content by definition (RFC 9110); Jira's spec still declares a JSON
        # body of any schema for it, which openapi-core would require.
        empty_204 = response.status_code == 204 and not body
        if not injected and not empty_204 and (response.status_code not in UNDECLARED_OK
                                               or str(response.status_code) in declared):
            openapi_response = _OpenAPIResponse(
                response.status_code, Headers(list(response.headers.items())),
                response.headers.get("content-type", ""), body or None)
            _raise_all(f"response {response.status_code} to {request.method} {template}",
                       list(spec.iter_response_errors(openapi_request, openapi_response)))
        self.validated.append(f"{request.method} {template}")
        return httpx.Response(response.status_code, headers=response.headers, content=body,
                              request=request, extensions=response.extensions)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _binding(self, path: str, method: str) -> tuple[SpecBinding, str]:
        """The first binding whose prefix matches and whose spec has the operation (Graph's
        ``/groups/{id}`` is in the Groups module, ``/groups/{id}/planner/plans`` in Planner's);
        with none, the first matching one, whose lookup then names what is missing."""
        candidates = []
        for binding in self.bindings:
            if path.startswith(binding.mount):
                vendor_path = path[len(binding.mount):] or "/"
                if vendor_path.startswith(binding.path_prefix):
                    candidates.append((binding, vendor_path))
        if not candidates:
            raise AssertionError(f"no vendor spec covers {path}")
        for binding, vendor_path in candidates:
            with contextlib.suppress(PathError):
                _find_operation(load_spec(binding.spec), method.lower(), binding.host_url,
                                vendor_path)
                return binding, vendor_path
        return candidates[0]


def _find_operation(spec: OpenAPI, method: str, host_url: str, path: str) -> tuple[Any, str]:
    """The spec's operation for the path; Graph names a bound action or function with or
    without its namespace (``/teams/{id}/archive`` is ``/teams/{id}/microsoft.graph.archive``,
    ``/groups/delta`` is ``/groups/microsoft.graph.delta()``), and its generated specs list only
    the namespaced form. A function is tried first: ``/groups/delta`` would otherwise match
    ``/groups/{group-id}``."""
    finder = APICallPathFinder(spec.spec)
    head, _, action = path.rpartition("/")
    if "graph.microsoft.com" in host_url and action and "." not in action:
        function = f"{head}/microsoft.graph.{action}()"
        with contextlib.suppress(PathError):
            return finder.find(method, host_url + function), function
    try:
        return finder.find(method, host_url + path), path
    except PathError:
        if "graph.microsoft.com" not in host_url or not action or "." in action:
            raise
        qualified = f"{head}/microsoft.graph.{action}"
        return finder.find(method, host_url + qualified), qualified


def _raise_all(what: str, errors: list[Exception]) -> None:
    if errors:
        details = "; ".join(_describe(e) for e in errors)
        raise AssertionError(f"{what} breaks the vendor spec: {details}")


def _describe(error: Exception) -> str:
    cause = error.__cause__
    nested = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    if nested:
        return f"{error}: " + ", ".join(str(getattr(n, "message", n)) for n in nested)
    return f"{error}" + (f" ({cause})" if cause else "")


__all__ = ["SpecBinding", "ValidatingTransport", "load_spec"]
