"""One fleet over two servers: a second sandbox server is started for this test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbtools import run_cli
from fleet_support import Tenants, make_tenants, new_prefix, recorded_version, write_fleet_env

from mrpplan import sandbox


@pytest.fixture
def second_server(tmp_path: Path) -> Iterator[sandbox.SandboxInfo]:
    base = tmp_path / "second-sandbox"
    info = sandbox.up(base)
    try:
        yield info
    finally:
        sandbox.down(base)


def test_fleet_over_two_servers(project, server, second_server) -> None:
    root: Path = project.root
    prefix = new_prefix()
    first = Tenants(prefix, make_tenants(server, prefix, 2))
    second = Tenants(prefix, make_tenants(second_server, prefix, 2))
    try:
        write_fleet_env(
            root, "tenants", [(server, f"{prefix}%"), (second_server, f"{prefix}%")], parallel=2
        )
        plan_file = root / "plans" / "two.json"
        planned = run_cli("plan", "tenants", "--out", str(plan_file))
        assert planned.code == 0, planned.output
        assert f":{server.port}" in planned.stdout and f":{second_server.port}" in planned.stdout
        assert "on 4 databases" in planned.stdout  # the same steps on both servers

        applied = run_cli("apply", str(plan_file), "--auto-approve")

        assert applied.code == 0, applied.output
        assert "Fleet apply: 4 applied." in applied.stdout
        for port in (server.port, second_server.port):
            assert f"127.0.0.1:{port}/{prefix}00" in applied.stdout
        databases = first.databases + second.databases
        assert {recorded_version(db) for db in databases} == {"003"}
        _per_database_commands(root, prefix, [server.port, second_server.port])
        again = run_cli("plan", "tenants", "--detailed-exitcode")
        assert again.code == 0, again.output
    finally:
        first.drop()
        second.drop()


def _per_database_commands(root: Path, prefix: str, ports: list[int]) -> None:
    """drift, status, migrate status and backup: one row per database, all four of them."""
    names = {f"127.0.0.1:{port}/{prefix}{n:02d}" for port in ports for n in range(2)}
    drift = run_cli("drift", "tenants", "--json")
    assert drift.code == 0, drift.output
    assert {d["database"] for d in json.loads(drift.stdout)["databases"]} == names
    status = run_cli("status", "tenants", "--json")
    assert status.code in (0, 2), status.output  # 2: no backup yet needs attention
    rows = json.loads(status.stdout)
    assert {r["name"] for r in rows} == {f"tenants/{n}" for n in names}
    assert {r["schema_version"] for r in rows} == {"003"}
    migrations = run_cli("migrate", "status", "tenants", "--json")
    assert migrations.code == 0, migrations.output
    documents = json.loads(migrations.stdout)["databases"]
    assert {(d["database"], d["version"], tuple(d["pending"])) for d in documents} == {
        (n, "003", ()) for n in names
    }
    backup = run_cli("backup", "tenants", "--auto")
    assert backup.code == 0, backup.output
    assert backup.stdout.count("backup ok: env=tenants") == 4
    manifests = list((root / "database" / "backups").glob("*/*.manifest.json"))
    assert len(manifests) == 4  # one per database, each in its own folder
    assert len({m.parent for m in manifests}) == 4
    listed = run_cli("backup", "--list", "tenants", "--json")
    assert listed.code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 4
    single = run_cli("seed", "status", "tenants")
    assert single.code == 64, single.output
    assert "is a fleet" in single.stderr
