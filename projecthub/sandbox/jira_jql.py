"""The slice of JQL the sandbox understands, with Jira's error wording for what it rejects.

Supported: clauses ``field = v``, ``!=``, ``in (…)``, ``not in (…)`` on ``project``, ``status``,
``statusCategory``, ``sprint`` (ids or ``openSprints()``/``closedSprints()``/``futureSprints()``)
and ``key``, joined by ``AND``/``OR`` (AND binds tighter; no parentheses), then an optional
``ORDER BY created|key [ASC|DESC]``. Like ``/search/jql``, a query with no clause is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from projecthub.sandbox.jira_state import (
    CATEGORY_IDS,
    CATEGORY_NAMES,
    STATUSES,
    Issue,
    JiraState,
    Project,
)

_TOKEN = re.compile(
    r"""\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(!=|=|\(|\)|,)|([^\s=!(),"']+))""")
_SPRINT_FUNCTIONS = {"opensprints()": {"active", "future"}, "closedsprints()": {"closed"},
                     "futuresprints()": {"future"}}
UNBOUNDED = ("Unbounded JQL queries are not allowed here. Please add a search restriction to "
             "your query.")


class JqlError(Exception):
    """A query Jira would refuse with 400; the message is what Jira's ``errorMessages`` says."""


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool


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


def _created(hit: tuple[Project, Issue]) -> tuple[datetime, int]:
    return hit[1].created, hit[1].id


def _issue_key(hit: tuple[Project, Issue]) -> tuple[str, int]:
    return hit[0].key, int(hit[1].key.rsplit("-", 1)[1])


def parse(jql: str, state: JiraState) -> Query:
    tokens = _tokenize(jql)
    order: list[tuple[str, bool]] = []
    words = [t.text.lower() if not t.quoted else "" for t in tokens]
    cut = next((n for n in range(len(words) - 1) if words[n:n + 2] == ["order", "by"]), None)
    if cut is not None:
        order = _order(tokens[cut + 2:])
        tokens = tokens[:cut]
    if not tokens:
        raise JqlError(UNBOUNDED)
    groups: list[list[Clause]] = [[]]
    pos = 0
    while pos < len(tokens):
        clause, pos = _clause(tokens, pos, state)
        groups[-1].append(clause)
        if pos < len(tokens):
            joiner = tokens[pos].text.lower()
            if joiner == "or":
                groups.append([])
            elif joiner != "and":
                raise JqlError(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got "
                               f"'{tokens[pos].text}'.")
            pos += 1
            if pos == len(tokens):
                raise JqlError("Error in the JQL Query: Expecting a field name at the end.")
    return Query(groups, order)


def _tokenize(jql: str) -> list[_Token]:
    tokens, pos, text = [], 0, jql.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise JqlError(f"Error in the JQL Query: unexpected character at {pos + 1}.")
        dq, sq, op, word = match.groups()
        quoted = dq is not None or sq is not None
        tokens.append(_Token(next(v for v in (dq, sq, op, word) if v is not None), quoted))
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


def _clause(tokens: list[_Token], pos: int, state: JiraState) -> tuple[Clause, int]:
    field = tokens[pos].text
    pos += 1
    ops = [t.text.lower() for t in tokens[pos:pos + 2]]
    if ops[:2] == ["not", "in"]:
        negate, listed, pos = True, True, pos + 2
    elif ops[:1] == ["in"]:
        negate, listed, pos = False, True, pos + 1
    elif ops[:1] in (["="], ["!="]):
        negate, listed, pos = ops[0] == "!=", False, pos + 1
    else:
        raise JqlError(f"Error in the JQL Query: Expecting operator after '{field}'.")
    values, pos = _values(tokens, pos, listed)
    accepts = _field(field.lower(), field, values, state)
    return Clause(lambda p, i: accepts(p, i) != negate), pos


def _values(tokens: list[_Token], pos: int, listed: bool) -> tuple[list[str], int]:
    if pos >= len(tokens):
        raise JqlError("Error in the JQL Query: Expecting a value at the end of the query.")
    if [t.text for t in tokens[pos + 1:pos + 3]] == ["(", ")"] and not tokens[pos].quoted:
        return [tokens[pos].text + "()"], pos + 3
    if not listed:
        return [tokens[pos].text], pos + 1
    if tokens[pos].text != "(":
        raise JqlError("Error in the JQL Query: Expecting '(' after 'in'.")
    values, pos = [], pos + 1
    while pos < len(tokens) and tokens[pos].text != ")":
        if tokens[pos].text != ",":
            values.append(tokens[pos].text)
        pos += 1
    if pos >= len(tokens):
        raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
    return values, pos + 1


def _field(name: str, shown: str, values: list[str], state: JiraState) -> Callable[
        [Project, Issue], bool]:
    def unknown(value: str) -> JqlError:
        return JqlError(f"The value '{value}' does not exist for the field '{shown}'.")

    if name == "project":
        keys = set()
        for value in values:
            project = state.project(value) or next(
                (p for p in state.projects.values() if p.name.lower() == value.lower()), None)
            if project is None:
                raise unknown(value)
            keys.add(project.key)
        return lambda p, _i: p.key in keys
    if name == "statuscategory":
        by_any = {**{k: k for k in CATEGORY_NAMES},
                  **{v.lower(): k for k, v in CATEGORY_NAMES.items()},
                  **{str(v): k for k, v in CATEGORY_IDS.items()}}
        wanted = {by_any.get(v.lower()) or _raise(unknown(v)) for v in values}
        return lambda _p, i: i.category in wanted
    if name == "status":
        names = {s.lower(): s for s in STATUSES}
        statuses = {names.get(v.lower()) or _raise(unknown(v)) for v in values}
        return lambda _p, i: i.status in statuses
    if name in ("key", "issuekey"):
        issue_keys = {v.upper() for v in values}
        return lambda _p, i: i.key in issue_keys
    if name == "sprint":
        return _sprint_test(values, state, unknown)
    raise JqlError(f"Field '{shown}' does not exist or you do not have permission to view it.")


def _sprint_test(values: list[str], state: JiraState,
                 unknown: Callable[[str], JqlError]) -> Callable[[Project, Issue], bool]:
    ids: set[int] = set()
    for value in values:
        if value.lower() in _SPRINT_FUNCTIONS:
            states = _SPRINT_FUNCTIONS[value.lower()]
            ids |= {s.id for s in state.sprints.values() if s.state in states}
        elif value.isdigit() and int(value) in state.sprints:
            ids.add(int(value))
        else:
            raise unknown(value)
    return lambda _p, i: i.sprint_id in ids


def _raise(error: JqlError) -> str:
    raise error
