"""A statement's tokens as the server reads them.

Comments are dropped; executable comments (`/*! ... */`, `/*!NNNNN ... */`, `/*M! ... */`,
`/*M!NNNNNN ... */`) are expanded when the server would run their content and dropped
when it would not (rules measured on MariaDB 10.11: a 6-digit version when 6 digits
follow, else 5; the content runs when the server's version is at least that; MariaDB
never runs a 5-digit `/*!` version from 50700 to 99999, MySQL's own range; MySQL reads
`/*M!` as a plain comment). With no version, every executable comment is expanded: the
strictest reading, used where the target is not known (`validate` offline).

sqlglot's tokenizer is not used: it reads `/*! */` as a comment and folds EXECUTE, CALL,
SHOW ... into one opaque string, which is exactly what this check must see through.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

# Compiled on first use (`_patterns`): compiling them takes about 10 ms, which a command
# that reads no statement (a no-change plan, a backup) should not pay at start-up.
_LEXEME_TEXT = r"""(?P<space>\s+)
    |(?P<line_comment>(?:--(?=[\s\x00-\x1f]|$)|\#)[^\n]*)
    |(?P<exec>/\*M?!(?:\d{6}|\d{5})?)
    |(?P<hint>/\*\+)
    |(?P<comment>/\*)
    |(?P<close>\*/)
    |(?P<ident>`(?:[^`]|``)*`?)
    |(?P<string>'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?)
    |(?P<word>[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*
        |(?!(?:0x[0-9A-Fa-f]+|0b[01]+|\d+(?:[eE][-+]?\d+)?)(?![\w$\u0080-\uffff]))
        \d[\w$\u0080-\uffff]*)
    |(?P<number>0x[0-9A-Fa-f]+|0b[01]+|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
    |(?P<variable>@@?(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.)*'|[\w$.]*))
    |(?P<op>:=|<=>|<=|>=|<>|!=|\|\||&&|<<|>>|.)
    """
# after a name and a dot the server reads a name, even one of digits only (`db.1t`,
# `db. 123`: measured on MariaDB 10.11)
_AFTER_DOT_TEXT = r"(\s*)(\d[\w$\u0080-\uffff]*)"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(_LEXEME_TEXT, re.S | re.X), re.compile(_AFTER_DOT_TEXT)


class Token(NamedTuple):
    """`kind`: word (keyword or bare name, `text` upper-cased), ident (`backquoted`, `text`
    is the name), string, number, variable, op. `line`: 0-based line within the statement.
    A named tuple: a statement has hundreds, and a plan reads thousands of statements."""

    kind: str
    text: str
    line: int
    name: str = ""  # a word or ident as written (a name for messages)

    @property
    def is_name(self) -> bool:
        return self.kind in ("word", "ident")

    def word(self, *words: str) -> bool:
        return self.kind == "word" and self.text in words


def tokenize(
    sql: str, version: tuple[int, int, int] | None = None, mariadb: bool = True
) -> list[Token]:
    """The tokens of one statement (`version`: the target server's, None: run every
    executable comment)."""
    lexeme, after_dot = _patterns()
    out: list[Token] = []
    line, inside, pos, n, name_end = 0, 0, 0, len(sql), -1
    while pos < n:
        for match in lexeme.finditer(sql, pos):
            kind, text = match.lastgroup or "op", match.group(0)
            if match.start() == name_end and text[0] == ".":  # a qualifier's dot
                out.append(Token("op", ".", line))
                after = after_dot.match(sql, match.start() + 1)
                if after is not None:  # db.1t, db.123: the server reads a name
                    line += after.group(1).count("\n")
                    out.append(Token("ident", after.group(2), line, after.group(2)))
                    pos = name_end = after.end()
                    break
                if kind == "number":  # `.5` was not a number: read on after the dot
                    pos = match.start() + 1
                    break
            elif kind == "space" or kind == "line_comment":
                line += text.count("\n")
            elif kind == "word":
                out.append(Token(kind, text.upper(), line, text))
                name_end = match.end()
            elif kind == "ident":
                name = text[1:-1].replace("``", "`")
                out.append(Token(kind, name, line, name))
                line += text.count("\n")
                name_end = match.end()
            elif kind in ("comment", "hint") or (
                kind == "exec" and not _runs(text, version, mariadb)
            ):
                close = sql.find("*/", match.end())
                pos = n if close < 0 else close + 2
                line += sql.count("\n", match.start(), pos)
                break  # go on after the comment
            elif kind == "exec":
                inside += 1
            elif kind == "close" and inside:
                inside -= 1
            else:
                out.append(Token(kind, text, line))
                line += text.count("\n")
        else:
            break  # the end of the statement
    return out


def server_text(sql: str, version: tuple[int, int, int] | None, mariadb: bool = True) -> str:
    """The statement as the server runs it: comments dropped, executable comments expanded
    (or dropped) for `version`; names as written. Text readers (which tables a DML writes)
    read this, so `/*! DELETE FROM t */` is seen as the DELETE it is."""
    if "/*" not in sql:
        return sql
    parts = []
    for token in tokenize(sql, version, mariadb):
        if token.kind == "word":
            parts.append(token.name)
        elif token.kind == "ident":
            parts.append("`" + token.name.replace("`", "``") + "`")
        else:
            parts.append(token.text)
    return " ".join(parts)


def _runs(opening: str, version: tuple[int, int, int] | None, mariadb: bool) -> bool:
    """Would the server run this executable comment's content?"""
    marked = opening.startswith("/*M!")
    if marked and not mariadb:
        return False
    digits = opening[4 if marked else 3 :]
    if not digits or version is None:
        return True
    wanted = int(digits)
    if mariadb and not marked and len(digits) == 5 and 50700 <= wanted <= 99999:
        return False
    major, minor, patch = version
    return wanted <= major * 10000 + minor * 100 + patch
