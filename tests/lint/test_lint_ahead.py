"""A plan with no cache works out the live tables' lint findings in a child process while
the desired schema builds (lint/ahead.py). What the user sees must be exactly the desired
schema's findings: a smell only the live database has is never reported, a smell only
the desired schema has always is, and a plan with a warm cache (no child) says the same."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from dbtools import local_without_sync_or_seeds

from mrpplan.lint import ahead
from mrpplan.model.schema import Schema
from mrpplan.model.table import Table

MANY = 120  # above ahead.MIN_TABLES, so the child runs


def _lint_lines(output: str) -> list[str]:
    return sorted(line for line in output.splitlines() if line.startswith("lint: "))


def _private_cache(root: Path) -> Path:
    """This project's own empty cache (the suite shares one, which has lint's tables)."""
    cache = root / ".mrpplan" / "cache"
    cache.unlink()
    cache.mkdir()
    return cache


def test_a_cold_plan_reports_the_desired_smells_not_the_live_ones(project: Any, cli: Any) -> None:
    assert MANY >= ahead.MIN_TABLES
    local_without_sync_or_seeds(project.root)
    many = "".join(
        f"CREATE TABLE many_{n} (id INT PRIMARY KEY, v INT, KEY k_v (v));\n" for n in range(MANY)
    )
    schema_file = project.root / "database" / "schema" / "02_many.sql"
    schema_file.write_text(many)
    built = cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    db = project.databases["local"]
    # the live database alone: a duplicate index on many_0 (drift the plan repairs)
    db.execute("ALTER TABLE many_0 ADD KEY k_v_again (v)")
    # the desired schema alone: a duplicate index on many_1
    schema_file.write_text(
        many.replace(
            "CREATE TABLE many_1 (id INT PRIMARY KEY, v INT, KEY k_v (v));",
            "CREATE TABLE many_1 (id INT PRIMARY KEY, v INT, KEY k_v (v), KEY k_dup (v));",
        )
    )
    cache = _private_cache(project.root)

    cold = cli("plan", "local")
    warm = cli("plan", "local")

    assert cold.code == 0 and warm.code == 0, cold.output + warm.output
    found = _lint_lines(cold.stdout)
    assert any("on `many_1`" in line and "[duplicate-index]" in line for line in found), found
    assert not any("many_0" in line for line in found), found
    assert found == _lint_lines(warm.stdout)
    assert (cache / "lint" / "tables.json").exists()
    shutil.rmtree(cache)
    cache.mkdir()
    assert _lint_lines(cli("plan", "local").stdout) == found  # the same again from cold


def test_the_child_finds_what_lint_finds_itself(tmp_path: Path) -> None:
    """The rows the child sends for each live table are the ones lint works out in
    process, under the same key; with the cache file present no child starts."""
    texts = {
        f"t{n}": (
            f"CREATE TABLE `t{n}` (\n  `id` int(11) NOT NULL,\n  `v` int(11) DEFAULT NULL,\n"
            f"  PRIMARY KEY (`id`),\n  KEY `a` (`v`),\n  KEY `b` (`v`)\n"
            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
        )
        if n % 2
        else f"CREATE TABLE `t{n}` (\n  `v` int(11) DEFAULT NULL\n) ENGINE=InnoDB"
        for n in range(ahead.MIN_TABLES)
    }
    schema = Schema(tables={name: Table(name, text) for name, text in texts.items()})
    ahead.starter(tmp_path / "tables.json")(schema)
    rows = ahead.take()

    expected = {
        ahead.table_key(name, table.text): ahead.table_rows(name, table)
        for name, table in schema.tables.items()
    }
    assert rows == expected
    assert sum(1 for r in rows.values() if r) == ahead.MIN_TABLES  # each has a smell
    (tmp_path / "tables.json").write_text("{}")
    ahead.starter(tmp_path / "tables.json")(schema)
    assert ahead.take() == {}


def test_a_child_whose_findings_are_not_needed_is_stopped(tmp_path: Path) -> None:
    """Lint found its findings cached: the plan's child is stopped, not left running."""
    texts = {
        f"t{n}": f"CREATE TABLE `t{n}` (\n  `v` int(11) DEFAULT NULL\n) ENGINE=InnoDB"
        for n in range(ahead.MIN_TABLES)
    }
    ahead.starter(tmp_path / "tables.json")(
        Schema(tables={n: Table(n, t) for n, t in texts.items()})
    )
    assert ahead._pending is not None
    child = ahead._pending._child
    assert child is not None

    ahead.discard()

    assert not child.is_alive() and ahead.take() == {}
