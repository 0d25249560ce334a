"""Lint rules on a change (a migration's, or a plan's): what the change does to the rows
or to the objects that name the changed columns."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from mrpplan.diff.change import Change
from mrpplan.diff.clauses import AddColumn, DropColumn, ModifyColumn
from mrpplan.model.schema import Schema


def change_findings(changes: Sequence[Change], after: Schema) -> Iterator[tuple[str, str, str]]:
    """(rule, table, message) for each risky change; `after`: the schema it leads to."""
    dropped = [c for c in changes if isinstance(c, DropColumn)]
    added = [c for c in changes if isinstance(c, AddColumn)]
    for change in changes:
        if isinstance(change, ModifyColumn) and change.old.base_type in ("enum", "set"):
            removed = [v for v in change.old.values if v not in change.new.values]
            if removed and change.new.base_type == change.old.base_type:
                yield (
                    "enum-value-removed",
                    change.table,
                    f"`{change.table}`.`{change.new.name}` loses {', '.join(removed)}: rows "
                    "holding it become '' (or the change fails in strict mode)",
                )
    for drop in dropped:
        twin = next(
            (a for a in added if a.table == drop.table and a.column.type == drop.column.type),
            None,
        )
        if twin is not None:
            yield (
                "rename-as-drop-add",
                drop.table,
                f"`{drop.table}`.`{drop.column.name}` is dropped and `{twin.column.name}` "
                f"({twin.column.type}) added: if this is a rename, say so (RENAME COLUMN), "
                "or its values are lost",
            )
        for kind, name in _referrers(after, drop.table, drop.column.name):
            yield (
                "dropped-column-still-referenced",
                drop.table,
                f"`{drop.table}`.`{drop.column.name}` is dropped but {kind} `{name}` still "
                "names it: it fails when it runs",
            )


def _referrers(schema: Schema, table: str, column: str) -> Iterator[tuple[str, str]]:
    """Views, triggers and routines whose text names both the table and the column."""
    names = (
        [("view", n, v.canonical) for n, v in schema.views.items()]
        + [("trigger", n, r.canonical) for n, r in schema.triggers.items()]
        + [("routine", n, r.canonical) for n, r in schema.routines.items()]
    )
    has_table = re.compile(rf"(?<![\w$])`?{re.escape(table)}`?(?![\w$])", re.I)
    has_column = re.compile(rf"(?<![\w$])`?{re.escape(column)}`?(?![\w$])", re.I)
    for kind, name, text in names:
        if has_table.search(text) and has_column.search(text):
            yield kind, name
