"""Properties of tables using MariaDB features (feature_strategies): for random pairs
(A, B) on the real server, plan + apply turns A into B; the reverse restores A's schema
and rows; and a table mrpplan creates has the same SHOW CREATE TABLE, byte for byte, as
the same SQL loaded with the `mariadb` client."""

from __future__ import annotations

from typing import Any

import pytest
from dbtools import drop_database, make_database
from feature_strategies import FeatureTable, feature_pairs, feature_tables
from hypothesis import HealthCheck, Phase, given, settings
from schema_roundtrip import (
    assert_same,
    client_load,
    flavor_of,
    forward_sql,
    plan,
    reverse_sql,
    run,
    show_create,
    snapshot,
)

from mrpplan.diff import diff_schemas
from mrpplan.model.schema import Schema

SETTINGS = {
    "deadline": None,
    # no shrinking: each example is a few databases on the server; the failing one is printed
    "phases": (Phase.explicit, Phase.reuse, Phase.generate),
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def check_pair(server: Any, a: FeatureTable, b: FeatureTable) -> None:
    db_a, db_b = make_database(server, "fa"), make_database(server, "fb")
    try:
        db_a.execute(a.ddl(), a.insert())
        db_b.execute(b.ddl())
        schema_a, schema_b = snapshot(db_a), snapshot(db_b)
        assert schema_a.unsupported_tables() == [] and schema_b.unsupported_tables() == []
        shared = ["id", *(c for c in a.columns if c in b.columns)]
        rows = _rows(db_a, shared)
        steps = plan(schema_a, schema_b, flavor_of(db_a))
        run(db_a, forward_sql(steps))
        after = snapshot(db_a)
        assert_same(after, schema_b, "forward", forward_sql(steps))
        assert diff_schemas(after, schema_b) == []
        assert _rows(db_a, shared) == rows
        run(db_a, reverse_sql(steps))
        assert_same(snapshot(db_a), schema_a, "reverse", reverse_sql(steps))
        assert _rows(db_a, shared) == rows
    finally:
        drop_database(server, db_a.name)
        drop_database(server, db_b.name)


def check_create(server: Any, table: FeatureTable) -> None:
    mine, by_client = make_database(server, "fc"), make_database(server, "fd")
    try:
        client_load(by_client, table.ddl() + ";\n")
        steps = plan(Schema(), snapshot(by_client), flavor_of(mine))
        run(mine, forward_sql(steps))
        assert show_create(mine) == show_create(by_client)
    finally:
        drop_database(server, mine.name)
        drop_database(server, by_client.name)


def _rows(db: Any, columns: list[str]) -> list[tuple[object, ...]]:
    names = ", ".join(f"`{c}`" for c in columns)
    return db.query(f"SELECT {names} FROM t ORDER BY id")


@settings(max_examples=4, **SETTINGS)  # type: ignore[arg-type]
@given(pair=feature_pairs())
def test_feature_tables_converge_and_reverse_restores_quick(server: Any, pair: Any) -> None:
    check_pair(server, *pair)


@pytest.mark.slow
@settings(max_examples=15, **SETTINGS)  # type: ignore[arg-type]
@given(pair=feature_pairs())
def test_feature_tables_converge_and_reverse_restores(server: Any, pair: Any) -> None:
    check_pair(server, *pair)


@pytest.mark.slow
@settings(max_examples=15, **SETTINGS)  # type: ignore[arg-type]
@given(table=feature_tables())
def test_created_table_equals_the_client_load_byte_for_byte(server: Any, table: Any) -> None:
    check_create(server, table)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (("a", "c"), ("c",)),  # found by the property: the reverse re-adds u_a after u_c
        (("a", "b", "c"), ("c", "a")),
        (("a", "b", "c"), ("b", "c", "a")),
        (("a", "b"), ("b", "a", "c")),
        (("a", "c"), ("b",)),  # found by the property: dropped keys re-added in old order
        (("c", "a"), ("b", "a")),
    ],
)
def test_clustered_key_order_round_trips_both_ways(
    server: Any, before: tuple[str, ...], after: tuple[str, ...]
) -> None:
    def table(uniques: tuple[str, ...]) -> FeatureTable:
        return FeatureTable((), frozenset(), False, uniques, (), False, None, (), (), False)

    check_pair(server, table(before), table(after))
    check_pair(server, table(after), table(before))
