"""Loading through several client sessions gives exactly what a serial load gives."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path
from typing import Any

import pytest
from backup_support import checksums, environment, objects, seed

from mrpplan.backup.dump import create_backup
from mrpplan.backup.load import load_file
from mrpplan.mysql.client_process import client_credentials


@pytest.mark.parametrize("sessions", [1, 3])
def test_our_dump_loads_identically(
    sessions: int, fresh_db: Any, database_factory: Any, tmp_path: Path
) -> None:
    seed(fresh_db)
    fresh_db.execute("INSERT INTO items (sku) SELECT CONCAT('bulk-', seq) FROM seq_1_to_20000")
    path = create_backup(environment(fresh_db, tmp_path), "full").path
    target = database_factory()
    load_file(path, target.settings, target.name, sessions=sessions)
    assert checksums(target) == checksums(fresh_db)
    assert objects(target) == objects(fresh_db)


def test_stock_dump_with_lock_tables_loads_in_parallel(
    fresh_db: Any, database_factory: Any, tmp_path: Path
) -> None:
    """Files from plain mariadb-dump (LOCK TABLES, one INSERT per line) work too."""
    seed(fresh_db)
    with client_credentials(fresh_db.settings) as cnf:
        sql = subprocess.run(
            [
                "mariadb-dump",
                cnf.option,
                "--routines",
                "--triggers",
                "--net-buffer-length=4096",
                fresh_db.name,
            ],
            capture_output=True,
            check=True,
            pass_fds=(cnf.fd,),
        ).stdout
    assert b"LOCK TABLES" in sql
    path = tmp_path / "stock.sql.gz"
    path.write_bytes(gzip.compress(sql))
    target = database_factory()
    load_file(path, target.settings, target.name, sessions=3)
    assert checksums(target) == checksums(fresh_db)
    assert objects(target) == objects(fresh_db)
