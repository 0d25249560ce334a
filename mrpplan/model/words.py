"""Split one line of the server's SHOW CREATE TABLE output into top-level words.

The server prints each column, key and constraint on its own line in a fixed form, so
a word scanner that respects quotes, backticks and parentheses is enough to find the
parts (type, DEFAULT, COMMENT, ...) while keeping their exact text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator


class LineSyntaxError(ValueError):
    """The line is not in the form the server prints."""


def split_words(line: str) -> list[str]:
    """'`a` varchar(10) DEFAULT 'x y'' -> ['`a`', 'varchar(10)', 'DEFAULT', "'x y'"]."""
    words: list[str] = []
    last = 0
    depth = 0
    for i, ch, depth in _scan(line, " "):
        if depth < 0:
            raise LineSyntaxError(f"unbalanced parenthesis in: {line}")
        if ch == " " and depth == 0:
            if i > last:
                words.append(line[last:i])
            last = i + 1
    if depth != 0:
        raise LineSyntaxError(f"unbalanced parenthesis in: {line}")
    if last < len(line):
        words.append(line[last:])
    return words


def _skip_quoted(text: str, i: int) -> int:
    """The index after the quoted part opening at `i` (doubled quotes, and backslash
    escapes outside backticks, stay inside it)."""
    match = _QUOTED[text[i]].match(text, i)
    if match is None:
        raise LineSyntaxError(f"unterminated quote in: {text}")
    return match.end()


# possessive: a doubled quote is always read as one quote inside, never given back
_QUOTED = {
    "'": re.compile(r"'(?:[^'\\]|\\.|'')*+'", re.S),
    '"': re.compile(r'"(?:[^"\\]|\\.|"")*+"', re.S),
    "`": re.compile(r"`(?:[^`]|``)*+`"),
}


def unquote_ident(word: str) -> str:
    if len(word) >= 2 and word[0] == "`" and word[-1] == "`":
        return word[1:-1].replace("``", "`")
    raise LineSyntaxError(f"expected a `quoted` name, got {word!r}")


def ident_list(group: str) -> list[str]:
    """'(`a`,`b`)' -> ['a', 'b'] (names only, no prefix lengths)."""
    inner = group.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        raise LineSyntaxError(f"expected a (column list), got {group!r}")
    return [unquote_ident(part.strip()) for part in split_top(inner[1:-1], ",")]


def _scan(text: str, sep: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, parenthesis depth after it) for each parenthesis and `sep`
    outside quotes, and each quote opening a quoted part (which is then skipped)."""
    pattern = _stops(sep)
    depth = 0
    match = pattern.search(text)
    while match is not None:
        i = match.start()
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        match = pattern.search(text, _skip_quoted(text, i) if ch in "'`\"" else i + 1)


@functools.cache
def _stops(sep: str) -> re.Pattern[str]:
    """The characters `_scan` stops at: the others are passed over by the regex."""
    return re.compile(f"[()'`\"{re.escape(sep)}]")


def split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside quotes and parentheses."""
    parts: list[str] = []
    last = 0
    for i, ch, depth in _scan(text, sep):
        if ch == sep and depth == 0:
            parts.append(text[last:i])
            last = i + 1
    parts.append(text[last:])
    return parts


def unquote_string(word: str) -> str:
    """ "'it''s'" -> "it's" (the server doubles quotes and backslash-escapes)."""
    if not (len(word) >= 2 and word[0] == "'" and word[-1] == "'"):
        raise LineSyntaxError(f"expected a 'string', got {word!r}")
    body = word[1:-1]
    out: list[str] = []
    i = 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "Z": "\x1a", "b": "\b"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        elif ch == "'" and i + 1 < len(body) and body[i + 1] == "'":
            out.append("'")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)
