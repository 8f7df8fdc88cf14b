"""The new-project wizard: templates to pick, one page per step with live validation and
conditional fields, answers saved to a server-side draft on every change, resumed by URL."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from projecthub.models import Role, WizardDraft
from projecthub.services import connections, drafts
from projecthub.services.templates import library
from projecthub.services.templates.limits import MAX_ANSWER_CHARS
from projecthub.ui.state import wizard
from projecthub.ui.state.wizard import NEW_PATH, WizardState
from tests.factories import add_member, make_org, make_user, owner_principal, principal, user_of
from tests.hostile import EVIL_ANSWER, HOSTILE_TEMPLATE, Entered, seconds_for_other
from tests.ui.tabs import browser_state, login, redirect_path
from tests.ui.times import instant, near


def _start(db: Session, as_user: Any, user: Any = None) -> WizardState:
    """The owner of a fresh organization with the built-in template open at its first step."""
    if user is None:
        user = make_user(db, name="Pat Manager")
        make_org(db, user, name="Acme")
    state = as_user(WizardState, user, path=NEW_PATH)
    state.load()
    state.choose_template(state.templates[0].id)
    return state


def _field(state: WizardState, field_id: str) -> Any:
    return next(row for row in state.fields if row.id == field_id)


def _shown(state: WizardState) -> list[str]:
    return [row.id for row in state.fields]


def _drafts(engine: Any) -> list[WizardDraft]:
    with Session(engine) as db:
        return list(db.exec(select(WizardDraft)).all())


def _fill_basics(state: WizardState) -> None:
    state.set_answer("name", "Website relaunch")
    state.set_answer("key", "WEBX")


def test_the_built_in_template_is_offered_first(db, as_user):
    owner = make_user(db)
    make_org(db, owner)
    state = as_user(WizardState, owner, path=NEW_PATH)

    state.load()

    assert state.templates[0].builtin and state.templates[0].name == "Agency / IT project"
    assert state.can_create and state.template_name == "" and state.problem == ""


def test_the_first_step_shows_defaults_and_no_errors_before_anything_is_typed(db, as_user):
    state = _start(db, as_user)

    assert (state.template_name, state.step_index, state.step_title) == (
        "Agency / IT project", 0, "Basics")
    assert [s.title for s in state.steps][-1] == "Review" and state.steps[0].state == "current"
    assert _field(state, "project_type").kind == "radio"
    assert _field(state, "project_type").text == "client"
    assert _field(state, "start_date").kind == "date"
    assert all(row.error == "" for row in state.fields) and not state.blocked


def test_typing_validates_the_field_and_saves_a_draft(db, engine, as_user):
    state = _start(db, as_user)

    first = state.set_answer("key", "web")

    assert _field(state, "key").error.startswith("2-10 uppercase letters")
    assert _field(state, "name").error == ""  # untouched fields stay quiet
    assert state.blocked
    [draft] = _drafts(engine)
    assert draft.answers == {"key": "web"} and draft.step == "basics"
    assert f"{NEW_PATH}/{draft.id}" in str(first)  # the URL now resumes this draft

    second = state.set_answer("key", "WEB")

    assert _field(state, "key").error == "" and not state.blocked
    assert [d.answers for d in _drafts(engine)] == [{"key": "WEB"}]
    assert second is None or "replaceState" not in str(second)
    assert near(instant(state.saved_at, state.saved_utc), _drafts(engine)[0].updated_at)


def test_leaving_an_empty_required_field_says_it_is_required(db, as_user):
    state = _start(db, as_user)

    state.touch("name")

    assert _field(state, "name").error == "This is required."


def test_next_is_refused_with_every_problem_shown_until_the_step_is_valid(db, as_user):
    state = _start(db, as_user)

    state.next_step()

    assert state.step_index == 0
    assert {row.id for row in state.fields if row.error} == {"name", "key"}

    _fill_basics(state)
    state.set_answer("start_date", "2026-05-01")
    state.set_answer("end_date", "2026-04-01")
    assert _field(state, "end_date").error == "Must not be before start date."
    state.set_answer("end_date", "")
    state.next_step()

    assert (state.step_index, state.step_title) == (1, "People")
    assert state.steps[0].state == "done"


def test_conditional_fields_follow_the_answers_live(db, as_user):
    state = _start(db, as_user)
    _fill_basics(state)
    state.next_step()
    state.set_answer("project_manager", str(state._pickers.members[0][0]))
    state.next_step()
    assert state.step_title == "Jira"
    assert _shown(state) == ["jira_mode", "jira_connection", "jira_template", "jira_lead"]

    state.set_answer("jira_mode", "link")
    assert _shown(state) == ["jira_mode", "jira_connection", "jira_existing_key"]

    state.set_answer("jira_mode", "skip")
    assert _shown(state) == ["jira_mode"]
    state.next_step()
    assert state.step_title == "Confluence"


def test_pickers_offer_the_organizations_members_and_connections(db, as_user):
    owner = make_user(db, name="Pat Manager", email="pat@example.com")
    org = make_org(db, owner)
    add_member(db, org, make_user(db, name="Quinn", email="quinn@example.com"))
    connections.create_connection(
        db, owner_principal(db, org), tool="jira", name="Acme Jira",
        base_url="https://acme.atlassian.net", settings_values={"email": "it@acme.example"},
        secret_values={"api_token": "token-0000"})
    state = _start(db, as_user, owner)
    _fill_basics(state)
    state.next_step()

    people = _field(state, "members")
    assert people.kind == "checks"
    assert [o.label for o in people.options] == ["Pat Manager (pat@example.com)",
                                                 "Quinn (quinn@example.com)"]
    quinn = people.options[1].value
    state.toggle_option("members", quinn, True)
    assert [o.selected for o in _field(state, "members").options] == [False, True]
    state.set_answer("guests", "guest@client.example\n\nnot-an-email\n")
    assert _field(state, "guests").error == "not-an-email is not a valid email address."
    assert _field(state, "guests").text == "guest@client.example\n\nnot-an-email\n"
    assert state._answers["guests"] == ["guest@client.example", "not-an-email"]

    state.set_answer("guests", "")
    state.set_answer("project_manager", quinn)
    state.next_step()
    jira = _field(state, "jira_connection")
    assert (jira.kind, [o.label for o in jira.options]) == ("select", ["Acme Jira"])
    state.go_to_step(2)  # forward jumps are ignored
    assert state.step_title == "Jira"


def test_a_connection_field_without_connections_explains_why_it_is_empty(db, as_user):
    state = _start(db, as_user)
    _fill_basics(state)
    state.next_step()
    state.set_answer("project_manager", str(state._pickers.members[0][0]))
    state.next_step()

    assert _field(state, "jira_connection").options == []
    assert "no connection to this tool" in _field(state, "jira_connection").no_options


def test_switches_numbers_and_checklists_store_typed_answers(db, engine, as_user):
    state = _start(db, as_user)
    state.step_index = 4  # Microsoft 365, reached by Next in the other tests
    state.set_flag("planner", False)
    assert _field(state, "planner").on is False
    state.step_index = 5
    state.set_answer("budget_amount", "12.")
    assert (_field(state, "budget_amount").text, state._answers["budget_amount"]) == ("12.", 12)
    state.set_answer("budget_amount", "-3")
    assert _field(state, "budget_amount").error == "Enter at least 0."
    state.step_index = 3
    state.toggle_option("starter_pages", "Meeting notes", False)

    [draft] = _drafts(engine)
    assert draft.answers["planner"] is False and draft.answers["budget_amount"] == -3
    assert draft.answers["starter_pages"] == ["Project charter", "Decision log"]


def test_an_answer_longer_than_any_field_allows_is_refused_before_the_draft(db, engine, as_user):
    state = _start(db, as_user)

    state.set_answer("description", "x" * (MAX_ANSWER_CHARS + 1))

    assert state.errors == {"wizard": "Description: use at most 20,000 characters."}
    assert _drafts(engine) == []


def test_a_question_from_another_page_is_refused(db, engine, as_user):
    state = _start(db, as_user)

    state.set_answer("jira_mode", "skip")

    assert state.errors == {"wizard": "That question is not on this page."}
    assert _drafts(engine) == []


def test_a_draft_resumes_where_it_was_left_even_after_logging_in_again(db, as_user):
    owner = make_user(db)
    make_org(db, owner)
    state = _start(db, as_user, owner)
    _fill_basics(state)
    state.next_step()

    again = browser_state(WizardState, login(db, owner), path=f"{NEW_PATH}/{state._draft}")
    again.load()

    assert (again.template_name, again.step_title) == ("Agency / IT project", "People")
    assert again._answers == {"name": "Website relaunch", "key": "WEBX"}
    assert [d.title for d in again.drafts] == ["Website relaunch"]
    again.go_to_step(0)
    assert _field(again, "key").text == "WEBX"


def test_someone_elses_draft_is_not_found(db, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    colleague = add_member(db, org)
    draft = drafts.save_draft(db, principal(db, user_of(db, colleague), org),
                              template_version_id=_builtin_version(db, owner, org),
                              answers={"name": "Theirs"}, step="basics")
    state = as_user(WizardState, owner, path=f"{NEW_PATH}/{draft.id}")

    state.load()

    assert state.problem == "Draft not found." and state.template_name == ""
    assert state._answers == {}


def _builtin_version(db: Session, owner: Any, org: Any) -> str:
    return library.list_templates(db, principal(db, owner, org))[0].version_id


def test_a_viewer_cannot_start_a_project(db, as_user):
    org = make_org(db)
    viewer = add_member(db, org, role=Role.VIEWER)
    state = as_user(WizardState, user_of(db, viewer), path=NEW_PATH)
    state.load()
    assert not state.can_create

    state.choose_template(state.templates[0].id)

    assert "member role" in state.errors["wizard"] and state.template_name == ""


def test_every_handler_asks_for_the_session_again(db, engine, as_user):
    state = _start(db, as_user)
    state.router = browser_state(WizardState, None, path=NEW_PATH).router  # logged out

    for result in (state.set_answer("name", "x"), state.next_step(), state.touch("name"),
                   state.choose_template(state.templates[0].id)):
        assert redirect_path(result) == f"/login?next={NEW_PATH}"
    assert _drafts(engine) == []


def test_a_backtracking_pattern_does_not_stall_another_tab(db, as_user, monkeypatch):
    """Security review, finding 1: typing into a hostile template's field must not freeze the
    worker for everyone else while its pattern is checked."""
    owner = make_user(db)
    org = make_org(db, owner)
    hostile = library.create_template(db, principal(db, owner, org), source=HOSTILE_TEMPLATE)
    db.commit()
    state = as_user(WizardState, owner, path=NEW_PATH)
    state.load()
    state.choose_template(hostile.id)
    other = as_user(WizardState, owner, path=NEW_PATH)
    running = Entered(monkeypatch, wizard, "validate_step")

    elapsed = seconds_for_other(lambda: state.set_answer("code", EVIL_ANSWER), running,
                                other.load)

    assert elapsed < 1 and [t.name for t in other.templates][-1] == "Hostile"
    assert _field(state, "code").error == "This value is not in the expected format."
