"""Rollback points: save a few tables, change them, restore, and get the same data back."""

from __future__ import annotations

from pathlib import Path

from mrpplan.backup.checkpoint import restore_checkpoint, save_checkpoint
from mrpplan.backup.manifest import read_manifest
from mrpplan.config.settings import BackupSettings, Environment


def _env(db, folder: Path) -> Environment:  # type: ignore[no-untyped-def]
    return Environment(
        name="local",
        file=folder / "local.yaml",
        connection=db.settings,
        backup=BackupSettings(dir=folder / "backups"),
    )


def test_checkpoint_restores_changed_tables(fresh_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fresh_db.execute(
        "CREATE TABLE parts (id INT PRIMARY KEY, name VARCHAR(40), qty DECIMAL(12,3))",
        "CREATE TABLE bom (id INT PRIMARY KEY, part_id INT,"
        " FOREIGN KEY (part_id) REFERENCES parts(id))",
        "INSERT INTO parts VALUES (1, 'bolt', 10.5), (2, 'nut', 3)",
        "INSERT INTO bom VALUES (1, 1), (2, 2)",
    )
    before = fresh_db.query("CHECKSUM TABLE parts")[0][1]
    env = _env(fresh_db, tmp_path)
    path = save_checkpoint(env, ["parts", "not_created_yet"], label="step-1")
    assert path.name.startswith("rollback_local_") and path.name.endswith(".sql.gz")
    manifest = read_manifest(path)
    assert manifest.kind == "rollback" and manifest.label == "step-1"
    assert manifest.tables["parts"].rows == 2 and manifest.absent_tables == ["not_created_yet"]

    fresh_db.execute("ALTER TABLE parts DROP COLUMN qty", "UPDATE parts SET name = 'gone'")
    restore_checkpoint(env, path)
    assert fresh_db.query("CHECKSUM TABLE parts")[0][1] == before
    assert fresh_db.query("SELECT COUNT(*) FROM bom")[0][0] == 2
