"""A primary and a replica on loopback: two sandbox servers started by the tests themselves
(the shared sandbox runs without a binary log). Small buffers: they live for one module."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql

from mrpplan import sandbox

_SMALL = ["--innodb-buffer-pool-size=64M", "--innodb-log-file-size=48M", "--max-connections=60"]


@dataclass
class Pair:
    primary: sandbox.SandboxInfo
    replica: sandbox.SandboxInfo

    def connect(self, which: str, database: str | None = None) -> pymysql.connections.Connection:
        info = self.primary if which == "primary" else self.replica
        return pymysql.connect(
            host="127.0.0.1",
            port=info.port,
            user="root",
            password=info.password,
            database=database,
            autocommit=True,
            charset="utf8mb4",
        )

    def query(self, which: str, sql: str, database: str | None = None) -> list[tuple[object, ...]]:
        conn = self.connect(which, database)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())
        finally:
            conn.close()

    def replica_status(self) -> dict[str, object]:
        conn = self.connect("replica")
        try:
            with conn.cursor(pymysql.cursors.DictCursor) as cur:
                cur.execute("SHOW SLAVE STATUS")
                return dict(cur.fetchone() or {})
        finally:
            conn.close()

    def caught_up(self, timeout: float = 60) -> None:
        """Wait until the replica has applied everything the primary wrote so far."""
        conn = self.connect("primary")
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW MASTER STATUS")
                file, position = cur.fetchone()[:2]  # type: ignore[index]
        finally:
            conn.close()
        done = self.query(
            "replica", f"SELECT MASTER_POS_WAIT('{file}', {int(position)}, {int(timeout)})"
        )
        assert done[0][0] is not None and int(done[0][0]) >= 0, self.replica_status()  # type: ignore[call-overload]


def start_pair(base: Path) -> Pair:
    """Fresh primary (binary log, ROW) and replica (reports its address for the tool)."""
    for name in ("primary", "replica"):
        sandbox.down(base / name)
        shutil.rmtree(base / name / "data", ignore_errors=True)
    primary = sandbox.up(
        base / "primary",
        extra_args=[*_SMALL, "--server-id=1", "--log-bin=primary-bin", "--binlog-format=ROW"],
    )
    port = sandbox.free_port()
    # one password for both, as replicas of a real primary have: the tool logs in to the
    # replica with the primary's credentials (its DSN inherits the option file)
    (base / "replica").mkdir(parents=True, exist_ok=True)
    (base / "replica").chmod(0o700)
    shutil.copy2(base / "primary" / "root.password", base / "replica" / "root.password")
    replica = sandbox.up(
        base / "replica",
        port=port,
        extra_args=[
            *_SMALL,
            "--server-id=2",
            "--report-host=127.0.0.1",
            f"--report-port={port}",
            "--skip-slave-start",
        ],
    )
    pair = Pair(primary, replica)
    status = pair.query("primary", "SHOW MASTER STATUS")
    file, position = status[0][0], status[0][1]
    password = primary.password.replace("'", "''")
    conn = pair.connect("replica")
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary.port}, "
                f"MASTER_USER='root', MASTER_PASSWORD='{password}', "
                f"MASTER_LOG_FILE='{file}', MASTER_LOG_POS={int(position)}"  # type: ignore[call-overload]
            )
            cur.execute("START SLAVE")
    finally:
        conn.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status_row = pair.replica_status()
        if (
            status_row.get("Slave_IO_Running") == "Yes"
            and status_row.get("Slave_SQL_Running") == "Yes"
        ):
            return pair
        time.sleep(0.1)
    raise AssertionError(f"replication did not start: {pair.replica_status()}")


def stop_pair(base: Path) -> None:
    for name in ("replica", "primary"):
        sandbox.down(base / name)
        shutil.rmtree(base / name, ignore_errors=True)
