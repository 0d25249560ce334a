"""Which tables a DDL statement changes or needs, read from its text without a parser.

The incremental desired schema (mrpplan.desired.workspace) replays only new statements on
top of a cached result, loading just the tables they involve. That is exact only when the
involved tables are known for certain, so this module answers for a few plain forms and
says "unknown" (None) for everything else: DML, views, routines, triggers, dynamic SQL,
CREATE ... SELECT / LIKE, executable comments, other databases' tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"\s+|--[^\n]*|#[^\n]*|/\*.*?\*/|`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\""
    r"|[A-Za-z0-9_$]+|.",
    re.S,
)
_TABLE_FORMS = {"CREATE", "ALTER", "DROP", "RENAME"}
_NOT_A_NAME = {"COLUMN", "INDEX", "KEY", "CONSTRAINT", "PARTITION", "PERIOD"}


@dataclass(frozen=True)
class DdlTargets:
    """`changed`: tables the statement creates, alters, renames or drops (old and new
    names); `referenced`: tables it names in REFERENCES clauses."""

    changed: frozenset[str]
    referenced: frozenset[str]


def ddl_targets(sql: str) -> DdlTargets | None:
    """The tables a plain table DDL statement involves, or None when that is not certain."""
    tokens = _tokens(sql)
    if tokens is None or not tokens:
        return None
    words = [t.upper() if not t.startswith("`") else t for t in tokens]
    head = words[0]
    if head not in _TABLE_FORMS or "SELECT" in words or "LIKE" in words:
        return None
    referenced = _after_references(tokens, words)
    if referenced is None:
        return None
    changed = _changed(tokens, words)
    if changed is None:
        return None
    return DdlTargets(frozenset(changed), frozenset(referenced))


def _tokens(sql: str) -> list[str] | None:
    out: list[str] = []
    for match in _TOKEN.finditer(sql):
        token = match.group(0)
        if token.startswith("/*"):
            if token.startswith(("/*!", "/*M!")):
                return None  # executable comment: SQL we would not see
            continue
        if token.isspace() or token.startswith(("--", "#")):
            continue
        out.append(token)
    while out and out[-1] == ";":
        out.pop()
    return out


def _name(token: str) -> str | None:
    """An identifier's name, or None for a keyword-like or quoted-string token."""
    if token.startswith("`"):
        return token[1:-1].replace("``", "`")
    if re.fullmatch(r"[A-Za-z0-9_$]+", token):
        return token
    return None


def _table_at(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The (unqualified) table name at tokens[i], and the index after it."""
    if i >= len(tokens):
        return None
    name = _name(tokens[i])
    if name is None or (i + 1 < len(tokens) and tokens[i + 1] == "."):
        return None  # db.table: another database's table is not part of the workspace
    return name, i + 1


def _after_references(tokens: list[str], words: list[str]) -> list[str] | None:
    names = []
    for i, word in enumerate(words):
        if word == "REFERENCES":
            found = _table_at(tokens, i + 1)
            if found is None:
                return None
            names.append(found[0])
    return names


def _skip(words: list[str], i: int, *optional: str) -> int:
    while i < len(words) and words[i] in optional:
        i += 1
    return i


def _changed(tokens: list[str], words: list[str]) -> list[str] | None:
    head = words[0]
    i = _skip(words, 1, "OR", "REPLACE", "ONLINE", "IGNORE", "UNIQUE", "FULLTEXT", "SPATIAL")
    if i >= len(words):
        return None
    kind = words[i]
    if kind == "TABLE" and head in ("CREATE", "ALTER"):
        i = _skip(words, i + 1, "IF", "NOT", "EXISTS")
        found = _table_at(tokens, i)
        if found is None:
            return None
        names = [found[0]]
        if head == "ALTER":
            renamed = _alter_rename(tokens, words, found[1])
            if renamed is None:
                return None
            names += renamed
            if "EXCHANGE" in words or "DISCARD" in words or "IMPORT" in words:
                return None
        return names
    if kind == "TABLE" and head in ("DROP", "RENAME"):
        i = _skip(words, i + 1, "IF", "EXISTS")
        return _name_list(tokens, words, i, separators={",", "TO"} if head == "RENAME" else {","})
    if kind == "INDEX" and head in ("CREATE", "DROP"):
        j = _skip(words, i + 1, "IF", "NOT", "EXISTS")
        if j + 1 < len(words) and words[j + 1] == "ON":
            found = _table_at(tokens, j + 2)
            return None if found is None else [found[0]]
    return None


def _alter_rename(tokens: list[str], words: list[str], start: int) -> list[str] | None:
    """New names given by `RENAME [TO|AS] name` clauses of an ALTER TABLE."""
    names = []
    for i in range(start, len(words)):
        if words[i] != "RENAME":
            continue
        j = i + 1
        if j < len(words) and words[j] in _NOT_A_NAME:
            continue
        j = _skip(words, j, "TO", "AS")
        found = _table_at(tokens, j)
        if found is None:
            return None
        names.append(found[0])
    return names


def _name_list(
    tokens: list[str], words: list[str], i: int, separators: set[str]
) -> list[str] | None:
    names: list[str] = []
    while i < len(tokens):
        found = _table_at(tokens, i)
        if found is None:
            return None
        names.append(found[0])
        i = found[1]
        if i < len(words) and words[i] in ("RESTRICT", "CASCADE", "WAIT", "NOWAIT"):
            return names if i + 1 == len(words) or words[i] != "WAIT" else None
        if i < len(words) and words[i] not in separators:
            return None
        i += 1
    return names or None
