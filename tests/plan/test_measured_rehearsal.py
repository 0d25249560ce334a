"""An ALTER the plan already ran in the workspace is not rehearsed again by the apply: the
texts the trace read there before and after it stand in for the rehearsal (issue 28). That
is only sound if they are exactly what a rehearsal on empty copies finds, and only used
for exactly the tables' texts and the server version they were measured on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mrpplan.desired.trace import trace_statements
from mrpplan.mysql.connection import server_version
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.inspect import existing_texts
from mrpplan.mysql.rehearse import _rehearse, measured, remember
from mrpplan.sqlfiles.split import SqlStatement

BASE = [
    "CREATE TABLE item (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL, UNIQUE KEY uq_code (code))",
    "CREATE TABLE lot (id INT PRIMARY KEY, qty DECIMAL(10,2) NOT NULL DEFAULT 0)",
    "CREATE TABLE bom (id INT PRIMARY KEY, item_id INT NOT NULL, lot_id INT NULL,"
    " CONSTRAINT fk_bom_item FOREIGN KEY (item_id) REFERENCES item (id))",
    "CREATE TABLE note (id INT PRIMARY KEY, body TEXT)",
]
MIGRATION = [
    "ALTER TABLE item ADD COLUMN weight DECIMAL(10,3) NULL AFTER id",
    "ALTER TABLE lot MODIFY qty DECIMAL(12,3) NOT NULL DEFAULT 0",
    "ALTER TABLE bom ADD CONSTRAINT fk_bom_lot FOREIGN KEY (lot_id) REFERENCES lot (id)",
    "ALTER TABLE item ADD KEY ix_item_weight (weight), COMMENT = 'parts'",
    "ALTER TABLE note RENAME TO memo",
    "ALTER TABLE item DROP COLUMN weight",
]


def _sql(texts: list[str], file: str) -> list[SqlStatement]:
    return [SqlStatement(t, Path(file), n + 1) for n, t in enumerate(texts)]


def test_what_the_plan_measured_is_what_a_rehearsal_finds(fresh_db: Any) -> None:
    conn = fresh_db.connect()
    try:
        flavor = Flavor.parse(server_version(conn))
        trace = trace_statements(
            fresh_db.workspace,
            flavor,
            _sql(BASE, "database/schema/01.sql"),
            _sql(MIGRATION, "database/migrations/001_m.sql"),
            None,
        )
        fresh_db.execute(*BASE)
        checked = 0
        for effect in trace.effects:
            statement = effect.statement.text
            assert effect.measured is not None, statement
            before, after = effect.measured
            names = set(before) | set(after)
            assert existing_texts(conn, fresh_db.name, names) == before, statement
            rehearsed = _rehearse(conn, fresh_db.name, statement, before, names, None)
            assert rehearsed == after, statement
            with conn.cursor() as cur:
                cur.execute(statement)
            assert existing_texts(conn, fresh_db.name, names) == after, statement
            checked += 1
        assert checked == len(MIGRATION)
    finally:
        conn.close()


def test_a_measurement_counts_only_for_the_same_texts_on_the_same_version() -> None:
    statement = "ALTER TABLE t_measured ADD COLUMN c INT"
    before = {"t_measured": "CREATE TABLE `t_measured` (\n  `id` int(11) NOT NULL\n)"}
    after = {"t_measured": "CREATE TABLE `t_measured` (\n  `id` int(11) NOT NULL,\n  `c` int)"}
    remember("10.11.6-MariaDB", statement, before, after)
    assert measured("10.11.6-MariaDB", statement, before, {"t_measured"}) == after
    other_text = {"t_measured": before["t_measured"].replace("NOT NULL", "NULL")}
    assert measured("10.11.6-MariaDB", statement, other_text, {"t_measured"}) is None
    assert measured("10.11.6-MariaDB", statement, {}, {"t_measured"}) is None  # absent live
    assert measured("10.11.7-MariaDB", statement, before, {"t_measured"}) is None
    assert measured("10.11.6-MariaDB", statement + " NULL", before, {"t_measured"}) is None
