"""Benchmark: a type change on a big table with foreign keys in and out, while a writer
inserts and updates steadily, (a) by a plain ALTER, (b) by `mrpplan apply` with
policy.online_schema_change on (pt-online-schema-change).

    .venv/bin/python bench/bench_online.py [--rows N]      (or MRPPLAN_BENCH_ONLINE_ROWS=N)

Runs against the sandbox (`mrpplan sandbox up`). Each run builds `bench_online` afresh:
parents (1,000 rows) <- orders (N rows; the table changed: qty INT -> BIGINT) <- order_lines
(N/10 rows). The writer is one connection doing an INSERT into orders and an UPDATE of
one of its own rows every 5 ms. Reported per run: total time of the change, the writer's
longest stall (the slowest single write) and p99 write latency while the change ran,
writes done, and the checks after: the N original rows' checksum is unchanged, every row
the writer wrote is there with its last value.
Goal (issue 15): longest stall <= 1 s with mrpplan.

The default is 500,000 rows, not the issue's ~2M: on this 2-core machine (shared with
other work) 2M rows take several minutes per run. MRPPLAN_BENCH_ONLINE_ROWS=2000000 runs
the full size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.apply.executor import apply_plan  # noqa: E402
from mrpplan.config import Project, load_environment  # noqa: E402
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


def build(info: sandbox.SandboxInfo, root: Path, rows: int) -> Project:
    """A fresh bench_online through mrpplan (so its history is recorded), then its rows."""
    for folder in ("environments", "database/schema", "database/migrations", "database/seeds"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "database/schema/01_base_schema.sql").write_text(BASE)
    (root / "environments/bench.yaml").write_text(ENV.format(option_file=info.option_file))
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
        "INSERT INTO orders (parent_id, qty, note, due_at) SELECT 1 + seq % 1000, seq % 9973, "
        "CONCAT('order ', seq, ' via dock ', seq % 17), "
        f"TIMESTAMP('2026-01-01') + INTERVAL seq MINUTE FROM seq_1_to_{rows}",
        f"INSERT INTO order_lines SELECT seq, seq * 10, seq % 777 FROM seq_1_to_{rows // 10}",
        "ANALYZE TABLE parents, orders, order_lines",
    )
    return project


def original_checksum(info: sandbox.SandboxInfo, rows: int) -> tuple[object, ...]:
    return query(
        info,
        "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, parent_id, qty, note, due_at))) "
        f"FROM orders WHERE id <= {rows}",
    )


UPDATE = "UPDATE orders SET qty = qty + 1 WHERE id = %s"


@dataclass
class Writer:
    """Inserts a row and updates one of its own rows every 5 ms, timing each write."""

    info: sandbox.SandboxInfo
    first_id: int
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (start, seconds)
    values: dict[int, int] = field(default_factory=dict)  # id -> qty it last wrote
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        conn = connect(self.info)
        n = 0
        try:
            with conn.cursor() as cur:
                while not self.stop.is_set():
                    n += 1
                    started = time.monotonic()
                    try:
                        cur.execute(
                            "INSERT INTO orders (parent_id, qty, note, due_at) "
                            "VALUES (%s, %s, 'writer', NOW())",
                            (1 + n % 1000, n),
                        )
                        new_id = int(cur.lastrowid)
                        self.values[new_id] = n
                        if self.values:
                            target = self.first_id + (n * 7919) % max(1, len(self.values))
                            if target in self.values:
                                cur.execute(
                                    "UPDATE orders SET qty = qty + 1 WHERE id = %s", (target,)
                                )
                                self.values[target] += 1
                    except pymysql.MySQLError as exc:
                        self.errors.append(str(exc))
                    self.latencies.append((started, time.monotonic() - started))
                    time.sleep(0.005)
        finally:
            conn.close()

    def window(self, start: float, end: float) -> list[float]:
        return [s for t, s in self.latencies if start <= t <= end]


def check_writer_rows(info: sandbox.SandboxInfo, writer: Writer, rows: int) -> bool:
    got = query(info, f"SELECT COUNT(*), COALESCE(SUM(qty), 0) FROM orders WHERE id > {rows}")
    return (int(got[0]), int(got[1])) == (len(writer.values), sum(writer.values.values()))  # type: ignore[call-overload]


@dataclass
class Events:
    """mrpplan's progress lines with their time: what ran when the writer stalled."""

    lines: list[tuple[float, str]] = field(default_factory=list)

    def append_line(self, line: str) -> None:
        self.lines.append((time.monotonic(), line))

    def before(self, moment: float) -> str:
        earlier = [line for t, line in self.lines if t <= moment]
        return earlier[-1][:70] if earlier else ""


events = Events()


def measure(info: sandbox.SandboxInfo, rows: int, label: str, change: object) -> dict[str, object]:
    before = original_checksum(info, rows)
    writer = Writer(info, first_id=rows + 1)
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    time.sleep(1.0)  # the writer's steady state before the change
    start = time.monotonic()
    change()  # type: ignore[operator]
    end = time.monotonic()
    time.sleep(0.5)
    writer.stop.set()
    thread.join()
    during = writer.window(start, end) or [0.0]
    worst = max(
        ((t, s) for t, s in writer.latencies if start <= t <= end),
        key=lambda x: x[1],
        default=(0, 0),
    )
    ordered = sorted(during)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "run": label,
        "total_s": round(end - start, 2),
        "longest_stall_s": round(max(during), 3),
        "p99_ms": round(p99 * 1000, 1),
        "median_ms": round(statistics.median(during) * 1000, 1),
        "writes": len(during),
        "errors": len(writer.errors),
        "originals_unchanged": original_checksum(info, rows) == before,
        "writer_rows_intact": check_writer_rows(info, writer, rows),
        "first_error": (writer.errors or [""])[0][:80],
        "longest_stall_during": events.before(worst[0] + worst[1]) or "-",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = int(os.environ.get("MRPPLAN_BENCH_ONLINE_ROWS", "500000"))
    parser.add_argument("--rows", type=int, default=default)
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-online-") as tmp:
        root = Path(tmp)
        print(f"building {DATABASE} with {args.rows:,} orders ...", flush=True)
        build(info, root, args.rows)
        plain = "ALTER TABLE orders MODIFY qty BIGINT NOT NULL DEFAULT 0"
        results.append(measure(info, args.rows, "plain ALTER", lambda: execute(info, plain)))

        print(f"rebuilding {DATABASE} ...", flush=True)
        project = build(info, root, args.rows)
        schema = root / "database/schema/01_base_schema.sql"
        schema.write_text(schema.read_text().replace(*WIDER))
        env = load_environment(project, "bench")
        plan = make_plan(project, env, wiring=wiring())
        step = next(s for s in plan.steps if s.object == "orders")
        print(f"plan: step {step.id} {step.action} [{step.online or step.algorithm}]", flush=True)

        def online() -> None:
            apply_plan(project, env, plan, wiring=wiring(), progress=events.append_line)

        results.append(measure(info, args.rows, "mrpplan apply (online)", online))
        execute(info, f"DROP DATABASE IF EXISTS `{DATABASE}`")
    print(f"\nrows: {args.rows:,} (writer: one INSERT + one UPDATE every 5 ms)")
    keys = list(results[0])
    print(" | ".join(keys))
    for r in results:
        print(" | ".join(str(r[k]) for k in keys))
    online_stall = results[1]["longest_stall_s"]
    verdict = "met" if float(online_stall) <= 1.0 else "NOT met"  # type: ignore[arg-type]
    print(f"goal (longest stall <= 1 s with mrpplan): {verdict} ({online_stall} s)")


if __name__ == "__main__":
    main()
