"""The template format: a questionnaire of steps and fields, parsed from YAML or JSON with
errors that point at the line to fix."""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import cached_property
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    model_validator,
)

from projecthub.core.errors import Invalid
from projecthub.services.templates.limits import (
    MAX_ANSWER_CHARS,
    MAX_FIELDS,
    MAX_ITEM_CHARS,
    MAX_OPTIONS,
    MAX_PATTERN_CHARS,
    MAX_SOURCE_CHARS,
    MAX_STEPS,
    MAX_TEXT_CHARS,
)
from projecthub.services.templates.patterns import pattern_problem
from projecthub.services.templates.yaml_loader import load_template_yaml

FieldType = Literal["text", "textarea", "choice", "multichoice", "date", "number", "bool",
                    "member", "members", "emails", "list", "connection", "company"]
Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


def _scalar(value: object) -> bool | int | float | str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str):
        raise ValueError("must be text, a number, true or false")
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"must have at most {MAX_TEXT_CHARS} characters")
    return value


def _value(value: object) -> bool | int | float | str | list[bool | int | float | str]:
    if not isinstance(value, list):
        return _scalar(value)
    if len(value) > MAX_OPTIONS:
        raise ValueError(f"must have at most {MAX_OPTIONS} values")
    return [_scalar(item) for item in value]


# What defaults and conditions hold: no mappings, no nesting, every string bounded.
Scalar = Annotated[bool | int | float | str, PlainValidator(_scalar)]
Value = Annotated[bool | int | float | str | list[bool | int | float | str],
                  PlainValidator(_value)]


class Condition(BaseModel):
    """Show a field only when another field's answer equals a value or is one of several."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    field: Id
    equals: Scalar | None = None
    in_: Annotated[list[Scalar], Field(max_length=MAX_OPTIONS)] | None = Field(
        default=None, alias="in")

    def holds(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.field)
        if self.in_ is not None:
            return value in self.in_
        return bool(value == self.equals)


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(max_length=MAX_ITEM_CHARS)  # becomes an answer, so the same cap
    label: str = Field(max_length=MAX_ITEM_CHARS)


class FieldDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Id
    label: str = Field(min_length=1, max_length=120)
    type: FieldType
    required: bool = False
    help: Text = ""
    default: Value | None = None
    options: list[Option] = Field(default_factory=list, max_length=MAX_OPTIONS)
    pattern: str | None = Field(default=None, max_length=MAX_PATTERN_CHARS)  # RE2 syntax
    pattern_message: Text = "This value is not in the expected format."
    max_length: int | None = Field(default=None, ge=1, le=MAX_ANSWER_CHARS)
    min: float | None = Field(default=None, allow_inf_nan=False)
    after: Id | None = None
    tool: Literal["jira", "confluence", "productive", "graph"] | None = None
    show_if: Condition | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldDef:
        if self.type in ("choice", "multichoice") and not self.options:
            raise ValueError(f"field {self.id!r} of type {self.type} needs options")
        if self.type == "connection" and self.tool is None:
            raise ValueError(f"field {self.id!r} of type connection needs a tool")
        if self.type == "company" and self.tool != "productive":
            raise ValueError(f"field {self.id!r} of type company needs tool: productive "
                             "(its companies are offered)")
        problem = pattern_problem(self.pattern) if self.pattern is not None else None
        if problem is not None:
            raise ValueError(f"field {self.id!r} has a pattern RE2 cannot use: {problem} "
                             "(no backreferences or lookaround; write \\z for the end)")
        return self


class StepDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Id
    title: str = Field(min_length=1, max_length=80)
    fields: list[FieldDef] = Field(default_factory=list)


class ApprovalDef(BaseModel):
    """Runs of this template wait for an approver before any tool is touched. ``approvers`` is
    the lowest organization role that may decide (a viewer never may); ``when`` narrows it to
    projects whose answers match, with the same condition as a field's ``show_if``."""

    model_config = ConfigDict(extra="forbid")
    required: bool = True
    approvers: Literal["owner", "admin", "member"] = "admin"
    when: Condition | None = None

    def applies(self, answers: dict[str, Any]) -> bool:
        return self.required and (self.when is None or self.when.holds(answers))


class TemplateDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    description: Text = ""
    steps: list[StepDef] = Field(min_length=1, max_length=MAX_STEPS)
    # Plan input → the field that feeds it, where the ids differ (services/templates/bindings).
    inputs: dict[Id, Id] = Field(default_factory=dict, max_length=MAX_FIELDS)
    approval: ApprovalDef | None = None

    @model_validator(mode="after")
    def _references(self) -> TemplateDefinition:
        fields = self.fields()
        if len(fields) > MAX_FIELDS:
            raise ValueError(f"a template has at most {MAX_FIELDS} fields")
        duplicates = sorted(i for i, n in Counter(f.id for f in fields).items() if n > 1)
        if duplicates:
            raise ValueError(f"field ids must be unique: {', '.join(duplicates)}")
        for field in fields:
            for ref in (field.show_if.field if field.show_if else None, field.after):
                if ref is not None and ref not in self._by_id:
                    raise ValueError(f"field {field.id!r} refers to unknown field {ref!r}")
        for name, ref in self.inputs.items():
            if ref not in self._by_id:
                raise ValueError(f"inputs binds {name!r} to unknown field {ref!r}")
        when = self.approval.when if self.approval else None
        if when is not None and when.field not in self._by_id:
            raise ValueError(f"approval.when refers to unknown field {when.field!r}")
        return self

    def fields(self) -> list[FieldDef]:
        return [f for s in self.steps for f in s.fields]

    @cached_property
    def _by_id(self) -> dict[str, FieldDef]:
        """Built once: visibility follows show_if chains field by field."""
        return {f.id: f for f in self.fields()}

    def field(self, field_id: str) -> FieldDef | None:
        return self._by_id.get(field_id)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(
                node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def parse_definition(source: str) -> TemplateDefinition:
    """Parse YAML (or JSON, which is YAML) into a checked definition, or raise ``Invalid`` whose
    ``fields`` map ``line N`` to the problem found there."""
    if len(source) > MAX_SOURCE_CHARS:
        problem = f"a template has at most {MAX_SOURCE_CHARS:,} characters"
        raise Invalid(f"line 1: {problem}", {"line 1": problem})
    try:
        node, data = load_template_yaml(source)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        message = f"line {line}: {exc.problem or 'syntax error'}"
        raise Invalid(message, {f"line {line}": str(exc.problem or "syntax error")}) from exc
    except yaml.YAMLError as exc:  # a control character: the reader's error has no mark
        line = source.count("\n", 0, getattr(exc, "position", 0)) + 1
        problem = "contains a character YAML does not allow"
        raise Invalid(f"line {line}: {problem}", {f"line {line}": problem}) from exc
    if not isinstance(data, dict):
        raise Invalid("line 1: a template is a mapping with name, description and steps",
                      {"line 1": "a template is a mapping with name, description and steps"})
    try:
        return TemplateDefinition.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith(
                "function-")))
            at = _line_of(node, loc) or 1
            where = ".".join(str(p) for p in loc) or "template"
            problems.setdefault(f"line {at}", f"{where}: {error['msg']}")
        first = next(iter(problems.items()))
        raise Invalid(f"{first[0]}: {first[1]}", problems) from exc


def dump_definition(definition: TemplateDefinition) -> str:
    return yaml.safe_dump(json.loads(definition.model_dump_json(by_alias=True, exclude_none=True)),
                          sort_keys=False, allow_unicode=True, width=100)
