"""One fleet over two servers: a second sandbox server is started for this test."""

from __future__ import annotations

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
        drift = run_cli("drift", "tenants", "--json")
        assert drift.code == 0, drift.output
        again = run_cli("plan", "tenants", "--detailed-exitcode")
        assert again.code == 0, again.output
    finally:
        first.drop()
        second.drop()
