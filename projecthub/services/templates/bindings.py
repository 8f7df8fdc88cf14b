"""Which answers feed which plan inputs, and the check that a template gives the plan all it needs.

The provisioning plan reads fixed inputs (``name``, ``project_manager``, ``jira_mode``, ...). A
template binds each input to one of its fields: by default the field with the input's id, or the
field named under ``inputs:`` (``inputs: {name: project_title}``). Saving a template checks that
every input the plan needs is bound to a field of a type the plan can read, so a template without
a project manager is refused at save with a message instead of failing the run with a
``KeyError``. Stored versions are not re-checked when read (they stay readable forever); starting
a project from one that lacks an input is refused with the same message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projecthub.services.templates.definition import FieldDef, TemplateDefinition

TEXT = ("text", "textarea")


@dataclass(frozen=True)
class PlanInput:
    """One input: the field types that can feed it, and when the plan cannot do without it."""

    types: tuple[str, ...]
    required: bool = False  # always needed once its tool's mode is bound (or always: no tool)
    tool_mode: str | None = None  # the mode input that brings this input into play
    needed_when: str | None = None  # needed only if the mode field offers this option
    options: frozenset[str] | None = None  # a choice's values the plan understands
    tool: str | None = None  # a connection's tool


MODES = frozenset({"create", "link", "skip"})
PLAN_INPUTS: dict[str, PlanInput] = {
    "name": PlanInput(TEXT, required=True),
    "key": PlanInput(TEXT, required=True),
    "project_manager": PlanInput(("member",), required=True),
    "members": PlanInput(("members",)),
    "description": PlanInput(TEXT),
    "start_date": PlanInput(("date",)),
    "end_date": PlanInput(("date",)),
    "project_type": PlanInput(("choice",), options=frozenset({"client", "internal"})),
    "jira_mode": PlanInput(("choice",), options=MODES),
    "jira_connection": PlanInput(("connection",), True, "jira_mode", tool="jira"),
    "jira_template": PlanInput(("choice",), tool_mode="jira_mode",
                               options=frozenset({"scrum", "kanban", "business"})),
    "jira_lead": PlanInput(("member",), tool_mode="jira_mode"),
    "jira_existing_key": PlanInput(TEXT, True, "jira_mode", "link"),
    "confluence_mode": PlanInput(("choice",), options=MODES),
    "confluence_connection": PlanInput(("connection",), True, "confluence_mode",
                                       tool="confluence"),
    "space_name": PlanInput(TEXT, tool_mode="confluence_mode"),
    "space_key": PlanInput(TEXT, tool_mode="confluence_mode"),
    "starter_pages": PlanInput(("multichoice", "list"), tool_mode="confluence_mode"),
    "m365_mode": PlanInput(("choice",), options=MODES),
    "graph_connection": PlanInput(("connection",), True, "m365_mode", tool="graph"),
    "team_name": PlanInput(TEXT, tool_mode="m365_mode"),
    "team_description": PlanInput(TEXT, tool_mode="m365_mode"),
    "team_visibility": PlanInput(("choice",), tool_mode="m365_mode",
                                 options=frozenset({"private", "public"})),
    "channels": PlanInput(("list", "multichoice"), tool_mode="m365_mode"),
    "planner": PlanInput(("bool",), tool_mode="m365_mode"),
    "m365_existing_nickname": PlanInput(TEXT, True, "m365_mode", "link"),
    "productive_mode": PlanInput(("choice",), options=MODES),
    "productive_connection": PlanInput(("connection",), True, "productive_mode",
                                       tool="productive"),
    "client_company": PlanInput(("company", *TEXT), True, "productive_mode", "create"),
    "company_mode": PlanInput(("choice",), tool_mode="productive_mode",
                              options=frozenset({"existing", "create"})),
    "workflow": PlanInput(("text", "choice"), True, "productive_mode", "create"),
    "budget_type": PlanInput(("choice",), tool_mode="productive_mode",
                             options=frozenset({"fixed", "time_and_materials", "non_billable"})),
    "budget_amount": PlanInput(("number",), tool_mode="productive_mode"),
    "currency": PlanInput(("choice", "text"), tool_mode="productive_mode"),
    "billable_hours": PlanInput(("number",), tool_mode="productive_mode"),
    "productive_existing_project": PlanInput(TEXT, True, "productive_mode", "link"),
}


def bound_field(definition: TemplateDefinition, name: str) -> FieldDef | None:
    """The field feeding plan input ``name``: the one named under ``inputs``, else its namesake."""
    return definition.field(definition.inputs.get(name, name))


def _needed(definition: TemplateDefinition, spec: PlanInput) -> bool:
    if not spec.required:
        return False
    if spec.tool_mode is None:
        return True
    mode = bound_field(definition, spec.tool_mode)
    if mode is None:
        return False  # the template never asks for this tool: the plan skips it
    offered = {o.value for o in mode.options} | ({str(mode.default)} if mode.default else set())
    return spec.needed_when is None or spec.needed_when in offered


def _type_problem(name: str, spec: PlanInput, fdef: FieldDef) -> str | None:
    if fdef.type not in spec.types:
        return (f"“{fdef.id}” is a {fdef.type} field, but the plan input {name} needs "
                f"{' or '.join(spec.types)}")
    if spec.tool is not None and fdef.tool != spec.tool:
        return f"“{fdef.id}” must be a connection to {spec.tool} to feed {name}"
    if spec.options is not None and fdef.type == "choice":
        unknown = sorted({o.value for o in fdef.options} - spec.options)
        if unknown:
            return (f"“{fdef.id}” offers {', '.join(unknown)}, which the plan input {name} does "
                    f"not understand (it takes {', '.join(sorted(spec.options))})")
    return None


def binding_problems(definition: TemplateDefinition) -> dict[str, str]:
    """Plan input → what is wrong with its binding; empty when the plan has all it needs."""
    problems: dict[str, str] = {}
    for name in definition.inputs:
        if name not in PLAN_INPUTS:
            problems[name] = (f"inputs names {name}, which is not a plan input (known: "
                              f"{', '.join(sorted(PLAN_INPUTS))})")
    for name, spec in PLAN_INPUTS.items():
        fdef = bound_field(definition, name)
        if fdef is None:
            if _needed(definition, spec):
                problems[name] = (f"the plan needs {name} ({' or '.join(spec.types)}); add a "
                                  f"field with id {name}, or bind one under inputs")
            continue
        problem = _type_problem(name, spec, fdef)
        if problem is None and _needed(definition, spec) and not (
                fdef.required or fdef.default is not None):
            problem = (f"“{fdef.id}” feeds {name}, which the plan needs: make it required or "
                       "give it a default")
        if problem is not None:
            problems[name] = problem
    return problems


def describe(problems: dict[str, str]) -> str:
    return "This template does not give the plan what it needs: " + "; ".join(
        problems.values()) + "."


def bind_answers(definition: TemplateDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with every bound plan input under its own name, as the plan reads them."""
    bound = dict(answers)
    for name, field_id in definition.inputs.items():
        if field_id in answers:
            bound[name] = answers[field_id]
    return bound


__all__ = ["PLAN_INPUTS", "PlanInput", "bind_answers", "binding_problems", "bound_field",
           "describe"]
