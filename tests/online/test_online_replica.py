"""An online change on a primary with a real replica on loopback (DESIGN §3.8): the tool
pauses while the replica does not keep up, and the replica ends with the same schema
and the same rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbtools import REPO, drop_database, make_database, start_cli
from online_support import BASE, WIDER, TinyProject, needs_tool
from replication import Pair, start_pair, stop_pair

from mrpplan.mysql.online_alter import TEST_SLEEP

PAIR_DIR = REPO / ".mrpplan" / "replication"


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    started = start_pair(PAIR_DIR)
    try:
        yield started
    finally:
        stop_pair(PAIR_DIR)


@pytest.fixture
def on_primary(tmp_path: Path, pair: Pair) -> Iterator[TinyProject]:
    root = tmp_path / "project"
    for folder in ("environments", "database/schema", "database/migrations", "database/seeds"):
        (root / folder).mkdir(parents=True)
    (root / "plans").mkdir()
    db = make_database(pair.primary, "rep")
    project = TinyProject(root, db, pair.primary)
    project.schema(BASE)
    project.write_env()
    try:
        yield project
    finally:
        drop_database(pair.primary, db.name)


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


def test_a_stopped_replica_makes_plan_refuse_naming_it(pair: Pair, on_primary: TinyProject) -> None:
    """`cluster: {type: replicas}` (issue 27): plan checks each replica before it shows steps."""
    env = on_primary.root / "environments" / "big.yaml"
    replica = f"127.0.0.1:{pair.replica.port}"
    env.write_text(
        env.read_text() + f"cluster: {{type: replicas, nodes: ['{replica}'], max_replica_lag: 5}}\n"
    )
    assert on_primary.cli("plan", "big").code == 0
    pair.query("replica", "STOP SLAVE SQL_THREAD")
    try:
        refused = on_primary.cli("plan", "big")
    finally:
        pair.query("replica", "START SLAVE SQL_THREAD")
    assert refused.code == 3, refused.output
    assert f"replica {replica} is not replicating" in refused.output
    assert "Nothing was planned" in refused.output
