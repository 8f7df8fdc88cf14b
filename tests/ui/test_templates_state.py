"""Templates page: everyone reads; owners and admins clone, edit (new version) and retire; a save
that does not parse is refused with its problems by line."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from projecthub.models import Role, Template, TemplateVersion
from projecthub.services.templates import library
from projecthub.ui.state.templates import TemplatesState
from tests.factories import add_member, make_org, make_user, owner_principal, user_of

PATH = "/org/templates"
BROKEN = """name: Broken
steps:
  - id: basics
    title: Basics
    fields:
      - {id: name, label: Name, type: colour}
"""


def _versions(engine: Any) -> list[tuple[str, int]]:
    with Session(engine) as db:
        rows = db.exec(select(Template.name, TemplateVersion.version).join(
            TemplateVersion, TemplateVersion.template_id == Template.id)).all()  # type: ignore[arg-type]
        return sorted((str(name), int(version)) for name, version in rows)


def _admin_page(db: Session, as_user: Any) -> TemplatesState:
    owner = make_user(db)
    make_org(db, owner)
    state = as_user(TemplatesState, owner, path=PATH)
    state.load()
    return state


def test_an_admin_clones_the_built_in_template_and_edits_the_copy(db, engine, as_user):
    state = _admin_page(db, as_user)
    builtin = state.templates[0]
    assert builtin.builtin and builtin.version == 1

    state.clone(builtin.id)

    assert [t.name for t in state.templates] == ["Agency / IT project",
                                                 "Copy of Agency / IT project"]
    assert state.editor_open and state.editable and state.editing_name.startswith("Copy of")
    copy_id = state.editing_id
    edited = state.source.replace("name: Copy of Agency / IT project", "name: Client website")

    state.save({"source": edited})

    assert (state.editing_version, state.line_errors) == (2, [])
    assert ("Client website", 2) in _versions(engine)
    assert next(t for t in state.templates if t.id == copy_id).version == 2


def test_a_source_that_does_not_parse_is_refused_line_by_line(db, engine, as_user):
    state = _admin_page(db, as_user)
    state.clone(state.templates[0].id)
    before = _versions(engine)

    state.save({"source": BROKEN})

    assert [(e.line, e.message.split(":")[0]) for e in state.line_errors] == [
        (6, "steps.0.fields.0.type")]
    state.save({"source": "name: [unclosed\n"})
    assert state.line_errors[0].line == 2
    assert _versions(engine) == before and state.editing_version == 1


def test_the_built_in_template_opens_read_only_and_cannot_be_retired(db, engine, as_user):
    state = _admin_page(db, as_user)
    builtin = state.templates[0]

    state.open_template(builtin.id)
    assert not state.editable and "Clone it" in state.why_read_only
    state.save({"source": BROKEN.replace("colour", "text")})

    assert "cannot be edited" in state.errors["template_editor"]
    assert _versions(engine) == [("Agency / IT project", 1)]
    state.retire(builtin.id)
    assert state.errors["templates"] == "The built-in template cannot be retired."


def test_retiring_hides_a_template_from_new_projects(db, as_user):
    state = _admin_page(db, as_user)
    state.clone(state.templates[0].id)
    copy_id = state.editing_id

    state.retire(copy_id)

    row = next(t for t in state.templates if t.id == copy_id)
    assert row.retired and not state.editor_open
    state.open_template(copy_id)
    assert not state.editable and "retired" in state.why_read_only


def test_a_member_reads_templates_but_cannot_change_them(db, engine, as_user):
    org = make_org(db)
    library.clone_template(db, owner_principal(db, org),
                           library.list_templates(db, owner_principal(db, org))[0].id)
    member = add_member(db, org, role=Role.MEMBER)
    state = as_user(TemplatesState, user_of(db, member), path=PATH)
    state.load()
    copy = state.templates[1]
    before = _versions(engine)

    state.open_template(copy.id)
    assert state.editor_open and not state.editable
    assert state.why_read_only == "Only owners and admins can change templates."
    assert "Copy of" in state.source

    state.save({"source": state.source})
    assert "admin role" in state.errors["template_editor"]
    state.clone(copy.id)
    assert "admin role" in state.errors["templates"]
    state.retire(copy.id)
    assert "admin role" in state.errors["templates"]
    assert _versions(engine) == before
