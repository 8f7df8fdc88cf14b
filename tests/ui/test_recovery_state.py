"""The reset pages: a usable link shows the form, a bad one says why; mail availability shown."""

from __future__ import annotations

from datetime import timedelta

from projecthub.core.config import settings
from projecthub.models import LinkPurpose
from projecthub.services import account_links
from projecthub.ui.state.recovery import RecoveryState
from tests.factories import make_user
from tests.ui.tabs import browser_state


def test_usable_link_shows_the_form_and_a_used_one_says_so(db):
    user = make_user(db)
    url = account_links.issue_link(db, user, LinkPurpose.PASSWORD_RESET,
                                   valid_for=timedelta(hours=1))
    db.commit()
    token = url.rsplit("/", 1)[1]
    state = browser_state(RecoveryState, None, path=f"/reset-password/{token}")
    state.open_reset()
    assert state.link_problem == "" and state.reset_token == token
    account_links.use_link(db, token, LinkPurpose.PASSWORD_RESET)
    db.commit()
    state.open_reset()
    assert "already been used" in state.link_problem and state.reset_token == ""


def test_tampered_link_is_explained(db):
    state = browser_state(RecoveryState, None, path="/reset-password/phr_nonsense")
    state.open_reset()
    assert "not valid" in state.link_problem


def test_forgot_page_says_when_mail_cannot_be_sent(db, monkeypatch):
    state = browser_state(RecoveryState, None, path="/forgot-password")
    state.open_forgot()
    assert state.mail_ready and state.outbox_only
    monkeypatch.setattr(settings, "ENV", "production")
    state.open_forgot()
    assert not state.mail_ready and not state.outbox_only
