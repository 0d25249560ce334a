"""The schema model: plain frozen data, no I/O."""

from mrpplan.model.canonical import (
    canonical_table_text,
    is_mrpplan_object,
    sha256_text,
    strip_auto_increment,
)
from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.index import Index, IndexPart
from mrpplan.model.routine import Routine
from mrpplan.model.schema import Schema
from mrpplan.model.table import Table
from mrpplan.model.table_def import TableDef
from mrpplan.model.table_options import TableOptions
from mrpplan.model.view import View

__all__ = [
    "Check",
    "Column",
    "ForeignKey",
    "Index",
    "IndexPart",
    "Routine",
    "Schema",
    "Table",
    "TableDef",
    "TableOptions",
    "View",
    "canonical_table_text",
    "is_mrpplan_object",
    "sha256_text",
    "strip_auto_increment",
]
