"""The author's order is kept: CREATE emits the server's verbatim text, equality compares
keys by name plus the ordered clustered-index candidates of a table without a PK."""

from __future__ import annotations

from typing import Any

from schema_roundtrip import (
    assert_round_trip,
    client_load,
    flavor_of,
    plan,
    run,
    show_create,
    snapshot,
)

from mrpplan.diff import diff_schemas


def test_migrate_fresh_equals_loading_the_files_with_the_client(
    project: Any, cli: Any, database_factory: Any
) -> None:
    result = cli("migrate", "fresh", "local", "--force", "--no-backup")
    assert result.code == 0, result.output
    by_client = database_factory()
    files = sorted((project.root / "database" / "schema").glob("*.sql"))
    migrations = sorted((project.root / "database" / "migrations").glob("*.sql"))
    client_load(by_client, "\n".join(f.read_text() for f in files))
    for path in migrations:
        client_load(by_client, path.read_text().split("-- mrpplan:down")[0])
    mine, theirs = show_create(project.databases["local"]), show_create(by_client)
    assert list(mine) == list(theirs)
    for name in theirs:
        assert mine[name] == theirs[name], name


def test_created_table_keeps_the_authors_key_order(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    ddl = (
        "CREATE TABLE t (id INT PRIMARY KEY, z INT, a INT NOT NULL, m INT,"
        " KEY kz (z), UNIQUE KEY um (m), KEY ka (a), CONSTRAINT cz CHECK (z > 0),"
        " CONSTRAINT ca CHECK (a > 0))"
    )
    b.execute(ddl)
    steps = plan(snapshot(a), snapshot(b), flavor_of(a))
    run(a, [sql for step in steps for sql in step.sql])
    assert show_create(a) == show_create(b)
    assert "KEY `kz` (`z`),\n  UNIQUE KEY" not in show_create(b)["t"]  # server sorts uniques
    assert show_create(b)["t"].index("`kz`") < show_create(b)["t"].index("`ka`")


def test_key_order_of_the_same_table_built_two_ways_is_equal(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    a.execute("CREATE TABLE t (id INT PRIMARY KEY, x INT, y INT, KEY kx (x), KEY ky (y))")
    b.execute("CREATE TABLE t (id INT PRIMARY KEY, x INT, y INT, KEY ky (y), KEY kx (x))")
    assert show_create(a) != show_create(b)
    assert snapshot(a).fingerprint() == snapshot(b).fingerprint()
    assert diff_schemas(snapshot(a), snapshot(b)) == []


def test_clustered_index_order_without_primary_key_is_compared(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    cols = "x INT NOT NULL, y INT NOT NULL, n INT"
    a.execute(
        f"CREATE TABLE t ({cols}, UNIQUE KEY ux (x), UNIQUE KEY uy (y), KEY kn (n))",
        "INSERT INTO t VALUES (1, 2, 3), (2, 1, 4)",
    )
    b.execute(f"CREATE TABLE t ({cols}, UNIQUE KEY uy (y), UNIQUE KEY ux (x), KEY kn (n))")
    before, desired = snapshot(a), snapshot(b)
    assert before.fingerprint() != desired.fingerprint()  # InnoDB clusters by ux vs uy
    steps = assert_round_trip(a, desired)
    assert len(steps) == 1 and not steps[0].destructive, steps
    assert a.query("SELECT x, y, n FROM t ORDER BY x") == [(1, 2, 3), (2, 1, 4)]


def test_clustered_order_converges_with_three_candidates(database_factory: Any) -> None:
    a, b = database_factory(), database_factory()
    cols = "x INT NOT NULL, y INT NOT NULL, z INT NOT NULL"
    a.execute(f"CREATE TABLE t ({cols}, UNIQUE KEY ux (x), UNIQUE KEY uy (y), UNIQUE KEY uz (z))")
    b.execute(f"CREATE TABLE t ({cols}, UNIQUE KEY uy (y), UNIQUE KEY uz (z), UNIQUE KEY ux (x))")
    assert_round_trip(a, snapshot(b))
