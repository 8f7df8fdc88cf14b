"""Template format, questionnaire rules and the template library."""

from __future__ import annotations

import pytest

from projecthub.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from projecthub.models import Role, User
from projecthub.services.templates import library
from projecthub.services.templates.definition import parse_definition
from projecthub.services.templates.questionnaire import (
    AnswerContext,
    validate_answers,
    validate_step,
    visible_answers,
)
from tests.factories import add_member, make_org, owner_principal, principal

DEFAULT = parse_definition(library.default_source())
CTX = AnswerContext(member_ids=frozenset({"u1", "u2"}),
                    connection_ids={"jira": frozenset({"c-jira"})})


def test_builtin_template_has_the_agency_steps():
    assert [s.id for s in DEFAULT.steps] == ["basics", "people", "jira", "confluence", "m365",
                                             "productive", "review"]


@pytest.mark.parametrize(("key", "ok"), [("AB", True), ("A1B2C3D4E5", True), ("A", False),
                                         ("1AB", False), ("ab", False), ("ABCDEFGHIJK", False)])
def test_project_key_rule(key, ok):
    errors = validate_step(DEFAULT, "basics", {"name": "X", "key": key, "client_company": "C"},
                           CTX)
    assert ("key" not in errors) is ok


def test_conditions_hide_fields_and_their_rules():
    answers = {"jira_mode": "skip"}
    assert validate_step(DEFAULT, "jira", answers, CTX) == {}
    errors = validate_step(DEFAULT, "jira", {"jira_mode": "link"}, CTX)
    assert set(errors) == {"jira_connection", "jira_existing_key"}
    assert "budget_amount" not in validate_step(
        DEFAULT, "productive", {"productive_mode": "create", "budget_type": "non_billable",
                                "budget_amount": -1}, CTX)


def test_nested_conditions_follow_the_chain():
    """budget_amount depends on budget_type, which is hidden when Productive is skipped."""
    shown = visible_answers(DEFAULT, {"productive_mode": "skip", "budget_amount": 5})
    assert "budget_type" not in shown and "budget_amount" not in shown


def test_members_connections_dates_and_emails_are_checked():
    answers = {"name": "N", "key": "NN", "client_company": "C", "project_manager": "stranger",
               "start_date": "2026-05-01", "end_date": "2026-04-01", "guests": ["nope"],
               "jira_mode": "create", "jira_connection": "c-other", "confluence_mode": "skip",
               "m365_mode": "skip", "productive_mode": "skip"}
    errors = validate_answers(DEFAULT, answers, CTX)
    assert set(errors) == {"project_manager", "end_date", "guests", "jira_connection"}
    assert errors["end_date"] == "Must not be before start date."


def test_line_numbered_errors_for_bad_yaml():
    with pytest.raises(Invalid) as caught:
        parse_definition("name: X\nsteps:\n  - id: s\n    title: S\n    fields:\n"
                         "      - {id: a, label: A, type: choice}\n")
    assert "line 6" in caught.value.fields
    with pytest.raises(Invalid) as syntax:
        parse_definition("name: X\nsteps: [\n")
    assert next(iter(syntax.value.fields)).startswith("line ")
    with pytest.raises(Invalid, match="unknown field"):
        parse_definition("name: X\nsteps:\n  - id: s\n    title: S\n    fields:\n"
                         "      - {id: a, label: A, type: text, show_if: {field: b, equals: 1}}\n")


def test_library_seeds_builtin_and_versions_edits(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    builtin = library.list_templates(db, owner)[0]
    assert builtin.is_builtin and builtin.version == 1
    with pytest.raises(Conflict):
        library.update_template(db, owner, builtin.id, source=builtin.source)
    copy = library.clone_template(db, owner, builtin.id)
    assert copy.name == "Copy of Agency / IT project" and not copy.is_builtin
    edited = library.update_template(db, owner, copy.id,
                                     source=copy.source.replace("Copy of", "Our"))
    assert edited.version == 2 and edited.name == "Our Agency / IT project"
    assert [v.version for v in library.versions(db, owner, copy.id)] == [2, 1]
    library.retire_template(db, owner, copy.id)
    assert [t.id for t in library.list_templates(db, owner)] == [builtin.id]


def test_members_cannot_edit_and_other_orgs_templates_are_not_found(db):
    org, other = make_org(db), make_org(db)
    member = principal(db, db.get(User, add_member(db, org, role=Role.MEMBER).user_id), org)
    builtin = library.list_templates(db, member)[0]
    with pytest.raises(PermissionDenied):
        library.clone_template(db, member, builtin.id)
    theirs = library.list_templates(db, owner_principal(db, other))[0]
    with pytest.raises(NotFound):
        library.get_template(db, member, theirs.id)
