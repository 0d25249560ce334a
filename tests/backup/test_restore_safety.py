"""Restore follows the one approval rule, keeps the replaced tables as trash, and a load that
fails part-way never touches the target (it loads into a scratch database)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from backup_support import checksums, environment, seed

from mrpplan.backup.dump import create_backup
from mrpplan.backup.manifest import manifest_path
from mrpplan.errors import MrpplanError
from mrpplan.restore.restore import restore_backup
from mrpplan.wiring import wiring


def _backup(project: Any, cli: Any, env: str = "local") -> Path:
    assert cli("backup", env).code == 0
    return next((project.root / "database" / "backups").glob(f"mrp_erp_full_{env}_*.sql.gz"))


def test_restore_without_terminal_keeps_the_replaced_rows_as_trash(project: Any, cli: Any) -> None:
    # one approval rule: an unprotected environment takes a plan that loses nothing without
    # a terminal; the replaced tables are kept in the trash database, not dropped
    db = project.databases["local"]
    seed(db)
    path = _backup(project, cli)
    db.execute("UPDATE items SET price = 123456")
    done = cli("restore", "local", str(path))
    assert done.code == 0, done.output
    assert db.query("SELECT COUNT(*) FROM items WHERE price = 123456") == [(0,)]
    pattern = f"\\_mrpplan\\_trash\\_%{db.name}"
    [(trash,)] = db.query("SHOW DATABASES LIKE %s", (pattern,))
    assert db.query(f"SELECT COUNT(*) FROM `{trash}`.items WHERE price = 123456") == [(300,)]


def test_restore_without_file_and_terminal_is_a_usage_error(project: Any, cli: Any) -> None:
    done = cli("restore", "local")
    assert done.code == 64 and "FILE" in done.stderr


def test_protected_env_is_refused_without_a_terminal_even_with_force(
    project: Any, cli: Any
) -> None:
    db = project.databases["prod"]
    seed(db)
    path = _backup(project, cli, "prod")
    db.execute("UPDATE items SET price = 7")
    before = checksums(db)
    done = cli("restore", "prod", str(path), "--force")
    assert done.code == 3, done.output
    assert "protected" in done.stderr and "--out" in done.stderr
    assert checksums(db) == before


def _poison(path: Path) -> None:
    """A file that verifies (manifest rewritten to match) but fails to load half-way."""
    text = gzip.decompress(path.read_bytes())
    cut = text.index(b"-- Table structure for table `stock`")
    text = text[:cut] + b"INSERT INTO no_such_table VALUES (1);\n" + text[cut:]
    path.write_bytes(gzip.compress(text))
    data = json.loads(manifest_path(path).read_text())
    data.update(
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        compressed_bytes=path.stat().st_size,
        sql_bytes=len(text),
    )
    manifest_path(path).write_text(json.dumps(data))


def test_failed_load_leaves_the_database_as_it_was(fresh_db: Any, tmp_path: Path) -> None:
    seed(fresh_db)
    env = environment(fresh_db, tmp_path)
    path = create_backup(env, "full").path
    _poison(path)
    fresh_db.execute(
        "SET foreign_key_checks = 0",
        "UPDATE items SET price = 9",
        "DROP TABLE warehouses",
        "CREATE TABLE added_later (id INT PRIMARY KEY)",
        "INSERT INTO added_later VALUES (5)",
    )
    before = checksums(fresh_db)
    with pytest.raises(MrpplanError) as caught:  # (a whole restore trashes added_later)
        restore_backup(env, path, allow_destructive=True, wiring=wiring())
    message = caught.value.render()
    assert "shadow_load" in message and "no_such_table" in message
    assert "back where it was" in message
    assert checksums(fresh_db) == before
    pattern = f"\\_mrpplan\\_load\\_%{fresh_db.name}"
    assert not fresh_db.query("SHOW DATABASES LIKE %s", (pattern,))
