"""A fleet apply's exit code says whether anything changed: 0 every database applied or
unchanged, 3 a safety refusal stopped it with nothing changed anywhere, 1 otherwise (some
databases changed and others did not). `apply --json` gives each database's outcome."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pymysql
from dbtools import Database, run_cli
from fleet_support import recorded_version, write_fleet_env

from mrpplan.mysql.lock import lock_name


@contextmanager
def lock_held(*databases: Database) -> Iterator[None]:
    """Another session holds mrpplan's lock of each database (as a running apply would)."""
    connections = []
    try:
        for db in databases:
            conn = db.connect()
            with conn.cursor() as cur:
                cur.execute("SELECT GET_LOCK(%s, 0)", (lock_name(db.name),))
                assert cur.fetchone()[0] == 1
            connections.append(conn)
        yield
    finally:
        for conn in connections:
            with suppress(pymysql.Error):
                conn.close()


def _plan(root: Path) -> Path:
    plan_file = root / "plans" / "tenants.json"
    planned = run_cli("plan", "tenants", "--out", str(plan_file))
    assert planned.code == 0, planned.output
    return plan_file


def test_partial_apply_with_one_lock_held_exits_1_with_the_table(make_fleet, project) -> None:
    tenants = make_fleet(3, parallel=2, canary=1)
    plan_file = _plan(project.root)
    held = tenants.databases[2]

    with lock_held(held):
        applied = run_cli("apply", str(plan_file), "--auto-approve")

    assert applied.code == 1, applied.output  # 3 would tell CI that nothing changed
    assert f"{held.name}: REFUSED: another apply is running on {held.name}" in applied.stderr
    assert "Fleet apply: 2 applied, 1 refused." in applied.stdout
    for db in tenants.databases[:2]:
        assert f"{db.name}" in applied.stdout and recorded_version(db) == "003"
    assert recorded_version(held) is None
    assert "Traceback" not in applied.output


def test_every_database_refused_exits_3_and_nothing_changed(make_fleet, project) -> None:
    tenants = make_fleet(2, parallel=2, canary=1)
    plan_file = _plan(project.root)

    with lock_held(*tenants.databases):
        applied = run_cli("apply", str(plan_file), "--auto-approve")

    assert applied.code == 3, applied.output
    assert "Fleet apply: 1 refused, 1 not started." in applied.stdout
    assert all(recorded_version(db) is None for db in tenants.databases)


def test_json_names_each_database_and_its_outcome(make_fleet, project) -> None:
    tenants = make_fleet(3, parallel=2, canary=1)
    plan_file = _plan(project.root)
    held = tenants.databases[1]

    with lock_held(held):
        applied = run_cli("apply", str(plan_file), "--auto-approve", "--json")

    assert applied.code == 1, applied.output
    document = json.loads(applied.stdout)  # stdout is only the document
    assert document["environment"] == "tenants" and document["exit_code"] == 1
    outcomes = {entry["database"]: entry for entry in document["databases"]}
    assert list(outcomes) == [db.name for db in tenants.databases]
    assert outcomes[held.name]["outcome"] == "refused"
    assert outcomes[held.name]["steps_run"] == 0
    assert "another apply is running" in outcomes[held.name]["message"]
    for db in (tenants.databases[0], tenants.databases[2]):
        assert outcomes[db.name]["outcome"] == "applied", outcomes[db.name]
        assert outcomes[db.name]["steps_run"] > 0 and outcomes[db.name]["message"] is None
    assert outcomes[tenants.databases[0].name]["canary"] is True
    assert "Fleet apply: 2 applied, 1 refused." in applied.stderr  # the table, for people

    again = run_cli("apply", "tenants", "--auto-approve", "--json")
    assert again.code == 0, again.output
    assert {e["outcome"] for e in json.loads(again.stdout)["databases"]} <= {
        "applied",
        "unchanged",
    }


def test_json_is_a_usage_error_for_a_single_database(project) -> None:
    result = run_cli("apply", "local", "--auto-approve", "--json")
    assert result.code == 64, result.output
    assert "apply --json is for fleets" in result.output


def test_a_tenant_dropped_after_the_plan_makes_a_partial_apply_exit_1(
    make_fleet, project, server
) -> None:
    tenants = make_fleet(3, parallel=2, canary=1)
    names = [db.name for db in tenants.databases]
    write_fleet_env(project.root, "tenants", [(server, "")], databases=names)
    plan_file = _plan(project.root)
    dropped = tenants.databases[2]
    dropped.execute(f"DROP DATABASE `{dropped.name}`")

    applied = run_cli("apply", str(plan_file), "--auto-approve", "--json")

    assert applied.code == 1, applied.output
    outcomes = {e["database"]: e for e in json.loads(applied.stdout)["databases"]}
    assert outcomes[dropped.name]["outcome"] in ("refused", "error"), outcomes[dropped.name]
    assert "Nothing was changed" in outcomes[dropped.name]["message"]
    assert [outcomes[n]["outcome"] for n in names[:2]] == ["applied", "applied"]
