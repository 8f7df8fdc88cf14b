"""``rx.event`` and ``rx.icon`` (as ``lucide_icon``) under the types Reflex declares for them.
At runtime both are Reflex's own objects; only what mypy sees differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, TypeVarTuple, overload

import reflex as rx
from reflex.event import EventCallback
from reflex_components_lucide.icon import Icon

__all__ = ["event", "lucide_icon"]

S = TypeVar("S", bound=rx.State)
P = TypeVarTuple("P")

# The lucide package binds ``icon`` to both a submodule and ``Icon.create``; mypy sees the module.
lucide_icon = Icon.create

if TYPE_CHECKING:
    # ``rx.event`` is a class whose ``__new__`` returns an ``EventCallback``, which mypy ignores
    # (it types every handler as ``EventNamespace``); these are that ``__new__``'s overloads.
    @overload
    def event(func: Callable[[S, *P], Any], /) -> EventCallback[*P]: ...

    @overload
    def event(*, background: bool) -> Callable[[Callable[[S, *P], Any]],
                                               EventCallback[*P]]: ...

    def event(func: Any = None, /, **options: Any) -> Any: ...
else:
    event = rx.event
