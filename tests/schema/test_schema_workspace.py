"""The desired schema from SQL files: scratch database, cache, errors; database/ round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dbtools import scratch_databases_left
from schema_roundtrip import assert_round_trip, assert_same, snapshot

from mrpplan.config.project import Project
from mrpplan.desired.directory import base_schema_statements, desired_statements
from mrpplan.desired.workspace import desired_schema
from mrpplan.diff import diff_schemas
from mrpplan.diff.changes import create_table_sql
from mrpplan.errors import SqlError
from mrpplan.model.parse import parse_table_text
from mrpplan.model.table import Table
from mrpplan.sqlfiles.split import split_sql

REPO = Path(__file__).resolve().parents[2]


def scratch_databases(db: Any) -> list[str]:
    return [str(r[0]) for r in db.query("SHOW DATABASES LIKE '\\_mrpplan\\_ws\\_%'")]


def statements(text: str) -> list[Any]:
    return split_sql(text, Path("schema/01_test.sql"))


def test_desired_schema_is_the_server_text_and_is_cached(fresh_db: Any, tmp_path: Path) -> None:
    sql = statements(
        "CREATE TABLE t (id INT PRIMARY KEY, flag BOOLEAN, doc JSON);\n"
        "CREATE VIEW v AS SELECT id FROM t;\n"
    )
    schema = desired_schema(fresh_db.workspace, sql, tmp_path)
    text = schema.tables["t"].canonical
    assert "`flag` tinyint(1) DEFAULT NULL" in text and "json_valid(`doc`)" in text
    assert list(schema.views) == ["v"]
    assert list((tmp_path / "desired").glob("*.json"))
    again = desired_schema(fresh_db.workspace, sql, tmp_path)
    assert again.fingerprint() == schema.fingerprint()
    fresh_db.execute(*(s.text for s in sql))
    assert snapshot(fresh_db).fingerprint() == schema.fingerprint()


def test_failing_statement_names_file_line_and_drops_scratch(fresh_db: Any) -> None:
    before = scratch_databases(fresh_db)
    sql = statements(
        "CREATE TABLE a (id INT PRIMARY KEY);\n\nCREATE TABLE b (id INT REFERENCES);\n"
    )
    with pytest.raises(SqlError) as info:
        desired_schema(fresh_db.workspace, sql, None)
    assert "schema/01_test.sql:3" in info.value.message
    assert "SQL syntax" in info.value.message
    assert "scratch database" in (info.value.unchanged or "")
    assert set(scratch_databases_left(fresh_db)) <= set(before)


def test_statements_may_not_switch_databases(fresh_db: Any) -> None:
    sql = statements("CREATE TABLE a (id INT);\nUSE mysql;\nDROP TABLE user;\n")
    with pytest.raises(SqlError) as info:
        desired_schema(fresh_db.workspace, sql, None)
    assert "01_test.sql:2" in info.value.message


def test_every_table_in_database_round_trips(fresh_db: Any, tmp_path: Path) -> None:
    """parse -> render -> the server prints the identical canonical text."""
    project = Project.find(REPO)
    schema = desired_schema(fresh_db.workspace, desired_statements(project, "latest"), tmp_path)
    assert schema.tables and schema.unsupported_tables() == []
    for name, table in schema.tables.items():
        parsed = parse_table_text(table.canonical)
        assert parsed.supported, (name, parsed.unsupported_reason)
        assert [c.name for c in parsed.columns] == list(Table(name, table.canonical).column_names())
    fresh_db.execute("SET FOREIGN_KEY_CHECKS=0")
    conn = fresh_db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET FOREIGN_KEY_CHECKS=0")
            for table in schema.tables.values():
                cur.execute(create_table_sql(table))
            for view in schema.views.values():
                cur.execute(view.canonical)
    finally:
        conn.close()
    assert_same(snapshot(fresh_db), schema, "database/ recreated from canonical text")


def test_base_schema_to_latest_round_trips(database_factory: Any, tmp_path: Path) -> None:
    """The migrations as one declarative diff: forward reaches latest, reverse gets base."""
    project = Project.find(REPO)
    db = database_factory()
    base = base_schema_statements(project.schema_dir)
    db.execute(*(s.text for s in base))
    latest = desired_schema(db.workspace, desired_statements(project, "latest"), tmp_path)
    assert diff_schemas(snapshot(db), latest)
    assert_round_trip(db, latest)


def test_ctrl_c_while_building_still_drops_the_scratch_database(
    fresh_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mrpplan.mysql import workspace

    seen: list[str] = []
    real_run = workspace._run

    def interrupted(cur: Any, statement: Any, place: Any) -> None:
        seen.extend(scratch_databases(fresh_db))
        if len(seen) > 0 and statement.line > 1:
            raise KeyboardInterrupt
        real_run(cur, statement, place)

    monkeypatch.setattr(workspace, "_run", interrupted)
    before = set(scratch_databases(fresh_db))
    sql = statements("CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n")
    with pytest.raises(KeyboardInterrupt):
        desired_schema(fresh_db.workspace, sql, None)
    mine = set(seen) - before
    assert mine and not (mine & set(scratch_databases_left(fresh_db)))


def test_inspect_of_a_missing_database_is_a_clear_error(fresh_db: Any) -> None:
    from mrpplan.mysql.inspect import inspect_schema

    conn = fresh_db.connect()
    try:
        with pytest.raises(SqlError, match="cannot read the schema of database 'nope_x'"):
            inspect_schema(conn, "nope_x")
    finally:
        conn.close()


def test_a_built_scratch_database_is_dropped_by_a_detached_client(fresh_db: Any) -> None:
    """A build that was read back leaves its scratch database to a `mariadb` client that
    outlives the command: its arguments hold no password, and the database goes."""
    from mrpplan.mysql import client_process

    workspace = fresh_db.workspace
    assert workspace.settings.password  # the restricted account logs in with one
    earlier = set(map(id, client_process._DETACHED))  # pruned of finished ones as it grows
    desired_schema(workspace, statements("CREATE TABLE t (id INT PRIMARY KEY);\n"), None)

    started = [p for p in client_process._DETACHED if id(p) not in earlier]
    assert len(started) == 1
    argv = [str(a) for a in started[0].args]
    assert not client_process.argv_has_secret(argv, workspace.settings.password)
    scratch = argv[-1].split("`")[1]
    assert argv[-1] == f"DROP DATABASE IF EXISTS `{scratch}`" and scratch.startswith("_mrpplan_ws_")
    assert started[0].wait(timeout=60) == 0
    assert scratch not in scratch_databases(fresh_db)
