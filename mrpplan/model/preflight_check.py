"""One pre-flight check: a question to the live rows before a change runs (issue 25).

Plain data, below both sides that use it: `diff/preflight.py` derives the checks from the
schema engine's changes, `mysql/preflight.py` runs each as one read-only query, and the
plan file stores them (`record`/`from_record`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mrpplan.model.column import INTEGER_TYPES

UNIQUE = "unique"
NOT_NULL = "not_null"
FOREIGN_KEY = "foreign_key"
CHECK = "check"
NARROWING = "narrowing"
KINDS = (UNIQUE, NOT_NULL, FOREIGN_KEY, CHECK, NARROWING)


@dataclass(frozen=True)
class PreflightCheck:
    """One question to the live rows. `columns` are checked; `key` names the columns whose
    values identify an offending row in samples; `detail` is kind-specific plain data
    (constraint name, parent table, CHECK expression, the narrowing rule)."""

    kind: str
    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    detail: Mapping[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "check": self.kind,
            "table": self.table,
            "columns": list(self.columns),
            "key": list(self.key),
            "detail": dict(self.detail),
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> PreflightCheck:
        return cls(
            kind=str(data["check"]),
            table=str(data["table"]),
            columns=tuple(data["columns"]),
            key=tuple(data["key"]),
            detail=dict(data.get("detail") or {}),
        )

    def describe(self) -> str:
        """What is checked, for people: `unique currencies.name`."""
        cols = ", ".join(self.columns)
        where = f"{self.table}.{cols}" if len(self.columns) == 1 else f"{self.table}.({cols})"
        if self.kind == FOREIGN_KEY:
            return f"foreign key {where} -> {self.detail.get('ref_table')}"
        if self.kind == CHECK:
            return f"CHECK {self.detail.get('expression')} on {self.table}"
        if self.kind == NARROWING:
            return f"{where} fits {self.detail.get('new_type')}"
        return f"{self.kind.replace('_', ' ')} {where}"


def integer_range(base_type: str, unsigned: bool) -> tuple[int, int]:
    bits = 8 * INTEGER_TYPES[base_type]
    return (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
