"""The YAML reader for templates: PyYAML's safe loader without anchors, aliases or merge keys,
and with a nesting cap. An alias is a pointer, so ten nested levels of ten aliases are a 500-byte
source that expands to 10^10 values once the definition is stored; refusing the feature (rather
than counting expansions) keeps every value in the source written out once, where it is read."""

from __future__ import annotations

from typing import Any, cast

import yaml
from yaml.composer import ComposerError
from yaml.error import Mark

from projecthub.services.templates.limits import MAX_DEPTH

TOO_DEEP = "is nested too deeply"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class TemplateLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        if isinstance(event, yaml.AliasEvent):
            raise _refused(event.start_mark, "YAML aliases (*name) are not allowed in "
                                             "templates; write the value out")
        if getattr(event, "anchor", None) is not None:
            raise _refused(event.start_mark, "YAML anchors (&name) are not allowed in "
                                             "templates; write the value out")
        if self._depth >= MAX_DEPTH:
            raise _refused(event.start_mark, TOO_DEEP)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        merge = next((key for key, _ in node.value if key.tag == _MERGE_TAG), None) if (
            isinstance(node, yaml.MappingNode)) else None
        if merge is not None:
            raise _refused(merge.start_mark, "YAML merge keys (<<) are not allowed in "
                                             "templates; write the keys out")
        return node


def _as_text(loader: TemplateLoader, node: yaml.ScalarNode) -> str:
    """A date such as 2026-01-31 stays text: answers are JSON, which has no date type."""
    return str(loader.construct_scalar(node))


TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)


def _refused(mark: object, problem: str) -> ComposerError:
    return ComposerError(None, None, problem, cast(Mark, mark))


def load_template_yaml(source: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data it holds, composed once."""
    loader = TemplateLoader(source)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()
