"""The /outbox page: the development mailbox, and an admin-only status view in production."""

from __future__ import annotations

from projecthub.core.config import settings
from projecthub.services import mail
from projecthub.services.mail_compose import compose
from projecthub.ui.state.outbox import OutboxState
from tests.factories import make_user
from tests.ui.conftest import browser_state

LINK = "http://localhost:3000/verify-email/phv_abcdefghijkl"


def _queue(db) -> None:
    mail.queue_mail(db, to="ada@example.com", kind="test", content=compose(
        subject="Confirm", paragraphs=["Hello"], reason="testing.", link=LINK, link_label="Go"))
    db.commit()


def test_development_outbox_shows_links_to_a_signed_out_visitor(db):
    _queue(db)
    state = browser_state(OutboxState, None, path="/outbox")
    state.load()
    assert state.allowed and [m.links for m in state.messages] == [[LINK]]
    assert "development" in state.delivery_note


def test_production_outbox_refuses_members_and_hides_bodies_from_admins(db, as_user,
                                                                        monkeypatch):
    _queue(db)
    member, admin = make_user(db), make_user(db, admin=True)
    monkeypatch.setattr(settings, "ENV", "production")
    refused = as_user(OutboxState, member, path="/outbox")
    refused.load()
    assert not refused.allowed and refused.messages == [] and "instance admins" in \
        refused.errors["form"]
    assert "cannot send mail" in refused.delivery_note
    shown = as_user(OutboxState, admin, path="/outbox")
    shown.load()
    assert [(m.to_address, m.body, m.links) for m in shown.messages] == [
        ("ada@example.com", "", [])]
