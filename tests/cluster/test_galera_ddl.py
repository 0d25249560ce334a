"""The DDL method of each step on Galera, shown in the plan with its reason; a blocking
change of a big table runs online (pt-online-schema-change in its cluster mode) while a
writer on another node keeps writing."""

from __future__ import annotations

import os
import threading
import time

import pymysql
import pytest
from galera_support import SCHEMA, GaleraProject

from mrpplan.mysql.online_alter import tool_path

BIG_ROWS = int(os.environ.get("MRPPLAN_GALERA_BIG_ROWS", "100000"))
WIDE = SCHEMA.replace("qty INT NOT NULL", "qty BIGINT NOT NULL")


def test_plan_shows_toi_for_each_ddl_step_with_its_reason(gproject: GaleraProject) -> None:
    assert gproject.cli("apply", "g1", "--auto-approve").code == 0
    gproject.schema(
        SCHEMA.replace("qty INT NOT NULL DEFAULT 0\n", "qty INT NOT NULL DEFAULT 0,\n    x INT\n")
        + "CREATE TABLE bins (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;\n"
    )
    planned = gproject.cli("plan", "g2")
    assert planned.code == 0, planned.output
    assert planned.output.count("Galera: TOI, metadata-only") == 2, planned.output
    gproject.schema(WIDE)
    copying = gproject.cli("plan", "g2")
    assert "Galera: TOI, ALGORITHM=COPY: every node runs this ALTER at once" in copying.output


@pytest.mark.slow
@pytest.mark.skipif(tool_path() is None, reason="pt-online-schema-change is not installed")
def test_blocking_change_of_a_big_table_online_while_another_node_writes(
    gproject: GaleraProject,
) -> None:
    assert gproject.cli("apply", "g1", "--auto-approve").code == 0
    node1 = gproject.on(1)
    for start in range(0, BIG_ROWS, 50_000):
        count = min(50_000, BIG_ROWS - start)
        node1.execute(
            f"INSERT INTO items (name, qty) SELECT CONCAT('i', seq), seq FROM seq_1_to_{count}"
        )
    node1.execute("ANALYZE TABLE items")
    gproject.write_envs(online_min_rows=1000)
    gproject.schema(WIDE)
    stop = threading.Event()
    committed: list[int] = []
    stalls: list[float] = []

    def writer() -> None:
        conn = gproject.on(2).connect()
        while not stop.is_set():
            began = time.monotonic()
            while True:
                try:
                    with conn.cursor() as cur:
                        cur.execute("INSERT INTO items (name, qty) VALUES ('w', 1)")
                        committed.append(int(cur.lastrowid))
                    break
                except pymysql.err.OperationalError as exc:
                    if exc.args[0] not in (1213, 1205):  # certification conflict: retry
                        raise
            stalls.append(time.monotonic() - began)
            time.sleep(0.05)
        conn.close()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        applied = gproject.cli("apply", "g1", "--auto-approve", timeout=900)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert applied.code == 0, applied.output
    assert "online (pt-online-schema-change)" in applied.output
    assert "--max-flow-ctl" in applied.output or "cluster mode" in applied.output
    assert "all 3 nodes have the same fingerprint" in applied.output
    print(f"writer: {len(stalls)} inserts, longest stall {max(stalls):.3f} s")
    assert max(stalls) <= 1.0
    ids = {int(r[0]) for r in gproject.on(3).query("SELECT id FROM items WHERE name = 'w'")}
    assert set(committed) <= ids
    assert gproject.on(3).query("SELECT COUNT(*) FROM items WHERE name <> 'w'") == [(BIG_ROWS,)]
    took = next(line for line in applied.output.splitlines() if "Apply complete" in line)
    print(f"{BIG_ROWS:,} rows: apply {time.monotonic() - started:.1f} s; {took}")
    assert "bigint" in gproject.on(3).snapshot()["items"][0]
