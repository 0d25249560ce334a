"""Shrunk examples the property test found, kept as regular tests."""

from __future__ import annotations

from typing import Any

from schema_strategies import Col, Fk, Key, TableSpec
from test_schema_properties import check_pair

PARENT = TableSpec("p0", (Col("n0", "int", "int", nullable=False, default="0", protected=True),))


def child(keys: tuple[Key, ...], on_delete: str = "RESTRICT") -> TableSpec:
    return TableSpec(
        "t0",
        (
            Col("n0", "int", "int", nullable=False, default="0", protected=True),
            Col("parent_id", "int", "int", protected=True),
            Col("c1_due", "time", "date"),
            Col("c2_note", "str", "varchar(20)"),
        ),
        keys,
        (Fk("fk_t0_parent", "parent_id", "p0", on_delete),),
    )


def test_key_added_after_the_implicit_foreign_key_index(server: Any) -> None:
    """The server prints keys in creation order: canonical text must not depend on it."""
    a = (PARENT, child((Key("k_c1", ("c1_due",)),)))
    b = (PARENT, child((Key("k_c1", ("c1_due",)), Key("k_c2_c1", ("c2_note", "c1_due")))))
    check_pair(server, a, b)


def test_foreign_key_action_change_keeps_its_key(server: Any) -> None:
    a = (PARENT, child(()))
    b = (PARENT, child((), on_delete="CASCADE"))
    check_pair(server, a, b)


def test_virtual_column_becomes_stored_with_its_key(server: Any) -> None:
    base = child(())
    g = Col("g", "int", "bigint", generated="VIRTUAL", protected=True)
    a = (PARENT, TableSpec("t0", (*base.columns, g), (Key("k_g", ("g",)),), base.fks))
    b = (
        PARENT,
        TableSpec(
            "t0",
            (*base.columns, Col("g", "int", "bigint", generated="STORED", protected=True)),
            (Key("k_g", ("g",)),),
            base.fks,
        ),
    )
    check_pair(server, a, b)


def test_references_are_read_from_the_text_exactly(fresh_db: Any) -> None:
    """Ordering the creates of a new database reads each table's foreign keys from the
    server's text without parsing it: quotes in names, comments and defaults that look like
    a REFERENCES clause, and another database's table must not fool it."""
    from mrpplan.model.table import Table

    other = fresh_db.name + "_o"
    fresh_db.execute(
        f"CREATE DATABASE `{other}`",
        f"CREATE TABLE `{other}`.x (id INT PRIMARY KEY)",
        "CREATE TABLE `par``ent` (id INT PRIMARY KEY)",
        "CREATE TABLE p2 (id INT PRIMARY KEY)",
        "CREATE TABLE c (`it's` INT, p INT,"
        " q VARCHAR(40) DEFAULT 'REFERENCES `fake` (id)' COMMENT 'it''s REFERENCES `fake2` (',"
        " CONSTRAINT `fk` FOREIGN KEY (p) REFERENCES `par``ent` (id),"
        f" CONSTRAINT `f'k2` FOREIGN KEY (p) REFERENCES `{other}`.x (id),"
        " CONSTRAINT fk3 FOREIGN KEY (`it's`) REFERENCES p2 (id))"
        " COMMENT 'REFERENCES `fake3` ('",
    )
    try:
        table = Table("c", str(fresh_db.query("SHOW CREATE TABLE c")[0][1]))
        parsed = {fk.ref_table for fk in table.foreign_keys if fk.ref_schema is None}
        assert table.references() == parsed == {"par`ent", "p2"}
    finally:
        fresh_db.execute("DROP TABLE c", f"DROP DATABASE `{other}`")


def test_a_column_dropped_beside_a_spatial_index_locks_shared(server: Any) -> None:
    """Found by the feature property: on a table with a SPATIAL index, an in-place (NOCOPY)
    ALTER that adds or drops a column needs LOCK=SHARED; LOCK=NONE is refused (1846)."""
    from feature_strategies import FeatureTable
    from test_feature_properties import check_pair as check_features

    before = FeatureTable(
        ("qty", "ip4", "ip6", "spot", "code"),
        frozenset({"code"}),
        False,
        (),
        (("qty", False), ("ip6", False)),
        True,
        None,
        (),
        (),
        False,
    )
    after = FeatureTable(
        ("qty", "ip4", "spot", "shape"),
        frozenset(),
        False,
        (),
        (("qty", False),),
        True,
        None,
        (),
        ("CHECKSUM=1",),
        False,
    )
    check_features(server, before, after)


def test_an_indexed_column_dropped_beside_a_new_key_rebuilds_in_place(server: Any) -> None:
    """Found by the feature property: DROP COLUMN of an indexed column (NOCOPY alone) in
    the same ALTER as ADD KEY needs INPLACE; ALGORITHM=NOCOPY is refused (1845)."""
    from feature_strategies import FeatureTable
    from test_feature_properties import check_pair as check_features

    plain = (("ip6", True),)
    spatial = FeatureTable(
        ("qty", "ip6", "spot"), frozenset(), True, (), plain, True, None, (), ("CHECKSUM=1",), False
    )
    keyed = FeatureTable(
        ("qty", "ip4", "ip6", "spot"),
        frozenset(),
        True,
        (),
        (("qty", False), ("ip4", True)),
        False,
        None,
        (),
        (),
        False,
    )
    check_features(server, spatial, keyed)


def test_a_column_renamed_with_a_new_table_comment_is_nocopy(server: Any) -> None:
    """Each is INSTANT alone; together the server refuses INSTANT ("Reason: DROP INDEX")
    and takes NOCOPY (found by the property after the round-3 merge; measured)."""
    n0 = Col("n0", "int", "int", nullable=False, default="0", protected=True)
    a = (TableSpec("p0", (n0, Col("c0_qty", "dec", "decimal(8,2)", nullable=False))),)
    b = (
        TableSpec(
            "p0",
            (n0, Col("r_c0_qty", "dec", "decimal(8,2)", nullable=False)),
            comment="now commented",
            renamed=(("c0_qty", "r_c0_qty"),),
        ),
    )
    check_pair(server, a, b)


def test_undoing_a_column_added_in_front_of_a_virtual_one_beside_a_modify_copies(
    server: Any,
) -> None:
    """The reverse drops a column in front of a VIRTUAL one beside a MODIFY: the server
    copies (found by the property after the round-3 merge; predicted INPLACE, refused)."""
    n0 = Col("n0", "int", "int", nullable=False, default="0", protected=True)
    g = Col("g", "int", "bigint", generated="VIRTUAL", expression="`n0` * 2", protected=True)
    c1 = Col("c1_qty", "dec", "decimal(8,2)", nullable=False)
    keys = (Key("k_n0", ("n0",)),)
    a = (TableSpec("p0", (n0, Col("c0_qty", "dec", "decimal(8,2)", nullable=False), c1, g), keys),)
    b = (
        TableSpec(
            "p0",
            (
                Col("a_qty", "dec", "decimal(8,2)", nullable=False),
                n0,
                Col("c0_qty", "dec", "decimal(8,2)", nullable=True),
                c1,
                g,
            ),
            keys,
        ),
    )
    check_pair(server, a, b)


def test_undoing_a_column_moved_behind_a_virtual_one_copies(server: Any) -> None:
    """The undo moves the column back across the VIRTUAL one: it must be predicted from
    the table the undo runs on (found by the property after the round-3 merge)."""
    n0 = Col("n0", "int", "int", nullable=False, default="0", protected=True)
    qty = tuple(Col(f"c{i}_qty", "dec", "decimal(8,2)", nullable=False) for i in range(2))
    g = Col("g", "int", "bigint", generated="VIRTUAL", expression="`n0` * 2", protected=True)
    check_pair(server, (TableSpec("p0", (n0, *qty, g)),), (TableSpec("p0", (*qty, g, n0)),))


def test_a_virtual_column_shifted_by_a_drop_and_an_add_copies(server: Any) -> None:
    """DROP a column in front of a VIRTUAL one and ADD one behind it: the VIRTUAL column
    moves, so the server copies; the undo shifts it back (found by the property)."""
    n0 = Col("n0", "int", "int", nullable=False, default="0", protected=True)
    g = Col("g", "int", "bigint", generated="VIRTUAL", expression="`n0` * 2", protected=True)
    a = (TableSpec("p0", (n0, Col("c0_qty", "dec", "decimal(8,2)", nullable=False), g)),)
    b = (TableSpec("p0", (n0, g, Col("a_qty", "dec", "decimal(8,2)", nullable=False))),)
    check_pair(server, a, b)
