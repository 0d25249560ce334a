"""The local cache keeps what a later plan reads, not every intermediate result. A plan of a
database that is behind traces each pending migration statement by statement; the schema
after every one of those statements was once written to the cache (900 files of 0.5 MB
for an ERP project's 60 migrations), though later plans read only the traces and the
schemas at the migrations' ends."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from plan_test_support import without_sync

from mrpplan.desired.directory import load_migrations


def _summary(output: str) -> str:
    found = re.search(r"Plan: .*", output)
    assert found, output
    return found.group(0)


def test_a_plan_caches_the_schemas_at_migration_ends_only(project: Any, cli: Any) -> None:
    without_sync(project.root, "local")
    cache = project.root / ".mrpplan" / "cache"
    cache.unlink()  # this test's own cache, not the run's shared one
    cache.mkdir()
    migrations = load_migrations(project.root / "database" / "migrations")
    statements = sum(len(m.up) for m in migrations)
    assert statements > len(migrations) + 3  # the files trace more statements than ends
    first = cli("plan", "prod")
    assert first.code == 0, first.output
    written = sorted((cache / "desired").glob("*.json"))
    # the base schema, each migration's end, and the whole project's schema (lint, drift)
    assert 0 < len(written) <= len(migrations) + 3, [p.name for p in written]
    assert list((cache / "traces").glob("*.json"))
    again = cli("plan", "prod")
    assert again.code == 0, again.output
    assert _summary(again.output) == _summary(first.output)
    # the second plan found what it needed: it wrote no other schema
    assert sorted((cache / "desired").glob("*.json")) == written


def test_a_plan_from_a_cache_of_migration_ends_equals_a_cold_plan(
    project: Any, cli: Any, tmp_path: Path
) -> None:
    """The traced steps (with their generated rollbacks) come out the same from the cache."""
    without_sync(project.root, "local")
    cache = project.root / ".mrpplan" / "cache"
    cache.unlink()
    cache.mkdir()
    cold = cli("plan", "prod", "--out", str(tmp_path / "cold.json"))
    assert cold.code == 0, cold.output
    warm = cli("plan", "prod", "--out", str(tmp_path / "warm.json"))
    assert warm.code == 0, warm.output
    strip = re.compile(r'"(created_at|digest|fingerprint)": "[^"]*"|\d{14}')
    assert strip.sub("", (tmp_path / "warm.json").read_text()) == strip.sub(
        "", (tmp_path / "cold.json").read_text()
    )
