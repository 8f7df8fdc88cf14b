"""Templates declare which answers feed the plan; saving refuses a template that leaves a plan
input unbound or mistyped, and a version in use by drafts or projects stays readable."""

from __future__ import annotations

import pytest

from projecthub.core.errors import Conflict, Invalid
from projecthub.models import TemplateVersion
from projecthub.services import drafts
from projecthub.services.provisioning import service
from projecthub.services.templates import library
from projecthub.services.templates.bindings import binding_problems
from projecthub.services.templates.definition import parse_definition
from tests.factories import make_org, owner_principal

MINIMAL = """name: Minimal
steps:
  - id: basics
    title: Basics
    fields:
      - {id: name, label: Name, type: text, required: true}
      - {id: key, label: Key, type: text, required: true}
      - {id: project_manager, label: Manager, type: member, required: true}
"""


@pytest.fixture
def owner(db):
    return owner_principal(db, make_org(db))


def test_the_builtin_template_binds_every_plan_input():
    assert binding_problems(parse_definition(library.default_source())) == {}


def test_a_template_without_project_manager_is_refused_at_save(db, owner):
    source = MINIMAL.replace(
        "      - {id: project_manager, label: Manager, type: member, required: true}\n", "")
    with pytest.raises(Invalid) as caught:
        library.create_template(db, owner, source=source)
    assert "the plan needs project_manager (member)" in caught.value.message
    assert "add a field with id project_manager, or bind one under inputs" in caught.value.message


def test_a_field_bound_under_inputs_feeds_the_plan(db, owner):
    source = MINIMAL.replace("{id: project_manager, label: Manager",
                             "{id: lead, label: Manager") + "inputs: {project_manager: lead}\n"
    view = library.create_template(db, owner, source=source)
    _, definition = library.load_version(db, owner, view.version_id)
    assert definition.inputs == {"project_manager": "lead"}


@pytest.mark.parametrize(("change", "problem"), [
    ("{id: project_manager, label: Manager, type: text, required: true}",
     "“project_manager” is a text field, but the plan input project_manager needs member"),
    ("{id: project_manager, label: Manager, type: member}",
     "“project_manager” feeds project_manager, which the plan needs: make it required"),
])
def test_a_mistyped_or_optional_binding_is_refused(db, owner, change, problem):
    source = MINIMAL.replace(
        "{id: project_manager, label: Manager, type: member, required: true}", change)
    with pytest.raises(Invalid, match=problem):
        library.create_template(db, owner, source=source)


def test_a_choice_the_plan_does_not_understand_is_refused(db, owner):
    source = MINIMAL + """      - {id: jira_mode, label: Jira, type: choice, default: create,
         options: [{value: create, label: Create}, {value: archive, label: Archive}]}
      - {id: jira_connection, label: Jira connection, type: connection, tool: jira,
         required: true}
"""
    with pytest.raises(Invalid, match="offers archive, which the plan input jira_mode"):
        library.create_template(db, owner, source=source)


def test_a_tool_mode_brings_its_required_inputs(db, owner):
    source = MINIMAL + """      - {id: productive_mode, label: Productive, type: choice,
         default: create, options: [{value: create, label: Create}, {value: skip, label: Skip}]}
      - {id: productive_connection, label: Connection, type: connection, tool: productive,
         required: true}
"""
    with pytest.raises(Invalid) as caught:
        library.create_template(db, owner, source=source)
    assert set(caught.value.fields) == {"inputs.client_company", "inputs.workflow"}


def test_a_version_in_use_stays_readable_and_refuses_to_start_clearly(db, owner):
    """A version stored before bindings were checked (no project manager), with a draft on it:
    editing and retiring its template later never makes it unreadable."""
    view = library.create_template(db, owner, source=MINIMAL)
    old = db.get_one(TemplateVersion, view.version_id)
    old.definition = {**old.definition, "steps": [{
        **old.definition["steps"][0], "fields": old.definition["steps"][0]["fields"][:2]}]}
    db.add(old)
    draft = drafts.save_draft(db, owner, template_version_id=old.id,
                              answers={"name": "Alpha", "key": "ALPHA"}, step="basics")
    library.update_template(db, owner, view.id, source=MINIMAL.replace("Minimal", "Minimal 2"))
    library.retire_template(db, owner, view.id)
    db.flush()

    kept = drafts.get_draft(db, owner, draft.id)
    version, definition = library.load_version(db, owner, kept.template_version_id)
    assert version.version == 1 and [f.id for f in definition.fields()] == ["name", "key"]
    with pytest.raises(Conflict, match="the plan needs project_manager"):
        service.start_project(db, owner, template_version_id=version.id,
                              answers={"name": "Alpha", "key": "ALPHA"})
