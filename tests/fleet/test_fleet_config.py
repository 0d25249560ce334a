"""Fleet environment files (no server needed): what names a fleet, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from mrpplan.config import Project, check_environment_file, load_environment
from mrpplan.errors import Refused
from mrpplan.fleet.members import like_regex, member_for


def _project(tmp_path: Path, text: str) -> Project:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "tenants.yaml").write_text(text)
    return Project(tmp_path)


def test_pattern_list_and_servers(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        "name: tenants\n"
        "connections:\n"
        "  - {host: db1, port: 3306, database: 'tenant_%'}\n"
        "  - {host: db2, port: 3307}\n"
        "databases: [shard_a, shard_b]\n"
        "fleet: {parallel: 8, canary: 2}\n",
    )
    env = load_environment(project, "tenants")
    assert env.is_fleet
    assert [s.host for s in env.servers] == ["db1", "db2"]
    assert env.connection.host == "db1"
    assert (env.fleet.parallel, env.fleet.canary) == (8, 2)
    second = member_for(env, "db2", 3307, "shard_b")
    assert not second.env.is_fleet
    assert second.env.connection.database == "shard_b"
    assert second.env.backup.dir.name == "db2_3307_shard_b"  # a folder per database
    first = member_for(env, "db1", 3306, "tenant_7")
    assert first.env.connection.host == "db1"
    with pytest.raises(Refused):  # not named by the environment: refused
        member_for(env, "db1", 3306, "other")


def test_a_single_database_is_not_a_fleet(tmp_path: Path) -> None:
    project = _project(tmp_path, "name: tenants\nconnection: {database: mrp_erp_prod}\n")
    env = load_environment(project, "tenants")
    assert not env.is_fleet
    assert env.servers == (env.connection,)


def test_a_server_without_databases_is_a_problem(tmp_path: Path) -> None:
    project = _project(tmp_path, "name: tenants\nconnection: {host: db1}\n")
    _doc, problems = check_environment_file(project, project.environment_file("tenants"))
    assert [p.line for p in problems] == [2]
    assert "no database" in problems[0].message


def test_like_patterns_are_case_sensitive_and_escape() -> None:
    assert like_regex("tenant_%").fullmatch("tenant_01")
    assert like_regex("tenant_%").fullmatch("tenantX01")  # _ is one character in a pattern
    assert not like_regex("tenant_%").fullmatch("Tenant_01")
    assert not like_regex("tenant\\_%").fullmatch("tenantX01")
    assert not like_regex("mrp_erp").fullmatch("mrpXerp")  # a plain name is a name
