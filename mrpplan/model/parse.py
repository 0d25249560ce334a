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
from mrpplan.model.layout import LayoutError, element_kind, join_create, split_create
from mrpplan.model.parse_gaps import tolerated_variants
from mrpplan.model.parse_lines import Unmodeled, parse_column, parse_constraint, parse_index
from mrpplan.model.parse_partitions import parse_partitioning
from mrpplan.model.table_def import TableDef
from mrpplan.model.table_options import SYSTEM_VERSIONING, TableOptions
from mrpplan.model.words import LineSyntaxError, split_words

_CACHE: dict[str, TableDef] = {}
_LOCK = threading.Lock()


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
    try:
        parts = split_create(text)
    except LayoutError as exc:
        raise Unmodeled(str(exc)) from None
    options = _parse_options(parts.options)
    partitioning = parse_partitioning(parts.tail) if parts.tail else None
    columns: list[Column] = []
    indexes: list[Index] = []
    fks: list[ForeignKey] = []
    checks: list[Check] = []
    periods: list[str] = []
    layout: list[str] = []
    for element in parts.elements:
        kind = element_kind(element)
        if kind == "column":
            columns.append(parse_column(element, options.charset, options.collation))
        elif kind == "key":
            indexes.append(parse_index(element))
        elif kind in ("foreign_key", "check"):
            constraint = parse_constraint(element)
            if isinstance(constraint, ForeignKey):
                fks.append(constraint)
                kind = "foreign_key"
            else:
                checks.append(constraint)
                kind = "check"
        elif kind == "period":
            periods.append(element)
        else:
            raise Unmodeled(f"line not modeled: {element}")
        layout.append(kind)
    # Options and partitions are read back exactly by the round trip below; sqlglot
    # checks the body (it lacks MariaDB's engine-defined options and partition forms, and
    # application-time periods: the round trip alone checks those).
    app_periods = [p for p in periods if not p.startswith("PERIOD FOR SYSTEM_TIME ")]
    body = join_create(parts.head, [e for e in parts.elements if e not in app_periods], "")
    others = len(indexes) + len(fks) + len(checks) + len(periods) - len(app_periods)
    _cross_check(body, columns, others)
    fks = [replace(fk, indexes=_serving(fk, indexes)) for fk in fks]
    table = TableDef(
        tuple(columns),
        tuple(indexes),
        tuple(fks),
        tuple(checks),
        options,
        partitioning=partitioning,
        head=parts.head,
        periods=tuple(periods),
        layout=tuple(layout),
    )
    if table.render() != text:
        raise Unmodeled(f"a line does not read back the same: {_first_difference(table, text)}")
    return table


def _first_difference(table: TableDef, text: str) -> str:
    rendered = table.render().split("\n")
    for got, want in zip(rendered, text.split("\n"), strict=False):
        if got != want:
            return want.strip()
    return "the number of lines differs"


def _serving(fk: ForeignKey, indexes: list[Index]) -> tuple[str, ...]:
    n = len(fk.columns)
    return tuple(
        i.name
        for i in indexes
        if i.columns[:n] == fk.columns and all(p.length is None for p in i.parts[:n])
    )


def _parse_options(text: str) -> TableOptions:
    items: list[tuple[str, str]] = []
    words = split_words(text)
    i = 0
    while i < len(words):
        word = words[i]
        if words[i : i + 3] == ["WITH", "SYSTEM", "VERSIONING"]:
            items.append((SYSTEM_VERSIONING, ""))
            i += 3
            continue
        if word == "DEFAULT" and i + 1 < len(words) and words[i + 1].startswith("CHARSET="):
            items.append(("DEFAULT CHARSET", words[i + 1].split("=", 1)[1]))
            i += 2
            continue
        key, eq, value = word.partition("=")
        bare = key.strip("`") if key.startswith("`") and key.endswith("`") else key
        if not eq or not value or not bare.replace("_", "").isalpha():
            raise Unmodeled(f"table option {word!r} is not modeled")
        if key == "AUTO_INCREMENT":
            i += 1
            continue
        items.append((key, value))
        i += 1
    return TableOptions(tuple(items))


def _cross_check(text: str, columns: list[Column], other_count: int) -> None:
    """sqlglot must read the same table: same columns in order, same number of keys.
    Where sqlglot lacks MariaDB syntax (parse_gaps), it reads the rewritten text."""
    try:
        tree = _sqlglot_tree(text)
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
        kinds = {type(c.args.get("kind")) for c in node.constraints}
        not_null = any(
            isinstance(k := c.args.get("kind"), exp.NotNullColumnConstraint)
            and not k.args.get("allow_null")
            for c in node.constraints
        )
        if col.generated is None and not_null == col.nullable:
            raise Unmodeled(f"column `{col.name}`: nullability reads differently")
        if (exp.DefaultColumnConstraint in kinds) != (col.default is not None):
            raise Unmodeled(f"column `{col.name}`: default reads differently")
        if (exp.GeneratedAsRowColumnConstraint in kinds) != col.row_period:
            raise Unmodeled(f"column `{col.name}`: ROW START/END reads differently")
        if (exp.ComputedColumnConstraint in kinds) != (
            col.generated is not None and not col.row_period
        ):
            raise Unmodeled(f"column `{col.name}`: generated expression reads differently")
        if (exp.AutoIncrementColumnConstraint in kinds) != col.auto_increment:
            raise Unmodeled(f"column `{col.name}`: AUTO_INCREMENT reads differently")


def _sqlglot_tree(text: str) -> exp.Expr:
    try:
        return sqlglot.parse_one(text, read="mysql")
    except sqlglot.errors.SqlglotError:
        for variant in tolerated_variants(text):
            try:
                return sqlglot.parse_one(variant, read="mysql")
            except sqlglot.errors.SqlglotError:
                continue
        raise
