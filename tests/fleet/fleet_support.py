"""Helpers for fleet tests: tenant databases on a sandbox, a fleet environment file."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pymysql
from dbtools import (
    Database,
    drop_database,
    run_cli,
    wait_for,  # noqa: F401  (the tests import it from here)
)

from mrpplan import sandbox

UNIQUE_NAME_MIGRATION = """-- 004: one name per currency

-- mrpplan:up

ALTER TABLE currencies ADD UNIQUE KEY uq_currencies_name (name);

-- mrpplan:down

ALTER TABLE currencies DROP KEY uq_currencies_name;
"""


@dataclass
class Tenants:
    """Tenant databases `<prefix>NN` on one or more servers (dropped by `drop`)."""

    prefix: str
    databases: list[Database]

    def drop(self) -> None:
        for db in self.databases:
            drop_database(db.server, db.name)

    def by_name(self, name: str) -> Database:
        return next(db for db in self.databases if db.name == name)


def new_prefix() -> str:
    return f"ft{secrets.token_hex(3)}_"


def make_tenants(server: sandbox.SandboxInfo, prefix: str, count: int) -> list[Database]:
    """Empty databases prefix00 .. prefix{count-1} (the order fleets apply them in)."""
    names = [f"{prefix}{number:02d}" for number in range(count)]
    conn = pymysql.connect(
        host="127.0.0.1", port=server.port, user="root", password=server.password, autocommit=True
    )
    try:
        with conn.cursor() as cur:
            for name in names:
                cur.execute(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
                )
    finally:
        conn.close()
    return [Database(name, server.settings(name), server) for name in names]


def write_fleet_env(
    root: Path,
    name: str,
    servers: list[tuple[sandbox.SandboxInfo, str]],
    *,
    parallel: int = 2,
    canary: int = 1,
    version: str = "${TENANTS_SCHEMA_VERSION:-latest}",
    databases: list[str] | None = None,
) -> Path:
    """environments/<name>.yaml: one server (`connection`) or several (`connections`)."""
    entries = [
        {"option_file": str(info.option_file), "database": pattern} for info, pattern in servers
    ]
    lines = [f"name: {name}", "description: tenant databases"]
    if databases is not None:
        for entry in entries:
            entry.pop("database")
        lines.append(f"databases: {json.dumps(databases)}")
    if len(entries) == 1:
        lines.append(f"connection: {json.dumps(entries[0])}")
    else:
        lines.append(f"connections: {json.dumps(entries)}")
    lines += [
        "protected: false",
        f"schema: {{version: '{version}', drift: error}}",
        f"fleet: {{parallel: {parallel}, canary: {canary}}}",
        "policy: {allow_destructive: false, checkpoint: auto}",
    ]
    path = root / "environments" / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def set_preflight(root: Path, policy: str, name: str = "tenants") -> None:
    """`policy.preflight` of a fleet environment written by `write_fleet_env`."""
    path = root / "environments" / f"{name}.yaml"
    text = path.read_text().replace(
        "policy: {allow_destructive: false, checkpoint: auto}",
        f"policy: {{allow_destructive: false, checkpoint: auto, preflight: {policy}}}",
    )
    path.write_text(text)


def recorded_version(db: Database) -> str | None:
    """The newest migration recorded in the database's history (None: none)."""
    exists = db.query(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s "
        "AND table_name = 'mrpplan_schema_history'",
        (db.name,),
    )
    if not exists[0][0]:
        return None
    rows = db.query("SELECT MAX(version) FROM mrpplan_schema_history WHERE success = 1")
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def sections(plan_file: Path) -> dict[str, int]:
    """database -> number of steps, from a saved fleet plan."""
    document = json.loads(plan_file.read_text())
    assert document["kind"] == "fleet"
    return {s["target"]["database"]: len(s["steps"]) for s in document["sections"]}


def running_step_done(db: Database, step_id: str) -> bool:
    """Has the apply running now on `db` finished step `step_id`?"""
    if not db.query("SHOW TABLES LIKE 'mrpplan_apply_journal'"):
        return False
    rows = db.query(
        "SELECT s.status FROM mrpplan_apply_journal h JOIN mrpplan_apply_journal s "
        "ON s.apply_id = h.apply_id AND s.step_id = %s "
        "WHERE h.step_id = 'plan' AND h.status = 'started' ORDER BY s.id DESC LIMIT 1",
        (step_id,),
    )
    return bool(rows) and rows[0][0] == "done"


def copy_first(tenants: Tenants) -> None:
    """Give every tenant the first one's schema and mrpplan history (not its journal):
    cheaper than applying the schema to each when a test needs them all alike."""
    import subprocess

    first, rest = tenants.databases[0], tenants.databases[1:]
    option_file = str(first.server.option_file)
    dump = subprocess.run(
        [
            "mariadb-dump",
            f"--defaults-extra-file={option_file}",
            "--skip-dump-date",
            f"--ignore-table={first.name}.mrpplan_apply_journal",
            first.name,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script = "".join(f"USE `{db.name}`;\n{dump}" for db in rest)
    subprocess.run(
        ["mariadb", f"--defaults-extra-file={option_file}"], input=script, text=True, check=True
    )


def snapshot(db: Database) -> dict[str, tuple[str, int]]:
    """Like `Database.snapshot` (SHOW CREATE and CHECKSUM TABLE of every table and view a
    user sees) over one connection: equal snapshots = the same schema and rows."""
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name <> 'mrpplan_apply_journal' "
                "AND table_name NOT LIKE '\\_mrpplan%%' ORDER BY table_name",
                (db.name,),
            )
            names = list(cur.fetchall())
            result: dict[str, tuple[str, int]] = {}
            for name, kind in names:
                cur.execute(f"SHOW CREATE TABLE `{name}`")
                create = re.sub(r" AUTO_INCREMENT=\d+", "", str(cur.fetchone()[1]))
                checksum = 0
                if kind != "VIEW":
                    cur.execute(f"CHECKSUM TABLE `{name}`")
                    checksum = int(cur.fetchone()[1] or 0)
                result[str(name)] = (create, checksum)
            return result
    finally:
        conn.close()


def at_latest_with_new_migration(
    make_fleet: Callable[..., Tenants], root: Path, count: int, **options: object
) -> Tenants:
    """`count` tenants at the latest version (one built by mrpplan, copied to the others),
    and a new migration 004 adding a UNIQUE key to the project."""
    tenants = make_fleet(count, **options)
    first = tenants.databases[0]  # built by mrpplan, then copied to the others
    write_fleet_env(root, "first", [(first.server, "")], databases=[first.name])
    done = run_cli("apply", "first", "--auto-approve")
    assert done.code == 0, done.output
    copy_first(tenants)
    (root / "database" / "migrations" / "004_unique_currency_name.sql").write_text(
        UNIQUE_NAME_MIGRATION
    )
    return tenants
