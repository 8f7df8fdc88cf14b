"""An organization's templates: the built-in one plus its own, each edit a new frozen version."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError
from sqlmodel import Session, col

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, Invalid
from projecthub.models import Role, Template, TemplateVersion
from projecthub.services import audit
from projecthub.services.principal import Principal, require_role
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.templates.bindings import binding_problems, describe
from projecthub.services.templates.definition import TemplateDefinition, parse_definition
from projecthub.services.views import View

BUILTIN_SLUG = "agency-it-project"
_DEFAULT_SOURCE = Path(__file__).with_name("default_template.yaml")


@lru_cache(maxsize=1)
def default_source() -> str:
    return _DEFAULT_SOURCE.read_text(encoding="utf-8")


class TemplateView(View):
    id: uuid.UUID
    slug: str
    name: str
    description: str
    version: int
    version_id: uuid.UUID
    is_builtin: bool
    is_retired: bool
    source: str = Field(description="The questionnaire as YAML.")


def _ensure_builtin(session: Session, principal: Principal) -> None:
    """Every organization gets the built-in template the first time it looks."""
    exists = session.exec(scoped_select(principal, Template).where(
        Template.slug == BUILTIN_SLUG)).first()
    if exists is None:
        _create(session, principal, slug=BUILTIN_SLUG, source=default_source(), builtin=True)


def checked_definition(source: str) -> TemplateDefinition:
    """Parse a template to be saved and refuse it unless the plan has every input it needs
    (checked at save only: stored versions stay readable whatever rules come later)."""
    definition = parse_definition(source)
    problems = binding_problems(definition)
    if problems:
        raise Invalid(describe(problems), {f"inputs.{k}": v for k, v in problems.items()})
    return definition


def _create(session: Session, principal: Principal, *, slug: str, source: str,
            builtin: bool = False) -> Template:
    definition = checked_definition(source)
    template = Template(organization_id=principal.org_id, slug=slug, name=definition.name,
                        description=definition.description, is_builtin=builtin)
    session.add(template)
    session.flush()
    session.add(TemplateVersion(organization_id=principal.org_id, template_id=template.id,
                                version=1, definition=definition.model_dump(by_alias=True),
                                source=source, created_by_id=principal.user_id))
    return template


def _latest(session: Session, principal: Principal, template: Template) -> TemplateVersion:
    version = session.exec(scoped_select(principal, TemplateVersion).where(
        TemplateVersion.template_id == template.id,
        TemplateVersion.version == template.current_version)).one()
    return version


def _view(session: Session, principal: Principal, template: Template) -> TemplateView:
    version = _latest(session, principal, template)
    return TemplateView(id=template.id, slug=template.slug, name=template.name,
                        description=template.description, version=version.version,
                        version_id=version.id, is_builtin=template.is_builtin,
                        is_retired=template.retired_at is not None, source=version.source)


def list_templates(session: Session, principal: Principal, *,
                   include_retired: bool = False) -> list[TemplateView]:
    _ensure_builtin(session, principal)
    query = scoped_select(principal, Template).order_by(col(Template.is_builtin).desc(),
                                                        col(Template.name))
    if not include_retired:
        query = query.where(col(Template.retired_at).is_(None))
    return [_view(session, principal, t) for t in session.exec(query).all()]


def get_template(session: Session, principal: Principal, template_id: uuid.UUID) -> TemplateView:
    template = get_scoped(session, principal, Template, template_id, label="Template")
    return _view(session, principal, template)


def load_version(session: Session, principal: Principal,
                 version_id: uuid.UUID) -> tuple[TemplateVersion, TemplateDefinition]:
    version = get_scoped(session, principal, TemplateVersion, version_id, label="Template")
    try:
        return version, TemplateDefinition.model_validate(version.definition)
    except ValidationError as exc:  # saved before a limit existed (e.g. a non-RE2 pattern)
        raise Conflict("This template version breaks a template rule added since it was saved. "
                       "Save the template again to see what to change.") from exc


def _slug_for(session: Session, principal: Principal, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "template"
    slug, n = base, 2
    while session.exec(scoped_select(principal, Template).where(Template.slug == slug)).first():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_template(session: Session, principal: Principal, *, source: str) -> TemplateView:
    require_role(principal, Role.ADMIN)
    definition = checked_definition(source)
    template = _create(session, principal, slug=_slug_for(session, principal, definition.name),
                       source=source)
    audit.record(session, principal, "template.created", target_type="template",
                 target_id=template.id, detail={"name": template.name})
    return _view(session, principal, template)


def clone_template(session: Session, principal: Principal, template_id: uuid.UUID) -> TemplateView:
    original = get_template(session, principal, template_id)
    source = re.sub(r"^name:.*$", f"name: Copy of {original.name}", original.source, count=1,
                    flags=re.MULTILINE)
    return create_template(session, principal, source=source)


def update_template(session: Session, principal: Principal, template_id: uuid.UUID, *,
                    source: str) -> TemplateView:
    """Save an edit as the next version; projects keep pointing at the version they used."""
    require_role(principal, Role.ADMIN)
    template = get_scoped(session, principal, Template, template_id, label="Template")
    if template.is_builtin:
        raise Conflict("The built-in template cannot be edited. Clone it and edit the copy.")
    if template.retired_at is not None:
        raise Conflict("This template is retired. Clone it to make changes.")
    definition = checked_definition(source)
    template.current_version += 1
    template.name, template.description = definition.name, definition.description
    session.add(template)
    session.add(TemplateVersion(organization_id=principal.org_id, template_id=template.id,
                                version=template.current_version,
                                definition=definition.model_dump(by_alias=True), source=source,
                                created_by_id=principal.user_id))
    audit.record(session, principal, "template.updated", target_type="template",
                 target_id=template.id, detail={"version": template.current_version})
    return _view(session, principal, template)


def retire_template(session: Session, principal: Principal, template_id: uuid.UUID) -> TemplateView:
    require_role(principal, Role.ADMIN)
    template = get_scoped(session, principal, Template, template_id, label="Template")
    if template.is_builtin:
        raise Invalid("The built-in template cannot be retired.")
    template.retired_at = utcnow()
    session.add(template)
    audit.record(session, principal, "template.retired", target_type="template",
                 target_id=template.id)
    return _view(session, principal, template)


def versions(session: Session, principal: Principal,
             template_id: uuid.UUID) -> list[TemplateVersion]:
    template = get_scoped(session, principal, Template, template_id, label="Template")
    return list(session.exec(scoped_select(principal, TemplateVersion).where(
        TemplateVersion.template_id == template.id).order_by(
        col(TemplateVersion.version).desc())).all())
