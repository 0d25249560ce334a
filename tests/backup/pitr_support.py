"""Helpers for the point-in-time restore tests: second boundaries, the scenario, and a
server of their own.

A binary log holds every write of its server. These tests compare the archive, positions
and replays with what they wrote themselves, so they run on a sandbox server no other test
writes to (`server`, imported by each PITR module in place of the shared one), and one at a
time across xdist workers (`pitr_turn`, a file lock held for each test)."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from backup_support import checksums, seed
from dbtools import REPO

from mrpplan import sandbox

PITR_DIR = REPO / ".mrpplan" / "sandbox-pitr"


@pytest.fixture(scope="session")
def server() -> sandbox.SandboxInfo:
    """The PITR tests' own sandbox server (started once, reused across runs)."""
    return sandbox.up(PITR_DIR)


@pytest.fixture(autouse=True)
def pitr_turn() -> Iterator[None]:
    """One PITR test at a time across workers: each sees only its own writes in the log."""
    PITR_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(PITR_DIR.parent / "sandbox-pitr.turn", "w") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        yield


def flush_binary_logs(db: Any) -> None:
    """`FLUSH BINARY LOGS`, then wait for the server's own last write to the new log.

    The server writes a second `Binlog_checkpoint` event into the new log once the old
    log's transactions are durable, a moment after the flush returns. A test that archives
    before it would see the active log grow by that event on its next run."""
    db.execute("FLUSH BINARY LOGS")
    [(active, *_)] = db.query("SHOW MASTER STATUS")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = db.query(f"SHOW BINLOG EVENTS IN '{active}'")
        if any(e[2] == "Binlog_checkpoint" and e[5] == active for e in events):
            return
        time.sleep(0.05)
    raise AssertionError(f"{active} got no checkpoint of its own in 10 s")


def next_second() -> int:
    """Sleep into the next whole second (binary-log times are whole seconds); return it."""
    now = time.time()
    time.sleep(int(now) + 1 - now + 0.02)
    return int(time.time())


def moment(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Scenario:
    good: dict[str, int]  # checksums at the moment before the bad statement
    moment: str  # that second, for --to-time
    bad_second: int


def bad_update_scenario(db: Any, cli: Any) -> Scenario:
    """Full backup, good writes, a snapshot, then `UPDATE items SET price = 0` in the next
    second, more writes; the binary logs archived."""
    seed(db)
    assert cli("backup", "local").code == 0
    next_second()
    db.execute(
        "INSERT INTO items (sku, price) VALUES ('NEW-1', 9.5), ('NEW-2', 7.25)",
        "UPDATE stock SET qty = qty + 1 WHERE warehouse_id = 1",
        "DELETE FROM stock_audit WHERE id % 3 = 0",
    )
    before = next_second()
    good = checksums(db)
    bad = next_second()
    db.execute("UPDATE items SET price = 0")
    db.execute("INSERT INTO warehouses VALUES (3, 'WH03', 'after the accident')")
    assert before < bad
    done = cli("backup", "local", "--binlogs")
    assert done.code == 0, done.output
    return Scenario(good, moment(bad - 1), bad)
