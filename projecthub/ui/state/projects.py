"""Wizard drafts as the dashboard and the wizard list them (resume, delete), and tool names.
The dashboard itself is ``state.dashboard``; a project's page is ``state.project_status``."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from projecthub.models import Tool, WizardDraft
from projecthub.services import drafts
from projecthub.services.connection_specs import TOOL_SPECS
from projecthub.services.principal import Principal
from projecthub.services.templates.library import load_version
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.state.wizard_fields import wizard_steps
from projecthub.ui.typed import event

REVIEW_TITLE = "Review"


def tool_label(tool: str) -> str:
    try:
        return TOOL_SPECS[Tool(tool)].label
    except ValueError:
        return tool


@dataclasses.dataclass(frozen=True)
class DraftRow:
    id: str
    title: str
    template: str
    step: str
    updated: str  # UTC text
    updated_at: str  # ISO, shown in the viewer's zone
    href: str


def _draft_row(db: Session, principal: Principal, draft: WizardDraft) -> DraftRow:
    _, definition = load_version(db, principal, draft.template_version_id)
    step = next((s.title for s in wizard_steps(definition) if s.id == draft.step), REVIEW_TITLE)
    title = str(draft.answers.get("name") or "").strip() or "Untitled project"
    return DraftRow(str(draft.id), title, definition.name, step, when(draft.updated_at),
                    iso(draft.updated_at),
                    f"/projects/new/{draft.id}")


class DraftsState(SessionState):
    """The person's unfinished wizards, to resume or throw away."""

    drafts: rx.Field[list[DraftRow]] = rx.field(default_factory=list)

    def _fill_drafts(self, db: Session, principal: Principal) -> None:
        self.drafts = [_draft_row(db, principal, d) for d in drafts.list_drafts(db, principal)]

    def _fill(self, db: Session, principal: Principal) -> None:
        self._fill_drafts(db, principal)

    @event
    def delete_draft(self, draft_id: str) -> Events:
        return self._tenant_action(
            lambda db, p: drafts.delete_draft(db, p, parse_id(draft_id, "Draft")),
            success="Draft deleted.", field="drafts")
