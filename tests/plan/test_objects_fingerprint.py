"""Fingerprinting only what an apply step touches: cheap, and it still sees every change
to those objects (and to mrpplan's history rows), never changes to other objects."""

from __future__ import annotations

from typing import Any

import pytest

from mrpplan.mysql import schema_history as history
from mrpplan.plan.live import (
    objects_fingerprint,
    read_state,
    statement_fingerprint,
    touched_objects,
)

SCHEMA = [
    "CREATE TABLE parent (id INT PRIMARY KEY)",
    "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT,"
    " CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id))",
    "CREATE TABLE other (id INT PRIMARY KEY)",
    "CREATE TRIGGER child_bi BEFORE INSERT ON child FOR EACH ROW SET NEW.id = NEW.id",
]


def fingerprint(db: Any, names: set[str]) -> str:
    return _on(db, lambda conn: objects_fingerprint(conn, db.name, names))


def _on(db: Any, read: Any) -> Any:
    conn = db.connect()
    try:
        return read(conn)
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        ("ALTER TABLE parent ADD COLUMN note VARCHAR(10)", True),
        ("ALTER TABLE child ADD COLUMN note VARCHAR(10)", True),  # references parent
        ("DROP TRIGGER child_bi", True),
        ("RENAME TABLE parent TO parent_old", True),  # now absent
        ("CREATE TABLE missing (id INT PRIMARY KEY)", True),  # was absent
        ("ALTER TABLE other ADD COLUMN note VARCHAR(10)", False),
        ("INSERT INTO parent VALUES (1)", False),  # rows are data, not schema
    ],
)
def test_it_sees_changes_to_the_named_objects_only(fresh_db: Any, change: str, seen: bool) -> None:
    fresh_db.execute(*SCHEMA)
    names = {"parent", "missing"}
    before = fingerprint(fresh_db, names)
    fresh_db.execute(change)
    assert (fingerprint(fresh_db, names) != before) is seen


def test_it_sees_history_rows(fresh_db: Any) -> None:
    fresh_db.execute(*SCHEMA)
    conn = fresh_db.connect()
    try:
        history.ensure(conn)
        before = objects_fingerprint(conn, fresh_db.name, {"other"})
        with conn.cursor() as cur:
            cur.execute(history.record_sql("001", "one", "abc", None))
        assert objects_fingerprint(conn, fresh_db.name, {"other"}) != before
    finally:
        conn.close()


def test_naming_every_table_gives_the_whole_database_fingerprint(fresh_db: Any) -> None:
    fresh_db.execute(*SCHEMA)
    conn = fresh_db.connect()
    try:
        whole = read_state(conn, fresh_db.name).fingerprint
        named = objects_fingerprint(conn, fresh_db.name, {"parent", "child", "other"})
    finally:
        conn.close()
    assert named == whole


def test_touched_objects_of_step_statements() -> None:
    assert touched_objects(
        [
            "SET @mrpplan_t0 = NOW(6)",
            "ALTER TABLE `items` ADD COLUMN x INT",
            "RENAME TABLE a TO b",
            history.record_sql("001", "one", "abc", None),
            history.remove_sql("001"),
            "DO 0 /* mrpplan: nothing to undo */",
        ]
    ) == {"items", "a", "b"}
    assert touched_objects(["UPDATE items SET x = 1"]) is None
    assert touched_objects(["CREATE VIEW v AS SELECT 1"]) is None


def statement_print(db: Any, statement: str) -> str | None:
    return _on(db, lambda conn: statement_fingerprint(conn, db.name, statement))


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        ("ALTER TABLE parent ADD COLUMN note VARCHAR(10)", True),
        ("RENAME TABLE parent TO parent_old", True),
        ("DROP TABLE child, parent", True),
        # another table, even one referencing parent: the statement names only parent
        ("ALTER TABLE child ADD COLUMN note VARCHAR(10)", False),
        ("ALTER TABLE other ADD COLUMN note VARCHAR(10)", False),
        ("INSERT INTO parent VALUES (1)", False),
    ],
)
def test_a_statement_fingerprint_sees_what_that_statement_changes(
    fresh_db: Any, change: str, seen: bool
) -> None:
    """What recover compares after a kill: did the running statement take effect?"""
    fresh_db.execute(*SCHEMA)
    running = "ALTER TABLE parent ADD COLUMN x INT, ALGORITHM=INSTANT"
    before = statement_print(fresh_db, running)
    fresh_db.execute(change)
    assert (statement_print(fresh_db, running) != before) is seen


def test_a_statement_fingerprint_sees_mrpplan_trash_tables_and_history_rows(
    fresh_db: Any,
) -> None:
    fresh_db.execute(*SCHEMA)
    copy = (
        "CREATE TABLE `_mrpplan_trash_20260101T000000Z_parent` ENGINE=InnoDB"
        " AS SELECT id FROM parent"
    )
    before_copy = statement_print(fresh_db, copy)
    record = history.record_sql("001", "one", "abc", None)
    conn = fresh_db.connect()
    try:
        history.ensure(conn)
    finally:
        conn.close()
    before_record = statement_print(fresh_db, record)
    fresh_db.execute(copy, record)
    assert statement_print(fresh_db, copy) != before_copy
    assert statement_print(fresh_db, record) != before_record


def test_a_statement_with_unknown_targets_has_no_statement_fingerprint(fresh_db: Any) -> None:
    fresh_db.execute(*SCHEMA)
    assert statement_print(fresh_db, "UPDATE parent SET id = id + 1") is None
    assert statement_print(fresh_db, "SET @x = 1") == statement_print(fresh_db, "DO 0")
