"""Schema differences as small reversible changes: `diff_schemas` finds them; each change
type lives in the module that renders it (`clauses`: ALTER TABLE clauses, `changes`:
tables, foreign keys, views and routines, `partition_changes`)."""

from mrpplan.diff.differ import diff_schemas

__all__ = ["diff_schemas"]
