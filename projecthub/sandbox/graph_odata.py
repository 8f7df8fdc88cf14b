"""OData query options the way Graph's directory answers them: ``$filter``, ``$select``, paging.

``$filter`` understands what connectors send for lookups: ``eq`` on strings, booleans and null,
``startswith``, ``and``/``or`` and parentheses; strings compare case-insensitively, as directory
properties do. Anything else, or a property the resource cannot filter on, gets Graph's 400.
Pages are chained by an absolute ``@odata.nextLink`` whose opaque ``$skiptoken`` is bound to the
query that made it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from projecthub.sandbox.graph_views import METADATA, GraphError

Item = dict[str, Any]
Predicate = Callable[[Item], bool]
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|([A-Za-z_][A-Za-z0-9_]*)|([(),]))")
_LITERALS = {"true": True, "false": False, "null": None}
MAX_PAGE = 999


def parse_filter(text: str, resource: str, filterable: Collection[str]) -> Predicate:
    """Compile a ``$filter`` expression over the resource's JSON properties."""
    tokens = _tokens(text)
    parser = _Parser(tokens, resource, filterable)
    predicate = parser.expression()
    if parser.position != len(tokens):
        raise _syntax(text)
    return predicate


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _syntax(text)
        tokens.append(next(g for g in match.groups() if g is not None))
        position = match.end()
    return tokens


def _syntax(text: str) -> GraphError:
    return GraphError(400, "BadRequest", f"Invalid filter clause: {text}")


class _Parser:
    """expression := term ("or" term)*; term := factor ("and" factor)*;
    factor := "(" expression ")" | startswith(prop, 'x') | prop eq literal."""

    def __init__(self, tokens: list[str], resource: str, filterable: Collection[str]) -> None:
        self.tokens, self.position = tokens, 0
        self._resource, self._filterable = resource, filterable

    def expression(self) -> Predicate:
        terms = [self._term()]
        while self._accept("or"):
            terms.append(self._term())
        return lambda item: any(t(item) for t in terms)

    def _term(self) -> Predicate:
        factors = [self._factor()]
        while self._accept("and"):
            factors.append(self._factor())
        return lambda item: all(f(item) for f in factors)

    def _factor(self) -> Predicate:
        if self._accept("("):
            inner = self.expression()
            self._expect(")")
            return inner
        if self._accept("startswith"):
            self._expect("(")
            name = self._property()
            self._expect(",")
            prefix = str(self._literal()).casefold()
            self._expect(")")
            return lambda item: str(item.get(name) or "").casefold().startswith(prefix)
        name = self._property()
        self._expect("eq")
        wanted = _fold(self._literal())
        return lambda item: _fold(item.get(name)) == wanted

    def _property(self) -> str:
        name = self._next()
        if name not in self._filterable:
            raise GraphError(400, "Request_UnsupportedQuery",
                             f"Unsupported or invalid query filter clause specified for "
                             f"property '{name}' of resource '{self._resource}'.")
        return name

    def _literal(self) -> Any:
        token = self._next()
        if token.startswith("'"):
            return token[1:-1].replace("''", "'")
        if token in _LITERALS:
            return _LITERALS[token]
        raise _syntax(" ".join(self.tokens))

    def _accept(self, token: str) -> bool:
        if self.position < len(self.tokens) and self.tokens[self.position] == token:
            self.position += 1
            return True
        return False

    def _expect(self, token: str) -> None:
        if not self._accept(token):
            raise _syntax(" ".join(self.tokens))

    def _next(self) -> str:
        if self.position >= len(self.tokens):
            raise _syntax(" ".join(self.tokens))
        self.position += 1
        return self.tokens[self.position - 1]


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def filtered(request: Request, items: list[Item], resource: str,
             filterable: Collection[str]) -> list[Item]:
    """The items a request's ``$filter`` keeps (all of them without one)."""
    text = request.query_params.get("$filter")
    if not text:
        return items
    predicate = parse_filter(text, resource, filterable)
    return [item for item in items if predicate(item)]


def entity_set_context(request: Request, entity_set: str) -> str:
    """``@odata.context``, naming the ``$select``ed properties as Graph does."""
    select = request.query_params.get("$select")
    return f"{METADATA}#{entity_set}" + (f"({select})" if select else "")


def selected(request: Request, item: Item, default: Collection[str] | None = None) -> Item:
    """``$select`` as Graph applies it: only the named properties, else the default set."""
    raw = request.query_params.get("$select")
    names = [n.strip() for n in raw.split(",") if n.strip()] if raw else default
    if names is None:
        return item
    return {k: v for k, v in item.items() if k in names or k.startswith("@odata.type")}


def collection(request: Request, items: list[Item], context: str, *, default_size: int,
               page_size: int | None = None) -> dict[str, Any]:
    """One page of ``items`` with ``@odata.context`` and, when more remain, ``@odata.nextLink``.

    ``page_size`` (a sandbox knob) replaces Graph's default when the client sent no ``$top``.
    """
    query = request.query_params
    size = _top(query.get("$top"), page_size or default_size)
    fingerprint = hashlib.sha256(
        json.dumps(sorted((k, v) for k, v in query.multi_items() if k != "$skiptoken"))
        .encode()).hexdigest()[:12]
    start = _decode_skiptoken(query.get("$skiptoken"), fingerprint)
    body: dict[str, Any] = {"@odata.context": context, "value": items[start:start + size]}
    if start + size < len(items):
        kept = [(k, v) for k, v in query.multi_items() if k != "$skiptoken"]
        token = _encode_skiptoken(start + size, fingerprint)
        link = request.url.replace(query=urlencode([*kept, ("$skiptoken", token)], safe="$',"))
        body["@odata.nextLink"] = str(link)
    return body


def _top(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise GraphError(400, "Request_UnsupportedQuery",
                         f"Invalid page size specified: '{raw}'. Must be between 1 and "
                         f"{MAX_PAGE} inclusive.")
    return int(raw)


def _encode_skiptoken(offset: int, fingerprint: str) -> str:
    raw = f"RFNwdA{offset}:{fingerprint}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_skiptoken(token: str | None, fingerprint: str) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset, _, bound = raw.removeprefix("RFNwdA").partition(":")
        if bound == fingerprint:
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise GraphError(400, "Request_BadRequest", "Specified skip token is invalid.")


__all__ = ["MAX_PAGE", "collection", "entity_set_context", "filtered", "parse_filter", "selected"]
