"""Split one line of the server's SHOW CREATE TABLE output into top-level words.

The server prints each column, key and constraint on its own line in a fixed form, so
a word scanner that respects quotes, backticks and parentheses is enough to find the
parts (type, DEFAULT, COMMENT, ...) while keeping their exact text.
"""

from __future__ import annotations

from collections.abc import Iterator


class LineSyntaxError(ValueError):
    """The line is not in the form the server prints."""


def split_words(line: str) -> list[str]:
    """'`a` varchar(10) DEFAULT 'x y'' -> ['`a`', 'varchar(10)', 'DEFAULT', "'x y'"]."""
    words: list[str] = []
    start: int | None = None
    depth = 0
    for i, ch, depth in _scan(line):
        if depth < 0:
            raise LineSyntaxError(f"unbalanced parenthesis in: {line}")
        if ch == " " and depth == 0:
            if start is not None:
                words.append(line[start:i])
                start = None
        elif start is None:
            start = i
    if depth != 0:
        raise LineSyntaxError(f"unbalanced parenthesis in: {line}")
    if start is not None:
        words.append(line[start:])
    return words


def _skip_quoted(text: str, i: int) -> int:
    quote = text[i]
    i += 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and quote != "`":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise LineSyntaxError(f"unterminated quote in: {text}")


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


def _scan(text: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, parenthesis depth after it) for each character outside quotes;
    a quoted part comes once, as its opening quote."""
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'`\"":
            yield i, ch, depth
            i = _skip_quoted(text, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        i += 1


def split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside quotes and parentheses."""
    parts: list[str] = []
    last = 0
    for i, ch, depth in _scan(text):
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
