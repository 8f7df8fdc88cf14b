"""The slice of JQL the sandbox understands, with Jira's error wording for what it rejects.

Supported: ``project``, ``status``, ``statusCategory`` and ``sprint`` (ids, names or
``openSprints()``/``closedSprints()``/``futureSprints()``) with ``=``, ``!=``, ``in``, ``not in``,
``is [not] EMPTY``; ``key`` with the first four; ``duedate``/``due`` with all of those and ``<``,
``<=``, ``>``, ``>=``; ``updated`` (a date-time) with the ordered four (values in
:mod:`jira_jql_values`). Clauses are joined by ``AND``/``OR`` (AND
binds tighter; no parentheses), then an optional ``ORDER BY created|key [ASC|DESC]``. As in Jira,
``!=`` and ``not in`` never match an empty field, and a query with no clause is refused.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from projecthub.sandbox.jira_jql_values import JqlError, Operand, day, instant, unknown_function
from projecthub.sandbox.jira_state import (
    CATEGORY_IDS,
    CATEGORY_NAMES,
    STATUSES,
    Issue,
    JiraState,
    Project,
    User,
)

_TOKEN = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'"""
                    r"""|(!=|<=|>=|=|<|>|\(|\)|,)|([^\s=!<>(),"']+))""")
_SPRINT_FUNCTIONS = {"opensprints": {"active", "future"}, "closedsprints": {"closed"},
                     "futuresprints": {"future"}}
UNBOUNDED = ("Unbounded JQL queries are not allowed here. Please add a search restriction to "
             "your query.")
EQUALITY = frozenset({"=", "!=", "in", "not in"})
EMPTINESS = frozenset({"is", "is not"})
ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
NEGATIVE = frozenset({"!=", "not in", "is not"})
VALID_OPERATORS = ("The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', "
                   "'NOT IN', 'IS' and 'IS NOT'.")


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool
    at: int

    def is_(self, symbol: str) -> bool:
        return not self.quoted and self.text.lower() == symbol


@dataclass(frozen=True)
class Searcher:
    """Who runs the query: Jira reads date functions in the searcher's time zone."""

    state: JiraState
    now: datetime

    @classmethod
    def of(cls, state: JiraState, user: User) -> Searcher:
        return cls(state, state.now().astimezone(ZoneInfo(user.time_zone)))


@dataclass(frozen=True)
class Clause:
    test: Callable[[Project, Issue], bool]


@dataclass(frozen=True)
class Query:
    any_of: list[list[Clause]]
    order: list[tuple[str, bool]]

    def run(self, state: JiraState) -> list[tuple[Project, Issue]]:
        hits = [(p, i) for p in state.projects.values() for i in p.issues
                if any(all(c.test(p, i) for c in group) for group in self.any_of)]
        for name, descending in reversed(self.order):
            hits.sort(key=_created if name == "created" else _issue_key, reverse=descending)
        return hits


@dataclass(frozen=True)
class _Field:
    """A searchable field: its operators, its value on an issue (``None`` when empty) and the
    set of values one operand stands for."""

    operators: frozenset[str]
    value: Callable[[Project, Issue], Hashable | None]
    resolve: Callable[[Operand, str, Searcher], set[Any]]


def _created(hit: tuple[Project, Issue]) -> tuple[datetime, int]:
    return hit[1].created, hit[1].id


def _issue_key(hit: tuple[Project, Issue]) -> tuple[str, int]:
    return hit[0].key, int(hit[1].key.rsplit("-", 1)[1])


def parse(jql: str, searcher: Searcher) -> Query:
    tokens = _tokenize(jql)
    order: list[tuple[str, bool]] = []
    cut = next((n for n in range(len(tokens) - 1)
                if tokens[n].is_("order") and tokens[n + 1].is_("by")), None)
    if cut is not None:
        order = _order(tokens[cut + 2:])
        tokens = tokens[:cut]
    if not tokens:
        raise JqlError(UNBOUNDED)
    groups: list[list[Clause]] = [[]]
    pos = 0
    while pos < len(tokens):
        clause, pos = _clause(tokens, pos, searcher)
        groups[-1].append(clause)
        if pos < len(tokens):
            if tokens[pos].is_("or"):
                groups.append([])
            elif not tokens[pos].is_("and"):
                raise JqlError(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got "
                               f"'{tokens[pos].text}'.")
            pos += 1
            if pos == len(tokens):
                raise JqlError("Error in the JQL Query: Expecting a field name at the end.")
    return Query(groups, order)


def _tokenize(jql: str) -> list[_Token]:
    tokens, pos, text = [], 0, jql.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise JqlError(f"Error in the JQL Query: unexpected character at {pos + 1}.")
        dq, sq, op, word = match.groups()
        start = match.start() + len(match[0]) - len(match[0].lstrip())
        tokens.append(_Token(next(v for v in (dq, sq, op, word) if v is not None),
                             dq is not None or sq is not None, start))
        pos = match.end()
    return tokens


def _order(tokens: list[_Token]) -> list[tuple[str, bool]]:
    order: list[tuple[str, bool]] = []
    for part in " ".join(t.text for t in tokens).split(","):
        bits = part.split()
        if not bits or bits[0].lower() not in ("created", "key") or len(bits) > 2:
            raise JqlError(f"Not able to sort using field '{part.strip()}'.")
        order.append((bits[0].lower(), len(bits) == 2 and bits[1].lower() == "desc"))
    return order


def _clause(tokens: list[_Token], pos: int, searcher: Searcher) -> tuple[Clause, int]:
    shown = tokens[pos].text
    op, pos = _operator(tokens, pos + 1)
    operands, pos = _operands(tokens, pos, listed=op in ("in", "not in"))
    field = _FIELDS.get(shown.lower())
    if field is None:
        raise JqlError(f"Field '{shown}' does not exist or you do not have permission to view it.")
    return Clause(_test(field, shown, op, operands, searcher)), pos


def _operator(tokens: list[_Token], pos: int) -> tuple[str, int]:
    if pos >= len(tokens):
        raise JqlError("Error in the JQL Query: Expecting operator before the end of the query. "
                       + VALID_OPERATORS)
    ahead = tokens[pos:pos + 2]
    pair = " ".join(t.text.lower() for t in ahead if not t.quoted)
    if pair in ("not in", "is not"):
        return pair, pos + 2
    if any(ahead[0].is_(o) for o in (*EQUALITY, *EMPTINESS, *ORDERED)):
        return ahead[0].text.lower(), pos + 1
    raise JqlError(f"Error in the JQL Query: Expecting operator but got '{ahead[0].text}'. "
                   f"{VALID_OPERATORS} (line 1, character {ahead[0].at + 1})")


def _operands(tokens: list[_Token], pos: int, listed: bool) -> tuple[list[Operand], int]:
    if pos >= len(tokens):
        raise JqlError("Error in the JQL Query: Expecting a value at the end of the query.")
    first = tokens[pos]
    if pos + 1 < len(tokens) and not first.quoted and tokens[pos + 1].is_("("):
        args, end = _list(tokens, pos + 1)
        return [Operand(first.text, function=True, args=tuple(a.text for a in args))], end
    if not listed:
        return [Operand(first.text, quoted=first.quoted)], pos + 1
    if not first.is_("("):
        raise JqlError("Error in the JQL Query: Expecting '(' after 'in'.")
    items, end = _list(tokens, pos)
    return [Operand(t.text, quoted=t.quoted) for t in items], end


def _list(tokens: list[_Token], pos: int) -> tuple[list[_Token], int]:
    """The tokens between the ``(`` at ``pos`` and its ``)``, commas dropped."""
    items, pos = [], pos + 1
    while pos < len(tokens) and not tokens[pos].is_(")"):
        if not tokens[pos].is_(","):
            items.append(tokens[pos])
        pos += 1
    if pos >= len(tokens):
        raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
    return items, pos + 1


def _test(field: _Field, shown: str, op: str, operands: list[Operand],
          searcher: Searcher) -> Callable[[Project, Issue], bool]:
    if op not in field.operators:
        raise JqlError(f"The operator '{op}' is not supported by the '{shown}' field.")
    empty = any(o.empty for o in operands)
    if empty and not field.operators & EMPTINESS:
        raise JqlError(f"The field '{shown}' does not support searching for EMPTY values.")
    if op in EMPTINESS and not empty:
        raise JqlError(f"The operator '{op}' only supports searching for EMPTY values on the "
                       f"field '{shown}'.")
    if empty and op in ORDERED:
        raise JqlError(f"The operator '{op}' does not support searching for EMPTY values on the "
                       f"field '{shown}'.")
    wanted = {v for o in operands if not o.empty for v in field.resolve(o, shown, searcher)}
    if op in ORDERED:
        compare, (bound,) = ORDERED[op], wanted
        return lambda p, i: (v := field.value(p, i)) is not None and compare(v, bound)
    if op in NEGATIVE:
        return lambda p, i: (v := field.value(p, i)) is not None and v not in wanted
    return lambda p, i: (v := field.value(p, i)) in wanted or (v is None and empty)


def _unknown(value: str, shown: str) -> JqlError:
    return JqlError(f"The value '{value}' does not exist for the field '{shown}'.")


def _literal(operand: Operand) -> str:
    if operand.function:
        raise unknown_function(operand)
    return operand.text


def _projects(operand: Operand, shown: str, searcher: Searcher) -> set[Any]:
    value, state = _literal(operand), searcher.state
    project = state.project(value) or next(
        (p for p in state.projects.values() if p.name.lower() == value.lower()), None)
    if project is None:
        raise _unknown(value, shown)
    return {project.key}


def _categories(operand: Operand, shown: str, _searcher: Searcher) -> set[Any]:
    by_any = {**{k: k for k in CATEGORY_NAMES},
              **{v.lower(): k for k, v in CATEGORY_NAMES.items()},
              **{str(v): k for k, v in CATEGORY_IDS.items()}}
    value = _literal(operand)
    if value.lower() not in by_any:
        raise _unknown(value, shown)
    return {by_any[value.lower()]}


def _statuses(operand: Operand, shown: str, _searcher: Searcher) -> set[Any]:
    names = {s.lower(): s for s in STATUSES}
    value = _literal(operand)
    if value.lower() not in names:
        raise _unknown(value, shown)
    return {names[value.lower()]}


def _keys(operand: Operand, _shown: str, _searcher: Searcher) -> set[Any]:
    return {_literal(operand).upper()}


def _sprints(operand: Operand, shown: str, searcher: Searcher) -> set[Any]:
    sprints = searcher.state.sprints.values()
    if operand.function:
        states = _SPRINT_FUNCTIONS.get(operand.text.lower())
        if states is None or operand.args:
            raise unknown_function(operand)
        return {s.id for s in sprints if s.state in states}
    ids = {s.id for s in sprints if str(s.id) == operand.text
           or s.name.lower() == operand.text.lower()}
    if not ids:
        raise _unknown(operand.text, shown)
    return ids


def _days(operand: Operand, shown: str, searcher: Searcher) -> set[Any]:
    return {day(operand, shown, searcher.now)}


def _instants(operand: Operand, shown: str, searcher: Searcher) -> set[Any]:
    return {instant(operand, shown, searcher.now)}


_PROJECT = _Field(EQUALITY | EMPTINESS, lambda p, _i: p.key, _projects)
_KEY = _Field(EQUALITY, lambda _p, i: i.key, _keys)
_DUE = _Field(EQUALITY | EMPTINESS | frozenset(ORDERED), lambda _p, i: i.due, _days)
_FIELDS = {
    "project": _PROJECT,
    "status": _Field(EQUALITY | EMPTINESS, lambda _p, i: i.status, _statuses),
    "statuscategory": _Field(EQUALITY | EMPTINESS, lambda _p, i: i.category, _categories),
    "key": _KEY, "issuekey": _KEY,
    "sprint": _Field(EQUALITY | EMPTINESS, lambda _p, i: i.sprint_id, _sprints),
    "duedate": _DUE, "due": _DUE,
    "updated": _Field(frozenset(ORDERED), lambda _p, i: i.updated, _instants),
}
