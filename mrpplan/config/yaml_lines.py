"""Load YAML keeping the line of every node, so validation messages can name file:line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mrpplan.config.text_file import TextFileError, read_text
from mrpplan.local_cache import read_json, write_json

if TYPE_CHECKING:  # PyYAML is imported by a file read for the first time (load_with_lines)
    import yaml

Path_ = tuple[str | int, ...]
_DOCUMENT_FORMAT = 1  # the documents cached (bump when what a document holds changes)


class YamlSyntaxError(TextFileError):
    """The file is not YAML; carries the line so messages can say file:line."""


def load_with_lines(path: Path, cache_dir: Path | None = None) -> tuple[Any, dict[Path_, int]]:
    """Return (data, {json path: 1-based line}) for a YAML file.

    With `cache_dir`: remembered by the sha256 of the file's text when the document is
    plain JSON (what YAML parsing gives for the same text never changes), so a command
    reading an environment file it read before does not load PyYAML, a tenth of the
    start-up of a no-change plan."""
    text = read_text(path)
    cache = None
    if cache_dir is not None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        cache = cache_dir / "yaml" / f"{digest}.json"
        stored = read_json(cache)
        if isinstance(stored, dict) and stored.get("format") == _DOCUMENT_FORMAT:
            return stored["document"], {tuple(at): int(line) for at, line in stored["lines"]}
    document, lines = _parse(text, path)
    if cache is not None and _plain_json(document):
        listed = [[list(at), line] for at, line in lines.items()]
        write_json(cache, {"format": _DOCUMENT_FORMAT, "document": document, "lines": listed})
    return document, lines


def _plain_json(document: Any) -> bool:
    """True when JSON gives back exactly this document (no dates, sets, non-string keys,
    NaN): only such a document is cached."""
    try:
        again = json.loads(json.dumps(document, allow_nan=False))
    except (TypeError, ValueError):
        return False
    return bool(again == document) and _same_types(again, document)


def _same_types(a: Any, b: Any) -> bool:
    """Equal is not enough: 1 == 1.0 == True in Python, not in a YAML setting."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    return True


def _parse(text: str, path: Path) -> tuple[Any, dict[Path_, int]]:
    import yaml

    # libyaml's parser where PyYAML was built with it: the same nodes and marks, 10x faster
    composer: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=composer)
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
    import yaml

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
