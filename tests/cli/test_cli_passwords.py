"""Operator password commands: set-password ends sessions; send-password-reset mails a link."""

from __future__ import annotations

import io
import sys

import pytest
from sqlmodel import select

from projecthub.cli import main
from projecthub.core.config import settings
from projecthub.core.errors import NotAuthenticated
from projecthub.models import Membership, Organization, OutboxMessage
from projecthub.services import accounts, mail_sender, sessions
from tests.factories import make_user

NEW_PASSWORD = "a good long passphrase"


def test_set_password_from_stdin_ends_every_session(engine, db, monkeypatch, capsys):
    user = make_user(db, email="ada@example.com")
    old = sessions.start_session(db, user)
    db.commit()
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert main(["set-password", "--email", "ada@example.com", "--password-stdin"]) == 0
    assert "sessions ended" in capsys.readouterr().out
    db.expire_all()
    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, old)
    assert accounts.authenticate(db, email="ada@example.com", password=NEW_PASSWORD)


def test_set_password_for_unknown_account_fails(engine, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert main(["set-password", "--email", "who@example.com", "--password-stdin"]) == 1
    assert "No active account" in capsys.readouterr().err


async def test_send_password_reset_mails_a_link(engine, db, smtp, capsys):
    make_user(db, email="ada@example.com")
    assert main(["send-password-reset", "--email", "ada@example.com"]) == 0
    assert "queued" in capsys.readouterr().out
    await mail_sender.send_pending()
    [received] = smtp.to("ada@example.com")
    assert "administrator" in received.get_body(("plain",)).get_content()


def test_send_password_reset_without_mail_says_so(engine, db, monkeypatch, capsys):
    make_user(db, email="ada@example.com")
    monkeypatch.setattr(settings, "ENV", "production")
    assert main(["send-password-reset", "--email", "ada@example.com"]) == 1
    assert "cannot send mail" in capsys.readouterr().err
    assert db.exec(select(OutboxMessage)).all() == []


def test_create_org_invites_an_unverified_owner_instead_of_attaching(engine, db, capsys):
    squatter = make_user(db, email="ceo@bigcorp.example", verified=False)
    assert main(["create-org", "--name", "BigCorp", "--slug", "bigcorp", "--owner",
                 "ceo@bigcorp.example"]) == 0
    out = capsys.readouterr().out
    assert "invited as owner" in out and "/invite/inv_" in out
    assert db.exec(select(Membership).where(Membership.user_id == squatter.id)).all() == []
    assert db.exec(select(Organization).where(Organization.slug == "bigcorp")).one()
