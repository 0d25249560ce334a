"""Plain helpers for tests (databases on the sandbox, running the CLI); fixtures use them.

Tests import these from here (`from dbtools import ...`), never from a conftest module:
several folders have a conftest.py and the name would be ambiguous.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pymysql

from mrpplan import sandbox
from mrpplan.config.settings import ConnectionSettings

if TYPE_CHECKING:
    from mrpplan.mysql.workspace_place import Workspace

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Database:
    """A fresh, empty database on the sandbox, dropped after the test."""

    name: str
    settings: ConnectionSettings
    server: sandbox.SandboxInfo

    @property
    def workspace(self) -> Workspace:
        """The sandbox's restricted workspace (where plan builds SQL for this database)."""
        from mrpplan.mysql.workspace_place import sandbox_workspace

        return sandbox_workspace(self.server)

    def connect(self, **kwargs: object) -> pymysql.connections.Connection:
        return pymysql.connect(
            host="127.0.0.1",
            port=self.server.port,
            user="root",
            password=self.server.password,
            database=self.name,
            autocommit=True,
            charset="utf8mb4",
            **kwargs,  # type: ignore[arg-type]
        )

    def query(self, sql: str, args: object = None) -> list[tuple[object, ...]]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        finally:
            conn.close()

    def snapshot(self) -> dict[str, tuple[str, int]]:
        """SHOW CREATE and CHECKSUM TABLE of every table and view a user would see (mrpplan's
        journal and its _mrpplan* work tables aside): equal snapshots = byte-for-byte equal."""
        names = self.query(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name <> 'mrpplan_apply_journal' "
            "AND table_name NOT LIKE '\\_mrpplan%%' ORDER BY table_name",
            (self.name,),
        )
        result: dict[str, tuple[str, int]] = {}
        for name, kind in names:
            create = str(self.query(f"SHOW CREATE TABLE `{name}`")[0][1])
            checksum = (
                0 if kind == "VIEW" else int(self.query(f"CHECKSUM TABLE `{name}`")[0][1] or 0)
            )
            result[str(name)] = (_without_auto_increment(create), checksum)
        return result

    def execute(self, *statements: str) -> None:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
        finally:
            conn.close()


def _without_auto_increment(create: str) -> str:
    import re

    return re.sub(r" AUTO_INCREMENT=\d+", "", create)


def _admin(server: sandbox.SandboxInfo) -> pymysql.connections.Connection:
    return pymysql.connect(
        host="127.0.0.1", port=server.port, user="root", password=server.password, autocommit=True
    )


def make_database(server: sandbox.SandboxInfo, prefix: str = "t") -> Database:
    name = f"{prefix}_{secrets.token_hex(5)}"
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
            )
    finally:
        conn.close()
    return Database(name, server.settings(name), server)


def drop_database(server: sandbox.SandboxInfo, name: str) -> None:
    """The database and the scratch/trash databases of its restores and syncs."""
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_%\\_{name}",))
            for (shadow,) in cur.fetchall():
                cur.execute(f"DROP DATABASE IF EXISTS `{shadow}`")
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        conn.close()


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> CliResult:
    """Run `mrpplan ARGS` in a subprocess, exactly as a user would (no terminal on stdin)."""
    import subprocess
    import sys

    merged = dict(os.environ)
    merged["NO_COLOR"] = "1"
    merged["COLUMNS"] = "200"
    if env:
        merged.update(env)
    done = subprocess.run(
        [sys.executable, "-m", "mrpplan", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=merged,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def start_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Run mrpplan in the background (to race it or kill it)."""
    import os

    merged = dict(os.environ)
    merged.update({"NO_COLOR": "1", "COLUMNS": "200"})
    merged.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "mrpplan", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=merged,
        cwd=cwd,
    )


def scratch_databases_left(db: Database, timeout: float = 60) -> list[str]:
    """Workspace scratch databases (`_mrpplan_ws_*`) that stay: one another test worker is
    using right now goes away when its build ends, one leaked by the command under test
    never does."""
    import time

    def present() -> set[str]:
        return {str(r[0]) for r in db.query("SHOW DATABASES LIKE '\\_mrpplan\\_ws\\_%'")}

    seen = present()
    deadline = time.monotonic() + timeout
    while seen and time.monotonic() < deadline:
        time.sleep(0.5)
        seen &= present()
    return sorted(seen)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll until `condition()` holds (synchronisation, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def old_dump(db: Database) -> bytes:
    """The database as the old backup.sh dumped it (plain mariadb-dump, no manifest)."""
    return subprocess.run(
        [
            "mariadb-dump",
            f"--defaults-file={db.server.option_file}",
            "--single-transaction",
            db.name,
        ],
        capture_output=True,
        check=True,
    ).stdout


def local_without_sync_or_seeds(root: Path) -> None:
    """The project's `local` environment without its sync and seeds, so a plan right after
    its apply has no changes."""
    import yaml

    env_file = root / "environments" / "local.yaml"
    document = yaml.safe_load(env_file.read_text())
    document.pop("sync", None)
    document["seeds"] = []
    env_file.write_text(yaml.safe_dump(document, sort_keys=False))
