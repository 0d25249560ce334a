"""Helpers for schema tests: load DDL into a database, diff, apply forward and back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mrpplan.diff import diff_schemas
from mrpplan.model.schema import Schema
from mrpplan.mysql.ddl import RenderedChange, render_changes
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.inspect import inspect_schema


def load(db: Any, statements: Sequence[str]) -> Schema:
    db.execute("SET FOREIGN_KEY_CHECKS=1", *statements)
    return snapshot(db)


def snapshot(db: Any) -> Schema:
    conn = db.connect()
    try:
        return inspect_schema(conn, db.name)
    finally:
        conn.close()


def flavor_of(db: Any) -> Flavor:
    return Flavor.parse(str(db.query("SELECT VERSION()")[0][0]))


def run(db: Any, statements: Sequence[str]) -> None:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
    finally:
        conn.close()


def texts(schema: Schema) -> dict[str, dict[str, str]]:
    return schema.to_texts()


def plan(current: Schema, desired: Schema, flavor: Flavor, **kw: Any) -> list[RenderedChange]:
    return render_changes(diff_schemas(current, desired, **kw), flavor)


def forward_sql(steps: Sequence[RenderedChange]) -> list[str]:
    return [sql for step in steps for sql in step.sql]


def reverse_sql(steps: Sequence[RenderedChange]) -> list[str]:
    return [sql for step in reversed(steps) for sql in step.reverse_sql]


def assert_round_trip(db: Any, a: Sequence[str], b_schema: Schema, **kw: Any) -> list[RenderedChange]:
    """db holds A: apply diff(A, B), check it equals B, apply the reverse, check A again."""
    flavor = flavor_of(db)
    schema_a = snapshot(db)
    steps = plan(schema_a, b_schema, flavor, **kw)
    run(db, forward_sql(steps))
    after = snapshot(db)
    assert texts(after) == texts(b_schema), "forward SQL did not reach the desired schema"
    assert diff_schemas(after, b_schema) == []
    run(db, reverse_sql(steps))
    back = snapshot(db)
    assert texts(back) == texts(schema_a), "reverse SQL did not bring the schema back"
    return steps
