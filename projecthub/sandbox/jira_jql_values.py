"""What a JQL operand stands for: a literal, ``EMPTY``, a function call, or a due date.

Due dates are calendar days (Jira's ``LocalDate``). Following Jira's ``JqlLocalDateSupport``, a
function (``now()``, ``startOfDay()``) or a period (``-5d``, ``"4w 2d"``) is an instant that
becomes a day in the searcher's time zone, so ``duedate < now()`` and ``duedate <
startOfDay()`` both mean "due before today". Literals are ``yyyy-MM-dd`` or ``yyyy/MM/dd``.
Other date functions, and function arguments, are refused as functions Jira cannot find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_DAY_FUNCTIONS = frozenset({"now", "startofday"})
_LITERALS = (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"))
_PERIOD = re.compile(r"([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)")
_PERIOD_PART = re.compile(r"(\d+)\s*([wdhm])")
_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}


class JqlError(Exception):
    """A query Jira would refuse with 400; the message is what Jira's ``errorMessages`` says."""


@dataclass(frozen=True)
class Operand:
    """One value on the right of an operator; ``function`` marks a call such as ``now()``."""

    text: str
    quoted: bool = False
    function: bool = False
    args: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.quoted or self.function) and self.text.lower() in ("empty", "null")

    def __str__(self) -> str:
        return f"{self.text}({', '.join(self.args)})" if self.function else self.text


def unknown_function(operand: Operand) -> JqlError:
    return JqlError(f"Unable to find JQL function '{operand}'.")


def day(operand: Operand, shown: str, now: datetime) -> date:
    """The calendar day ``operand`` names, ``now`` being the searcher's local time."""
    if operand.function:
        if operand.text.lower() in _DAY_FUNCTIONS and not operand.args:
            return now.date()
        raise unknown_function(operand)
    text = operand.text.strip()
    if period := _PERIOD.fullmatch(text):
        minutes = sum(int(n) * _MINUTES[unit] for n, unit in _PERIOD_PART.findall(period[2]))
        return (now + timedelta(minutes=-minutes if period[1] == "-" else minutes)).date()
    for pattern in _LITERALS:
        if literal := pattern.fullmatch(text):
            try:
                return date(*(int(part) for part in literal.groups()))
            except ValueError:
                break
    raise JqlError(f"Date value '{operand.text}' for field '{shown}' is invalid. Valid formats "
                   "include: 'YYYY/MM/DD', 'YYYY-MM-DD', or a period format e.g. '-5d', '4w 2d'.")
