"""Which tables and columns a set of DDL statements declares (for offline checks).

This is a lenient over-approximation: a column counts if any statement ever gives it
to the table (CREATE, ADD, CHANGE, RENAME ... TO). A table whose shape the parser
cannot follow (CREATE ... LIKE/AS, ALTERs sqlglot keeps as a Command, RENAME TABLE) is
known to exist but its columns are not checked, so the check never cries wolf.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mrpplan.sqlfiles.split import SqlStatement

if TYPE_CHECKING:
    from sqlglot import exp

_NAME = r"`?([A-Za-z0-9_$]+)`?(?:\s*\.\s*`?([A-Za-z0-9_$]+)`?)?"
_TABLE_WORDS = re.compile(
    rf"\b(?:CREATE|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?{_NAME}",
    re.IGNORECASE,
)
_RENAME = re.compile(rf"\bRENAME\s+TABLE\s+{_NAME}\s+TO\s+{_NAME}", re.IGNORECASE)


@dataclass
class Declared:
    """Tables (lower-case names) with the columns seen, and tables with unknown columns."""

    columns: dict[str, set[str]] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)

    def has_table(self, table: str) -> bool:
        return table.lower() in self.columns or table.lower() in self.opaque

    def has_column(self, table: str, column: str) -> bool:
        name = table.lower()
        return name in self.opaque or column.lower() in self.columns.get(name, set())


def declared_tables(statements: Sequence[SqlStatement], cache_dir: Path | None = None) -> Declared:
    """What the statements declare; remembered in `cache_dir` by their texts and the
    parser's version, so a second `validate` of the same files does not load sqlglot."""
    from mrpplan.local_cache import read_json, write_json
    from mrpplan.sqlfiles.parser_version import parser_version

    digest = hashlib.sha256(parser_version().encode())
    for statement in statements:
        digest.update(b"\0" + statement.text.encode())
    path = cache_dir / "declared" / f"{digest.hexdigest()}.json" if cache_dir else None
    stored = read_json(path) if path else None
    if isinstance(stored, dict):
        columns = {t: set(c) for t, c in stored["columns"].items()}
        return Declared(columns, set(stored["opaque"]))
    found = _parsed(statements)
    if path:
        listed = {t: sorted(c) for t, c in found.columns.items()}
        write_json(path, {"columns": listed, "opaque": sorted(found.opaque)})
    return found


def _parsed(statements: Sequence[SqlStatement]) -> Declared:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    found = Declared()
    for statement in statements:
        try:
            trees = sqlglot.parse(statement.text, read="mysql")
        except SqlglotError:
            trees = []
        if not trees or any(isinstance(t, exp.Command) for t in trees):
            _opaque_names(statement.text, found)
            continue
        for tree in trees:
            if isinstance(tree, exp.Create) and str(tree.kind).upper() == "TABLE":
                _create(tree, found)
            elif (
                isinstance(tree, exp.Alter) and str(tree.args.get("kind") or "").upper() == "TABLE"
            ):
                _alter(tree, found)
    return found


def _create(tree: exp.Create, found: Declared) -> None:
    from sqlglot import exp

    target = tree.this
    if isinstance(target, exp.Schema) and isinstance(target.this, exp.Table):
        columns = found.columns.setdefault(target.this.name.lower(), set())
        columns.update(c.name.lower() for c in target.expressions if isinstance(c, exp.ColumnDef))
        if tree.expression is not None:  # CREATE TABLE t (...) AS SELECT: more columns
            found.opaque.add(target.this.name.lower())
    elif isinstance(target, exp.Table):  # LIKE / AS SELECT
        found.opaque.add(target.name.lower())


def _alter(tree: exp.Alter, found: Declared) -> None:
    from sqlglot import exp

    if not isinstance(tree.this, exp.Table):
        return
    columns = found.columns.setdefault(tree.this.name.lower(), set())
    for action in tree.args.get("actions") or ():
        for column in action.find_all(exp.ColumnDef):
            columns.add(column.name.lower())
        if isinstance(action, exp.RenameColumn) and action.args.get("to") is not None:
            columns.add(action.args["to"].name.lower())
        if isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
            found.opaque.add(action.this.name.lower())


def _opaque_names(text: str, found: Declared) -> None:
    for match in _TABLE_WORDS.finditer(text):
        found.opaque.add((match.group(2) or match.group(1)).lower())
    for match in _RENAME.finditer(text):
        found.opaque.add((match.group(4) or match.group(3)).lower())
