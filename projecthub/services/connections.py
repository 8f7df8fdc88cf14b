"""Tool connections of an organization: add, edit, remove, and read them without secrets.

Secrets are encrypted here and decrypted only by :func:`connection_credentials`, for the code
that calls the tool. Nothing in this module returns or logs a secret's value.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.crypto import KeyRing
from projecthub.core.errors import Conflict, Invalid
from projecthub.models import Role, Tool, ToolConnection
from projecthub.services import audit
from projecthub.services.connection_specs import TOOL_SPECS, ToolSpec
from projecthub.services.principal import Principal, require_role
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.tool_hosts import check_tool_url
from projecthub.services.urls import clean_base_url
from projecthub.services.validation import clean_name
from projecthub.services.views import View


class SecretHint(View):
    """All a person ever sees of a saved secret."""

    is_set: bool
    last4: str
    updated_at: str


class ConnectionView(View):
    """A tool connection as anyone may see it: secrets appear only as hints."""

    id: uuid.UUID
    tool: Tool
    name: str
    base_url: str
    auth_kind: str
    settings: dict[str, str]
    secrets: Mapping[str, SecretHint]
    last_tested_at: datetime | None
    last_test_ok: bool | None
    last_test_message: str
    updated_at: datetime


@dataclass(frozen=True)
class ConnectionCredentials:
    """Decrypted, for the connector call only; ``repr`` hides the secrets."""

    connection_id: uuid.UUID
    tool: Tool
    base_url: str
    settings: dict[str, str]
    secrets: dict[str, str] = field(repr=False)


def key_ring() -> KeyRing:
    return KeyRing(tuple(settings.key_ring))


def _spec(tool: str) -> ToolSpec:
    try:
        return TOOL_SPECS[Tool(tool)]
    except ValueError as exc:
        message = "Choose Jira, Confluence, Productive or Microsoft 365."
        raise Invalid(message, {"tool": message}) from exc


def _view(row: ToolConnection) -> ConnectionView:
    spec = TOOL_SPECS[Tool(row.tool)]
    hints = {name: SecretHint(is_set=name in row.secrets,
                              last4=row.secret_hints.get(name, {}).get("last4", ""),
                              updated_at=row.secret_hints.get(name, {}).get("updated_at", ""))
             for name in spec.secret_fields}
    return ConnectionView(id=row.id, tool=Tool(row.tool), name=row.name, base_url=row.base_url,
                          auth_kind=row.auth_kind, settings=dict(row.settings), secrets=hints,
                          last_tested_at=row.last_tested_at, last_test_ok=row.last_test_ok,
                          last_test_message=row.last_test_message, updated_at=row.updated_at)


def _clean_settings(spec: ToolSpec, values: dict[str, Any]) -> dict[str, str]:
    unknown = set(values) - set(spec.setting_fields)
    if unknown:
        raise Invalid(f"Unknown settings for {spec.label}: {', '.join(sorted(unknown))}.")
    cleaned = {k: str(v).strip() for k, v in values.items()}
    if cleaned.get("authority_host"):
        cleaned["authority_host"] = _clean_tool_url(spec.tool, cleaned["authority_host"],
                                                    field="authority_host", login=True)
    return cleaned


def _clean_tool_url(tool: Tool, value: str, *, field: str = "base_url",
                    login: bool = False) -> str:
    """Well-formed and pointing at a host this instance lets connections reach."""
    url = clean_base_url(value, field=field)
    check_tool_url(tool, url, field=field, login=login)
    return url


def _store_secrets(row: ToolConnection, spec: ToolSpec, values: dict[str, str]) -> list[str]:
    """Encrypt the given secrets (empty means keep the saved one); returns the changed names."""
    unknown = set(values) - set(spec.secret_fields)
    if unknown:
        raise Invalid(f"Unknown secrets for {spec.label}: {', '.join(sorted(unknown))}.")
    ring, now = key_ring(), utcnow().isoformat()
    secrets, hints, changed = dict(row.secrets), dict(row.secret_hints), []
    for name, value in values.items():
        if not value:
            continue
        secrets[name] = ring.encrypt(value, org_id=str(row.organization_id), row_id=str(row.id),
                                     field=name)
        hints[name] = {"last4": value[-4:] if len(value) >= 12 else "", "updated_at": now}
        changed.append(name)
    row.secrets, row.secret_hints = secrets, hints
    return changed


def _require_complete(row: ToolConnection, spec: ToolSpec) -> None:
    missing = {name: "Required." for name in spec.secret_fields if name not in row.secrets}
    missing |= {name: "Required." for name in spec.setting_fields
                if name != "authority_host" and not row.settings.get(name)}
    if missing:
        raise Invalid("Fill in every required field.", missing)


def _ensure_name_free(session: Session, principal: Principal, name: str,
                      except_id: uuid.UUID | None = None) -> None:
    clash = session.exec(scoped_select(principal, ToolConnection).where(
        ToolConnection.name == name)).first()
    if clash is not None and clash.id != except_id:
        raise Conflict("A connection with this name exists. Choose another name.")


def list_connections(session: Session, principal: Principal) -> list[ConnectionView]:
    """Any member may see which tools are connected (never the secrets)."""
    rows = session.exec(scoped_select(principal, ToolConnection).order_by(
        col(ToolConnection.tool), col(ToolConnection.name))).all()
    return [_view(r) for r in rows]


def get_connection(session: Session, principal: Principal,
                   connection_id: uuid.UUID) -> ConnectionView:
    return _view(get_scoped(session, principal, ToolConnection, connection_id, label="Connection"))


def create_connection(session: Session, principal: Principal, *, tool: str, name: str,
                      base_url: str, settings_values: dict[str, Any],
                      secret_values: dict[str, str]) -> ConnectionView:
    require_role(principal, Role.ADMIN)
    spec = _spec(tool)
    label = clean_name(name, field="name", label="Connection name", max_length=100)
    _ensure_name_free(session, principal, label)
    row = ToolConnection(organization_id=principal.org_id, tool=spec.tool, name=label,
                         base_url=_clean_tool_url(spec.tool, base_url), auth_kind=spec.auth_kind,
                         settings=_clean_settings(spec, settings_values))
    _store_secrets(row, spec, secret_values)
    _require_complete(row, spec)
    session.add(row)
    audit.record(session, principal, "connection.created", target_type="connection",
                 target_id=row.id, detail={"tool": spec.tool.value, "name": label})
    return _view(row)


def update_connection(session: Session, principal: Principal, connection_id: uuid.UUID, *,
                      name: str | None = None, base_url: str | None = None,
                      settings_values: dict[str, Any] | None = None,
                      secret_values: dict[str, str] | None = None) -> ConnectionView:
    """Change what is given; a secret left empty keeps its saved value."""
    require_role(principal, Role.ADMIN)
    row = get_scoped(session, principal, ToolConnection, connection_id, label="Connection")
    spec = TOOL_SPECS[Tool(row.tool)]
    changed: list[str] = []
    if name is not None:
        row.name = clean_name(name, field="name", label="Connection name", max_length=100)
        _ensure_name_free(session, principal, row.name, except_id=row.id)
        changed.append("name")
    if base_url is not None:
        row.base_url = _clean_tool_url(spec.tool, base_url)
        changed.append("base_url")
    if settings_values is not None:
        row.settings = {**row.settings, **_clean_settings(spec, settings_values)}
        changed.extend(sorted(settings_values))
    changed.extend(_store_secrets(row, spec, secret_values or {}))
    _require_complete(row, spec)
    row.updated_at = utcnow()
    row.last_test_ok, row.last_tested_at, row.last_test_message = None, None, ""
    session.add(row)
    audit.record(session, principal, "connection.updated", target_type="connection",
                 target_id=row.id, detail={"changed": changed})
    return _view(row)


def delete_connection(session: Session, principal: Principal, connection_id: uuid.UUID) -> None:
    require_role(principal, Role.ADMIN)
    row = get_scoped(session, principal, ToolConnection, connection_id, label="Connection")
    session.delete(row)
    audit.record(session, principal, "connection.deleted", target_type="connection",
                 target_id=row.id, detail={"tool": str(row.tool), "name": row.name})


def connection_credentials(session: Session, principal: Principal,
                           connection_id: uuid.UUID) -> ConnectionCredentials:
    """Decrypt for a call to the tool (members may use connections, e.g. in the wizard)."""
    row = get_scoped(session, principal, ToolConnection, connection_id, label="Connection")
    ring = key_ring()
    secrets = {name: ring.decrypt(value, org_id=str(row.organization_id), row_id=str(row.id),
                                  field=name) for name, value in row.secrets.items()}
    return ConnectionCredentials(row.id, Tool(row.tool), row.base_url, dict(row.settings),
                                 secrets)


def reencrypt_all_connections(session: Session) -> int:
    """Operator key rotation (CLI ``rotate-keys``), across every tenant: re-encrypt each secret
    under the newest key. Returns how many values changed. A value no configured key can
    decrypt raises, so nothing is silently lost. Audited as an instance event (no actor: the
    operator's shell has no account)."""
    ring, count = key_ring(), 0
    for row in session.exec(select(ToolConnection)).all():
        updated = dict(row.secrets)
        for name, value in row.secrets.items():
            if ring.needs_rotation(value):
                plain = ring.decrypt(value, org_id=str(row.organization_id), row_id=str(row.id),
                                     field=name)
                updated[name] = ring.encrypt(plain, org_id=str(row.organization_id),
                                             row_id=str(row.id), field=name)
                count += 1
        row.secrets = updated
        session.add(row)
    audit.record(session, None, "instance.keys_rotated", target_type="instance",
                 detail={"secrets_reencrypted": count})
    return count
