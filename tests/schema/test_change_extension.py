"""Issue 24: a new ALTER clause is one class in diff/clauses.py and its entry in the lists
there; the differ, the statement, its reverse and the step kind follow (ARCHITECTURE.md
"Adding a schema change", whose example this is)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from mrpplan.diff import clauses, diff_schemas
from mrpplan.diff.change import Change, Redefinition, TableClause
from mrpplan.diff.ddl import render_changes
from mrpplan.model.schema import Schema
from mrpplan.model.table import Table
from mrpplan.model.table_options import SYSTEM_VERSIONING
from mrpplan.mysql.flavor import Flavor


@dataclass(frozen=True)
class ChangeEngine(Redefinition[str], TableClause):
    """ENGINE=X: the table is copied into the new engine."""

    phase: ClassVar[int] = 88

    @classmethod
    def found(cls, old: Table, new: Table) -> list[Change]:
        before, after = old.options.engine or "", new.options.engine or ""
        return [cls(new.name, before, after)] if before != after else []

    def describe(self) -> str:
        return f"engine of `{self.table}`: {self.old} -> {self.new}"

    def clauses(self, flavor: Flavor) -> list[str]:
        return [f"ENGINE={self.new}"]


def _options_but_engine(old: Table, new: Table) -> list[Change]:
    before = old.options.without(SYSTEM_VERSIONING, "ENGINE")
    after = new.options.without(SYSTEM_VERSIONING, "ENGINE")
    return [clauses.AlterTableOptions(new.name, before, after)] if before != after else []


def _table(engine: str, comment: str = "") -> Table:
    text = (
        "CREATE TABLE `a` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n"
        f") ENGINE={engine} DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci{comment}"
    )
    return Table("a", text)


def test_a_clause_listed_in_clauses_py_is_found_rendered_and_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        clauses,
        "AFTER_COLUMNS",
        (clauses.AddCheck.found, ChangeEngine.found, _options_but_engine),
    )
    old = Schema(tables={"a": _table("InnoDB")})
    new = Schema(tables={"a": _table("Aria", " COMMENT='x'")})
    (group,) = render_changes(diff_schemas(old, new), Flavor.parse("10.11.6-MariaDB"))
    assert group.action == "alter_table"
    assert group.sql == ("ALTER TABLE `a` ENGINE=Aria, COMMENT='x', ALGORITHM=COPY, LOCK=SHARED",)
    assert group.reverse_sql == (
        "ALTER TABLE `a` ENGINE=InnoDB, COMMENT='', ALGORITHM=COPY, LOCK=SHARED",
    )
    assert group.reason.startswith("engine of `a`: InnoDB -> Aria; table options of `a`")
