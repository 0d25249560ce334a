"""Schema-only and data-only backups restore as a user expects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from backup_support import checksums, environment, objects, seed

from mrpplan.backup.dump import create_backup
from mrpplan.errors import BackupError
from mrpplan.restore.restore import restore_backup
from mrpplan.wiring import wiring


def test_schema_then_data_rebuilds_the_database(
    fresh_db: Any, database_factory: Any, tmp_path: Path
) -> None:
    seed(fresh_db)
    before, shape = checksums(fresh_db), objects(fresh_db)
    env = environment(fresh_db, tmp_path)
    schema = create_backup(env, "schema").path
    data = create_backup(env, "data").path
    assert "_schema_" in schema.name and "_data_" in data.name

    target = database_factory()
    target_env = environment(target, tmp_path, name="dev")
    restore_backup(target_env, schema, wiring=wiring())
    assert objects(target) == shape
    assert all(target.query(f"SELECT COUNT(*) FROM {t}")[0][0] == 0 for t in before)

    restore_backup(target_env, data, wiring=wiring())
    assert checksums(target) == before


def test_data_only_restore_replaces_rows(fresh_db: Any, tmp_path: Path) -> None:
    seed(fresh_db)
    before = checksums(fresh_db)
    env = environment(fresh_db, tmp_path)
    data = create_backup(env, "data").path
    fresh_db.execute(
        "INSERT INTO warehouses VALUES (3, 'WH03', 'new')", "UPDATE items SET price = 1"
    )
    restore_backup(env, data, wiring=wiring())
    assert checksums(fresh_db) == before


def test_data_only_restore_needs_the_tables(
    fresh_db: Any, database_factory: Any, tmp_path: Path
) -> None:
    seed(fresh_db)
    data = create_backup(environment(fresh_db, tmp_path), "data").path
    empty = database_factory()
    with pytest.raises(BackupError, match="do not exist"):
        restore_backup(environment(empty, tmp_path, name="dev"), data, wiring=wiring())
    assert empty.query("SHOW TABLES") == []


def test_schema_only_restore_of_existing_tables_is_reported_as_emptying(
    project: Any, cli: Any
) -> None:
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local", "--schema-only").code == 0
    path = next((project.root / "database" / "backups").glob("*_schema_*.sql.gz"))
    done = cli("restore", "local", str(path), "--dry-run")
    assert done.code == 0, done.output
    assert "empty" in done.stdout and "current rows are lost" in done.stdout
    assert db.query("SELECT COUNT(*) FROM items")[0][0] == 300


def test_zstd_backups_round_trip(fresh_db: Any, tmp_path: Path) -> None:
    seed(fresh_db)
    before = checksums(fresh_db)
    env = environment(fresh_db, tmp_path)
    path = create_backup(env, "full", compression="zstd").path
    assert path.name.endswith(".sql.zst")
    fresh_db.execute("SET foreign_key_checks = 0", "TRUNCATE stock")
    restore_backup(env, path, wiring=wiring())
    assert checksums(fresh_db) == before


def test_deep_verify_of_a_data_only_backup_uses_the_live_schema(
    fresh_db: Any, tmp_path: Path, server: Any
) -> None:
    from mrpplan.backup.verify import verify_backup

    seed(fresh_db)
    data = create_backup(environment(fresh_db, tmp_path), "data").path
    report = verify_backup(
        data, deep=True, scratch=server.settings(), schema_source=fresh_db.settings
    )
    assert report.level == "deep"


def test_two_restores_planned_in_the_same_second_keep_both_trash_databases(
    fresh_db: Any, tmp_path: Path
) -> None:
    """The second swap moves its replaced tables to a trash database of its own."""
    from datetime import UTC, datetime

    from mrpplan.apply.executor import apply_plan
    from mrpplan.config.project import Project
    from mrpplan.restore.restore_plan import restore_plan

    seed(fresh_db)
    env = environment(fresh_db, tmp_path)
    data = create_backup(env, "data").path
    now = datetime(2030, 1, 1, tzinfo=UTC)
    project = Project(tmp_path)
    trash = set()
    for _ in range(2):
        plan = restore_plan(project, env, data, now)
        apply_plan(project, env, plan, wiring=wiring())
        trash |= {
            str(r[0])
            for r in fresh_db.query(
                "SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_trash\\_20300101%{fresh_db.name}",)
            )
        }
    assert len(trash) == 2, trash
