"""The schema engine on the real server: inspect, diff, render, reverse, safety."""

from __future__ import annotations

from typing import Any

import pytest
from schema_roundtrip import assert_round_trip, assert_same, flavor_of, plan, run, snapshot

from mrpplan.diff import diff_schemas
from mrpplan.diff.changes import UnsupportedTableChange
from mrpplan.diff.clauses import DropColumn, ModifyColumn, RenameColumn
from mrpplan.diff.ddl import render_changes, trash_table_name


def make(db: Any, *statements: str) -> Any:
    db.execute(*statements)
    return snapshot(db)


def test_inspect_skips_mrpplan_tables_and_counters(fresh_db: Any) -> None:
    schema = make(
        fresh_db,
        "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(20))",
        "CREATE TABLE mrpplan_schema_history (version VARCHAR(10))",
        "CREATE TABLE _mrpplan_trash_20260101T000000Z_old (id INT)",
    )
    assert schema.table_names() == ["items"]
    before = schema.fingerprint()
    fresh_db.execute("INSERT INTO items (sku) VALUES ('a'), ('b')")
    after = snapshot(fresh_db)
    assert "AUTO_INCREMENT=" not in after.tables["items"].canonical
    assert after.fingerprint() == before  # writes do not make a plan stale


def test_key_order_is_not_schema(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    one = make(a, "CREATE TABLE t (x INT, y INT, KEY kx (x), KEY ky (y))")
    two = make(b, "CREATE TABLE t (x INT, y INT, KEY ky (y), KEY kx (x))")
    assert one.fingerprint() == two.fingerprint()
    assert diff_schemas(one, two) == []


def test_common_table_changes_round_trip_with_rows(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    make(
        a,
        "CREATE TABLE p (id INT PRIMARY KEY, code VARCHAR(10), qty INT, note TEXT, KEY kq (qty))",
        "CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_p FOREIGN KEY (pid)"
        " REFERENCES p (id))",
        "INSERT INTO p VALUES (1, 'a', 5, 'n1'), (2, 'b', 6, 'n2')",
        "INSERT INTO c VALUES (1, 1), (2, 2)",
    )
    desired = make(
        b,
        "CREATE TABLE p (id BIGINT PRIMARY KEY, qty INT NOT NULL DEFAULT 0, code VARCHAR(40)"
        " NOT NULL, added DATE, KEY kq2 (qty), UNIQUE KEY uc (code),"
        " CONSTRAINT ck CHECK (qty >= 0)) COMMENT 'parts'",
        "CREATE TABLE c (id INT PRIMARY KEY, pid BIGINT, CONSTRAINT fk_p FOREIGN KEY (pid)"
        " REFERENCES p (id) ON DELETE CASCADE)",
    )
    steps = assert_round_trip(a, desired)
    assert a.query("SELECT id, code, qty FROM p ORDER BY id") == [(1, "a", 5), (2, "b", 6)]
    assert a.query("SELECT id, pid FROM c ORDER BY id") == [(1, 1), (2, 2)]
    alter = next(s for s in steps if s.object == "p" and "MODIFY" in s.sql[0])
    assert alter.destructive and alter.needs_checkpoint  # drops `note`, NOT NULL on code
    assert "values in `p`.`note` are deleted" in alter.reason
    assert alter.algorithm == "copy"
    assert len(alter.sql) == 1  # one ALTER TABLE for the table


def test_declared_rename_keeps_the_data(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    make(
        a,
        "CREATE TABLE t (id INT PRIMARY KEY, qty INT, name VARCHAR(20), extra INT)",
        "INSERT INTO t VALUES (1, 10, 'x', 3)",
    )
    desired = make(
        b, "CREATE TABLE t (id INT PRIMARY KEY, label VARCHAR(30), quantity INT, extra INT)"
    )
    renames = {"t": {"qty": "quantity", "name": "label"}}
    changes = diff_schemas(snapshot(a), desired, renames=renames)
    assert {type(c) for c in changes} == {RenameColumn}
    assert_round_trip(a, desired, renames=renames)
    assert a.query("SELECT id, qty, name, extra FROM t") == [(1, 10, "x", 3)]
    run(
        a,
        [s for step in plan(snapshot(a), desired, flavor_of(a), renames=renames) for s in step.sql],
    )
    assert a.query("SELECT id, quantity, label, extra FROM t") == [(1, 10, "x", 3)]


def test_undeclared_rename_is_drop_and_add(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    current = make(a, "CREATE TABLE t (id INT PRIMARY KEY, qty INT)")
    desired = make(b, "CREATE TABLE t (id INT PRIMARY KEY, quantity INT)")
    steps = render_changes(diff_schemas(current, desired), flavor_of(a))
    assert steps[0].destructive and "`t`.`qty` are deleted" in steps[0].reason


def test_reorder_columns_round_trip(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    make(
        a, "CREATE TABLE t (a INT, b INT, c INT, d INT, e INT)", "INSERT INTO t VALUES (1,2,3,4,5)"
    )
    desired = make(b, "CREATE TABLE t (e INT, c INT, x INT, a INT, d INT)")
    steps = assert_round_trip(a, desired)
    assert a.query("SELECT a, c, d, e FROM t") == [(1, 3, 4, 5)]
    assert steps[0].algorithm == "instant"


def test_foreign_key_cycle_create_and_drop(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    make(a, "CREATE TABLE keep (id INT PRIMARY KEY)")
    desired = make(
        b,
        "CREATE TABLE keep (id INT PRIMARY KEY)",
        "CREATE TABLE n1 (id INT PRIMARY KEY, n2 INT, KEY (n2))",
        "CREATE TABLE n2 (id INT PRIMARY KEY, n1 INT, k INT,"
        " FOREIGN KEY (n1) REFERENCES n1 (id), FOREIGN KEY (k) REFERENCES keep (id))",
        "ALTER TABLE n1 ADD CONSTRAINT f2 FOREIGN KEY (n2) REFERENCES n2 (id)",
        "CREATE TABLE self (id INT PRIMARY KEY, up INT, FOREIGN KEY (up) REFERENCES self (id))",
    )
    assert_round_trip(a, desired)
    # and the other way: dropping tables that reference each other
    b2 = database_factory()
    empty = make(b2, "CREATE TABLE keep (id INT PRIMARY KEY)")
    for statement in [s for step in plan(snapshot(a), desired, flavor_of(a)) for s in step.sql]:
        a.execute(statement)
    assert_round_trip(a, empty)


def test_type_change_of_foreign_key_columns(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    make(
        a,
        "CREATE TABLE p (id INT PRIMARY KEY)",
        "CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT f FOREIGN KEY (pid)"
        " REFERENCES p (id))",
        "INSERT INTO p VALUES (1)",
        "INSERT INTO c VALUES (1, 1)",
    )
    desired = make(
        b,
        "CREATE TABLE p (id BIGINT PRIMARY KEY)",
        "CREATE TABLE c (id INT PRIMARY KEY, pid BIGINT, CONSTRAINT f FOREIGN KEY (pid)"
        " REFERENCES p (id))",
    )
    assert_round_trip(a, desired)


def test_views_routines_triggers_events_round_trip(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    make(
        a,
        "CREATE TABLE t (id INT PRIMARY KEY, qty INT)",
        "CREATE VIEW v_old AS SELECT id FROM t",
        "CREATE VIEW v_both AS SELECT id FROM t",
        "CREATE PROCEDURE pr() SELECT 1",
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.qty = 1",
    )
    desired = make(
        b,
        "CREATE TABLE t (id INT PRIMARY KEY, qty INT)",
        "CREATE VIEW v_both AS SELECT id, qty FROM t",
        "CREATE VIEW v_new AS SELECT id FROM v_both",
        "CREATE PROCEDURE pr() SELECT 2",
        "CREATE FUNCTION fn(x INT) RETURNS INT DETERMINISTIC RETURN x + 1",
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.qty = 2",
        "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM t",
    )
    steps = assert_round_trip(a, desired)
    actions = [s.action for s in steps]
    assert "replace_view" in actions and "create_event" in actions and "drop_view" in actions


ROW_PERIOD = (
    "CREATE TABLE t (id INT PRIMARY KEY, s DATE NOT NULL, e DATE NOT NULL,"
    " rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START,"
    " re TIMESTAMP(6) GENERATED ALWAYS AS ROW END,"
    " PERIOD FOR SYSTEM_TIME (rs, re), PERIOD FOR app (s, e)) WITH SYSTEM VERSIONING"
)


def test_a_change_to_a_system_period_is_reported_never_recreated(database_factory: Any) -> None:
    """Explicit ROW START/END columns and periods are modeled; changing them is not, so such
    a change is refused whole (the other changes of the table still converge, below)."""
    a, b = database_factory(), database_factory()
    current = make(a, ROW_PERIOD)
    assert current.tables["t"].supported, current.tables["t"].unsupported_reason
    desired = make(b, ROW_PERIOD.replace("AS ROW START,", "AS ROW START INVISIBLE,"))
    changes = diff_schemas(current, desired)
    assert [type(c) for c in changes] == [UnsupportedTableChange]
    (step,) = render_changes(changes, flavor_of(a))
    assert step.action == "unsupported_table" and step.sql == () and step.destructive
    assert "cannot change safely" in step.reason and "ROW START/END" in step.reason
    c = database_factory()
    assert_round_trip(c, current)  # created from its verbatim text


SUBPARTITIONED = (
    "CREATE TABLE t (id INT, d DATE, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d))"
    " SUBPARTITION BY HASH (id) SUBPARTITIONS 2"
    " (PARTITION p0 VALUES LESS THAN (2020), PARTITION p1 VALUES LESS THAN MAXVALUE)"
)
NAMED_SUBPARTITIONS = (
    "CREATE TABLE t (id INT, d DATE, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d))"
    " SUBPARTITION BY KEY (id) (PARTITION p0 VALUES LESS THAN (2020)"
    " (SUBPARTITION s0, SUBPARTITION s1), PARTITION p1 VALUES LESS THAN MAXVALUE"
    " (SUBPARTITION s2, SUBPARTITION s3))"
)
RANGED = (
    "CREATE TABLE t (id INT PRIMARY KEY) PARTITION BY RANGE (id)"
    " (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE)"
)
SYSTEM_TIME = (
    "CREATE TABLE t (id INT PRIMARY KEY, qty INT) WITH SYSTEM VERSIONING"
    " PARTITION BY SYSTEM_TIME LIMIT 1000 (PARTITION ph HISTORY, PARTITION pc CURRENT)"
)


@pytest.mark.parametrize(
    "before, after",
    [
        (SUBPARTITIONED, SUBPARTITIONED.replace("d DATE,", "d DATE, note VARCHAR(20),")),
        (
            SUBPARTITIONED,
            SUBPARTITIONED.replace(
                "PARTITION p1 VALUES LESS THAN MAXVALUE",
                "PARTITION p1 VALUES LESS THAN (2030), PARTITION p2 VALUES LESS THAN MAXVALUE",
            ),
        ),
        (SUBPARTITIONED, SUBPARTITIONED.replace("SUBPARTITIONS 2", "SUBPARTITIONS 3")),
        (RANGED, RANGED.replace("MAXVALUE", "(5000)")),  # the range shrinks: no REORGANIZE
        (RANGED, RANGED.replace("(10)", "(5)")),
        (NAMED_SUBPARTITIONS, NAMED_SUBPARTITIONS.replace("SUBPARTITION s3", "SUBPARTITION s9")),
        (SYSTEM_TIME, SYSTEM_TIME.replace("qty INT", "qty INT, note VARCHAR(20)")),
        (ROW_PERIOD, ROW_PERIOD.replace("e DATE NOT NULL,", "e DATE NOT NULL, note INT,")),
        (ROW_PERIOD, ROW_PERIOD + " PARTITION BY SYSTEM_TIME LIMIT 100 PARTITIONS 2"),
        (SYSTEM_TIME, SYSTEM_TIME.replace("LIMIT 1000", "LIMIT 50")),
        (
            SYSTEM_TIME,
            SYSTEM_TIME.replace(
                "LIMIT 1000 (PARTITION ph HISTORY,",
                "INTERVAL 1 WEEK (PARTITION ph HISTORY, PARTITION ph2 HISTORY,",
            ),
        ),
        ("CREATE TABLE t (id INT PRIMARY KEY, qty INT) WITH SYSTEM VERSIONING", SYSTEM_TIME),
    ],
)
def test_partitioned_and_period_tables_converge(
    database_factory: Any, before: str, after: str
) -> None:
    """Once refused as unsupported: a change to such a table goes forward and back exactly."""
    a, b = database_factory(), database_factory()
    make(a, before)
    desired = make(b, after)
    assert desired.tables["t"].supported, desired.tables["t"].unsupported_reason
    assert_round_trip(a, desired)


def test_a_system_time_interval_started_another_day_is_no_drift(database_factory: Any) -> None:
    """STARTS defaults to the day the table was created: a desired schema built on another
    day is the same table."""
    a, b = database_factory(), database_factory()
    ddl = (
        "CREATE TABLE t (id INT PRIMARY KEY) WITH SYSTEM VERSIONING"
        " PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH"
    )
    one = make(a, ddl + " STARTS '2020-01-01 00:00:00' PARTITIONS 3")
    two = make(b, ddl + " PARTITIONS 3")
    assert one.tables["t"].text != two.tables["t"].text
    assert diff_schemas(one, two) == []


def test_drop_table_to_trash_and_back(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    make(
        a,
        "CREATE TABLE p (id INT PRIMARY KEY)",
        "CREATE TABLE old_orders (id INT PRIMARY KEY, pid INT,"
        " FOREIGN KEY (pid) REFERENCES p (id))",
        "INSERT INTO p VALUES (1)",
        "INSERT INTO old_orders VALUES (7, 1)",
    )
    before = snapshot(a)
    desired = make(b, "CREATE TABLE p (id INT PRIMARY KEY)")
    trash = trash_table_name("old_orders", "20260101T000000Z")
    steps = render_changes(diff_schemas(before, desired), flavor_of(a), trash_name=lambda t: trash)
    drop = next(s for s in steps if s.action == "drop_table")
    assert drop.sql == (f"RENAME TABLE `old_orders` TO `{trash}`",)
    assert not drop.needs_checkpoint
    run(a, [sql for s in steps for sql in s.sql])
    assert snapshot(a).fingerprint() == desired.fingerprint()
    a.execute("DELETE FROM p")  # the trash holds no foreign key back into live tables
    a.execute("INSERT INTO p VALUES (1)")
    run(a, [sql for s in reversed(steps) for sql in s.reverse_sql])
    assert_same(snapshot(a), before, "restored from trash")
    assert a.query("SELECT id, pid FROM old_orders") == [(7, 1)]


def test_trash_names_fit_64_characters() -> None:
    name = trash_table_name("x" * 64, "20260101T000000Z")
    assert len(name) <= 64 and name.startswith("_mrpplan_trash_20260101T000000Z_")
    assert trash_table_name("x" * 64, "20260101T000000Z") != trash_table_name(
        "x" * 63 + "y", "20260101T000000Z"
    )


def test_safety_words(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    current = make(
        a,
        "CREATE TABLE t (id INT PRIMARY KEY, big BIGINT, name VARCHAR(100), txt TEXT,"
        " e ENUM('a','b','c'), wide VARCHAR(10), u INT UNSIGNED, UNIQUE KEY un (name))",
    )
    desired = make(
        b,
        "CREATE TABLE t (id INT PRIMARY KEY, big INT, name VARCHAR(50),"
        " txt TEXT CHARACTER SET latin1, e ENUM('a','b'), wide VARCHAR(20) NOT NULL,"
        " u BIGINT UNSIGNED)",
    )
    changes = diff_schemas(current, desired)
    by_column = {c.new.name: c for c in changes if isinstance(c, ModifyColumn)}
    assert "values outside the new range are clipped" in by_column["big"].reason
    assert "longer values are truncated" in by_column["name"].reason
    assert "cannot store become '?'" in by_column["txt"].reason
    assert "rows holding 'c' lose that value" in by_column["e"].reason
    assert "becomes NOT NULL" in by_column["wide"].reason
    assert not by_column["u"].destructive
    assert all(c.destructive for n, c in by_column.items() if n != "u")
    unique = [c for c in changes if type(c).__name__ == "DropIndex"]
    assert unique and "uniqueness" in unique[0].reason
    assert not any(isinstance(c, DropColumn) for c in changes)


@pytest.mark.parametrize(
    "old, new",
    [
        ("g INT AS (a + 1) VIRTUAL", "g INT AS (a + 1) STORED"),
        ("g INT AS (a + 1) STORED", "g INT AS (a + 1) VIRTUAL"),
        ("g INT", "g INT AS (a + 1) VIRTUAL"),
        ("g INT AS (a + 1) VIRTUAL", "g INT"),
        ("g INT AS (a + 1) VIRTUAL", "g INT AS (a * 2) VIRTUAL"),
        ("g INT", "g INT AS (a + 1) STORED"),
    ],
)
def test_generated_column_changes(database_factory: Any, old: str, new: str) -> None:
    """MODIFY cannot change a VIRTUAL column's kind: it is dropped and added (with its key)."""
    a, b = database_factory(), database_factory()
    make(a, f"CREATE TABLE t (id INT PRIMARY KEY, a INT, {old}, z INT, KEY kg (g))")
    a.execute("INSERT INTO t (id, a, z) VALUES (1, 5, 9)")
    desired = make(b, f"CREATE TABLE t (id INT PRIMARY KEY, a INT, {new}, z INT, KEY kg (g))")
    assert_round_trip(a, desired)
    assert a.query("SELECT id, a, z FROM t") == [(1, 5, 9)]


@pytest.mark.parametrize(
    "child_column, desired_column, parent",
    [
        ("pcode VARCHAR(10)", "pcode VARCHAR(20)", "code VARCHAR(20)"),
        (
            "pcode VARCHAR(10)",
            "pcode VARCHAR(10) COLLATE utf8mb4_bin",
            "code VARCHAR(10) COLLATE utf8mb4_bin",
        ),
    ],
)
def test_foreign_key_columns_change_without_needless_rebuilds(
    database_factory: Any, child_column: str, desired_column: str, parent: str
) -> None:
    a, b = database_factory(), database_factory()
    make(
        a,
        "CREATE TABLE p (id INT PRIMARY KEY, code VARCHAR(10), UNIQUE KEY (code))",
        f"CREATE TABLE o (id INT PRIMARY KEY, {child_column},"
        " CONSTRAINT f FOREIGN KEY (pcode) REFERENCES p (code) ON DELETE SET NULL)",
        "INSERT INTO p VALUES (1, 'a')",
        "INSERT INTO o VALUES (1, 'a')",
    )
    desired = make(
        b,
        f"CREATE TABLE p (id INT PRIMARY KEY, {parent}, UNIQUE KEY (code))",
        f"CREATE TABLE o (id INT PRIMARY KEY, {desired_column},"
        " CONSTRAINT f FOREIGN KEY (pcode) REFERENCES p (code) ON DELETE SET NULL)",
    )
    assert_round_trip(a, desired)


def test_not_null_on_a_plain_foreign_key_column_keeps_the_key(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    ddl = (
        "CREATE TABLE o (id INT PRIMARY KEY, pid INT{},"
        " CONSTRAINT f FOREIGN KEY (pid) REFERENCES p (id))"
    )
    current = make(a, "CREATE TABLE p (id INT PRIMARY KEY)", ddl.format(""))
    desired = make(b, "CREATE TABLE p (id INT PRIMARY KEY)", ddl.format(" NOT NULL"))
    changes = diff_schemas(current, desired)
    assert [type(c).__name__ for c in changes] == ["ModifyColumn"]
    assert_round_trip(a, desired)


def test_rename_and_reorder_in_one_alter(database_factory: Any) -> None:
    """AFTER names the renamed column by its new name; the reverse by the old one."""
    a, b = database_factory(), database_factory()
    make(
        a,
        "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, c INT, d INT)",
        "INSERT INTO t VALUES (1, 2, 3, 4, 5)",
    )
    desired = make(b, "CREATE TABLE t (id INT PRIMARY KEY, c INT, a2 BIGINT, d INT, b2 INT)")
    renames = {"t": {"a": "a2", "b": "b2"}}
    assert_round_trip(a, desired, renames=renames)
    assert a.query("SELECT id, a, b, c, d FROM t") == [(1, 2, 3, 4, 5)]
