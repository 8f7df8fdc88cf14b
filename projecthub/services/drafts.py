"""Wizard drafts: a person's unfinished answers, saved server-side as they go."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col

from projecthub.core.clock import utcnow
from projecthub.core.errors import NotFound
from projecthub.models import Role, WizardDraft
from projecthub.services.principal import Principal, require_role
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.templates.library import load_version


def _own(session: Session, principal: Principal, draft_id: uuid.UUID) -> WizardDraft:
    draft = get_scoped(session, principal, WizardDraft, draft_id, label="Draft")
    if draft.user_id != principal.user_id:
        raise NotFound("Draft not found.")
    return draft


def save_draft(session: Session, principal: Principal, *, template_version_id: uuid.UUID,
               answers: dict[str, Any], step: str,
               draft_id: uuid.UUID | None = None) -> WizardDraft:
    """Create or update the person's draft; answers are stored as typed, valid or not."""
    require_role(principal, Role.MEMBER)
    version, _ = load_version(session, principal, template_version_id)
    if draft_id is None:
        draft = WizardDraft(organization_id=principal.org_id, user_id=principal.user_id,
                            template_version_id=version.id)
    else:
        draft = _own(session, principal, draft_id)
        draft.template_version_id = version.id
    draft.answers, draft.step, draft.updated_at = dict(answers), step[:60], utcnow()
    session.add(draft)
    return draft


def list_drafts(session: Session, principal: Principal) -> list[WizardDraft]:
    return list(session.exec(scoped_select(principal, WizardDraft).where(
        WizardDraft.user_id == principal.user_id).order_by(
        col(WizardDraft.updated_at).desc())).all())


def get_draft(session: Session, principal: Principal, draft_id: uuid.UUID) -> WizardDraft:
    return _own(session, principal, draft_id)


def delete_draft(session: Session, principal: Principal, draft_id: uuid.UUID) -> None:
    session.delete(_own(session, principal, draft_id))
