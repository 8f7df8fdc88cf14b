"""How each vendor proves a delivery is its own, and what a delivery names (docs/architecture.md
§15). Pure functions of the request and the endpoint's secret: no database, no clock of their
own, so every rule is tested directly.

- Jira and Confluence (Cloud admin webhooks saved with a secret): ``X-Hub-Signature:
  sha256=<hex>``, HMAC-SHA256 of the raw body under the secret; the delivery id is
  ``X-Atlassian-Webhook-Identifier`` and the body's ``timestamp`` (ms) must be recent.
- Microsoft Graph change notifications: a ``validationToken`` query is the subscription
  handshake (echoed as text/plain); every notification carries the ``clientState`` we chose.
  Graph sends no delivery id, so the body's digest is the replay key.
- Productive's webhooks carry no signature: the unguessable address plus a ``secret`` query
  token, compared in constant time; the body's digest is the replay key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from projecthub.core.signatures import hub_signature
from projecthub.models import Tool

# A signed delivery older (or newer) than this is refused; ids are kept longer than it.
REPLAY_WINDOW = timedelta(minutes=30)
MAX_BODY_BYTES = 1_000_000


class Refused(Exception):
    """Not the vendor's delivery. The reason is for the audit log only, never the reply."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Delivery:
    """A verified delivery: its replay key, event name and the tool ids it names."""

    key: str
    event: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Handshake:
    """Graph's subscription validation: answer ``token`` as text/plain within 10 s."""

    token: str


@dataclass(frozen=True)
class Incoming:
    headers: Mapping[str, str]  # lower-case names
    query: Mapping[str, str]
    body: bytes


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise Refused("body is not JSON") from None


def _obj(parent: object, key: str) -> dict[str, Any]:
    """``parent[key]`` when both are JSON objects, else an empty one: bodies are not trusted
    to have the shape the vendor documents."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _check_hub_signature(incoming: Incoming, secret: str) -> None:
    given = incoming.headers.get("x-hub-signature", "")
    if not given:
        raise Refused("unsigned")
    if not hmac.compare_digest(given.encode(), hub_signature(secret, incoming.body).encode()):
        raise Refused("bad signature")


def _check_recent(timestamp: object, now: datetime) -> None:
    if not isinstance(timestamp, int | float) or isinstance(timestamp, bool):
        raise Refused("no timestamp")
    sent = datetime.fromtimestamp(timestamp / 1000, tz=UTC)
    if abs(now - sent) > REPLAY_WINDOW:
        raise Refused("outside the replay window")


def _atlassian(incoming: Incoming, secret: str, now: datetime, *,
               id_required: bool = True) -> tuple[str, dict[str, Any]]:
    """Signed, recent, and with a delivery id: Jira's header, or (Confluence, which documents
    none) the body's digest."""
    _check_hub_signature(incoming, secret)
    key = incoming.headers.get("x-atlassian-webhook-identifier", "")
    if not key and id_required:
        raise Refused("no delivery id")
    key = key or _digest(incoming.body)
    payload = _json(incoming.body)
    if not isinstance(payload, dict):
        raise Refused("body is not an object")
    _check_recent(payload.get("timestamp"), now)
    return key[:200], payload


def _ids(*values: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if isinstance(v, str | int) and v != ""))


def verify_jira(incoming: Incoming, secret: str, now: datetime) -> Delivery:
    """Issue events name their project by id and key (``issue.fields.project``); project
    events name the project itself."""
    key, payload = _atlassian(incoming, secret, now)
    project = _obj(_obj(_obj(payload, "issue"), "fields"), "project") or _obj(payload,
                                                                              "project")
    return Delivery(key, str(payload.get("webhookEvent", ""))[:100],
                    _ids(project.get("id"), project.get("key")))


def verify_confluence(incoming: Incoming, secret: str, now: datetime) -> Delivery:
    """Page events name their space by key (``page.spaceKey``) or id; the event's name is
    ``webhookEvent`` (Cloud) or ``event`` (Data Center)."""
    key, payload = _atlassian(incoming, secret, now, id_required=False)
    page, space = _obj(payload, "page"), _obj(payload, "space")
    event = payload.get("webhookEvent") or payload.get("event") or ""
    return Delivery(key, str(event)[:100],
                    _ids(page.get("spaceKey"), page.get("spaceId"), space.get("key"),
                         space.get("id")))


def verify_graph(incoming: Incoming, secret: str, _now: datetime) -> Delivery | Handshake:
    """Every notification must carry our ``clientState``; the resource ids are the changed
    groups' (``resourceData.id``)."""
    token = incoming.query.get("validationToken")
    if token is not None:
        return Handshake(token[:1000])
    payload = _json(incoming.body)
    items = payload.get("value") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise Refused("no notifications")
    refs: list[object] = []
    for item in items:
        state = item.get("clientState") if isinstance(item, dict) else None
        if not isinstance(state, str) or not hmac.compare_digest(state.encode(),
                                                                secret.encode()):
            raise Refused("bad clientState")
        refs.append(_obj(item, "resourceData").get("id"))
    event = str(items[0].get("changeType", ""))[:100]
    return Delivery(_digest(incoming.body), event, _ids(*refs))


def verify_productive(incoming: Incoming, secret: str, _now: datetime) -> Delivery:
    """Productive signs nothing: the secret rides in the query of the unguessable address.
    Its body is a JSON:API document; ``data.relationships.project`` names the project."""
    given = incoming.query.get("secret", "")
    if not given or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Refused("bad secret")
    payload = _json(incoming.body)
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise Refused("no data")
    linked = _obj(_obj(_obj(data, "relationships"), "project"), "data")
    own = data.get("id") if data.get("type") == "projects" else None
    return Delivery(_digest(incoming.body), str(data.get("type", ""))[:100],
                    _ids(linked.get("id"), own))


Verifier = Callable[[Incoming, str, datetime], Delivery | Handshake]
VERIFIERS: dict[Tool, Verifier] = {
    Tool.JIRA: verify_jira,
    Tool.CONFLUENCE: verify_confluence,
    Tool.GRAPH: verify_graph,
    Tool.PRODUCTIVE: verify_productive,
}

__all__ = ["MAX_BODY_BYTES", "REPLAY_WINDOW", "VERIFIERS", "Delivery", "Handshake", "Incoming",
           "Refused"]
