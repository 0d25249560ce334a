"""A killed online change (DESIGN §3.8): the tool dies with mrpplan, `recover` removes its
triggers and `_new` table, and the original table is untouched (schema and rows)."""

from __future__ import annotations

import time

import pytest
from dbtools import start_cli, wait_for
from online_support import WIDER, TinyProject, leftovers, needs_tool

from mrpplan.mysql.online_alter import TEST_DIE_AFTER_SWAP, TEST_SLEEP


def _copied(tiny: TinyProject) -> int:
    new = tiny.db.query("SHOW TABLES LIKE '\\_orders\\_new'")
    if not new:
        return 0
    return int(tiny.db.query("SELECT COUNT(*) FROM _orders_new")[0][0])  # type: ignore[call-overload]


@needs_tool
@pytest.mark.slow
def test_kill_mid_copy_then_recover_leaves_the_table_untouched(tiny: TinyProject) -> None:
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    tiny.fill()
    before = tiny.db.snapshot()
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    assert tiny.cli("plan", "big", "--out", "plans/kill.json").code == 0
    proc = start_cli(
        "apply",
        "plans/kill.json",
        "--auto-approve",
        env={"MRPPLAN_PLAN_KEY": "", TEST_SLEEP: "0.2"},
        cwd=tiny.root,
    )
    try:
        wait_for(lambda: _copied(tiny) >= 100, "the tool to be copying rows")
        triggers = tiny.db.query("SHOW TRIGGERS")
        assert len(triggers) == 3, "the tool's triggers keep the copy current"
        tiny.db.execute("INSERT INTO orders (parent_id, qty) VALUES (1, -1)")  # writes go on
        tiny.db.execute("DELETE FROM orders WHERE qty = -1")
        proc.kill()  # SIGKILL: no cleanup of its own; the tool dies with it
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    count = _copied(tiny)
    time.sleep(1)
    assert _copied(tiny) == count, "the tool must not carry on after mrpplan was killed"
    assert leftovers(tiny), "a killed copy leaves triggers and the new table"

    planned = tiny.cli("plan", "big")
    assert planned.code == 3 and "recover" in planned.output  # a half-done apply is said so

    recovered = tiny.cli("recover", "big")
    assert recovered.code == 0, recovered.output
    assert leftovers(tiny) == []
    assert tiny.db.snapshot() == before


@needs_tool
@pytest.mark.slow
def test_kill_right_after_the_swap_then_recover_rolls_back(tiny: TinyProject) -> None:
    """The narrowest window: the tool swapped the tables, mrpplan died before re-pointing
    the children and giving the names back. `recover` finishes that from the old table,
    then undoes the change with the inverse ALTER: schema and rows as before."""
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    tiny.fill()
    before = tiny.db.snapshot()
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    assert tiny.cli("plan", "big", "--out", "plans/swap.json").code == 0
    killed = tiny.cli("apply", "plans/swap.json", "--auto-approve", env={TEST_DIE_AFTER_SWAP: "1"})
    assert killed.code != 0
    lines = str(tiny.db.query("SHOW CREATE TABLE order_lines")[0][1])
    assert "REFERENCES `_orders_old`" in lines, "the child followed the old table"

    recovered = tiny.cli("recover", "big")
    assert recovered.code == 0, recovered.output
    assert leftovers(tiny) == []
    assert tiny.db.snapshot() == before
