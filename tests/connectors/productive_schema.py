"""Productive JSON:API traffic checked against the vendor's resource schema (it has no OpenAPI).

``tests/vendor_specs/productive/productive-resource-schema.json`` lists each resource's fields with
their wire names (``attribute`` or ``relationship``), types, ``required``/``readonly`` flags and
filter and sort names. :class:`ProductiveSchema` checks request bodies (types, required fields on
create, no read-only or unknown fields, relationship types), query strings (filters, sorts,
includes, paging), reply documents (envelope, ``meta.settings``, paging links, resources) and
error bodies. Real replies are laxer than the schema in ways recorded in the fixtures, so replies
may be too: decimals as strings (``"profit_margin": "100.0"``), hashes as JSON text
(``"availabilities": "[]"``), ids as numbers (``"default_subsidiary_id": 1``) and timestamps in
date fields (tasks' ``last_activity_at``). Requests may send a doc ``body`` as an object, as the
vendor's own CLI does. ``filter[query]`` (full-text search) is recorded but not in the schema.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from tests.connectors.validating import SPECS_DIR

SCHEMA_FILE = SPECS_DIR / "productive" / "productive-resource-schema.json"
MAX_PAGE_SIZE = 200
_FILTER = re.compile(r"^filter\[([^\]]+)\]")
_ALWAYS_FILTERS = frozenset({"query", "$op"})
_PAGE_META = ("current_page", "total_pages", "total_count", "page_size", "max_page_size")


@dataclass(frozen=True)
class Field:
    """One schema field under its wire name."""

    name: str
    type: str
    category: str
    required: bool = False
    readonly: bool = False
    array: bool = False
    format: str | None = None


class ProductiveSchema:
    def __init__(self, data: dict[str, Any]) -> None:
        self.resources: dict[str, Any] = data["resources"]
        self.enums: dict[str, Any] = data["enums"]

    def attributes(self, kind: str) -> dict[str, Field]:
        return self._fields(kind, "attribute")

    def relationships(self, kind: str) -> dict[str, Field]:
        return self._fields(kind, "relationship")

    def filters(self, kind: str) -> set[str]:
        return {f["filter"] for f in self.resources[kind]["fields"].values() if "filter" in f}

    def sorts(self, kind: str) -> set[str]:
        return {f["sort"] for f in self.resources[kind]["fields"].values() if "sort" in f}

    def required(self, kind: str) -> set[str]:
        fields = {**self.attributes(kind), **self.relationships(kind)}
        return {n for n, f in fields.items() if f.required and not f.readonly}

    def check_query(self, kind: str, params: list[tuple[str, str]]) -> list[str]:
        problems: list[str] = []
        for key, value in params:
            if key in ("page[number]", "page[size]"):
                if not value.isdigit() or int(value) < 1:
                    problems.append(f"{key}={value!r} is not a positive number")
                elif key == "page[size]" and int(value) > MAX_PAGE_SIZE:
                    problems.append(f"page[size] {value} is above {MAX_PAGE_SIZE}")
            elif key == "include":
                known = set(self.relationships(kind)) | {"organization"}
                problems += [f"{kind} cannot include {n!r}" for n in value.split(",")
                             if n.split(".")[0] not in known]
            elif key == "sort":
                problems += [f"{kind} cannot sort by {n!r}" for n in value.split(",")
                             if n.removeprefix("-") not in self.sorts(kind)]
            elif match := _FILTER.match(key):
                name = match.group(1)
                if name not in self.filters(kind) | _ALWAYS_FILTERS and not name.isdigit():
                    problems.append(f"{kind} has no filter {name!r}")
            else:
                problems.append(f"unknown query parameter {key!r}")
        return problems

    def check_request(self, kind: str, body: Any, *, create: bool) -> list[str]:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or data.get("type") != kind:
            return [f"body is not a {kind} resource document"]
        attributes = data.get("attributes") or {}
        relationships = data.get("relationships") or {}
        problems = self._unknown_or_readonly(kind, attributes, relationships)
        for name, value in attributes.items():
            field = self.attributes(kind).get(name)
            if field is not None and value is not None:
                problems += self._value(field, value, lenient=False)
        for name, link in relationships.items():
            field = self.relationships(kind).get(name)
            if field is not None:
                problems += self._linkage(field, link)
        if create:
            present = {n for n, v in attributes.items() if v is not None}
            present |= {n for n, v in relationships.items()
                        if isinstance(v, dict) and v.get("data")}
            problems += [f"{kind} create lacks required {n!r}"
                         for n in sorted(self.required(kind) - present)]
        return problems

    def check_document(self, body: Any, kind: str, *, many: bool) -> list[str]:
        if not isinstance(body, dict) or "data" not in body:
            return ["reply has no 'data'"]
        problems = [f"unexpected top-level {k!r}" for k in body
                    if k not in ("data", "included", "links", "meta")]
        meta = body.get("meta")
        if not isinstance(meta, dict) or not isinstance(meta.get("settings"), dict):
            problems.append("reply lacks meta.settings")
            meta = {}
        data = body["data"]
        if many:
            problems += self._page(data, meta, body.get("links"))
            resources = data if isinstance(data, list) else []
        else:
            resources = [data]
        for resource in resources:
            problems += self.check_resource(resource, kind)
        for resource in body.get("included") or []:
            problems += self.check_resource(resource, None)
        return problems

    def check_resource(self, resource: Any, kind: str | None) -> list[str]:
        if not isinstance(resource, dict):
            return ["resource is not an object"]
        rtype, ident = resource.get("type"), resource.get("id")
        problems = [] if isinstance(ident, str) and ident else [f"{rtype} id {ident!r}"]
        if kind is not None and rtype != kind:
            problems.append(f"resource of type {rtype!r} where {kind!r} was expected")
        if rtype not in self.resources:
            return problems
        attributes = resource.get("attributes")
        relationships = resource.get("relationships")
        if not isinstance(attributes, dict) or not isinstance(relationships, dict):
            return [*problems, f"{rtype} {ident} lacks attributes or relationships"]
        for name, value in attributes.items():
            field = self.attributes(rtype).get(name)
            if field is not None and value is not None:
                problems += [f"{rtype}.{p}" for p in self._value(field, value, lenient=True)]
        for name, link in relationships.items():
            if isinstance(link, dict) and link == {"meta": {"included": False}}:
                continue
            field = self.relationships(rtype).get(name) or Field(name, "", "resource")
            problems += [f"{rtype}.{p}" for p in self._linkage(field, link)]
        return problems

    def _unknown_or_readonly(self, kind: str, attributes: Any, relationships: Any) -> list[str]:
        problems: list[str] = []
        for names, fields in ((attributes, self.attributes(kind)),
                              (relationships, self.relationships(kind))):
            for name in names:
                field = fields.get(name)
                if field is None:
                    problems.append(f"{kind} has no writable field {name!r}")
                elif field.readonly:
                    problems.append(f"{kind}.{name} is read-only")
        return problems

    def _page(self, data: Any, meta: dict[str, Any], links: Any) -> list[str]:
        if not isinstance(data, list):
            return ["list reply 'data' is not a list"]
        problems = [f"meta.{k} missing" for k in _PAGE_META if not isinstance(meta.get(k), int)]
        if problems or not isinstance(links, dict):
            return [*problems, *([] if isinstance(links, dict) else ["list reply lacks links"])]
        current, pages = meta["current_page"], meta["total_pages"]
        if len(data) > meta["page_size"]:
            problems.append("more items than page_size")
        if ("next" in links) != (current < pages):
            problems.append("links.next present iff a later page exists")
        if ("prev" in links) != (current > 1):
            problems.append("links.prev present iff current_page > 1")
        problems += [f"links.{k} missing" for k in ("first", "last") if k not in links]
        problems += [f"links.{k} has raw brackets" for k, v in links.items() if "[" in str(v)]
        return problems

    def _linkage(self, field: Field, link: Any) -> list[str]:
        if not isinstance(link, dict) or set(link) != {"data"}:
            return [f"{field.name} is not a relationship object"]
        data = link["data"]
        items = data if isinstance(data, list) else [] if data is None else [data]
        if isinstance(data, list) != field.array and field.type:
            return [f"{field.name} should be {'a list' if field.array else 'one resource'}"]
        return [f"{field.name} links {item!r}, expected a {field.type or 'resource'} id"
                for item in items if not isinstance(item, dict)
                or not isinstance(item.get("id"), str)
                or (field.type and item.get("type") != field.type)]

    def _value(self, field: Field, value: Any, *, lenient: bool) -> list[str]:
        if field.array:
            if not isinstance(value, list):
                return [f"{field.name} is not a list"]
            single = Field(field.name, field.type, field.category, format=field.format)
            return [p for v in value for p in self._value(single, v, lenient=lenient)]
        if field.category == "enum":
            values = self.enums.get(field.type, {}).get("values") or {}
            ok = not isinstance(value, bool) and (not values or str(value) in values)
        else:
            ok = _primitive(field, value, lenient)
        return [] if ok else [f"{field.name}={value!r} is not a valid {field.type}"]

    @cache  # noqa: B019 - one schema per process, so the cache lives as long as it should
    def _fields(self, kind: str, wire: str) -> dict[str, Field]:
        return {spec[wire]: Field(spec[wire], spec["type"], spec["typeCategory"],
                                  bool(spec.get("required")), bool(spec.get("readonly")),
                                  bool(spec.get("array")), spec.get("format"))
                for spec in self.resources[kind]["fields"].values() if wire in spec}


def _primitive(field: Field, value: Any, lenient: bool) -> bool:
    kind = field.type
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return True
        return lenient and isinstance(value, str) and _is_decimal(value)
    if kind == "hash":
        return isinstance(value, dict) or (lenient and isinstance(value, str) and _is_json(value))
    if kind in ("date", "datetime"):
        date_only = field.format == "YYYY-MM-DD" and not lenient
        return isinstance(value, str) and _is_moment(value, date_only=date_only)
    if field.format == "docs-prosemirror-schema" and isinstance(value, dict):
        return True  # a doc body may be sent as an object; the reply holds it as JSON text
    if lenient and field.name.endswith("_id") and isinstance(value, int):
        return not isinstance(value, bool)
    return isinstance(value, str)


def _is_decimal(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _is_moment(text: str, *, date_only: bool) -> bool:
    try:
        (date.fromisoformat if date_only else datetime.fromisoformat)(text)
    except ValueError:
        return not date_only and _is_moment(text, date_only=True)
    return True


def check_errors(body: Any, status: int) -> list[str]:
    """Productive's ``errors[]``: string statuses (a number only on ``Unsupported Filter``)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors or set(body) != {"errors"}:
        return ["error reply is not {'errors': [...]}"]
    problems: list[str] = []
    for error in errors:
        numeric = error.get("title") == "Unsupported Filter"
        if error.get("status") != (status if numeric else str(status)):
            problems.append(f"error status {error.get('status')!r} for HTTP {status}")
        if not isinstance(error.get("title"), str) or not isinstance(error.get("detail"), str):
            problems.append("error lacks title or detail")
        pointer = (error.get("source") or {}).get("pointer", "")
        if status == 422 and (error.get("code") != "invalid_attribute"
                              or not pointer.startswith("data/attributes/")):
            problems.append(f"422 entry without invalid_attribute pointer: {error!r}")
    return problems


def check_reply_headers(status: int, headers: Any, has_body: bool) -> list[str]:
    """Headers per the recorded replies (fixtures digest)."""
    problems: list[str] = []
    try:
        if uuid.UUID(headers.get("x-request-id", "")).version != 4:
            problems.append("x-request-id is not a UUID v4")
    except ValueError:
        problems.append("x-request-id is not a UUID")
    content_type = headers.get("content-type")
    if has_body and content_type != "application/vnd.api+json; charset=utf-8":
        problems.append(f"content-type {content_type!r}")
    if not has_body and content_type is not None:
        problems.append("content-type on an empty reply")
    success = 200 <= status < 300 and has_body
    if success and not re.fullmatch(r'W/"[0-9a-f]+"', headers.get("etag", "")):
        problems.append("2xx body without a weak etag")
    cache_control = "max-age=0, private, must-revalidate" if success else "no-cache"
    if headers.get("cache-control") != cache_control:
        problems.append(f"cache-control {headers.get('cache-control')!r}, want {cache_control!r}")
    if "location" in headers:
        problems.append("Productive sends no Location header")
    problems += [f"unexpected rate-limit header {k}" for k in headers
                 if k.lower().startswith(("x-ratelimit", "ratelimit"))]
    return problems


@cache
def load_schema() -> ProductiveSchema:
    return ProductiveSchema(json.loads(SCHEMA_FILE.read_text()))


__all__ = ["Field", "ProductiveSchema", "check_errors", "check_reply_headers", "load_schema"]
