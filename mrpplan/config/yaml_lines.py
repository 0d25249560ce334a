"""Load YAML keeping the line of every node, so validation messages can name file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mrpplan.config.text_file import TextFileError, read_text

Path_ = tuple[str | int, ...]
# libyaml's parser where PyYAML was built with it: the same nodes and marks, ten times faster
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(TextFileError):
    """The file is not YAML; carries the line so messages can say file:line."""


def load_with_lines(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Return (data, {json path: 1-based line}) for a YAML file."""
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(path, line, f"malformed YAML: {problem}") from exc
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines
    scalars = yaml.SafeLoader("")
    try:
        return _build(node, (), lines, path, scalars), lines
    finally:
        scalars.dispose()


def _build(
    node: yaml.Node, at: Path_, lines: dict[Path_, int], path: Path, scalars: yaml.SafeLoader
) -> Any:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in result:  # PyYAML keeps the last silently; a typo'd override is a bug
                first = lines.get((*at, key))
                raise YamlSyntaxError(
                    path,
                    key_node.start_mark.line + 1,
                    f"duplicate key {key!r} (first at line {first})",
                )
            result[key] = _build(value_node, (*at, key), lines, path, scalars)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*at, i), lines, path, scalars) for i, item in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)  # type: ignore[no-untyped-call]


def line_of(lines: dict[Path_, int], at: Path_) -> int | None:
    """The line of the closest existing ancestor of `at`."""
    at = tuple(at)
    while at not in lines and at:
        at = at[:-1]
    return lines.get(at)
