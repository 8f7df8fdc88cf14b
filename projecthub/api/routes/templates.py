"""Templates of an organization."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import TemplatePublic, TemplateSource
from projecthub.services.templates import library

router = APIRouter(prefix="/orgs/{org_slug}/templates", tags=["templates"])


def _public(view: library.TemplateView) -> TemplatePublic:
    return TemplatePublic.model_validate(view)


@router.get("", response_model=list[TemplatePublic])
def list_templates(db: DbDep, principal: PrincipalDep,
                   include_retired: bool = False) -> list[TemplatePublic]:
    return [_public(t) for t in library.list_templates(db, principal,
                                                        include_retired=include_retired)]


@router.post("", response_model=TemplatePublic, status_code=status.HTTP_201_CREATED)
def create_template(body: TemplateSource, db: DbDep, principal: PrincipalDep) -> TemplatePublic:
    return _public(library.create_template(db, principal, source=body.source))


@router.get("/{template_id}", response_model=TemplatePublic)
def read_template(template_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> TemplatePublic:
    return _public(library.get_template(db, principal, template_id))


@router.put("/{template_id}", response_model=TemplatePublic)
def update_template(template_id: uuid.UUID, body: TemplateSource, db: DbDep,
                    principal: PrincipalDep) -> TemplatePublic:
    """Save a new version; projects keep the version they were made from."""
    return _public(library.update_template(db, principal, template_id, source=body.source))


@router.post("/{template_id}/clone", response_model=TemplatePublic,
             status_code=status.HTTP_201_CREATED)
def clone_template(template_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> TemplatePublic:
    return _public(library.clone_template(db, principal, template_id))


@router.post("/{template_id}/retire", response_model=TemplatePublic)
def retire_template(template_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> TemplatePublic:
    return _public(library.retire_template(db, principal, template_id))
