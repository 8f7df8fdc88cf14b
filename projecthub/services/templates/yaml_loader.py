"""The YAML reader for templates: PyYAML's safe loader (libyaml's C parser) without anchors,
aliases or merge keys, and with a nesting cap. An alias is a pointer, so ten nested levels of ten
aliases are a 500-byte source that expands to 10^10 values once the definition is stored;
refusing the feature (rather than counting expansions) keeps every value written out once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.error import Mark

from projecthub.services.templates.limits import MAX_DEPTH

TOO_DEEP = "is nested too deeply"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class TemplateLoader(yaml.CSafeLoader):
    """The C loader (about ten times faster than the pure-Python one on a large source)."""


def _as_text(loader: TemplateLoader, node: yaml.ScalarNode) -> str:
    """A date such as 2026-01-31 stays text: answers are JSON, which has no date type."""
    return str(loader.construct_scalar(node))


def _as_int(loader: TemplateLoader, node: yaml.ScalarNode) -> int:
    """Python refuses to read an integer of more than 4,300 digits; say where it is."""
    try:
        return loader.construct_yaml_int(node)
    except ValueError as exc:
        raise ConstructorError(None, None, "this number is too long", node.start_mark) from exc


TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
TemplateLoader.add_constructor("tag:yaml.org,2002:int", _as_int)


def _refused(mark: object, problem: str) -> ComposerError:
    return ComposerError(None, None, problem, cast(Mark, mark))


def _events(source: str) -> Iterator[yaml.Event]:
    try:
        yield from yaml.parse(source, Loader=TemplateLoader)
    except yaml.MarkedYAMLError as exc:  # libyaml's scanner looks ahead and has its own cap
        if "nesting depth" in str(exc.problem):
            raise _refused(exc.problem_mark, TOO_DEEP) from exc
        raise


def _check_events(source: str) -> None:
    """Refuse anchors, aliases, merge keys and deep nesting from the parser's events, before
    anything is composed, so no alias is ever followed."""
    # Per open collection: -1 for a sequence, else how many keys and values a mapping has had.
    open_: list[int] = []
    for event in _events(source):
        if isinstance(event, yaml.AliasEvent):
            raise _refused(event.start_mark, "YAML aliases (*name) are not allowed in "
                                             "templates; write the value out")
        if not isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            if isinstance(event, yaml.CollectionEndEvent):
                open_.pop()
            continue
        if event.anchor is not None:
            raise _refused(event.start_mark, "YAML anchors (&name) are not allowed in "
                                             "templates; write the value out")
        is_key = bool(open_) and open_[-1] >= 0 and open_[-1] % 2 == 0
        if is_key and isinstance(event, yaml.ScalarEvent) and (
                event.tag == _MERGE_TAG or (event.value == "<<" and event.implicit[0])):
            raise _refused(event.start_mark, "YAML merge keys (<<) are not allowed in "
                                             "templates; write the keys out")
        if open_ and open_[-1] >= 0:
            open_[-1] += 1
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_) >= MAX_DEPTH:
                raise _refused(event.start_mark, TOO_DEEP)
            open_.append(0 if isinstance(event, yaml.MappingStartEvent) else -1)


def load_template_yaml(source: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data it holds."""
    _check_events(source)
    loader = TemplateLoader(source)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()
