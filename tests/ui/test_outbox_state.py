"""The /outbox page: the development mailbox, and an admin-only status view in production."""

from __future__ import annotations

from reflex.istate.data import RouterData
from sqlmodel import select

from projecthub.core.config import settings
from projecthub.models import OutboxMessage
from projecthub.services import mail
from projecthub.services.mail_compose import compose
from projecthub.ui.state.outbox import OutboxState
from tests.factories import make_user
from tests.ui.times import instant, near

LINK = "http://localhost:3000/verify-email/phv_abcdefghijkl"


def _queue(db) -> None:
    mail.queue_mail(db, to="ada@example.com", kind="test", content=compose(
        subject="Confirm", paragraphs=["Hello"], reason="testing.", link=LINK, link_label="Go"))
    db.commit()


def _from(state: OutboxState, ip: str) -> OutboxState:
    state.router = RouterData.from_router_data({
        "token": "client-token", "pathname": "/outbox", "asPath": "/outbox", "ip": ip,
        "headers": {"cookie": "theme=dark", "origin": "http://localhost:3000"}})
    return state


def test_development_outbox_shows_links_to_a_signed_out_local_visitor(db):
    _queue(db)
    state = _from(OutboxState(), "127.0.0.1")
    state.load()
    assert state.allowed and [m.links for m in state.messages] == [[LINK]]
    assert "development" in state.delivery_note
    [message] = state.messages
    queued = db.exec(select(OutboxMessage)).one()
    assert near(instant(message.created_at, message.created), queued.created_at)
    remote = _from(OutboxState(), "198.51.100.4")
    remote.load()
    assert not remote.allowed and remote.messages == []


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
