"""How a template's fields become what the wizard shows, and what the browser sends back becomes
answers. Pure functions: the rules themselves (visibility, validation) stay in
``services.templates.questionnaire``; this module only translates."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from projecthub.services.templates.definition import FieldDef, StepDef, TemplateDefinition
from projecthub.services.templates.questionnaire import Answers, is_visible, with_defaults

# Choices with more options than this use a select instead of radio buttons.
RADIO_LIMIT = 4
_LINES = ("emails", "list")
# Widgets whose text is kept as typed beside the parsed answer.
TYPED = ("text", "textarea", "lines", "number", "date", "company")
EMPTY = "—"


@dataclasses.dataclass(frozen=True)
class Pickers:
    """What member and connection fields offer: (id, label) pairs of this organization."""

    members: tuple[tuple[str, str], ...] = ()
    connections: dict[str, tuple[tuple[str, str], ...]] = dataclasses.field(default_factory=dict)
    # Company fields offer the tool's companies matching what was typed (names, as it has them).
    companies: tuple[str, ...] = ()
    companies_note: str = ""

    def choices(self, fdef: FieldDef) -> Sequence[tuple[str, str]]:
        if fdef.type in ("member", "members"):
            return self.members
        if fdef.type == "company":
            return [(name, name) for name in self.companies]
        if fdef.type == "connection":
            return self.connections.get(fdef.tool or "", ())
        return [(o.value, o.label) for o in fdef.options]


@dataclasses.dataclass(frozen=True)
class OptionRow:
    value: str
    label: str
    selected: bool


@dataclasses.dataclass(frozen=True)
class FieldRow:
    """One input as the page draws it; ``kind`` picks the widget."""

    id: str
    label: str
    # text | textarea | lines | number | date | radio | select | checks | switch | company
    kind: str
    required: bool
    help: str
    text: str  # the value of text-like inputs, selects and radio groups
    on: bool  # the value of a switch
    options: list[OptionRow]
    error: str  # shown under the field; "" when fine or not touched yet
    no_options: str  # why a select or checklist is empty, e.g. no connection to that tool


@dataclasses.dataclass(frozen=True)
class StepRow:
    index: int
    title: str
    state: str  # done | current | todo


@dataclasses.dataclass(frozen=True)
class SummaryItem:
    label: str
    value: str


@dataclasses.dataclass(frozen=True)
class SummarySection:
    index: int
    title: str
    answers: list[SummaryItem]


def wizard_steps(definition: TemplateDefinition) -> list[StepDef]:
    """The steps that ask something; the wizard adds its own review page after them."""
    return [s for s in definition.steps if s.fields]


def widget(fdef: FieldDef) -> str:
    kind = fdef.type
    if kind in _LINES:
        return "lines"
    if kind == "bool":
        return "switch"
    if kind == "choice":
        return "radio" if len(fdef.options) <= RADIO_LIMIT else "select"
    if kind in ("multichoice", "members"):
        return "checks"
    if kind in ("member", "connection"):
        return "select"
    return kind  # text, textarea, number, date, company


def as_text(value: Any) -> str:
    """An answer as an input shows it."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parse(fdef: FieldDef, value: Any) -> Any:
    """What the browser sent, as the answer to store; ``None`` removes the answer (so a
    default applies again). Anything unparseable is kept as typed for validation to explain."""
    if fdef.type == "bool":
        return bool(value)
    text = "" if value is None else str(value)
    if fdef.type in _LINES:
        return [line.strip() for line in text.splitlines() if line.strip()]
    if fdef.type in ("number", "date") and not text.strip():
        return None
    if fdef.type == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    return text


def toggled(current: Any, option: str, checked: bool) -> list[str]:
    chosen = [str(v) for v in current] if isinstance(current, list) else []
    if checked and option not in chosen:
        return [*chosen, option]
    return [v for v in chosen if v != option or checked]


def field_rows(definition: TemplateDefinition, step: StepDef, answers: Answers,
               raw: dict[str, str], errors: dict[str, str], pickers: Pickers) -> list[FieldRow]:
    """The visible fields of ``step``; ``errors`` are those to show (already filtered)."""
    merged = with_defaults(definition, answers)
    rows = []
    for fdef in step.fields:
        if not is_visible(definition, fdef, merged):
            continue
        value = merged.get(fdef.id)
        chosen = {str(v) for v in value} if isinstance(value, list) else {as_text(value)}
        choices = pickers.choices(fdef)
        rows.append(FieldRow(
            id=fdef.id, label=fdef.label, kind=widget(fdef), required=fdef.required,
            help=fdef.help, text=raw.get(fdef.id, as_text(value)), on=value is True,
            options=[OptionRow(v, label, v in chosen) for v, label in choices],
            error=errors.get(fdef.id, ""), no_options=_no_options(fdef, choices, pickers)))
    return rows


def _no_options(fdef: FieldDef, choices: Sequence[tuple[str, str]], pickers: Pickers) -> str:
    if fdef.type == "company":
        return pickers.companies_note or ("" if choices else "No company in Productive matches "
                                          "what you typed.")
    if choices or fdef.type not in ("member", "members", "connection"):
        return ""
    if fdef.type == "connection":
        return "This organization has no connection to this tool yet. Owners and admins add " \
               "one under Connections."
    return "This organization has no active members to choose."


def shown(fdef: FieldDef, value: Any, pickers: Pickers) -> str:
    """An answer as the review summary reads it."""
    if value is None or value in ("", []):
        return EMPTY
    if fdef.type == "bool":
        return "Yes" if value else "No"
    labels = {} if fdef.type == "company" else dict(pickers.choices(fdef))
    values = value if isinstance(value, list) else [value]
    if labels:
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return ", ".join(as_text(v) for v in values)


def summary(definition: TemplateDefinition, answers: Answers,
            pickers: Pickers) -> list[SummarySection]:
    merged = with_defaults(definition, answers)
    return [SummarySection(index, step.title, [
        SummaryItem(f.label, shown(f, merged.get(f.id), pickers))
        for f in step.fields if is_visible(definition, f, merged)])
        for index, step in enumerate(wizard_steps(definition))]
