"""MariaDB features modeled by the schema engine (partitions, spatial, INET4/INET6/UUID,
COMPRESSED columns, IGNORED indexes, page compression and other table options, system
versioning): for each change the forward and reverse DDL run on the real server, the
reverse restores the prior schema and rows, and the predicted ALGORITHM is checked (the
predicted one works, the next faster one is refused)."""

from __future__ import annotations

import re
from typing import Any

import pymysql
import pytest
from schema_roundtrip import assert_round_trip, flavor_of, plan, snapshot

from mrpplan.diff.algorithm import LOCKS, ORDER

RANGE = "CREATE TABLE t (id INT NOT NULL, v INT, PRIMARY KEY (id)) PARTITION BY RANGE (id) ({})"
P10 = "PARTITION p10 VALUES LESS THAN (10)"
P100 = "PARTITION p100 VALUES LESS THAN (100)"
P1000 = "PARTITION p1000 VALUES LESS THAN (1000)"
PMAX = "PARTITION pmax VALUES LESS THAN MAXVALUE"
LIST = "CREATE TABLE t (id INT NOT NULL, v INT, PRIMARY KEY (id)) PARTITION BY LIST (id) ({})"
L1 = "PARTITION pa VALUES IN (1,20)"
L2 = "PARTITION pb VALUES IN (300)"
L3 = "PARTITION pc VALUES IN (7,8)"
PLAIN = "CREATE TABLE t (id INT NOT NULL, v INT, PRIMARY KEY (id)){}"
VERS = "CREATE TABLE t (id INT NOT NULL, v INT, PRIMARY KEY (id)) WITH SYSTEM VERSIONING"

# (label, before, after, predicted algorithm, destructive)
CASES = [
    (
        "range: add column",
        RANGE.format(f"{P100}, {P1000}"),
        RANGE.format(f"{P100}, {P1000}").replace("v INT,", "v INT, w INT,"),
        "instant",
        False,
    ),
    (
        "range: add partition at the end",
        RANGE.format(f"{P100}, {P1000}"),
        RANGE.format(f"{P100}, {P1000}, {PMAX}"),
        "inplace",
        False,
    ),
    (
        "range: split a partition",
        RANGE.format(f"{P100}, {P1000}"),
        RANGE.format(f"{P10}, {P100}, {P1000}"),
        "copy",
        False,
    ),
    (
        "range: merge a partition into the next",
        RANGE.format(f"{P10}, {P100}, {P1000}"),
        RANGE.format(f"{P100}, {P1000}"),
        "copy",
        False,
    ),
    (
        "range: drop the last partition",
        RANGE.format(f"{P100}, {P1000}, {PMAX}"),
        RANGE.format(f"{P100}, {P1000}"),
        "inplace",
        True,
    ),
    (
        "list: add a partition",
        LIST.format(f"{L1}, {L2}"),
        LIST.format(f"{L1}, {L2}, {L3}"),
        "inplace",
        False,
    ),
    (
        "list: add a partition in the middle",
        LIST.format(f"{L1}, {L2}"),
        LIST.format(f"{L1}, {L3}, {L2}"),
        "copy",
        False,
    ),
    (
        "list: drop a partition",
        LIST.format(f"{L1}, {L3}, {L2}"),
        LIST.format(f"{L1}, {L2}"),
        "inplace",
        True,
    ),
    (
        "hash: more partitions",
        PLAIN.format(" PARTITION BY HASH (id) PARTITIONS 2"),
        PLAIN.format(" PARTITION BY HASH (id) PARTITIONS 4"),
        "copy",
        False,
    ),
    (
        "key: fewer partitions",
        PLAIN.format(" PARTITION BY KEY (id) PARTITIONS 4"),
        PLAIN.format(" PARTITION BY KEY (id) PARTITIONS 3"),
        "copy",
        False,
    ),
    (
        "partition a table by range columns",
        PLAIN.format(""),
        PLAIN.format(
            " PARTITION BY RANGE COLUMNS (id) (PARTITION p0 VALUES LESS THAN (50),"
            " PARTITION p1 VALUES LESS THAN (MAXVALUE))"
        ),
        "copy",
        False,
    ),
    (
        "hash to linear key",
        PLAIN.format(" PARTITION BY HASH (id) PARTITIONS 2"),
        PLAIN.format(" PARTITION BY LINEAR KEY (id) PARTITIONS 2"),
        "copy",
        False,
    ),
    (
        "spatial column and key",
        PLAIN.format(""),
        "CREATE TABLE t (id INT NOT NULL, v INT, g POINT NOT NULL DEFAULT POINT(0, 0),"
        " gm GEOMETRY, PRIMARY KEY (id), SPATIAL KEY sg (g))",
        "inplace",
        False,
    ),
    (
        "add a spatial key",
        "CREATE TABLE t (id INT NOT NULL, v INT, g POINT NOT NULL DEFAULT POINT(0, 0),"
        " PRIMARY KEY (id))",
        "CREATE TABLE t (id INT NOT NULL, v INT, g POINT NOT NULL DEFAULT POINT(0, 0),"
        " PRIMARY KEY (id), SPATIAL KEY sg (g))",
        "nocopy",
        False,
    ),
    (
        "drop a spatial key",
        "CREATE TABLE t (id INT NOT NULL, v INT, g POINT NOT NULL DEFAULT POINT(0, 0),"
        " PRIMARY KEY (id), SPATIAL KEY sg (g))",
        "CREATE TABLE t (id INT NOT NULL, v INT, g POINT NOT NULL DEFAULT POINT(0, 0),"
        " PRIMARY KEY (id))",
        "nocopy",
        False,
    ),
    (
        "inet4, inet6 and uuid columns",
        PLAIN.format(""),
        "CREATE TABLE t (id INT NOT NULL, v INT, a INET4, b INET6 NOT NULL DEFAULT '::',"
        " u UUID, PRIMARY KEY (id))",
        "instant",
        False,
    ),
    (
        "varchar to inet6",
        "CREATE TABLE t (id INT NOT NULL, v INT, ip VARCHAR(45), PRIMARY KEY (id))",
        "CREATE TABLE t (id INT NOT NULL, v INT, ip INET6, PRIMARY KEY (id))",
        "copy",
        True,
    ),
    (
        "compress a column",
        "CREATE TABLE t (id INT NOT NULL, v INT, b BLOB, PRIMARY KEY (id))",
        "CREATE TABLE t (id INT NOT NULL, v INT, b BLOB COMPRESSED, PRIMARY KEY (id))",
        "copy",
        False,
    ),
    (
        "add a compressed column",
        PLAIN.format(""),
        "CREATE TABLE t (id INT NOT NULL, v INT, c TEXT COMPRESSED, PRIMARY KEY (id))",
        "instant",
        False,
    ),
    (
        "ignore an index",
        "CREATE TABLE t (id INT NOT NULL, v INT, PRIMARY KEY (id), KEY kv (v))",
        "CREATE TABLE t (id INT NOT NULL, v INT, PRIMARY KEY (id), KEY kv (v) IGNORED)",
        "instant",
        False,
    ),
    ("page compression", PLAIN.format(""), PLAIN.format(" PAGE_COMPRESSED=1"), "inplace", False),
    (
        "page compression level",
        PLAIN.format(" PAGE_COMPRESSED=1"),
        PLAIN.format(" PAGE_COMPRESSED=1 PAGE_COMPRESSION_LEVEL=3"),
        "instant",
        False,
    ),
    (
        "checksum and pack keys",
        PLAIN.format(""),
        PLAIN.format(" CHECKSUM=1 PACK_KEYS=1"),
        "instant",
        False,
    ),
    ("add system versioning", PLAIN.format(""), VERS, "copy", False),
    ("drop system versioning", VERS, PLAIN.format(""), "inplace", True),
    ("versioned: add column", VERS, VERS.replace("v INT,", "v INT, w INT,"), "instant", False),
    (
        "versioned: column without versioning",
        VERS,
        VERS.replace("v INT,", "v INT WITHOUT SYSTEM VERSIONING,"),
        "instant",
        False,
    ),
]


def _load(db: Any, ddl: str) -> None:
    db.execute(ddl, "INSERT INTO t (id, v) VALUES (1, 1), (20, 2), (300, 3)")


def _rows(db: Any) -> list[tuple[object, ...]]:
    return db.query("SELECT * FROM t ORDER BY id")


@pytest.mark.parametrize(
    ("label", "before", "after", "algorithm", "destructive"), CASES, ids=[c[0] for c in CASES]
)
def test_feature_change_round_trips_with_predicted_algorithm(
    database_factory: Any, label: str, before: str, after: str, algorithm: str, destructive: bool
) -> None:
    a, b, c = database_factory(), database_factory(), database_factory()
    _load(a, before)
    _load(c, before)
    b.execute(after)
    desired = snapshot(b)
    assert desired.unsupported_tables() == [] and snapshot(a).unsupported_tables() == []
    steps = plan(snapshot(a), desired, flavor_of(a))
    assert len(steps) == 1 and len(steps[0].sql) == 1, [s.sql for s in steps]
    step = steps[0]
    assert (step.algorithm, step.destructive) == (algorithm, destructive), step.sql
    _check_algorithm(c, step.sql[0], algorithm, step.lock)
    rows = _rows(a)
    assert_round_trip(a, desired)
    if not destructive:
        assert _rows(a) == rows


def _check_algorithm(db: Any, sql: str, expected: str, lock: str) -> None:
    """The predicted ALGORITHM works with the predicted LOCK, the next faster algorithm
    and the next weaker lock are refused. Partition management (ADD/DROP/REORGANIZE/
    COALESCE PARTITION) takes no ALGORITHM or LOCK clause: the server refuses one, so
    there the statement itself must run."""
    management = any(
        w in sql for w in ("ADD PARTITION", "DROP PARTITION", "REORGANIZE ", "COALESCE ")
    )
    if management:
        assert lock == "n/a"
        with pytest.raises(pymysql.MySQLError):
            db.execute(f"{sql}, ALGORITHM={expected.upper()}")
        db.execute(sql)
        return
    check_algorithm_and_lock(db, sql, expected, lock)


def check_algorithm_and_lock(db: Any, sql: str, expected: str, lock: str) -> None:
    """The ALTER names the predicted ALGORITHM and LOCK and runs as generated; the next
    faster algorithm and the next weaker lock are refused."""
    assert f"ALGORITHM={expected.upper()}, LOCK={lock.upper()}" in sql, sql
    faster = ORDER[ORDER.index(expected) - 1] if expected != "instant" else None
    if faster is not None:
        with pytest.raises(pymysql.MySQLError):
            db.execute(_with_algorithm(sql, faster, lock))
    weaker = LOCKS[LOCKS.index(lock) - 1] if lock != "none" else None
    if weaker is not None:
        with pytest.raises(pymysql.MySQLError):
            db.execute(_with_algorithm(sql, expected, weaker))
    db.execute(sql)


def _with_algorithm(sql: str, algorithm: str, lock: str) -> str:
    """The statement with another ALGORITHM/LOCK clause in place of the generated one."""
    return re.sub(
        r"ALGORITHM=\w+, LOCK=\w+", f"ALGORITHM={algorithm.upper()}, LOCK={lock.upper()}", sql
    )
