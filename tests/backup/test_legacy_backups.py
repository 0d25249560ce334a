"""Backups made by the old backup.sh (plain `mariadb-dump | gzip`, no manifest)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from dbtools import Database, old_dump


def _build(project: Any, cli: Any) -> Database:
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    assert cli("seed", "reference", "dev").code == 0
    return project.databases["dev"]


def test_import_checks_content_writes_a_manifest_and_warns(project: Any, cli: Any) -> None:
    dev = _build(project, cli)
    old = project.root / "old" / "mrp_erp_full_20250820_020000.sql.gz"
    old.parent.mkdir()
    old.write_bytes(gzip.compress(old_dump(dev)))

    result = cli("backup", "import", str(old), "dev")
    assert result.code == 0, result.output
    assert "no checksum existed" in result.stderr
    imported = sorted((project.root / "database" / "backups").glob("mrp_erp_full_dev_*.sql.gz"))
    assert len(imported) == 1 and old.is_file()  # the original stays where it was
    assert imported[0].stat().st_mode & 0o777 == 0o600
    manifest = json.loads(Path(f"{imported[0]}.manifest.json").read_text())
    assert manifest["tables"]["currencies"]["rows"] > 0
    assert manifest["tables"]["currencies"]["checksum"] is not None
    assert "no checksums existed" in manifest["label"]

    # from now on it is a backup like any other: listed, verified against its manifest
    listed = json.loads(cli("backup", "--list", "dev", "--json").stdout)
    # (the seed plan of _build left its checkpoint, a rollback file, beside it)
    assert [e["file"] for e in listed if "mrp_erp_full_" in e["file"]] == [str(imported[0])]
    assert cli("backup", "--verify", imported[0].name, "--deep").code == 0


def test_damaged_old_files_are_refused_and_nothing_is_written(project: Any, cli: Any) -> None:
    dev = _build(project, cli)
    dump = old_dump(dev)
    cut = project.root / "cut.sql.gz"
    cut.write_bytes(gzip.compress(dump[: len(dump) // 2]))  # dump cut short: no trailer
    truncated = project.root / "truncated.sql.gz"
    truncated.write_bytes(gzip.compress(dump)[:-100])  # gzip stream not whole

    for path, check in ((cut, "trailer"), (truncated, "gzip stream")):
        for args in (("backup", "import", str(path), "dev"), ("backup", "--verify", str(path))):
            result = cli(*args)
            assert result.code == 1, result.output
            assert check in result.stderr and "Traceback" not in result.output
    assert not (project.root / "database" / "backups").exists() or not list(
        (project.root / "database" / "backups").glob("mrp_erp_*.sql.gz")
    )


def test_restore_takes_an_old_file_directly(project: Any, cli: Any) -> None:
    dev = _build(project, cli)
    folder = project.root / "database" / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    (folder / "mrp_erp_full_20250820_020000.sql.gz").write_bytes(gzip.compress(old_dump(dev)))
    rows = dev.query("SELECT COUNT(*) FROM currencies")[0][0]
    dev.execute("DELETE FROM uom_conversions", "DELETE FROM currencies")

    result = cli("restore", "dev", "mrp_erp_full_20250820_020000.sql.gz", "--force")
    assert result.code == 0, result.output
    assert "no checksum existed" in result.stderr
    assert dev.query("SELECT COUNT(*) FROM currencies")[0][0] == rows
