"""What a JQL operand stands for: a literal, ``EMPTY``, a function call, or a due date.

Due dates are calendar days (Jira's ``LocalDate``). Following Jira's ``JqlLocalDateSupport``, a
function (``now()``, ``startOfDay()``) or a period (``-5d``, ``"4w 2d"``) is an instant that
becomes a day in the searcher's time zone, so ``duedate < now()`` and ``duedate <
startOfDay()`` both mean "due before today". Literals are ``yyyy-MM-dd`` or ``yyyy/MM/dd``.
Other date functions, and function arguments, are refused as functions Jira cannot find.

Date-times (``updated``) are instants: a period counts from now, ``now()`` is now,
``startOfDay()`` today's midnight, and literals (``yyyy-MM-dd``, ``yyyy/MM/dd``, either with
`` HH:mm``) are read in the searcher's time zone, as Jira reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_DAY_FUNCTIONS = frozenset({"now", "startofday"})
_LITERALS = (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"))
_CLOCK = re.compile(r"(.+?)\s+(\d{1,2}):(\d{2})")
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
    if (moment := _period(text, now)) is not None:
        return moment.date()
    if (literal := _literal_day(text)) is not None:
        return literal
    raise _invalid(operand, shown)


def instant(operand: Operand, shown: str, now: datetime) -> datetime:
    """The instant ``operand`` names for a date-time field, ``now`` being the searcher's local
    time (its zone is the one literals are read in)."""
    if operand.function:
        if operand.text.lower() == "now" and not operand.args:
            return now
        if operand.text.lower() == "startofday" and not operand.args:
            return now.replace(hour=0, minute=0, second=0, microsecond=0)
        raise unknown_function(operand)
    text = operand.text.strip()
    if (moment := _period(text, now)) is not None:
        return moment
    clock = _CLOCK.fullmatch(text)
    literal = _literal_day(clock[1] if clock else text)
    if literal is None:
        raise _invalid(operand, shown, clock=True)
    hour, minute = (int(clock[2]), int(clock[3])) if clock else (0, 0)
    if hour > 23 or minute > 59:
        raise _invalid(operand, shown, clock=True)
    return datetime(literal.year, literal.month, literal.day, hour, minute, tzinfo=now.tzinfo)


def _period(text: str, now: datetime) -> datetime | None:
    if not (period := _PERIOD.fullmatch(text)):
        return None
    minutes = sum(int(n) * _MINUTES[unit] for n, unit in _PERIOD_PART.findall(period[2]))
    return now + timedelta(minutes=-minutes if period[1] == "-" else minutes)


def _literal_day(text: str) -> date | None:
    for pattern in _LITERALS:
        if literal := pattern.fullmatch(text):
            try:
                return date(*(int(part) for part in literal.groups()))
            except ValueError:
                return None
    return None


def _invalid(operand: Operand, shown: str, *, clock: bool = False) -> JqlError:
    formats = "'YYYY/MM/DD HH:mm', 'YYYY-MM-DD HH:mm', 'YYYY/MM/DD'" if clock else "'YYYY/MM/DD'"
    return JqlError(f"Date value '{operand.text}' for field '{shown}' is invalid. Valid formats "
                    f"include: {formats}, 'YYYY-MM-DD', or a period format e.g. '-5d', '4w 2d'.")
