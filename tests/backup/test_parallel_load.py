"""Loading through several client sessions gives exactly what a serial load gives."""

from __future__ import annotations

import gzip
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from backup_support import checksums, environment, objects, seed

from mrpplan.backup.dump import create_backup
from mrpplan.backup.load import load_file
from mrpplan.errors import SqlError
from mrpplan.mysql.client_process import client_credentials
from mrpplan.mysql.connection import session
from mrpplan.mysql.statement_session import StatementSession


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


def _definitions(db: Any) -> dict[str, str]:
    tables = db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        " AND table_type = 'BASE TABLE'"
    )
    return {str(t): str(db.query(f"SHOW CREATE TABLE `{t}`")[0][1]) for (t,) in tables}


def test_keys_built_after_the_rows_give_the_same_tables(
    fresh_db: Any, database_factory: Any, tmp_path: Path
) -> None:
    """Tables big enough to have their secondary keys added after the rows come back with
    the same definitions: key order, a key a foreign key needs, unique and fulltext keys."""
    fresh_db.execute(
        "CREATE TABLE parts (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE,"
        " name VARCHAR(80) COMMENT 'shown; in lists', KEY k_name (name),"
        " KEY k_both (name, code) COMMENT 'for, sorting')",
        "CREATE TABLE moves (id INT PRIMARY KEY, part_id INT NOT NULL, at DATETIME,"
        " note VARCHAR(60), KEY k_at (at), KEY k_part_at (part_id, at), KEY k_note (note(10)),"
        " CONSTRAINT fk_move_part FOREIGN KEY (part_id) REFERENCES parts (id))",
        "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT, KEY k_id_body (id, body(20)),"
        " FULLTEXT KEY ft_body (body))",
        "INSERT INTO parts SELECT seq, CONCAT('P-', seq), CONCAT('part ', seq MOD 977)"
        " FROM seq_1_to_30000",
        "INSERT INTO moves SELECT seq, 1 + seq MOD 30000, TIMESTAMP('2025-01-01') + INTERVAL seq"
        " MINUTE, IF(seq MOD 3 = 0, NULL, CONCAT('moved ', seq)) FROM seq_1_to_40000",
        "INSERT INTO notes SELECT seq, CONCAT('note about part ', seq) FROM seq_1_to_30000",
    )
    path = create_backup(environment(fresh_db, tmp_path), "full").path
    target = database_factory()
    load_file(path, target.settings, target.name, sessions=3)
    assert _definitions(target) == _definitions(fresh_db)
    assert checksums(target) == checksums(fresh_db)


def test_a_failing_insert_stops_the_load_with_the_servers_reason(
    database_factory: Any, tmp_path: Path
) -> None:
    sql = (
        b"CREATE TABLE t (id INT PRIMARY KEY);\n"
        b"INSERT INTO t VALUES (1),(2);\nINSERT INTO t VALUES (2);\nINSERT INTO t VALUES (3);\n"
        b"CREATE TABLE after_the_rows (id INT);\n"
    )
    path = tmp_path / "duplicate.sql.gz"
    path.write_bytes(gzip.compress(sql))
    target = database_factory()
    with pytest.raises(SqlError, match="Duplicate entry '2'"):
        load_file(path, target.settings, target.name, sessions=3)
    assert not target.query("SHOW TABLES LIKE 'after_the_rows'")


def test_a_deadlock_victim_runs_again_and_the_real_reason_is_reported(
    database_factory: Any,
) -> None:
    """Two row sessions inserting the same key after a third rolls back: InnoDB makes one
    the deadlock victim. That INSERT was rolled back alone, so it runs again and meets
    the duplicate key, which is what the user must be told (not "try restarting")."""
    target = database_factory()
    target.execute("CREATE TABLE t (id INT PRIMARY KEY)")
    with session(target.settings, database=target.name, autocommit=False) as holder:
        holder.query("INSERT INTO t VALUES (2)")
        with (
            StatementSession(target.settings, target.name) as first,
            StatementSession(target.settings, target.name) as second,
        ):
            first.send(b"INSERT INTO t VALUES (2)")
            second.send(b"INSERT INTO t VALUES (2)")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                waiting = target.query(
                    "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                    " WHERE STATE = 'Update' AND INFO = 'INSERT INTO t VALUES (2)'"
                )[0][0]
                if waiting == 2:
                    break
                time.sleep(0.02)
            holder.rollback()
            errors = []
            for row_session in (first, second):
                try:
                    row_session.sync()
                except SqlError as exc:
                    errors.append(str(exc))
    assert len(errors) == 1, errors
    assert "Duplicate entry '2'" in errors[0]
    assert target.query("SELECT id FROM t") == [(2,)]
