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
