"""A table: the server's own CREATE TABLE text (verbatim), parsed on first use."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from mrpplan.model.canonical import canonical_table_text, sha256_text
from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.index import Index
from mrpplan.model.table_def import TableDef
from mrpplan.model.table_options import TableOptions

_REFERENCES = re.compile(r"REFERENCES `((?:[^`]|``)+)` \(")
_QUOTED = re.compile(r"`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'", re.S)  # names, strings


@dataclass(frozen=True)
class Table:
    """`text` is SHOW CREATE TABLE without AUTO_INCREMENT=N, verbatim: the author's order
    of keys and constraints is kept, and CREATE TABLE emits it as it is. `canonical` is
    what equality and fingerprints compare (keys by name, clustered-index candidates in
    order). Equal canonical texts mean equal tables, so the (costly) parse into
    columns/keys only happens for tables that differ."""

    name: str
    text: str

    @functools.cached_property
    def canonical(self) -> str:
        return canonical_table_text(self.text)

    def same_as(self, other: Table) -> bool:
        """Equal tables; the verbatim texts decide first (most tables a diff compares are
        untouched), the canonical texts only when they differ."""
        return self.text == other.text or self.canonical == other.canonical

    @functools.cached_property
    def parsed(self) -> TableDef:
        from mrpplan.model.parse import parse_table_text  # pure computation, cached

        return parse_table_text(self.text)

    @functools.cached_property
    def fingerprint(self) -> str:
        return sha256_text(self.canonical)

    @property
    def supported(self) -> bool:
        return self.parsed.supported

    @property
    def unsupported_reason(self) -> str:
        return self.parsed.unsupported_reason

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.parsed.columns

    @property
    def indexes(self) -> tuple[Index, ...]:
        return self.parsed.indexes

    @property
    def foreign_keys(self) -> tuple[ForeignKey, ...]:
        return self.parsed.foreign_keys

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.parsed.checks

    @property
    def options(self) -> TableOptions:
        return self.parsed.options

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    def column_names(self) -> tuple[str, ...]:
        return tuple(col.name for col in self.columns)

    def primary_key(self) -> Index | None:
        for index in self.indexes:
            if index.is_primary:
                return index
        return None

    def references(self) -> set[str]:
        """Names of the tables this table's foreign keys point at (same database).

        Read from the server's text, string literals (comments, checks, defaults) left out,
        without parsing it: ordering the creates of a new database would otherwise parse
        every table. Another database's table is written `db`.`t` and does not match."""
        code = _QUOTED.sub(lambda m: m[0] if m[0][0] == "`" else "''", self.text)
        return {m.replace("``", "`") for m in _REFERENCES.findall(code)}
