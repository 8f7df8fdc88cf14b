"""Hostile templates (security review, finding 1): YAML alias bombs, untyped values, oversized
definitions, patterns that backtrack for hours, and answers without a length limit."""

from __future__ import annotations

import time

import pytest

from projecthub.core.errors import Conflict, Invalid
from projecthub.models import TemplateVersion
from projecthub.services.templates import library, limits
from projecthub.services.templates.definition import parse_definition
from projecthub.services.templates.questionnaire import AnswerContext, validate_answers
from tests.factories import make_org, owner_principal

HEAD = "name: X\nsteps:\n  - id: s\n    title: S\n    fields:\n"
CTX = AnswerContext()


def _field(body: str) -> str:
    """A one-field template; ``body`` continues the field's flow mapping."""
    return HEAD + "      - {id: a, label: A, " + body + "}\n"


def _refused(source: str) -> Invalid:
    with pytest.raises(Invalid) as caught:
        parse_definition(source)
    return caught.value


def test_an_alias_bomb_is_refused_at_the_line_of_its_first_anchor():
    """Five levels of ten aliases: 500 bytes that used to expand into 100,000 stored values."""
    levels = ["&l0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"&l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 5)]
    field = "      - id: a\n        label: A\n        type: list\n        default:\n"
    source = HEAD + field + "".join(f"          - {level}\n" for level in levels)

    error = _refused(source)

    assert error.fields == {"line 10": "YAML anchors (&name) are not allowed in templates; "
                                       "write the value out"}
    assert error.message.startswith("line 10: YAML anchors")


def test_an_alias_without_its_anchor_is_refused_too():
    error = _refused(_field("type: text, default: *nowhere"))
    assert error.fields == {"line 6": "YAML aliases (*name) are not allowed in templates; "
                                      "write the value out"}


def test_merge_keys_are_refused():
    error = _refused(_field("type: text, <<: {required: true}"))
    assert error.fields == {"line 6": "YAML merge keys (<<) are not allowed in templates; "
                                      "write the keys out"}


@pytest.mark.parametrize("body", [
    "type: text, default: {nested: {mapping: 1}}",
    "type: list, default: [[x]]",
    "type: text, show_if: {field: a, equals: {a: 1}}",
    "type: text, show_if: {field: a, in: [[x]]}",
])
def test_template_values_have_concrete_types(body):
    assert "line 6" in _refused(_field(body)).fields


@pytest.mark.parametrize(("body", "problem"), [
    ("type: number, default: " + "1" * 5000, "line 6: this number is too long"),
    ("type: number, default: .nan", "line 6: steps.0.fields.0.default: Value error, must be a "
                                    "finite number"),
    ("type: number, min: .inf", "line 6: steps.0.fields.0.min: Input should be a finite number"),
])
def test_numbers_json_cannot_store_are_refused_with_their_line(body, problem):
    assert _refused(_field(body)).message == problem


@pytest.mark.parametrize("answer", ["nan", float("inf"), "-Infinity"])
def test_a_number_answer_must_be_finite(answer):
    definition = parse_definition(_field("type: number"))
    assert validate_answers(definition, {"a": answer}, CTX) == {"a": "Enter a number."}


def test_dates_in_yaml_stay_text():
    """YAML reads 2026-01-31 as a date, which the stored JSON definition cannot hold."""
    definition = parse_definition(_field("type: date, default: 2026-01-31"))
    assert definition.steps[0].fields[0].default == "2026-01-31"


def test_an_oversized_source_is_refused_before_parsing():
    source = _field("type: text") + "#" * limits.MAX_SOURCE_CHARS
    assert _refused(source).fields == {
        "line 1": f"a template has at most {limits.MAX_SOURCE_CHARS:,} characters"}


def test_deep_nesting_is_refused_with_its_line():
    deep = "[" * (limits.MAX_DEPTH + 1) + "]" * (limits.MAX_DEPTH + 1)
    error = _refused(_field(f"type: list, default: {deep}"))
    assert error.fields == {"line 6": "is nested too deeply"}


@pytest.mark.parametrize(("body", "where"), [
    ("type: choice, options: [" + ", ".join(
        f"{{value: v{i}, label: L}}" for i in range(limits.MAX_OPTIONS + 1)) + "]", "options"),
    ("type: text, help: " + "h" * (limits.MAX_TEXT_CHARS + 1), "help"),
    ("type: text, default: " + "d" * (limits.MAX_TEXT_CHARS + 1), "default"),
    ("type: text, max_length: " + str(limits.MAX_ANSWER_CHARS + 1), "max_length"),
    ("type: text, pattern: '" + "a" * (limits.MAX_PATTERN_CHARS + 1) + "'", "pattern"),
])
def test_the_parsed_definition_is_capped(body, where):
    assert where in _refused(_field(body)).fields["line 6"]


def test_steps_and_fields_are_capped():
    per_step = limits.MAX_FIELDS // 2 + 1  # two steps together hold one field too many
    many_fields = "name: X\nsteps:\n" + "".join(
        f"  - id: s{s}\n    title: S\n    fields:\n" + "".join(
            f"      - {{id: f{s}_{i}, label: F, type: text}}\n" for i in range(per_step))
        for s in range(2))
    assert _refused(many_fields).fields == {
        "line 1": f"template: Value error, a template has at most {limits.MAX_FIELDS} fields"}
    step = "  - {{id: s{0}, title: S}}\n"
    many_steps = "name: X\nsteps:\n" + "".join(step.format(i)
                                               for i in range(limits.MAX_STEPS + 1))
    assert "steps" in next(iter(_refused(many_steps).fields.values()))


def test_a_long_chain_of_conditions_is_checked_in_well_under_a_second():
    """Each field shown only if the one before is: visibility walks the chain field by field."""
    chain = HEAD + "".join(
        f"      - {{id: f{i}, label: F, type: text"
        f"{f', show_if: {{field: f{i - 1}}}' if i else ''}}}\n"
        for i in range(limits.MAX_FIELDS))
    definition = parse_definition(chain)
    started = time.monotonic()
    assert validate_answers(definition, {}, CTX) == {}
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)a", r"a\Z", "a{2000}"])
def test_patterns_re2_cannot_run_are_refused_when_the_template_is_saved(pattern):
    error = _refused(_field(f"type: text, pattern: '{pattern}'"))
    assert "pattern RE2 cannot use" in error.fields["line 6"]


def test_patterns_match_the_whole_answer():
    """RE2 keeps ``re.fullmatch``'s meaning (the timing is tested in tests/api and tests/ui)."""
    definition = parse_definition(_field("type: text, pattern: '(a+)+'"))
    assert validate_answers(definition, {"a": "a" * 20 + "!"}, CTX) == {
        "a": "This value is not in the expected format."}
    assert validate_answers(definition, {"a": "a" * 40}, CTX) == {}


def test_answers_are_capped_without_a_max_length_in_the_template():
    definition = parse_definition(_field("type: textarea"))
    too_long = "x" * (limits.MAX_ANSWER_CHARS + 1)
    assert validate_answers(definition, {"a": too_long}, CTX) == {
        "a": f"Use at most {limits.MAX_ANSWER_CHARS} characters."}


@pytest.mark.parametrize("answer", [
    ["x"] * (limits.MAX_ANSWER_ITEMS + 1),
    ["x" * (limits.MAX_ITEM_CHARS + 1)],
    [["nested"]],
])
def test_list_answers_are_capped(answer):
    definition = parse_definition(_field("type: list"))
    assert validate_answers(definition, {"a": answer}, CTX) == {
        "a": f"Enter at most {limits.MAX_ANSWER_ITEMS} entries of up to "
             f"{limits.MAX_ITEM_CHARS} characters each."}


def test_a_version_saved_before_the_limits_is_a_clear_conflict_not_a_crash(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    version_id = library.list_templates(db, owner)[0].version_id
    version = db.get_one(TemplateVersion, version_id)
    version.definition = {**version.definition, "description": {"nested": "mapping"}}
    db.add(version)
    db.commit()

    with pytest.raises(Conflict, match="Save the template again"):
        library.load_version(db, owner, version_id)
