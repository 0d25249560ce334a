"""Which pre-flight checks a change needs: the rows that would make it fail or cut data.

Plain model code (issue 25): from the schema engine's changes and the live schema, a
`PreflightCheck` per risky clause (new UNIQUE/PRIMARY KEY, NOT NULL, FOREIGN KEY, CHECK,
narrower type). `mrpplan.mysql.preflight` turns each into one read-only query; a change
on a table the live database does not have yet (created by the plan) needs no check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mrpplan.diff.change import Change
from mrpplan.diff.changes import AddForeignKey
from mrpplan.diff.clauses import AddCheck, AddColumn, AddIndex, ModifyColumn
from mrpplan.diff.safety import _charset_narrows, _type_risks
from mrpplan.model.column import INTEGER_TYPES, TEXT_BYTES, Column
from mrpplan.model.preflight_check import (
    CHECK,
    FOREIGN_KEY,
    NARROWING,
    NOT_NULL,
    UNIQUE,
    PreflightCheck,
    integer_range,
)
from mrpplan.model.schema import Schema
from mrpplan.model.table import Table


def checks_for(changes: Iterable[Change], live: Schema) -> list[PreflightCheck]:
    """The checks `changes` need against `live` (each once, in change order)."""
    changes = list(changes)
    renamed = _renamed_columns(changes)
    added = {(c.table, c.column.name) for c in changes if isinstance(c, AddColumn)}
    found: dict[str, PreflightCheck] = {}
    for change in changes:
        table = live.tables.get(change.table)
        if table is None or not table.supported:
            continue  # created by the plan: it has no rows yet
        names = renamed.get(change.table, {})
        for check in _checks(change, table, live, names):
            if not all(table.column(c) is not None for c in check.columns):
                continue  # a column the change adds: its rows hold its default
            new = sorted(
                c for t, c in added | {(change.table, n) for n in names} if t == change.table
            )
            if check.kind == CHECK and _names_any(str(check.detail["expression"]), new):
                why = "its expression names a column this step adds or renames"
                check = PreflightCheck(
                    check.kind, check.table, check.columns, check.key, {**check.detail, "skip": why}
                )
            found.setdefault(json.dumps(check.record(), sort_keys=True), check)
    return list(found.values())


def _names_any(expression: str, columns: Sequence[str]) -> bool:
    import re

    return any(re.search(rf"(?<![\w$])`?{re.escape(c)}`?(?![\w$])", expression) for c in columns)


def _renamed_columns(changes: Sequence[Change]) -> dict[str, dict[str, str]]:
    """table -> {new column name: live name} for columns renamed by the same changes."""
    out: dict[str, dict[str, str]] = {}
    for change in changes:
        if isinstance(change, ModifyColumn) and change.old.name != change.new.name:
            out.setdefault(change.table, {})[change.new.name] = change.old.name
    return out


def _checks(
    change: Change, table: Table, live: Schema, names: Mapping[str, str]
) -> list[PreflightCheck]:
    def live_name(column: str) -> str:
        return names.get(column, column)

    key = _row_key(table)
    if isinstance(change, AddIndex) and change.index.is_unique:
        columns = tuple(live_name(p.column) for p in change.index.parts)
        prefixes = [p.length for p in change.index.parts]
        checks = [
            PreflightCheck(
                UNIQUE,
                change.table,
                columns,
                columns,
                {"index": change.index.name, "prefix": prefixes},
            )
        ]
        if change.index.is_primary:  # NULLs in a primary key column are refused
            checks += [
                PreflightCheck(NOT_NULL, change.table, (c,), key)
                for c in columns
                if (col := table.column(c)) is not None and col.nullable
            ]
        return checks
    if isinstance(change, AddForeignKey):
        fk = change.foreign_key
        columns = tuple(live_name(c) for c in fk.columns)
        parent_live = fk.ref_schema is not None or fk.ref_table in live.tables
        detail = {
            "name": fk.name,
            "ref_schema": fk.ref_schema,
            "ref_table": fk.ref_table,
            "ref_columns": list(fk.ref_columns),
            "parent_exists": parent_live,
        }
        return [PreflightCheck(FOREIGN_KEY, change.table, columns, columns, detail)]
    if isinstance(change, AddCheck):
        detail = {"name": change.check.name, "expression": change.check.expression}
        return [PreflightCheck(CHECK, change.table, (), key, detail)]
    if isinstance(change, ModifyColumn):
        return _column_checks(change, key)
    return []


def _column_checks(change: ModifyColumn, key: tuple[str, ...]) -> list[PreflightCheck]:
    old, new = change.old, change.new
    checks: list[PreflightCheck] = []
    if old.nullable and not new.nullable:
        checks.append(PreflightCheck(NOT_NULL, change.table, (old.name,), key))
    if new.check and new.check != old.check:
        expression = new.check[len("CHECK ") :].strip()
        checks.append(
            PreflightCheck(
                CHECK, change.table, (old.name,), key, {"name": new.name, "expression": expression}
            )
        )
    rule = narrowing_rule(old, new)
    if rule is not None:
        detail = {"old_type": old.type, "new_type": new.type, **rule}
        checks.append(PreflightCheck(NARROWING, change.table, (old.name,), key, detail))
    return checks


def _row_key(table: Table) -> tuple[str, ...]:
    primary = table.primary_key()
    if primary is not None:
        return tuple(p.column for p in primary.parts)
    unique = next((i for i in table.indexes if i.kind == "unique"), None)
    return tuple(p.column for p in unique.parts) if unique else ()


_CHAR_TYPES = {"char", "varchar"}
_BYTE_TYPES = {"binary", "varbinary"}
_TEXT_BLOBS = {**TEXT_BYTES, "tinyblob": 255, "blob": 65535, "mediumblob": 16777215}


def narrowing_rule(old: Column, new: Column) -> dict[str, Any] | None:
    """How the server could cut or reject a value of `old` stored as `new`: None when the
    safety rules say it cannot (`diff.safety`), `rule: unknown` when mrpplan has no query
    for it (reported as not checked, never as passed)."""
    if old.generated or new.generated:
        return None
    if _charset_narrows(old, new):
        return {"rule": "charset", "charset": new.charset, "old_charset": old.charset}
    if not _type_risks(old.name, old, new):
        return None
    ob, nb = old.base_type, new.base_type
    if nb in _CHAR_TYPES | _BYTE_TYPES and ob in _CHAR_TYPES | _BYTE_TYPES | set(_TEXT_BLOBS):
        chars = nb in _CHAR_TYPES
        return {"rule": "max_chars" if chars else "max_bytes", "limit": new.length or 1}
    if nb in _TEXT_BLOBS and ob in {*_TEXT_BLOBS, *_CHAR_TYPES, *_BYTE_TYPES}:
        return {"rule": "max_bytes", "limit": _TEXT_BLOBS[nb]}
    if nb in INTEGER_TYPES and ob in INTEGER_TYPES:
        low, high = integer_range(nb, new.unsigned)
        return {"rule": "range", "min": str(low), "max": str(high)}
    if nb == "decimal" and ob in ("decimal", *INTEGER_TYPES):
        precision, scale = new.length or 10, new.scale or 0
        return {"rule": "decimal", "precision": precision, "scale": scale, "unsigned": new.unsigned}
    if nb in ("enum", "set") and ob == nb:
        return {"rule": nb, "removed": [v for v in old.values if v not in new.values]}
    if nb == ob and nb in ("datetime", "timestamp", "time"):
        return {"rule": "fraction", "scale": new.scale or 0}
    return {"rule": "unknown"}
