"""Helpers for schema tests: load DDL into a database, diff, apply forward and back."""

from __future__ import annotations

import difflib
import subprocess
from collections.abc import Sequence
from typing import Any

from mrpplan.diff import diff_schemas
from mrpplan.diff.ddl import ChangeGroup, render_changes
from mrpplan.model.schema import Schema
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
    return schema.canonical_texts()


def assert_same(actual: Schema, expected: Schema, label: str, sql: Sequence[str] = ()) -> None:
    """Equal canonical texts, or a readable unified diff of the objects that differ."""
    got, want = texts(actual), texts(expected)
    if got == want:
        return
    report = [f"{label}: the live schema differs from the expected one"]
    for section in sorted(set(got) | set(want)):
        a, b = got.get(section, {}), want.get(section, {})
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name):
                lines = difflib.unified_diff(
                    (b.get(name) or "<missing>").splitlines(),
                    (a.get(name) or "<missing>").splitlines(),
                    "expected",
                    "live",
                    lineterm="",
                )
                report.append(f"{section} {name}:\n" + "\n".join(lines))
    report += ["SQL run:", *sql]
    raise AssertionError("\n".join(report))


def plan(current: Schema, desired: Schema, flavor: Flavor, **kw: Any) -> list[ChangeGroup]:
    return render_changes(diff_schemas(current, desired, **kw), flavor)


def forward_sql(steps: Sequence[ChangeGroup]) -> list[str]:
    return [sql for step in steps for sql in step.sql]


def reverse_sql(steps: Sequence[ChangeGroup]) -> list[str]:
    return [sql for step in reversed(steps) for sql in step.reverse_sql]


def assert_round_trip(db: Any, b_schema: Schema, **kw: Any) -> list[ChangeGroup]:
    """db holds A: apply diff(A, B), check it equals B, apply the reverse, check A again."""
    flavor = flavor_of(db)
    schema_a = snapshot(db)
    steps = plan(schema_a, b_schema, flavor, **kw)
    run(db, forward_sql(steps))
    after = snapshot(db)
    assert_same(after, b_schema, "forward", forward_sql(steps))
    assert diff_schemas(after, b_schema) == []
    run(db, reverse_sql(steps))
    back = snapshot(db)
    assert_same(back, schema_a, "reverse", reverse_sql(steps))
    return steps


def show_create(db: Any) -> dict[str, str]:
    names = sorted(str(r[0]) for r in db.query("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'"))
    return {
        n: str(db.query(f"SHOW CREATE TABLE `{n}`")[0][1])
        for n in names
        if not n.startswith(("mrpplan_", "_mrpplan"))
    }


def client_load(db: Any, sql: str) -> None:
    """Load SQL exactly as a user would: the `mariadb` command-line client."""
    subprocess.run(
        ["mariadb", f"--defaults-extra-file={db.server.option_file}", db.name],
        input=sql.encode(),
        check=True,
    )
