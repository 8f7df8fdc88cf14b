"""Answering a template: defaults, which fields are shown, and field-level validation.
Pure functions, so the wizard can validate as a person types and the API can validate a whole
submission with the same rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email

from projecthub.services.templates.definition import FieldDef, TemplateDefinition
from projecthub.services.templates.limits import MAX_ANSWER_CHARS, MAX_ANSWER_ITEMS, MAX_ITEM_CHARS
from projecthub.services.templates.patterns import fullmatch

Answers = dict[str, Any]


@dataclass(frozen=True)
class AnswerContext:
    """What answers may refer to: the organization's members and connections by tool."""

    member_ids: frozenset[str] = frozenset()
    connection_ids: dict[str, frozenset[str]] = field(default_factory=dict)


def with_defaults(definition: TemplateDefinition, answers: Answers) -> Answers:
    merged = {f.id: f.default for f in definition.fields() if f.default is not None}
    merged.update({k: v for k, v in answers.items() if v is not None})
    return merged


def is_visible(definition: TemplateDefinition, fdef: FieldDef, answers: Answers) -> bool:
    """A field shows when its condition holds and the field it depends on is itself shown."""
    seen: set[str] = set()
    current: FieldDef | None = fdef
    while current is not None and current.show_if is not None and current.id not in seen:
        seen.add(current.id)
        if not current.show_if.holds(answers):
            return False
        current = definition.field(current.show_if.field)
    return True


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _size_problem(value: Any) -> str | None:
    """Answers come from anyone who may start a project: bound them before any rule reads them."""
    if isinstance(value, str) and len(value) > MAX_ANSWER_CHARS:
        return f"Use at most {MAX_ANSWER_CHARS} characters."
    if isinstance(value, list) and (len(value) > MAX_ANSWER_ITEMS or not all(
            isinstance(item, str) and len(item) <= MAX_ITEM_CHARS for item in value)):
        return (f"Enter at most {MAX_ANSWER_ITEMS} entries of up to {MAX_ITEM_CHARS} "
                "characters each.")
    return None


def _check_type(fdef: FieldDef, value: Any, ctx: AnswerContext) -> str | None:
    kind = fdef.type
    if kind in ("text", "textarea", "company"):
        if not isinstance(value, str):
            return "Enter text."
        if fdef.max_length and len(value) > fdef.max_length:
            return f"Use at most {fdef.max_length} characters."
        if fdef.pattern and not fullmatch(fdef.pattern, value):
            return fdef.pattern_message
    elif kind == "choice":
        if value not in {o.value for o in fdef.options}:
            return "Choose one of the options."
    elif kind == "multichoice":
        allowed = {o.value for o in fdef.options}
        if not isinstance(value, list) or not set(value) <= allowed:
            return "Choose from the options."
    elif kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return "Enter a date as YYYY-MM-DD."
    elif kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return "Enter a number."
        if not math.isfinite(number):  # NaN or infinity: JSON (and PostgreSQL) cannot store it
            return "Enter a number."
        if fdef.min is not None and number < fdef.min:
            return f"Enter at least {fdef.min:g}."
    elif kind == "bool":
        if not isinstance(value, bool):
            return "Choose yes or no."
    elif kind == "member":
        if str(value) not in ctx.member_ids:
            return "Choose a member of this organization."
    elif kind == "members":
        if not isinstance(value, list) or not {str(v) for v in value} <= ctx.member_ids:
            return "Choose members of this organization."
    elif kind == "emails":
        return _check_emails(value)
    elif kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return "Enter one name per line."
    elif kind == "connection" and str(value) not in ctx.connection_ids.get(fdef.tool or "", set()):
        return "Choose one of this organization's connections for this tool."
    return None


def _check_emails(value: Any) -> str | None:
    if not isinstance(value, list):
        return "Enter one email address per line."
    for item in value:
        try:
            validate_email(str(item), check_deliverability=False)
        except EmailNotValidError:
            return f"{item} is not a valid email address."
    return None


def validate_field(definition: TemplateDefinition, fdef: FieldDef, answers: Answers,
                   ctx: AnswerContext) -> str | None:
    """The message to show next to one field, or None when it is fine (or hidden)."""
    if not is_visible(definition, fdef, answers):
        return None
    value = answers.get(fdef.id)
    if _is_empty(value):
        return "This is required." if fdef.required else None
    problem = _size_problem(value) or _check_type(fdef, value, ctx)
    if problem is None and fdef.after and not _is_empty(answers.get(fdef.after)):
        try:
            if date.fromisoformat(str(value)) < date.fromisoformat(str(answers[fdef.after])):
                after = definition.field(fdef.after)
                return f"Must not be before {after.label.lower() if after else fdef.after}."
        except ValueError:
            return None
    return problem


def validate_step(definition: TemplateDefinition, step_id: str, answers: Answers,
                  ctx: AnswerContext) -> dict[str, str]:
    step = next((s for s in definition.steps if s.id == step_id), None)
    if step is None:
        return {"step": f"Unknown step {step_id!r}."}
    merged = with_defaults(definition, answers)
    errors = {f.id: validate_field(definition, f, merged, ctx) for f in step.fields}
    return {k: v for k, v in errors.items() if v}


def validate_answers(definition: TemplateDefinition, answers: Answers,
                     ctx: AnswerContext) -> dict[str, str]:
    merged = with_defaults(definition, answers)
    errors = {f.id: validate_field(definition, f, merged, ctx) for f in definition.fields()}
    return {k: v for k, v in errors.items() if v}


def visible_answers(definition: TemplateDefinition, answers: Answers) -> Answers:
    """Defaults applied and hidden fields dropped: what the plan is made from."""
    merged = with_defaults(definition, answers)
    return {f.id: merged[f.id] for f in definition.fields()
            if f.id in merged and is_visible(definition, f, merged)}
