"""Wizard drafts as listed for resuming: only one's own, and only one's own can be deleted."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from projecthub.models import Organization, User, WizardDraft
from projecthub.services import drafts
from projecthub.services.templates import library
from projecthub.ui.state.wizard import NEW_PATH, WizardState
from tests.factories import add_member, make_org, make_user, principal, user_of


def _draft(db: Session, user: User, org: Organization, name: str, step: str) -> WizardDraft:
    who = principal(db, user, org)
    return drafts.save_draft(db, who, template_version_id=library.list_templates(db, who)[0]
                             .version_id, answers={"name": name}, step=step)


def _page(db: Session, as_user: Any) -> tuple[WizardState, WizardDraft, WizardDraft]:
    owner = make_user(db)
    org = make_org(db, owner)
    colleague = user_of(db, add_member(db, org))
    mine = _draft(db, owner, org, "Intranet", "jira")
    theirs = _draft(db, colleague, org, "Theirs", "basics")
    state = as_user(WizardState, owner, path=NEW_PATH)
    state.load()
    return state, mine, theirs


def test_the_person_sees_their_own_drafts_with_where_they_stopped(db, as_user):
    state, mine, _ = _page(db, as_user)

    assert [(d.title, d.template, d.step, d.href) for d in state.drafts] == [
        ("Intranet", "Agency / IT project", "Jira", f"{NEW_PATH}/{mine.id}")]
    assert state.drafts[0].updated_at.endswith("+00:00")


def test_only_ones_own_draft_can_be_deleted(db, engine, as_user):
    state, mine, theirs = _page(db, as_user)

    state.delete_draft(str(theirs.id))
    assert state.errors == {"drafts": "Draft not found."}
    state.delete_draft(str(mine.id))

    assert state.drafts == []
    with Session(engine) as fresh:
        assert [d.id for d in fresh.exec(select(WizardDraft)).all()] == [theirs.id]
