"""Benchmark: a type change on a big table with foreign keys in and out while a writer
inserts and updates steadily: how long the writer stalls and how many of its writes fail,
per pt-online-schema-change option set, with a 5 ms and a 1 ms writer.

    .venv/bin/python bench/bench_online.py          # ~4 min: 300k rows, 3 sets, 1 round
    .venv/bin/python bench/bench_online.py --full   # 1M rows, every set, 1 round (~30 min)
    .venv/bin/python bench/bench_online.py --rows 1000000 --rounds 2 --interval 1 \\
        --sets defaults,rc --spread --deadlocks               # a choice of runs

(`MRPPLAN_BENCH_ONLINE_FULL=1` is `--full`.) Runs against the sandbox (`mrpplan sandbox
up`). `bench_online` is built once: parents (1,000 rows) <- orders (N rows; the table
changed: qty INT <-> BIGINT, one way then back) <- order_lines (N/10 rows). The writer is
one connection doing an INSERT into orders and an UPDATE of one of its own rows (with
`--spread`, every other UPDATE hits one of the N original rows), then sleeping the
interval. `--no-auto-increment` builds orders.id without AUTO_INCREMENT (the writer picks
ids); `--autoinc-lock-mode 2` runs on a sandbox of its own started with
innodb_autoinc_lock_mode=2. Each change runs the way `mrpplan apply` runs it
(`run_online_alter`: the tool, then the children's foreign keys re-pointed). Per option
set and writer interval, over all rounds: writes (statements) done while the change ran,
writer errors by errno (1213 deadlock, 1205 lock wait timeout, other) and per 10,000
writes, the longest stall (slowest INSERT+UPDATE), p99, and the checks after each change:
the N original rows' checksum is unchanged, every row the writer wrote is there with its
last value. Last, a plain ALTER as the baseline, and `mrpplan apply` as a user starts it
(a separate process) with the option set mrpplan uses.
Goal (issue 28): longest stall <= 1 s and no writer error.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.apply.executor import apply_plan  # noqa: E402
from mrpplan.config import Project, load_environment  # noqa: E402
from mrpplan.mysql.connection import session  # noqa: E402
from mrpplan.mysql.online_alter import (  # noqa: E402
    TUNING,
    OnlineAlter,
    Tuning,
    run_online_alter,
)
from mrpplan.plan.planner import make_plan  # noqa: E402
from mrpplan.wiring import wiring  # noqa: E402

DATABASE = "bench_online"
BASE = """\
CREATE TABLE parents (
    id INT NOT NULL PRIMARY KEY,
    name VARCHAR(40) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE orders (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    parent_id INT NOT NULL,
    qty INT NOT NULL DEFAULT 0,
    note VARCHAR(60) NULL,
    due_at DATETIME NOT NULL,
    KEY idx_orders_parent (parent_id),
    KEY idx_orders_due (due_at),
    CONSTRAINT fk_orders_parent FOREIGN KEY (parent_id) REFERENCES parents (id)
) ENGINE=InnoDB;

CREATE TABLE order_lines (
    id INT NOT NULL PRIMARY KEY,
    order_id INT NOT NULL,
    amount INT NOT NULL,
    CONSTRAINT fk_lines_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;
"""
WIDER = ("qty INT NOT NULL DEFAULT 0", "qty BIGINT NOT NULL DEFAULT 0")
NO_AUTO_INCREMENT = ("id INT NOT NULL AUTO_INCREMENT PRIMARY KEY", "id INT NOT NULL PRIMARY KEY")
ENV = f"""\
name: bench
connection:
  database: {DATABASE}
  option_file: {{option_file}}
protected: false
schema:
  version: latest
  drift: repair
seeds: []
policy:
  allow_destructive: false
  checkpoint: auto
  online_schema_change:
    tool: pt-online-schema-change
    min_rows: 10000
    max_lag: 1
"""

# the option sets compared; "mrpplan" is what mrpplan runs (online_alter.TUNING)
OLD = Tuning(
    chunk_time=0.1,
    chunk_size=None,
    set_vars=("lock_wait_timeout=2",),
    tries="create_triggers:20:1,drop_triggers:20:1,swap_tables:20:1,update_foreign_keys:20:1",
)
SETS: dict[str, Tuning] = {
    "tool defaults": Tuning(chunk_time=0.5, chunk_size=None, set_vars=(), tries=""),
    "round 4 (chunk-time 0.1)": OLD,
    "chunk-time 0.01": replace(OLD, chunk_time=0.01),
    "chunk-size 1000 fixed": replace(OLD, chunk_time=0, chunk_size=1000),
    "innodb_lock_wait_timeout=1": replace(
        OLD, set_vars=("lock_wait_timeout=2", "innodb_lock_wait_timeout=1")
    ),
    "READ-COMMITTED copy": replace(
        OLD, set_vars=("lock_wait_timeout=2", "tx_isolation='READ-COMMITTED'")
    ),
    "mrpplan": TUNING,
}
SHORT = {
    "defaults": "tool defaults",
    "old": "round 4 (chunk-time 0.1)",
    "ct01": "chunk-time 0.01",
    "c1000": "chunk-size 1000 fixed",
    "ilwt": "innodb_lock_wait_timeout=1",
    "rc": "READ-COMMITTED copy",
    "mrpplan": "mrpplan",
}


DEFAULT_SETS = "defaults,old,mrpplan"


def connect(info: sandbox.SandboxInfo, database: str | None = DATABASE) -> pymysql.Connection:
    return pymysql.connect(
        host="127.0.0.1",
        port=info.port,
        user="root",
        password=info.password,
        database=database,
        autocommit=True,
    )


def execute(info: sandbox.SandboxInfo, *sql: str) -> None:
    conn = connect(info)
    try:
        with conn.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
    finally:
        conn.close()


def query(info: sandbox.SandboxInfo, sql: str) -> tuple[object, ...]:
    conn = connect(info)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return tuple(cur.fetchone() or ())
    finally:
        conn.close()


def base_schema(auto_increment: bool) -> str:
    return BASE if auto_increment else BASE.replace(*NO_AUTO_INCREMENT, 1)


def write_project(info: sandbox.SandboxInfo, root: Path, auto_increment: bool) -> None:
    for folder in ("environments", "database/schema", "database/migrations", "database/seeds"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "database/schema/01_base_schema.sql").write_text(base_schema(auto_increment))
    (root / "environments/bench.yaml").write_text(ENV.format(option_file=info.option_file))


def build(info: sandbox.SandboxInfo, root: Path, rows: int, auto_increment: bool) -> Project:
    """A fresh bench_online through mrpplan (so its history is recorded), then its rows."""
    write_project(info, root, auto_increment)
    conn = connect(info, None)
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
    conn.close()
    project = Project(root)
    env = load_environment(project, "bench")
    apply_plan(project, env, make_plan(project, env, wiring=wiring()), wiring=wiring())
    execute(
        info,
        "INSERT INTO parents SELECT seq, CONCAT('parent ', seq) FROM seq_1_to_1000",
        "INSERT INTO orders (id, parent_id, qty, note, due_at) SELECT seq, 1 + seq % 1000, "
        "seq % 9973, "
        "CONCAT('order ', seq, ' via dock ', seq % 17), "
        f"TIMESTAMP('2026-01-01') + INTERVAL seq MINUTE FROM seq_1_to_{rows}",
        f"INSERT INTO order_lines SELECT seq, seq * 10, seq % 777 FROM seq_1_to_{rows // 10}",
        "ANALYZE TABLE parents, orders, order_lines",
    )
    return project


def original_checksum(info: sandbox.SandboxInfo, rows: int) -> tuple[int, int, int]:
    """The N original rows: count, checksum of all but qty, sum of qty."""
    got = query(
        info,
        "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, parent_id, note, due_at))), SUM(qty) "
        f"FROM orders WHERE id <= {rows}",
    )
    return int(got[0]), int(got[1]), int(got[2])  # type: ignore[call-overload]


@dataclass
class Writer:
    """Inserts a row and updates one of its own rows, then sleeps `interval` seconds;
    times each pair and counts each statement and each error (by errno)."""

    info: sandbox.SandboxInfo
    interval: float
    originals: int  # > 0: every other UPDATE goes to one of the N original rows
    first_id: int | None  # None: the server picks ids (AUTO_INCREMENT)
    latencies: list[tuple[float, float, int]] = field(default_factory=list)  # start, s, stmts
    values: dict[int, int] = field(default_factory=dict)  # id -> qty it last wrote
    errors: list[tuple[float, int, str]] = field(default_factory=list)  # when, errno, text
    stop: threading.Event = field(default_factory=threading.Event)
    original_updates: int = 0

    def run(self) -> None:
        conn = connect(self.info)
        n = 0
        mine: list[int] = []
        try:
            with conn.cursor() as cur:
                while not self.stop.is_set():
                    n += 1
                    started = time.monotonic()
                    statements = 0
                    try:
                        statements += 1
                        own_id = None if self.first_id is None else self.first_id + n
                        cur.execute(
                            "INSERT INTO orders (id, parent_id, qty, note, due_at) "
                            "VALUES (%s, %s, %s, 'writer', NOW())",
                            (own_id, 1 + n % 1000, n),
                        )
                        new_id = int(cur.lastrowid) if own_id is None else own_id
                        self.values[new_id] = n
                        mine.append(new_id)
                        statements += 1
                        if self.originals and n % 2:
                            target = 1 + (n * 7919) % self.originals
                            cur.execute("UPDATE orders SET qty = qty + 1 WHERE id = %s", (target,))
                            self.original_updates += 1
                        else:
                            target = mine[(n * 7919) % len(mine)]
                            cur.execute("UPDATE orders SET qty = qty + 1 WHERE id = %s", (target,))
                            self.values[target] += 1
                    except pymysql.MySQLError as exc:
                        errno = int(exc.args[0]) if exc.args else 0
                        self.errors.append((started, errno, str(exc)))
                    self.latencies.append((started, time.monotonic() - started, statements))
                    if self.interval:
                        time.sleep(self.interval)
        finally:
            conn.close()


@dataclass
class Tally:
    """One option set with one writer interval, over its rounds."""

    name: str
    interval_ms: float
    seconds: float = 0.0
    writes: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    stalls: list[float] = field(default_factory=list)
    intact: bool = True
    rounds: int = 0
    first_error: str = ""
    worst: tuple[float, float] = (0.0, 0.0)  # longest stall, and where in its change (0..1)

    def add(self, writer: Writer, start: float, end: float, intact: bool) -> None:
        self.rounds += 1
        self.seconds += end - start
        self.intact = self.intact and intact
        for t, seconds, statements in writer.latencies:
            if start <= t <= end:
                self.writes += statements
                self.stalls.append(seconds)
                if seconds > self.worst[0]:
                    self.worst = (seconds, (t - start) / max(1e-9, end - start))
        for t, errno, text in writer.errors:
            if start <= t <= end:
                self.errors[str(errno) if errno in (1213, 1205) else "other"] += 1
                self.first_error = self.first_error or text[:90]

    def row(self) -> list[str]:
        ordered = sorted(self.stalls) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        total = sum(self.errors.values())
        per10k = total * 10_000 / max(1, self.writes)
        return [
            self.name,
            f"{self.interval_ms:g} ms",
            str(self.rounds),
            f"{self.seconds / max(1, self.rounds):.1f}",
            f"{self.writes:,}",
            str(self.errors["1213"]),
            str(self.errors["1205"]),
            str(self.errors["other"]),
            f"{per10k:.1f}",
            f"{max(ordered):.3f} at {self.worst[1]:.0%}",
            f"{p99 * 1000:.1f}",
            "yes" if self.intact else "NO",
        ]


HEADER = [
    "option set",
    "writer",
    "rounds",
    "change s",
    "writes",
    "1213",
    "1205",
    "other",
    "errors/10k",
    "longest stall s (at % of the change)",
    "p99 ms",
    "rows intact",
]


def under_writer(
    info: sandbox.SandboxInfo,
    rows: int,
    interval: float,
    change: Callable[[], None],
    spread: bool = False,
    auto_increment: bool = True,
) -> tuple[Writer, float, float, bool]:
    """Run `change` while a writer writes; the checks after it."""
    before = original_checksum(info, rows)
    writer = Writer(info, interval, rows if spread else 0, None if auto_increment else rows)
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    time.sleep(1.0)  # the writer's steady state before the change
    start = time.monotonic()
    change()
    end = time.monotonic()
    time.sleep(0.3)
    writer.stop.set()
    thread.join()
    got = query(info, f"SELECT COUNT(*), COALESCE(SUM(qty), 0) FROM orders WHERE id > {rows}")
    written = (len(writer.values), sum(writer.values.values()))
    count, crc, qty = before
    originals = original_checksum(info, rows) == (count, crc, qty + writer.original_updates)
    intact = originals and (int(got[0]), int(got[1])) == written  # type: ignore[call-overload]
    execute(info, f"DELETE FROM orders WHERE id > {rows}")  # the next round starts alike
    return writer, start, end, intact


_DEADLOCK = re.compile(r"LATEST DETECTED DEADLOCK\n-+\n(.*?)\n-{8,}\nTRANSACTIONS", re.S)


def latest_deadlock(info: sandbox.SandboxInfo) -> str:
    status = str(query(info, "SHOW ENGINE INNODB STATUS")[2])
    found = _DEADLOCK.search(status)
    return found.group(1).strip() if found else ""


def online_change(info: sandbox.SandboxInfo, tuning: Tuning, wide: bool) -> None:
    """One change the way `mrpplan apply` runs it (the old table is dropped, as in an undo)."""
    target = "BIGINT" if wide else "INT"
    spec = OnlineAlter(
        database=DATABASE,
        table="orders",
        alter=f"MODIFY qty {target} NOT NULL DEFAULT 0",
        foreign_keys="none",
        max_lag=1,
        max_threads_running=25,
        keep_old_as=None,
        tuning=tuning,
    )
    settings = info.settings(DATABASE)
    with session(settings) as conn:
        run_online_alter(settings, conn, spec)


def apply_as_user(root: Path, auto_increment: bool) -> None:
    """`mrpplan apply` of the widening, a process of its own as a user starts it."""
    schema = root / "database/schema/01_base_schema.sql"
    schema.write_text(base_schema(auto_increment).replace(*WIDER))
    mrpplan = [str(Path(sys.executable).parent / "mrpplan"), "--project", str(root)]
    out = subprocess.run(
        [*mrpplan, "apply", "bench", "--auto-approve"], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"mrpplan apply failed ({out.returncode}): {out.stderr[-800:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    full = os.environ.get("MRPPLAN_BENCH_ONLINE_FULL") == "1"
    parser.add_argument("--full", action="store_true", default=full, help="1M rows, every set")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--interval", default="5,1", help="writer sleeps, ms (comma list)")
    parser.add_argument(
        "--sets", help=f"of {','.join(SHORT)} (default: {DEFAULT_SETS}; --full: all)"
    )
    parser.add_argument(
        "--spread", action="store_true", help="every other UPDATE hits an original row"
    )
    parser.add_argument(
        "--autoinc-lock-mode",
        type=int,
        help="run on a sandbox of its own started with --innodb-autoinc-lock-mode=N",
    )
    parser.add_argument(
        "--no-auto-increment", action="store_true", help="orders.id without AUTO_INCREMENT"
    )
    parser.add_argument("--deadlocks", action="store_true", help="print the latest deadlock")
    parser.add_argument("--no-apply", action="store_true", help="skip the baseline and apply")
    args = parser.parse_args()
    if args.autoinc_lock_mode is not None:
        own = sandbox.default_dir(ROOT).with_name("sandbox-bench-online")
        mode = f"--innodb-autoinc-lock-mode={args.autoinc_lock_mode}"
        info = sandbox.up(own, extra_args=[mode])
    else:
        info = sandbox.up(sandbox.default_dir(ROOT))
    try:
        run(args, info)
    finally:
        if args.autoinc_lock_mode is not None:
            sandbox.down(own)


def run(args: argparse.Namespace, info: sandbox.SandboxInfo) -> None:
    rows = args.rows or (1_000_000 if args.full else 300_000)
    rounds = args.rounds or 1
    intervals = [float(x) for x in args.interval.split(",")]
    sets = args.sets or (",".join(SHORT) if args.full else DEFAULT_SETS)
    chosen = [SHORT[s] for s in sets.split(",")]
    auto_increment = not args.no_auto_increment
    tallies = {(n, i): Tally(n, i) for n in chosen for i in intervals}
    conn = connect(info, None)
    with conn.cursor() as cur:
        cur.execute("SELECT @@innodb_autoinc_lock_mode, @@tx_isolation, @@binlog_format")
        server = cur.fetchone() or ()
    conn.close()
    load = os.getloadavg()

    def measured(tally: Tally, interval: float, change: Callable[[], None]) -> None:
        tally.add(*under_writer(info, rows, interval, change, args.spread, auto_increment))
        print(f"  {' | '.join(tally.row())}", flush=True)
        if args.deadlocks and tally.errors["1213"]:
            print(latest_deadlock(info), flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-online-") as tmp:
        root = Path(tmp)
        print(f"building {DATABASE} with {rows:,} orders ...", flush=True)
        build(info, root, rows, auto_increment)
        wide = True
        for r in range(rounds):
            print(f"round {r + 1} of {rounds}", flush=True)
            for name in chosen:  # interleaved: each round runs every set once per writer
                for interval in intervals:
                    change = partial(online_change, info, SETS[name], wide)
                    measured(tallies[(name, interval)], interval / 1000, change)
                    wide = not wide
        extra: list[Tally] = []
        if not args.no_apply:
            if not wide:  # back to INT first: the project's schema says INT
                online_change(info, TUNING, False)
            extra = [Tally("plain ALTER (blocks)", i) for i in intervals[:1]]
            plain = "ALTER TABLE orders MODIFY qty BIGINT NOT NULL DEFAULT 0"
            measured(extra[0], intervals[0] / 1000, partial(execute, info, plain))
            execute(info, "ALTER TABLE orders MODIFY qty INT NOT NULL DEFAULT 0")
            extra.append(Tally("`mrpplan apply` (a process)", intervals[0]))
            measured(extra[1], intervals[0] / 1000, partial(apply_as_user, root, auto_increment))
        execute(info, f"DROP DATABASE IF EXISTS `{DATABASE}`")
    which = "every other one an original row" if args.spread else "one of its own rows"
    ids = "AUTO_INCREMENT" if auto_increment else "ids the writer picks"
    print(f"\nrows: {rows:,} ({ids}); writer: one INSERT + one UPDATE ({which}), then a sleep")
    print(f"server: innodb_autoinc_lock_mode={server[0]}, {server[1]}, binlog_format={server[2]}")
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(" | ".join(HEADER))
    for tally in [*tallies.values(), *extra]:
        print(" | ".join(tally.row()))
    mine = [t for t in tallies.values() if t.name == "mrpplan"]
    if mine:
        errors = sum(sum(t.errors.values()) for t in mine)
        stall = max(max(t.stalls, default=0.0) for t in mine)
        met = "met" if errors == 0 and stall <= 1.0 else "NOT met"
        print(f"goal (stall <= 1 s, no writer error; mrpplan's set): {met}")


if __name__ == "__main__":
    main()
