"""``rx.event``, ``rx.cond`` and ``rx.icon`` (as ``lucide_icon``) under the types Reflex declares,
and the Var types its stubs lose (foreach rows, dict fields, int arithmetic, string Vars).
At runtime these are Reflex's own objects (the helpers return their argument); only what mypy sees
differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, TypeVarTuple, cast, overload

import reflex as rx
from reflex.event import EventCallback
from reflex.vars import NumberVar, ObjectVar, StringVar, Var
from reflex_base.components.component import Component
from reflex_components_lucide.icon import Icon

__all__ = ["InputType", "RowVar", "cond", "event", "int_var", "lucide_icon", "str_dict", "text_var"]

S = TypeVar("S", bound=rx.State)
T = TypeVar("T")
U = TypeVar("U")
P = TypeVarTuple("P")

# The ``type`` values rx.input (a radix text field) declares.
InputType = Literal["button", "checkbox", "color", "date", "datetime-local", "email", "file",
                    "hidden", "image", "month", "number", "password", "radio", "range", "reset",
                    "search", "submit", "tel", "text", "time", "url", "week"]

# The lucide package binds ``icon`` to both a submodule and ``Icon.create``; mypy sees the module.
lucide_icon = Icon.create


def str_dict(field: object) -> ObjectVar[dict[str, str]]:
    """A ``dict[str, str]`` state field read on its class: the ObjectVar it is at runtime.
    Reflex's ``Field.__get__`` overloads match the dict to the list one (``ArrayVar[Never]``)."""
    return cast("ObjectVar[dict[str, str]]", field)


def int_var(number: NumberVar[Any]) -> Var[int]:
    """An int Var plus or minus an int, which it stays; Reflex's NumberVar arithmetic is typed
    as returning ``int | float | Decimal``."""
    return cast("Var[int]", number)


def text_var(var: object) -> StringVar[str]:
    """A Var that is a StringVar at runtime (a str row field, a dict value, a cond of strings)
    but that Reflex's stubs type as a bare ``Var``, which has no ``+``."""
    return cast("StringVar[str]", var)


if TYPE_CHECKING:
    # ``rx.event`` is a class whose ``__new__`` returns an ``EventCallback``, which mypy ignores
    # (it types every handler as ``EventNamespace``); these are that ``__new__``'s overloads.
    @overload
    def event(func: Callable[[S, *P], Any], /) -> EventCallback[*P]: ...

    @overload
    def event(*, background: bool) -> Callable[[Callable[[S, *P], Any]],
                                               EventCallback[*P]]: ...

    def event(func: Any = None, /, **options: Any) -> Any: ...

    # ``rx.cond``'s overloads for values are declared after a TypeVar, so mypy, which needs them
    # contiguous, sees only the component ones. The first matching overload wins, as in Reflex.
    @overload
    def cond(condition: Any, c1: Component, c2: Any, /) -> Component: ...

    @overload
    def cond(condition: Any, c1: Component, /) -> Component: ...

    @overload
    def cond(condition: Any, c1: Any, c2: Component, /) -> Component: ...

    @overload
    def cond(condition: Any, c1: Var[T], c2: Var[U], /) -> Var[T | U]: ...

    @overload
    def cond(condition: Any, c1: T, c2: Var[U], /) -> Var[T | U]: ...

    @overload
    def cond(condition: Any, c1: Var[T], c2: U, /) -> Var[T | U]: ...

    @overload
    def cond(condition: Any, c1: T, c2: U, /) -> Var[T | U]: ...

    def cond(condition: Any, c1: Any, c2: Any = None, /) -> Any: ...

    class RowVar(ObjectVar[T]):
        """The item ``rx.foreach`` hands a row function: an ObjectVar over the row dataclass.
        Reflex's stubs read its fields as a bare ``Var``; each is a Var of the field's type."""

        def __getattr__(self, name: str) -> Any: ...
else:
    event = rx.event
    cond = rx.cond
    RowVar = ObjectVar
