"""Canonical CREATE TABLE text (the server's own) -> TableDef.

The server's text is split into its element lines (columns, keys, constraints, options);
each line is modeled with its exact wording kept. sqlglot parses the whole statement as
an independent check: if it fails, or sees different columns or a different number of
keys and constraints, or the line model finds anything it does not know, the table is
marked unsupported and only its canonical text is compared.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import sqlglot
from sqlglot import expressions as exp

from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.index import Index
from mrpplan.model.table_def import TableDef
from mrpplan.model.table_options import TableOptions
from mrpplan.sqlfiles.parse_lines import Unmodeled, parse_column, parse_constraint, parse_index
from mrpplan.sqlfiles.words import LineSyntaxError, split_words

_CACHE: dict[str, TableDef] = {}
_LOCK = threading.Lock()
_KEY_STARTS = ("PRIMARY KEY ", "UNIQUE KEY ", "KEY ", "FULLTEXT KEY ", "SPATIAL KEY ")


def parse_table_text(text: str) -> TableDef:
    """Parse (cached by text) one canonical CREATE TABLE statement."""
    cached = _CACHE.get(text)
    if cached is not None:
        return cached
    try:
        parsed = _parse(text)
    except (Unmodeled, LineSyntaxError) as exc:
        parsed = TableDef(supported=False, unsupported_reason=str(exc))
    with _LOCK:
        if len(_CACHE) > 20000:
            _CACHE.clear()
        _CACHE[text] = parsed
    return parsed


def _parse(text: str) -> TableDef:
    lines = text.split("\n")
    if not (lines[0].startswith("CREATE TABLE `") and lines[0].endswith("` (")):
        raise Unmodeled("not a CREATE TABLE statement in the server's form")
    close = next((i for i, line in enumerate(lines) if line.startswith(")")), None)
    if close is None:
        raise Unmodeled("no closing line")
    if close != len(lines) - 1:
        raise Unmodeled("partitioning (or other clauses after the options) is not modeled")
    options = _parse_options(lines[close][1:].strip())
    body = lines[1:close]
    for line in body:
        if not line.startswith("  "):
            raise Unmodeled("a line is not in the server's form")
    elements = [line[2:].removesuffix(",") for line in body]
    columns: list[Column] = []
    indexes: list[Index] = []
    fks: list[ForeignKey] = []
    checks: list[Check] = []
    for element in elements:
        if element.startswith("`"):
            columns.append(parse_column(element, options.charset, options.collation))
        elif element.startswith(_KEY_STARTS):
            indexes.append(parse_index(element))
        elif element.startswith("CONSTRAINT "):
            constraint = parse_constraint(element)
            if isinstance(constraint, ForeignKey):
                fks.append(constraint)
            else:
                checks.append(constraint)
        else:
            raise Unmodeled(f"line not modeled: {element}")
    _cross_check(text, columns, len(indexes) + len(fks) + len(checks))
    fks = [replace(fk, indexes=_serving(fk, indexes)) for fk in fks]
    return TableDef(tuple(columns), tuple(indexes), tuple(fks), tuple(checks), options)


def _serving(fk: ForeignKey, indexes: list[Index]) -> tuple[str, ...]:
    n = len(fk.columns)
    return tuple(
        i.name
        for i in indexes
        if i.columns[:n] == fk.columns and all(p.length is None for p in i.parts[:n])
    )


_MULTI_WORD = {"DEFAULT": "DEFAULT CHARSET"}
_UNMODELED_OPTIONS = ("CHECKSUM", "WITH", "PARTITION", "SYSTEM", "/*")


def _parse_options(text: str) -> TableOptions:
    items: list[tuple[str, str]] = []
    words = split_words(text)
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith(_UNMODELED_OPTIONS):
            raise Unmodeled(f"table option {word.split('=')[0]} is not modeled")
        if word == "DEFAULT" and i + 1 < len(words) and words[i + 1].startswith("CHARSET="):
            items.append(("DEFAULT CHARSET", words[i + 1].split("=", 1)[1]))
            i += 2
            continue
        key, eq, value = word.partition("=")
        if not eq or not key.replace("_", "").isalpha():
            raise Unmodeled(f"table option {word!r} is not modeled")
        if key == "AUTO_INCREMENT":
            i += 1
            continue
        items.append((key, value))
        i += 1
    return TableOptions(tuple(items))


def _cross_check(text: str, columns: list[Column], other_count: int) -> None:
    """sqlglot must read the same table: same columns in order, same number of keys."""
    try:
        tree = sqlglot.parse_one(text, read="mysql")
    except sqlglot.errors.SqlglotError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise Unmodeled(f"sqlglot cannot read it ({first})") from None
    schema = tree.this if isinstance(tree, exp.Create) else None
    if not isinstance(schema, exp.Schema):
        raise Unmodeled("sqlglot did not see a table definition")
    defs = [e for e in schema.expressions if isinstance(e, exp.ColumnDef)]
    others = [e for e in schema.expressions if not isinstance(e, exp.ColumnDef)]
    if [d.name for d in defs] != [c.name for c in columns] or len(others) != other_count:
        raise Unmodeled("sqlglot reads different columns or keys than the server printed")
    for col, node in zip(columns, defs, strict=True):
        kinds = {type(c.kind) for c in node.constraints}
        not_null = any(
            isinstance(c.kind, exp.NotNullColumnConstraint) and not c.kind.args.get("allow_null")
            for c in node.constraints
        )
        if col.generated is None and not_null == col.nullable:
            raise Unmodeled(f"column `{col.name}`: nullability reads differently")
        if (exp.DefaultColumnConstraint in kinds) != (col.default is not None):
            raise Unmodeled(f"column `{col.name}`: default reads differently")
        if (exp.ComputedColumnConstraint in kinds) != (col.generated is not None):
            raise Unmodeled(f"column `{col.name}`: generated expression reads differently")
        if (exp.AutoIncrementColumnConstraint in kinds) != col.auto_increment:
            raise Unmodeled(f"column `{col.name}`: AUTO_INCREMENT reads differently")
