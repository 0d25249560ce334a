"""An online change on a primary with a real replica on loopback (DESIGN §3.8): the tool
pauses while the replica does not keep up, and the replica ends with the same schema
and the same rows."""

from __future__ import annotations

import time

import pytest
from dbtools import REPO, start_cli
from online_support import WIDER, TinyProject, needs_tool
from replication import Pair

from mrpplan.mysql.online_alter import TEST_SLEEP

PAIR_DIR = REPO / ".mrpplan" / "replication"  # the module's pair (conftest `pair`)


def _tables(pair: Pair, which: str, database: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for table in ("parents", "orders", "order_lines"):
        create = pair.query(which, f"SHOW CREATE TABLE `{table}`", database)[0][1]
        checksum = pair.query(which, f"CHECKSUM TABLE `{table}`", database)[0][1]
        out[table] = (str(create).split(") ENGINE")[0], checksum)
    return out


@needs_tool
@pytest.mark.slow
def test_online_change_waits_for_the_replica_and_replicates(
    pair: Pair, on_primary: TinyProject
) -> None:
    tiny = on_primary
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    tiny.fill()
    pair.caught_up()
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    assert tiny.cli("plan", "big", "--out", "plans/rep.json").code == 0

    pair.query("replica", "STOP SLAVE SQL_THREAD")  # the replica stops applying: lag
    proc = start_cli(
        "apply",
        "plans/rep.json",
        "--auto-approve",
        env={"MRPPLAN_PLAN_KEY": "", TEST_SLEEP: "0.02"},
        cwd=tiny.root,
    )
    try:
        deadline = time.monotonic() + 60
        while not tiny.db.query("SHOW TRIGGERS") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tiny.db.query("SHOW TRIGGERS"), "the tool should have started"
        time.sleep(3)  # an unthrottled copy of these rows takes about one second
        assert proc.poll() is None, "the copy must wait while the replica is stopped"
        assert tiny.db.query("SHOW TRIGGERS"), "still copying (paused)"
        pair.query("replica", "START SLAVE SQL_THREAD")
        stdout, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stdout + stderr
    assert "stopped" in stderr.lower() or "lag" in stderr.lower(), stderr

    pair.caught_up()
    primary = _tables(pair, "primary", tiny.db.name)
    assert "`qty` bigint(20)" in str(primary["orders"])
    assert _tables(pair, "replica", tiny.db.name) == primary
    leftovers = pair.query(
        "replica",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        f"'{tiny.db.name}' AND table_name LIKE '%\\_new'",
    )
    assert leftovers == []
