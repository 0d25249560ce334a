"""Backup then restore through the CLI, as a user would: same CHECKSUM TABLE for every table."""

from __future__ import annotations

import gzip
import json
import stat
from pathlib import Path
from typing import Any

from backup_support import backups_in, checksums, objects, seed


def _only_backup(project: Any, pattern: str = "*") -> Path:
    files = backups_in(project.root / "database" / "backups")
    found = [f for f in files if f.match(pattern)]
    assert len(found) == 1, files
    return found[0]


def test_full_backup_restores_every_table_exactly(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    before, shape = checksums(db), objects(db)

    done = cli("backup", "local")
    assert done.code == 0, done.output
    path = _only_backup(project, "mrp_erp_full_local_*.sql.gz")
    assert "written" in done.stdout and path.name in done.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    manifest_file = path.with_name(path.name + ".manifest.json")
    assert stat.S_IMODE(manifest_file.stat().st_mode) == 0o600
    manifest = json.loads(manifest_file.read_text())
    assert manifest["kind"] == "full" and manifest["env"] == "local"
    assert manifest["database"] == db.name and "MariaDB" in manifest["server_version"]
    assert manifest["tables"]["items"] == {"rows": 300, "checksum": before["items"]}
    assert manifest["tool"]["name"] == "mrpplan" and len(manifest["sha256"]) == 64
    # plain gunzip | mariadb restorable: a standard gzip stream of SQL with the trailer
    text = gzip.decompress(path.read_bytes()).decode()
    assert "CREATE TABLE `stock`" in text and text.rstrip().splitlines()[-1].startswith(
        "-- Dump completed"
    )

    db.execute(
        "SET foreign_key_checks = 0",
        "DELETE FROM stock WHERE item_id < 100",
        "UPDATE items SET price = 0",
        "DROP VIEW stock_totals",
        "DROP TRIGGER stock_ai",
        "DROP TABLE warehouses",
    )
    assert checksums(db) != before

    done = cli("restore", "local", str(path), "--force")
    assert done.code == 0, done.output
    assert "match the manifest" in done.stdout
    assert checksums(db) == before
    assert objects(db) == shape

    listed = cli("backup", "--list", "local", "--json")
    assert listed.code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["kind"] for r in rows] == ["full"] and rows[0]["verified"] == "quick"


def test_auto_mode_prints_one_line(project: Any, cli: Any) -> None:
    seed(project.databases["dev"])
    done = cli("backup", "dev", "--auto", "--tables", "items,stock")
    assert done.code == 0, done.output
    assert len(done.stdout.strip().splitlines()) == 1 and done.stdout.startswith("backup ok:")
    manifest = json.loads(Path(str(_only_backup(project)) + ".manifest.json").read_text())
    assert sorted(manifest["tables"]) == ["items", "stock"]


def test_backup_of_unknown_table_writes_nothing(project: Any, cli: Any) -> None:
    seed(project.databases["dev"])
    done = cli("backup", "dev", "--tables", "no_such_table")
    assert done.code == 1 and "no_such_table" in done.stderr
    assert backups_in(project.root / "database" / "backups") == []


def test_dry_run_shows_impact_and_changes_nothing(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    path = _only_backup(project)
    db.execute("ALTER TABLE items ADD COLUMN weight INT", "CREATE TABLE extra (id INT PRIMARY KEY)")
    db.execute("SET foreign_key_checks = 0", "DELETE FROM stock WHERE item_id > 10")
    before = checksums(db)
    done = cli("restore", "local", str(path), "--dry-run")
    assert done.code == 0, done.output
    out = done.stdout
    assert "stock" in out and "replace" in out and "300" in out and "10" in out
    assert "extra" in out and "keep" in out
    assert "weight" in out  # the schema difference between live and the backup
    assert "nothing was changed" in out
    assert checksums(db) == before
