"""Which tables a seed owns (sqlglot), what a seed may contain, and the order refresh empties
them in: children before parents, whatever the foreign-key graph (a property)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.seed.refresh import delete_order
from mrpplan.sqlfiles.dml_targets import DML, OTHER, TRANSACTION, classify, written_tables


@pytest.mark.parametrize(
    ("sql", "kind", "tables"),
    [
        ("INSERT INTO items (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)", DML, ("items",)),
        ("INSERT IGNORE INTO `erp`.`uom` (a) VALUES (1)", DML, ("uom",)),
        ("REPLACE INTO currencies VALUES ('EUR')", DML, ("currencies",)),
        ("UPDATE items i JOIN boms b ON b.item_id = i.id SET i.x = 1", DML, ("items",)),
        ("DELETE FROM routings WHERE id > 10", DML, ("routings",)),
        ("INSERT INTO a (x) SELECT x FROM b", DML, ("a",)),
        ("SET FOREIGN_KEY_CHECKS = 0", DML, ()),
        ("START TRANSACTION", TRANSACTION, ()),
        ("COMMIT", TRANSACTION, ()),
        ("CREATE TABLE t (a INT)", OTHER, ()),
        ("ALTER TABLE items ADD COLUMN z INT", OTHER, ()),
        ("TRUNCATE TABLE items", OTHER, ()),
        ("SET autocommit = 1", OTHER, ()),
        ("LOCK TABLES items WRITE", OTHER, ()),
    ],
)
def test_statements_are_classified(sql: str, kind: str, tables: tuple[str, ...]) -> None:
    found = classify(sql)
    assert (found.kind, found.tables) == (kind, tables)


def test_written_tables_are_distinct_in_first_seen_order() -> None:
    statements = [
        "INSERT INTO b (x) VALUES (1)",
        "INSERT INTO a (x) VALUES (1)",
        "UPDATE b SET x = 2",
    ]
    assert written_tables(statements) == ["b", "a"]


@st.composite
def fk_graphs(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    """A DAG: table i may reference only tables with a smaller index."""
    n = draw(st.integers(min_value=1, max_value=8))
    tables = [f"t{i}" for i in range(n)]
    edges = [
        (tables[child], tables[parent])
        for child in range(n)
        for parent in range(child)
        if draw(st.booleans())
    ]
    shuffled = draw(st.permutations(tables))
    return list(shuffled), edges


@settings(max_examples=40, deadline=None)
@given(fk_graphs())
def test_children_are_emptied_before_their_parents(
    graph: tuple[list[str], list[tuple[str, str]]],
) -> None:
    tables, edges = graph
    order = delete_order(tables, edges)
    assert sorted(order) == sorted(tables)
    for child, parent in edges:
        assert order.index(child) < order.index(parent)
