"""Split a SQL file into statements the way the `mariadb`/`mysql` client does.

Comments (`-- `, `#`, `/* */`) are dropped, but executable comments (`/*!...*/`,
`/*M!...*/`) and optimizer hints (`/*+ ... */`) stay in the statement text.
Quotes ('...', "...", `...`) are opaque, with backslash and doubled-quote escapes.
A `DELIMITER xx` line switches the terminator, so triggers and procedures with
BEGIN ... END bodies split as one statement. Each statement remembers the line
where its first token starts, so every message can say file:line.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from mrpplan.config.text_file import read_text

_DELIMITER = re.compile(r"delimiter[ \t]+(\S+)[^\n]*", re.IGNORECASE)
_QUOTES = "'\"`"
# inside a quoted run, only the closing quote and (except in `identifiers`) backslash matter
_QUOTE_SPECIALS = {q: re.compile(r"[\\" + q + "]") for q in "'\""} | {"`": re.compile("`")}


@dataclass(frozen=True)
class SqlStatement:
    """One statement of a file, without its trailing delimiter."""

    text: str
    file: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def read_statements(path: Path) -> list[SqlStatement]:
    """The statements of a SQL file (UTF-8)."""
    return split_sql(read_text(path), path)


def split_sql(text: str, file: Path) -> list[SqlStatement]:
    """Every statement of `text`, in order; empty statements are skipped."""
    return list(_split_once(text, file))


_disk_cache: Path | None = None


def cache_statements_in(directory: Path | None) -> None:
    """Keep split results on disk by text hash (the CLI points this at the project's
    cache): the character-by-character split of a large schema costs more than a plan."""
    global _disk_cache
    _disk_cache = directory


@functools.lru_cache(maxsize=512)
def _split_once(text: str, file: Path) -> tuple[SqlStatement, ...]:
    """A plan reads the same files several times (base schema, migrations, history): the
    split is done once per text in a process, and once per text ever with a disk cache."""
    path = None
    if _disk_cache is not None:
        from mrpplan.local_cache import read_json

        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        path = _disk_cache / f"{digest}.json"
        with contextlib.suppress(ValueError, TypeError):
            pairs = read_json(path)  # tagged: a split shipped in a pull request is ignored
            if isinstance(pairs, list):
                return tuple(SqlStatement(str(t), file, int(n)) for t, n in pairs)
    statements = tuple(_Splitter(text, file).run())
    if path is not None:
        from mrpplan.local_cache import write_json

        write_json(path, [[s.text, s.line] for s in statements])
    return statements


class _Splitter:
    """A single pass over the text; `line` is the 1-based line at `pos`."""

    def __init__(self, text: str, file: Path):
        self.text = text
        self.file = file
        self.pos = 0
        self.line = 1
        self.delimiter = ";"
        self.plain = _plain_run(";")
        self.parts: list[str] = []
        self.start: int | None = None  # line of the current statement's first token
        self.out: list[SqlStatement] = []

    def run(self) -> list[SqlStatement]:
        text, n = self.text, len(self.text)
        while self.pos < n:
            c = text[self.pos]
            if self.start is None:
                if c in " \t\r\n\f":
                    self._skip(1)
                    continue
                if c in "dD":
                    match = _DELIMITER.match(text, self.pos)
                    if match:
                        self.delimiter = match.group(1)
                        self.plain = _plain_run(self.delimiter)
                        self._skip(match.end() - self.pos)
                        continue
            if text.startswith(self.delimiter, self.pos):
                self._skip(len(self.delimiter))
                self._finish()
                continue
            if c in _QUOTES:
                self._take(self._quoted_end(self.pos))
            elif c == "#" or (c == "-" and self._dash_comment()):
                end = text.find("\n", self.pos)
                self._skip((n if end < 0 else end) - self.pos)
            elif c == "/" and text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                end = n if end < 0 else end + 2
                if text.startswith(("/*!", "/*M!", "/*+"), self.pos):
                    self._take(end)
                else:
                    self._skip(end - self.pos)
                    if self.start is not None:
                        self.parts.append(" ")
            else:  # ordinary text: take the whole run up to the next char that matters
                run = self.plain.match(text, self.pos + 1)
                self._take(run.end() if run else self.pos + 1)
        self._finish()
        return self.out

    def _dash_comment(self) -> bool:
        """`--` starts a comment only when followed by whitespace, a control char or the end."""
        nxt = self.text[self.pos + 1 : self.pos + 3]
        return nxt == "-" or (nxt[:1] == "-" and (nxt[1] <= " "))

    def _quoted_end(self, at: int) -> int:
        """Index just past the closing quote of the quoted run starting at `at`."""
        text, quote, n = self.text, self.text[at], len(self.text)
        special = _QUOTE_SPECIALS[quote]
        i = at + 1
        while True:
            found = special.search(text, i)
            if found is None:
                return n  # unterminated: the rest of the file
            j = found.start()
            if text[j] == "\\":
                i = j + 2
            elif j + 1 < n and text[j + 1] == quote:
                i = j + 2  # doubled quote
            else:
                return j + 1

    def _take(self, end: int) -> None:
        """Append text[pos:end] to the current statement."""
        if self.start is None:
            self.start = self.line
        chunk = self.text[self.pos : end]
        self.parts.append(chunk)
        self.line += chunk.count("\n")
        self.pos = end

    def _skip(self, length: int) -> None:
        chunk = self.text[self.pos : self.pos + length]
        if self.start is not None and "\n" in chunk:
            self.parts.append("\n" * chunk.count("\n"))  # keep line numbers inside the text
        self.line += chunk.count("\n")
        self.pos += length

    def _finish(self) -> None:
        body = "".join(self.parts).strip()
        if body and self.start is not None:
            self.out.append(SqlStatement(body, self.file, self.start))
        self.parts = []
        self.start = None


def _plain_run(delimiter: str) -> re.Pattern[str]:
    """Characters that can never start a quote, a comment or the delimiter."""
    return re.compile("[^" + re.escape("'\"`#-/" + delimiter[0]) + "]+")
