"""Copies between two servers: the shared sandbox and a second one started for this module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from sync_fixtures import CUSTOMERS, DATA_TABLES, checksums, env_yaml, fill_erp, write_env

from mrpplan import sandbox


@pytest.fixture(scope="module")
def second_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sandbox.SandboxInfo]:
    """Another MariaDB on its own port and datadir; always stopped (the shared one never is)."""
    folder = tmp_path_factory.mktemp("second_sandbox")
    try:
        info = sandbox.up(folder, port=sandbox.free_port())
        yield info
    finally:
        sandbox.down(folder.resolve())


class RemoteDb:
    """Just enough of conftest's Database for a database on the second server."""

    def __init__(self, server: sandbox.SandboxInfo, name: str):
        self.server, self.name = server, name

    def query(self, sql: str, args: object = None) -> list[tuple[object, ...]]:
        conn = pymysql.connect(
            host="127.0.0.1",
            port=self.server.port,
            user="root",
            password=self.server.password,
            database=self.name,
            autocommit=True,
        )
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        finally:
            conn.close()


def test_clone_to_another_server_and_back_with_masking(project, cli, second_server) -> None:  # type: ignore[no-untyped-def]
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(prod)
    assert second_server.port != prod.server.port
    mask = "sync:\n  source: prod\n  mask: {customers.email: email}\n"
    write_env(
        project.root, "remote", env_yaml("remote", "erp_copy", second_server.option_file, sync=mask)
    )

    # the database does not exist on the second server yet: the copy creates it
    result = cli("sync", "clone", "prod", "remote")
    assert result.code == 0, result.output
    remote = RemoteDb(second_server, "erp_copy")
    assert remote.query("SELECT @@port")[0][0] == second_server.port
    others = ["orders", "audit_log", "suppliers"]
    assert checksums(remote, others) == checksums(prod, others)
    emails = [r[0] for r in remote.query("SELECT email FROM customers ORDER BY id")]
    assert emails == [f"user{i}@example.invalid" for i in range(1, CUSTOMERS + 1)]
    assert "0 of 40 source values remain" in result.stdout

    # and back from the second server into the sandbox
    result = cli("sync", "clone", "remote", "dev")
    assert result.code == 0, result.output
    assert checksums(dev, DATA_TABLES) == checksums(remote, DATA_TABLES)
    assert dev.query("SELECT version FROM mrpplan_schema_history ORDER BY 1") == [
        ("001",),
        ("002",),
    ]

    # a second clone onto the existing copy keeps the replaced tables as trash, on the second
    # server's side
    prod.execute("UPDATE orders SET total = total + 1")
    result = cli("sync", "clone", "prod", "remote", "--exclude", "customers")
    assert result.code == 0, result.output
    assert checksums(remote, ["orders"]) == checksums(prod, ["orders"])
    trash = remote.query("SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_trash\\_%{remote.name}",))
    newest = max(str(r[0]) for r in trash)  # <prefix><UTC ts>_<db>: sorts by time
    assert remote.query(f"SELECT SUM(total) FROM `{newest}`.orders") == remote.query(
        "SELECT SUM(total) - COUNT(*) FROM orders"
    )


def test_list_envs_sees_both_servers(project, cli, second_server) -> None:  # type: ignore[no-untyped-def]
    write_env(project.root, "remote", env_yaml("remote", "not_there", second_server.option_file))
    write_env(project.root, "gone", env_yaml("gone", "x", Path(project.root / "gone.cnf")))
    (project.root / "gone.cnf").write_text(
        f"[client]\nhost=127.0.0.1\nport={sandbox.free_port()}\nuser=root\n"
    )
    result = cli("sync", "list-envs", "--json")
    assert result.code == 0, result.output
    import json

    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["remote"]["reachable"] and rows["remote"]["note"] == "no database"
    assert rows["remote"]["target"].endswith(f":{second_server.port}/not_there")
    assert not rows["gone"]["reachable"]
    assert rows["prod"]["protected"] and rows["prod"]["reachable"]
