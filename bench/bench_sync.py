"""Benchmark: `mrpplan sync clone` vs `mariadb-dump | mariadb`, cloning a ~200 MB database.

    .venv/bin/python bench/bench_sync.py [--rows 1000000] [--rounds 2] [--keep]

Runs against the sandbox server (source and destinations are databases on it). The source
database `bench_sync_src` is built once with the SEQUENCE engine and reused while its row
count matches (--rebuild to force). Each round clones into fresh databases with:
  stock:  mariadb-dump --single-transaction SRC | mariadb DST         (shell pipe)
  ours:   copy_plan + apply_plan (the library behind `sync clone`: shadow load into a
          scratch database, one RENAME TABLE); includes planning and the catalog reads.
Prints MB/s (of the source's data + index size) and ours/stock throughput ratios.
Target (issue 7): >= 0.9x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.apply.executor import apply_plan  # noqa: E402
from mrpplan.config import Project  # noqa: E402
from mrpplan.config.settings import BackupSettings, Environment  # noqa: E402
from mrpplan.mysql.client_process import client_credentials  # noqa: E402
from mrpplan.sync.copy import CopyOptions, copy_plan  # noqa: E402
from mrpplan.wiring import wiring  # noqa: E402

SOURCE = "bench_sync_src"

SCHEMA = [
    """CREATE TABLE customers (
      id INT UNSIGNED NOT NULL PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE,
      name VARCHAR(120) NOT NULL, email VARCHAR(190) NULL, phone VARCHAR(40) NULL,
      address TEXT NULL, credit_limit DECIMAL(18,2) NOT NULL DEFAULT 0,
      created_at DATETIME NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE order_lines (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, order_no VARCHAR(24) NOT NULL,
      customer_id INT UNSIGNED NOT NULL, item_code VARCHAR(32) NOT NULL,
      qty DECIMAL(14,3) NOT NULL, price DECIMAL(14,4) NOT NULL, due_at DATETIME NOT NULL,
      note VARCHAR(80) NULL, KEY idx_item (item_code), KEY idx_customer (customer_id),
      CONSTRAINT fk_ol_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
]

FILL = [
    """INSERT INTO customers SELECT seq, CONCAT('C-', LPAD(seq, 8, '0')),
       CONCAT('Customer ', seq), CONCAT('buyer', seq, '@corp', seq MOD 97, '.example'),
       CONCAT('+49 30 ', seq * 7), CONCAT(seq MOD 999, ' Industrial Road, Unit ', HEX(seq)),
       (seq MOD 50) * 1000, TIMESTAMP('2020-01-01') + INTERVAL seq MINUTE
       FROM seq_1_to_{customers}""",
    """INSERT INTO order_lines (order_no, customer_id, item_code, qty, price, due_at, note)
       SELECT CONCAT('SO-', LPAD(seq DIV 5, 9, '0')), 1 + seq MOD {customers},
       CONCAT('ITEM-', LPAD(seq MOD 50000, 7, '0')), (seq MOD 997) + 0.5, (seq MOD 4999) / 7,
       TIMESTAMP('2026-01-01') + INTERVAL (seq * 13) SECOND,
       IF(seq MOD 4 = 0, NULL, CONCAT('ship via dock ', seq MOD 17, ', lot ', HEX(seq * 31)))
       FROM seq_1_to_{rows}""",
]


def admin(info: sandbox.SandboxInfo, database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host="127.0.0.1",
        port=info.port,
        user="root",
        password=info.password,
        database=database,
        autocommit=True,
    )


def execute(info: sandbox.SandboxInfo, *sql: str, database: str | None = None) -> None:
    conn = admin(info, database)
    try:
        with conn.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
    finally:
        conn.close()


def scalar(info: sandbox.SandboxInfo, sql: str) -> int:
    conn = admin(info)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            row = cur.fetchone()
            return int(row[0]) if row and row[0] is not None else 0
    finally:
        conn.close()


def build_source(info: sandbox.SandboxInfo, rows: int, rebuild: bool) -> int:
    """The source database (reused when it already has `rows` order lines); its byte size."""
    have = scalar(
        info,
        "SELECT TABLE_ROWS FROM information_schema.TABLES"
        f" WHERE TABLE_SCHEMA = '{SOURCE}' AND TABLE_NAME = 'order_lines'",
    )
    count = 0
    if have and not rebuild:
        count = scalar(info, f"SELECT COUNT(*) FROM `{SOURCE}`.order_lines")
    if count != rows:
        print(f"building {SOURCE} with {rows:,} order lines ...", flush=True)
        execute(info, f"DROP DATABASE IF EXISTS `{SOURCE}`", f"CREATE DATABASE `{SOURCE}`")
        customers = max(1000, rows // 10)
        execute(info, *SCHEMA, database=SOURCE)
        execute(info, *(f.format(rows=rows, customers=customers) for f in FILL), database=SOURCE)
        execute(info, "ANALYZE TABLE customers, order_lines", database=SOURCE)
    return scalar(
        info,
        "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES"
        f" WHERE TABLE_SCHEMA = '{SOURCE}'",
    )


def env(info: sandbox.SandboxInfo, name: str, database: str, folder: Path) -> Environment:
    return Environment(
        name=name,
        file=folder / f"{name}.yaml",
        connection=info.settings(database),
        backup=BackupSettings(dir=folder / "backups"),
    )


def stock(info: sandbox.SandboxInfo, target: str) -> float:
    execute(info, f"DROP DATABASE IF EXISTS `{target}`", f"CREATE DATABASE `{target}`")
    settings = info.settings(SOURCE)
    with client_credentials(settings) as cnf:
        command = (
            f"mariadb-dump {cnf.option} --single-transaction {SOURCE}"
            f" | mariadb {cnf.option} {target}"
        )
        started = time.perf_counter()
        subprocess.run(["bash", "-o", "pipefail", "-c", command], check=True, pass_fds=(cnf.fd,))
        return time.perf_counter() - started


def ours(info: sandbox.SandboxInfo, target: str, folder: Path) -> float:
    execute(info, f"DROP DATABASE IF EXISTS `{target}`")
    source = env(info, "bench_src", SOURCE, folder)
    destination = env(info, "bench_dst", target, folder)
    (folder / "environments").mkdir(parents=True, exist_ok=True)
    (folder / "environments" / "bench_src.yaml").write_text(
        f"name: bench_src\nconnection:\n  database: {SOURCE}\n"
        f"  option_file: {info.option_file}\nschema:\n  version: latest\n"
    )
    project = Project(folder)
    started = time.perf_counter()
    plan = copy_plan(destination, source, CopyOptions(), datetime.now(UTC).replace(microsecond=0))
    apply_plan(project, destination, plan, wiring=wiring())
    return time.perf_counter() - started


def same(info: sandbox.SandboxInfo, a: str, b: str) -> bool:
    conn = admin(info)
    try:
        with conn.cursor() as cur:
            sums = []
            for db in (a, b):
                cur.execute(f"CHECKSUM TABLE `{db}`.customers, `{db}`.order_lines")
                sums.append([r[1] for r in cur.fetchall()])
            return sums[0] == sums[1]
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the source database afterwards")
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    size = build_source(info, args.rows, args.rebuild)
    mb = size / 1e6
    print(f"source: {SOURCE}, {mb:.0f} MB (data + indexes), server {info.version}")
    folder = ROOT / ".mrpplan" / "bench_sync"
    folder.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {"stock": [], "ours": []}
    try:
        for n in range(args.rounds):
            for kind in ("stock", "ours") if n % 2 == 0 else ("ours", "stock"):
                target = f"bench_sync_{kind}"
                took = stock(info, target) if kind == "stock" else ours(info, target, folder)
                times[kind].append(took)
                print(f"round {n + 1} {kind:5}: {took:6.2f}s  {mb / took:6.1f} MB/s", flush=True)
        assert same(info, "bench_sync_stock", "bench_sync_ours"), "the two clones differ"
    finally:
        execute(
            info,
            "DROP DATABASE IF EXISTS bench_sync_stock",
            "DROP DATABASE IF EXISTS bench_sync_ours",
        )
        if not args.keep:
            execute(info, f"DROP DATABASE IF EXISTS `{SOURCE}`")
    best = {k: min(v) for k, v in times.items()}
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"best:   stock {mb / best['stock']:.1f} MB/s, ours {mb / best['ours']:.1f} MB/s, "
        f"ratio {best['stock'] / best['ours']:.2f}x"
    )
    print(
        f"median: stock {mb / med['stock']:.1f} MB/s, ours {mb / med['ours']:.1f} MB/s, "
        f"ratio {med['stock'] / med['ours']:.2f}x  (target >= 0.90x)"
    )


if __name__ == "__main__":
    main()
