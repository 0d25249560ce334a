"""The parsed parts of one CREATE TABLE text."""

from __future__ import annotations

from dataclasses import dataclass, field

from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.index import Index
from mrpplan.model.table_options import TableOptions


@dataclass(frozen=True)
class TableDef:
    """Columns, keys and options; `supported` is False when the text holds something the
    model cannot represent exactly (then only the canonical text is compared)."""

    columns: tuple[Column, ...] = ()
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    options: TableOptions = field(default_factory=lambda: TableOptions(()))
    supported: bool = True
    unsupported_reason: str = ""
