"""What a migration statement means beyond its schema effect: column renames, and the
tables whose rows it changes (DML has no schema-level inverse: those tables get a checkpoint).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from mrpplan.sqlfiles.dml_targets import DML, classify

Renames = dict[str, dict[str, str]]  # table -> {old column: new column}
_MAY_RENAME = re.compile(r"\b(RENAME|CHANGE)\b", re.I)


def column_renames(sql: str) -> Renames:
    """`ALTER TABLE t RENAME COLUMN a TO b` / `CHANGE a b ...` -> {"t": {"a": "b"}}."""
    first = sql.lstrip()[:5].upper()
    if first != "ALTER" or not _MAY_RENAME.search(sql):
        return {}  # a rename needs RENAME or CHANGE: most ALTERs skip loading sqlglot
    import sqlglot  # here: only ALTER statements of a traced migration need it
    from sqlglot import exp

    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        node = sqlglot.parse_one(sql, dialect="mysql")
    except sqlglot.errors.SqlglotError:
        return {}
    finally:
        logger.setLevel(level)
    if not isinstance(node, exp.Alter) or not isinstance(node.this, exp.Table):
        return {}
    found: dict[str, str] = {}
    for action in node.args.get("actions") or []:
        if isinstance(action, exp.RenameColumn):
            old, new = action.this, action.args.get("to")
            if old is not None and new is not None:
                found[old.name] = new.name
        elif isinstance(action, exp.ModifyColumn):
            source = action.args.get("rename_from")
            if source is not None and action.this is not None and source.name != action.this.name:
                found[source.name] = action.this.name
    return {node.this.name: found} if found else {}


def merge_renames(items: Iterable[Renames]) -> Renames:
    merged: Renames = {}
    for item in items:
        for table, columns in item.items():
            merged.setdefault(table, {}).update(columns)
    return merged


def inverted(renames: Renames) -> Renames:
    return {t: {new: old for old, new in cols.items()} for t, cols in renames.items()}


def data_tables(sql: str) -> tuple[str, ...]:
    """Tables whose rows a DML statement writes (empty for DDL)."""
    kind = classify(sql)
    return kind.tables if kind.kind == DML else ()
