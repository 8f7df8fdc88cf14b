"""Template patterns run with RE2, whose matching time is linear in the answer's length: a
pattern such as ``(a+)+`` that makes Python's backtracking ``re`` run for hours (holding the
GIL, so the whole worker stops) is answered at once. RE2 has no backreferences or lookaround;
such patterns are refused when the template is saved."""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol, cast

import re2

_MAX_MEM = 1 << 20  # bytes for one compiled pattern; RE2 refuses a bigger program


class _Compiled(Protocol):
    def fullmatch(self, text: str) -> object | None: ...


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> _Compiled:
    options = re2.Options()
    options.log_errors = False  # the reason comes back in the exception instead of on stderr
    options.max_mem = _MAX_MEM
    return cast(_Compiled, re2.compile(pattern, options))


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 cannot use ``pattern``, or None when it can."""
    try:
        _compiled(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid pattern"
        return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    return None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether the whole of ``text`` matches (``re.fullmatch``'s meaning, RE2's syntax)."""
    return _compiled(pattern).fullmatch(text) is not None
