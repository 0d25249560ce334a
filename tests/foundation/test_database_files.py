"""The example database files load on a real server, downs undo ups, seeds are idempotent."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from mrpplan.desired.directory import Migration, base_schema_statements, load_migrations
from mrpplan.seed.sets import list_seeds
from mrpplan.sqlfiles.split import SqlStatement

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "database" / "schema"
MIGRATIONS = REPO / "database" / "migrations"
SEEDS = REPO / "database" / "seeds"


def run(db, statements: Sequence[SqlStatement]) -> None:  # type: ignore[no-untyped-def]
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            for statement in statements:
                try:
                    cur.execute(statement.text)
                except Exception as exc:  # name the file:line in the failure
                    raise AssertionError(f"{statement.where}: {exc}") from exc
    finally:
        conn.close()


def _rows(db, *queries: str) -> list[list[tuple]]:  # type: ignore[no-untyped-def]
    """Run queries over one connection (connecting is the slow part)."""
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            out = []
            for query in queries:
                cur.execute(query)
                out.append(list(cur.fetchall()))
            return out
    finally:
        conn.close()


def schema_of(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every table and view with its SHOW CREATE text (AUTO_INCREMENT counters removed)."""
    objects = db.query("SHOW FULL TABLES")
    queries = [
        f"SHOW CREATE {'VIEW' if kind == 'VIEW' else 'TABLE'} `{name}`" for name, kind in objects
    ]
    shapes = _rows(db, *queries)
    return {
        str(name): re.sub(r" AUTO_INCREMENT=\d+", "", str(rows[0][1]))
        for (name, _), rows in zip(objects, shapes, strict=True)
    }


def contents(db) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(row count, CHECKSUM TABLE) of every base table."""
    tables = [str(r[0]) for r in db.query("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")]
    counts, sums = _rows(
        db,
        " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM `{t}`" for t in tables),
        "CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in tables),
    )
    checksum_of = {str(name).split(".")[-1]: int(value or 0) for name, value in sums}
    return {str(table): (int(count), checksum_of[str(table)]) for table, count in counts}


def latest(migrations: list[Migration]) -> list[SqlStatement]:
    statements = base_schema_statements(SCHEMA)
    for migration in migrations:
        statements.extend(migration.up)
    return statements


def test_base_schema_and_all_migrations_load_into_a_fresh_database(fresh_db) -> None:  # type: ignore[no-untyped-def]
    migrations = load_migrations(MIGRATIONS)
    assert [m.version for m in migrations][:3] == ["001", "002", "003"]
    run(fresh_db, latest(migrations))
    tables = fresh_db.query(
        "SELECT COUNT(*) FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
    )[0][0]
    assert tables >= 25
    fks = fresh_db.query(
        "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
        "WHERE CONSTRAINT_SCHEMA = DATABASE()"
    )[0][0]
    assert fks >= 30
    # 003 renamed a column and added a view that reads the new planning columns
    columns = {r[0] for r in fresh_db.query("SHOW COLUMNS FROM work_centers")}
    assert "daily_capacity_hours" in columns and "capacity_hours_per_day" not in columns
    assert fresh_db.query("SELECT COUNT(*) FROM v_item_availability")[0][0] == 0


def test_each_down_section_restores_the_previous_version_exactly(database_factory) -> None:  # type: ignore[no-untyped-def]
    migrations = load_migrations(MIGRATIONS)
    assert any(m.down is None for m in migrations), "one example migration has no down section"
    reversible = [m for m in migrations if m.down is not None]
    assert reversible
    db = database_factory()
    run(db, base_schema_statements(SCHEMA))
    versions = [schema_of(db)]
    for migration in migrations[: migrations.index(reversible[-1]) + 1]:
        run(db, migration.up)
        versions.append(schema_of(db))
    # walk back down in reverse order: each down gives exactly the schema before its up
    for index in range(len(versions) - 1, 0, -1):
        migration = migrations[index - 1]
        assert migration.down is not None, f"{migration.path.name} has no down section"
        run(db, migration.down)
        assert set(schema_of(db)) == set(versions[index - 1])
        assert schema_of(db) == versions[index - 1], migration.path.name


def test_every_seed_is_idempotent_on_the_latest_schema(fresh_db) -> None:  # type: ignore[no-untyped-def]
    run(fresh_db, latest(load_migrations(MIGRATIONS)))
    seeds = list_seeds(SEEDS)
    assert [s.set for s in seeds][:4] == ["reference", "test", "production", "sample"]
    for seed in seeds:
        before = contents(fresh_db)
        run(fresh_db, seed.statements)
        once = contents(fresh_db)
        assert once != before, f"{seed.name} inserted nothing"
        run(fresh_db, seed.statements)
        assert contents(fresh_db) == once, f"{seed.name} is not idempotent"
    # multi-level BOM: a finished good -> subassembly -> raw material chain exists
    depth = fresh_db.query(
        "SELECT COUNT(*) FROM bom_lines l1 "
        "JOIN bom_headers h2 ON h2.item_id = l1.component_item_id "
        "JOIN bom_lines l2 ON l2.bom_id = h2.id"
    )[0][0]
    assert depth > 0
    contacts = fresh_db.query(
        "SELECT COUNT(*) FROM customers WHERE email IS NOT NULL AND phone IS NOT NULL "
        "AND contact_name IS NOT NULL"
    )[0][0]
    assert contacts >= 3
