"""A hostile template (security review, finding 1) must not stall the API for anyone else."""

from __future__ import annotations

from typing import Any

from projecthub.services import projects
from tests.api.tokens import bearer
from tests.factories import make_org, make_user
from tests.hostile import EVIL_ANSWER, HOSTILE_TEMPLATE, Entered, seconds_for_other


def test_a_dry_run_against_a_backtracking_pattern_leaves_other_requests_answered(
        client, db, monkeypatch):
    owner = make_user(db)
    headers = bearer(db, owner, make_org(db, owner, slug="acme"))
    template = client.post("/api/v1/orgs/acme/templates", headers=headers,
                           json={"source": HOSTILE_TEMPLATE})
    assert template.status_code == 201, template.text
    running = Entered(monkeypatch, projects, "validate_answers")
    answers: list[Any] = []

    def hostile() -> None:
        answers.append(client.post(
            "/api/v1/orgs/acme/projects", headers=headers,
            json={"template_id": template.json()["id"], "answers": {"code": EVIL_ANSWER},
                  "dry_run": True}))

    def other() -> None:
        answers.append(client.get("/api/v1/orgs/acme/templates", headers=headers))

    assert seconds_for_other(hostile, running, other) < 1
    assert sorted(a.status_code for a in answers) == [200, 422]
