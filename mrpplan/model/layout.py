"""The line layout of the server's SHOW CREATE TABLE text (the only module that knows it).

    CREATE TABLE `t` (
      <element>,            one column, key, constraint or period per line, indented by two
      <element>
    ) <options>             on the closing line
     PARTITION BY ...       optional: everything after the options line is the partition tail

Everything else works on `CreateText` parts: the verbatim text is kept for CREATE, the
canonical text (for equality and fingerprints) is built here from the same parts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_AUTO_INCREMENT = re.compile(r" AUTO_INCREMENT=\d+(?=( |$))")
_KEY_RANK = (
    ("PRIMARY KEY ", 0),
    ("UNIQUE KEY ", 1),
    ("KEY ", 2),
    ("FULLTEXT KEY ", 3),
    ("SPATIAL KEY ", 4),
)


class LayoutError(ValueError):
    """The text is not in the server's SHOW CREATE TABLE form."""


@dataclass(frozen=True)
class CreateText:
    """`elements` are the body lines without indent and trailing comma; `options` is the
    closing line after ") "; `tail` is the partition clause (lines after the options,
    joined with newlines, each keeping its own leading space) or ""."""

    head: str
    elements: tuple[str, ...]
    options: str
    tail: str = ""

    def render(self) -> str:
        return join_create(self.head, self.elements, self.options, self.tail)


def split_create(text: str) -> CreateText:
    lines = text.split("\n")
    if not (lines[0].startswith("CREATE TABLE `") and lines[0].endswith("` (")):
        raise LayoutError("not a CREATE TABLE statement in the server's form")
    close = next((i for i, line in enumerate(lines) if line.startswith(")")), None)
    if close is None:
        raise LayoutError("no closing line")
    body = lines[1:close]
    for i, line in enumerate(body):
        want_comma = i < len(body) - 1
        if not line.startswith("  ") or line.endswith(",") != want_comma:
            raise LayoutError(f"a line is not in the server's form: {line.strip()}")
    closing = lines[close]
    options = closing[2:] if closing.startswith(") ") else closing[1:]
    return CreateText(
        lines[0],
        tuple(line[2:].removesuffix(",") for line in body),
        options,
        "\n".join(lines[close + 1 :]),
    )


def join_create(head: str, elements: Sequence[str], options: str, tail: str = "") -> str:
    closing = ") " + options if options else ")"
    text = "\n".join([head, ",\n".join("  " + e for e in elements), closing])
    return text + ("\n" + tail if tail else "")


def table_head(name: str) -> str:
    return "CREATE TABLE `" + name.replace("`", "``") + "` ("


def strip_auto_increment(create_table: str) -> str:
    """Drop the `AUTO_INCREMENT=N` table option: it is a counter (data), not schema.

    Only the options line is touched; a column named AUTO_INCREMENT or a comment
    mentioning it stays as it is.
    """
    if " AUTO_INCREMENT=" not in create_table:
        return create_table
    try:
        parts = split_create(create_table)
    except LayoutError:
        return create_table
    options = _AUTO_INCREMENT.sub("", " " + parts.options).removeprefix(" ")
    if options == parts.options:
        return create_table
    return join_create(parts.head, parts.elements, options, parts.tail)


def without_elements(text: str, drop: Iterable[str]) -> str:
    """The statement without the given element lines (foreign keys added later)."""
    parts = split_create(text)
    skip = set(drop)
    kept = [e for e in parts.elements if e not in skip]
    return join_create(parts.head, kept, parts.options, parts.tail)


def element_kind(element: str) -> str:
    """column | key | foreign_key | check | period | other."""
    if element.startswith("`"):
        return "column"
    if _key_rank(element) is not None:
        return "key"
    if element.startswith("CONSTRAINT "):
        return "foreign_key" if " FOREIGN KEY (" in element else "check"
    if element.startswith("PERIOD FOR "):
        return "period"
    return "other"


_SYSTEM_TIME_STARTS = re.compile(
    r"^( PARTITION BY SYSTEM_TIME INTERVAL [^\n]*?) STARTS [^\n]*", re.MULTILINE
)


def canonical_text(text: str, clustered: Sequence[str] = ()) -> str:
    """What equality and fingerprints compare: keys, foreign keys and checks by name
    (the server prints them in creation order), columns in order, plus the ordered
    clustered-index candidates of a table without a primary key (their order decides
    which key InnoDB clusters the rows by)."""
    try:
        parts = split_create(text)
    except LayoutError:
        return text
    groups: dict[str, list[str]] = {}
    for element in parts.elements:
        groups.setdefault(element_kind(element), []).append(element)
    ordered = (
        groups.get("column", [])
        + sorted(groups.get("key", []), key=_key_sort)
        + sorted(groups.get("foreign_key", []))
        + sorted(groups.get("check", []))
        + groups.get("period", [])
        + groups.get("other", [])
    )
    # a SYSTEM_TIME INTERVAL's STARTS defaults to the creation day (see Partitioning)
    tail = _SYSTEM_TIME_STARTS.sub(r"\1", parts.tail)
    out = join_create(parts.head, ordered, parts.options, tail)
    if clustered:
        out += "\n/* clustered index candidates: " + ", ".join(clustered) + " */"
    return out


def _key_rank(line: str) -> int | None:
    for start, rank in _KEY_RANK:
        if line.startswith(start):
            return rank
    return None


def _key_sort(line: str) -> tuple[int, str]:
    return (_key_rank(line) or 0, line)


def clustered_candidates(text: str) -> tuple[str, ...]:
    """Names of the keys InnoDB may cluster a table without a primary key by, in the
    server's order: UNIQUE keys (not `USING HASH`) whose columns are all NOT NULL. The
    first one is the clustered index (Skeema's ClusteredIndexKey)."""
    from mrpplan.model.words import LineSyntaxError, split_top, split_words, unquote_ident

    if "\n  PRIMARY KEY (" in text:
        return ()
    try:
        parts = split_create(text)
        not_null: set[str] = set()
        candidates: list[str] = []
        for element in parts.elements:
            if element.startswith("PRIMARY KEY "):
                return ()
            words = split_words(element)
            if element.startswith("`"):
                if ("NOT", "NULL") in itertools.pairwise(words):
                    not_null.add(unquote_ident(words[0]))
            elif (
                words[:2] == ["UNIQUE", "KEY"]
                and len(words) > 3
                and words[-2:]
                != [
                    "USING",
                    "HASH",
                ]
            ):
                cols = [p.strip().split("(")[0] for p in split_top(words[3][1:-1], ",")]
                if all(unquote_ident(c.split(" ")[0]) in not_null for c in cols):
                    candidates.append(unquote_ident(words[2]))
    except (LayoutError, LineSyntaxError):
        return ()
    return tuple(candidates)


def split_partition_tail(tail: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(' PARTITION BY ...' header lines, partition definitions without the list's
    parentheses and commas). The server prints one partition per line:
    `(PARTITION `p0` ... ,` then ` PARTITION `p1` ...)`; a partition with listed
    subpartitions continues on the lines that follow (`\n (SUBPARTITION ...,\n  ...)`)."""
    from mrpplan.model.words import split_top

    lines = tail.split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("(PARTITION ")), None)
    if first is None:
        return tuple(lines), ()
    body = "\n".join(lines[first:])
    if not body.endswith(")"):
        raise LayoutError("partition list not closed")
    out: list[str] = []
    for i, part in enumerate(split_top(body[1:-1], ",")):
        definition = part if i == 0 else part.removeprefix("\n ")
        if (i > 0 and definition == part) or not definition.startswith("PARTITION "):
            raise LayoutError(f"partition line not in the server's form: {part.strip()}")
        out.append(definition)
    return tuple(lines[:first]), tuple(out)


def join_partition_tail(header: Sequence[str], partitions: Sequence[str]) -> str:
    lines = list(header)
    if partitions:
        body = ",\n ".join(partitions)
        lines.append("(" + body + ")")
    return "\n".join(lines)
