"""Lint rules on one schema (the project's desired schema): table by table."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mrpplan.model.schema import Schema
from mrpplan.model.table import Table

_MONEY = re.compile(
    r"(amount|price|cost|qty|quantity|total|balance|payment|fee|tax|discount|value)", re.I
)
_FLOATS = {"float", "double", "real"}
_UTF8MB3 = {"utf8", "utf8mb3"}
_ZERO_DATE = re.compile(r"^'0000-00-00")


def schema_findings(schema: Schema) -> Iterator[tuple[str, str, str]]:
    """(rule, table, message) for each smell of `schema` (mrpplan's own tables aside)."""
    for name, table in sorted(schema.tables.items()):
        yield from table_findings(name, table)


def table_findings(name: str, table: Table) -> list[tuple[str, str, str]]:
    """The smells of one table: each rule reads only the table itself."""
    if name.startswith(("mrpplan_", "_mrpplan")) or not table.supported:
        return []
    return list(_table(name, table))


def _table(name: str, table: Table) -> Iterator[tuple[str, str, str]]:
    if table.primary_key() is None:
        yield "no-primary-key", name, f"table `{name}` has no PRIMARY KEY"
    yield from _duplicate_indexes(name, table)
    if (table.options.charset or "") in _UTF8MB3:
        yield "utf8mb3", name, f"table `{name}` defaults to {table.options.charset}: use utf8mb4"
    for column in table.columns:
        where = f"`{name}`.`{column.name}`"
        in_table = (table.options.charset or "") in _UTF8MB3  # said once, for the table
        if column.is_string and (column.charset or "") in _UTF8MB3 and not in_table:
            yield "utf8mb3", name, f"column {where} is {column.charset}: use utf8mb4"
        if column.default and _ZERO_DATE.match(column.default):
            yield (
                "zero-date-default",
                name,
                f"column {where} defaults to {column.default}: strict modes refuse zero dates",
            )
        if column.base_type in _FLOATS and _MONEY.search(column.name):
            yield (
                "float-money",
                name,
                f"column {where} is {column.type}: amounts need DECIMAL (FLOAT rounds)",
            )


def _duplicate_indexes(name: str, table: Table) -> Iterator[tuple[str, str, str]]:
    indexes = [i for i in table.indexes if i.kind in ("index", "unique", "primary")]
    for index in indexes:
        if index.kind != "index":
            continue  # a UNIQUE key says something a longer key does not
        mine = [(p.column, p.length) for p in index.parts]
        for other in indexes:
            theirs = [(p.column, p.length) for p in other.parts]
            if other is index or theirs[: len(mine)] != mine:
                continue
            if theirs == mine and other.kind == "index" and other.name > index.name:
                continue  # two identical plain keys: report the second one only
            yield (
                "duplicate-index",
                name,
                f"index `{index.name}` on `{name}` ({', '.join(c for c, _ in mine)}) is "
                f"covered by `{other.name}`",
            )
            break
