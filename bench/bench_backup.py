"""Benchmark: backup and restore of a ~250 MB multi-table database, mrpplan vs the stock
tools and mydumper/myloader, whole-process times (what a user waits for), in one run.

    .venv/bin/python bench/bench_backup.py [--rounds 2] [--restore-rounds 1] [--reuse]

Runs against the sandbox server. Every contender is a separate process started the way a
user starts it; rounds are interleaved and the best time of each is kept. Prints seconds,
MB/s (of SQL text, the same for all) and the ratio against the stock pipeline:
  backup:  mariadb-dump --single-transaction | gzip -1 > file
           mrpplan backup ENV --auto (2 dump workers, the default; and MRPPLAN_DUMP_WORKERS=1)
           mydumper -t 2 -c (per-table files, not one restorable stream: for reference)
  restore: gunzip -c file | mariadb DB
           load_file (mrpplan's loader: what `restore` runs, 4 row sessions) in a new process
           myloader -t 2 (from the mydumper directory)
Each restored database is checked against the source with CHECKSUM TABLE.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.mysql.client_process import Credentials, client_credentials  # noqa: E402

SOURCE = "bench_backup_src"
TABLES = {"items": 50_000, "customers": 200_000, "stock_moves": 1_100_000}
TABLES |= {"order_lines": 900_000, "audit_log": 300_000}

SCHEMA = [
    "CREATE TABLE items (id INT PRIMARY KEY, sku VARCHAR(32) NOT NULL, descr VARCHAR(200),"
    " price DECIMAL(12,4), KEY (sku))",
    "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, email VARCHAR(120),"
    " phone VARCHAR(30), address VARCHAR(200), created DATETIME, KEY (email), KEY (name))",
    "CREATE TABLE stock_moves (id BIGINT AUTO_INCREMENT PRIMARY KEY, item_code VARCHAR(32) NOT"
    " NULL, warehouse CHAR(4) NOT NULL, qty DECIMAL(14,3) NOT NULL, unit_cost DECIMAL(14,4) NOT"
    " NULL, moved_at DATETIME NOT NULL, reference VARCHAR(40) NOT NULL, note VARCHAR(80),"
    " KEY idx_item (item_code), KEY idx_moved (moved_at))",
    "CREATE TABLE order_lines (id BIGINT PRIMARY KEY, order_id INT NOT NULL, item_id INT NOT"
    " NULL, qty DECIMAL(12,3), price DECIMAL(12,4), due DATE, status VARCHAR(12),"
    " KEY (order_id), KEY (item_id))",
    "CREATE TABLE audit_log (id BIGINT PRIMARY KEY, at DATETIME(3), who VARCHAR(40), msg TEXT,"
    " KEY (at))",
]
STATES = "'open', 'released', 'shipped', 'closed'"
FILL = [
    "INSERT INTO items SELECT seq, CONCAT('SKU-', LPAD(seq, 7, '0')),"
    " CONCAT('part number ', seq, ' for assembly ', seq MOD 97), seq / 7 FROM seq_1_to_{items}",
    "INSERT INTO customers SELECT seq, CONCAT('Customer ', seq),"
    " CONCAT('person', seq, '@corp.example'), CONCAT('+49 30 ', 100000 + seq),"
    " CONCAT(seq MOD 999, ' Industriestrasse, ', 10000 + seq MOD 89999, ' Berlin, building ',"
    " HEX(seq * 7)), TIMESTAMP('2020-01-01') + INTERVAL seq MINUTE FROM seq_1_to_{customers}",
    "INSERT INTO stock_moves (item_code, warehouse, qty, unit_cost, moved_at, reference, note)"
    " SELECT CONCAT('ITEM-', LPAD(seq MOD 50000, 7, '0')), CONCAT('WH', LPAD(seq MOD 12, 2, '0')),"
    " (seq MOD 997) + 0.125, (seq MOD 4999) / 7, TIMESTAMP('2024-01-01') + INTERVAL (seq * 13)"
    " SECOND, CONCAT('PO-2026-', LPAD(seq, 8, '0')), IF(seq MOD 5 = 0, NULL,"
    " CONCAT('received by dock ', seq MOD 17, ', lot ', HEX(seq * 31)))"
    " FROM seq_1_to_{stock_moves}",
    "INSERT INTO order_lines SELECT seq, seq DIV 4, 1 + seq MOD 50000, (seq MOD 50) + 1,"
    " (seq MOD 9999) / 3, DATE('2025-01-01') + INTERVAL (seq MOD 700) DAY,"
    f" ELT(1 + seq MOD 4, {STATES}) FROM seq_1_to_{{order_lines}}",
    "INSERT INTO audit_log SELECT seq, TIMESTAMP('2025-01-01') + INTERVAL seq SECOND,"
    " CONCAT('user', seq MOD 40), CONCAT('changed order ', seq DIV 3, ': status from ',"
    f" ELT(1 + seq MOD 4, {STATES}), ' to ', ELT(1 + (seq + 1) MOD 4, {STATES}), ' by rule ',"
    " MD5(seq)) FROM seq_1_to_{audit_log}",
]


def admin(info: sandbox.SandboxInfo, database: str | None = None) -> pymysql.Connection:
    return pymysql.connect(
        host="127.0.0.1",
        port=info.port,
        user="root",
        password=info.password,
        database=database,
        autocommit=True,
    )


def make_source(info: sandbox.SandboxInfo, reuse: bool) -> None:
    """The ~250 MB database (about 2 minutes to fill here); --reuse keeps it between runs."""
    conn = admin(info)
    with conn.cursor() as cur:
        if reuse and _rows(cur) == TABLES:
            print(f"reusing {SOURCE}")
            return
        cur.execute(f"DROP DATABASE IF EXISTS `{SOURCE}`")
        cur.execute(f"CREATE DATABASE `{SOURCE}` CHARACTER SET utf8mb4")
        cur.execute(f"USE `{SOURCE}`")
        started = time.perf_counter()
        for statement in SCHEMA:
            cur.execute(statement)
        for statement in FILL:
            cur.execute(statement.format(**TABLES))
        cur.execute("ANALYZE TABLE " + ", ".join(TABLES))
        print(f"filled {SOURCE} in {time.perf_counter() - started:.0f} s")
    conn.close()


def _rows(cur: pymysql.cursors.Cursor) -> dict[str, int]:
    found = {}
    cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (SOURCE,))
    if not cur.fetchone():
        return {}
    for table in TABLES:
        try:
            cur.execute(f"SELECT COUNT(*) FROM `{SOURCE}`.`{table}`")
        except pymysql.err.MySQLError:
            return {}
        row = cur.fetchone()
        found[table] = int(row[0]) if row else 0
    return found


def checksums(info: sandbox.SandboxInfo, database: str) -> dict[str, int]:
    conn = admin(info, database)
    with conn.cursor() as cur:
        cur.execute("CHECKSUM TABLE " + ", ".join(TABLES))
        result = {str(r[0]).split(".", 1)[1]: int(r[1]) for r in cur.fetchall()}
    conn.close()
    return result


def fresh(info: sandbox.SandboxInfo, database: str) -> None:
    conn = admin(info)
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
        cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    conn.close()


def shell(command: str, cnf: Credentials, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], check=True, pass_fds=(cnf.fd,), env=env
    )
    return time.perf_counter() - started


def write_project(folder: Path, info: sandbox.SandboxInfo) -> Path:
    (folder / "environments").mkdir(parents=True)
    (folder / "environments" / "bench.yaml").write_text(
        "name: bench\nconnection:\n"
        f"  database: {SOURCE}\n  option_file: {info.option_file}\n"
        "protected: false\nschema:\n  version: latest\n  drift: warn\n"
        f"backup:\n  dir: {folder / 'backups'}\n  retention_days: 1\n"
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2, help="backup rounds (best kept)")
    parser.add_argument("--restore-rounds", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help=f"keep {SOURCE} between runs")
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    make_source(info, args.reuse)
    expected = checksums(info, SOURCE)
    work = Path(tempfile.mkdtemp(prefix="mrpplan-bench-"))
    project = write_project(work / "project", info)
    targets = {k: f"bench_restore_{k}" for k in ("stock", "mrpplan", "myloader")}
    mrpplan = str(Path(sys.executable).parent / "mrpplan")
    best: dict[str, float] = {}
    stock_file = work / "stock.sql.gz"
    dumper_dir = work / "mydumper"

    def keep(key: str, seconds: float) -> None:
        best[key] = min(best.get(key, seconds), seconds)

    def ours(workers: str) -> Callable[[Credentials], float]:
        def run(cnf: Credentials) -> float:
            env = {**os.environ, "MRPPLAN_DUMP_WORKERS": workers}
            for old in (project / "backups").glob("*"):
                old.unlink()
            command = f"{mrpplan} --project {project} backup bench --auto >/dev/null"
            return shell(command, cnf, env)

        return run

    try:
        with client_credentials(info.settings()) as cnf:
            backups: dict[str, Callable[[Credentials], float]] = {
                "stock_backup": lambda c: shell(
                    f"mariadb-dump {c.option} --single-transaction {SOURCE}"
                    f" | gzip -1 > {stock_file}",
                    c,
                ),
                "mrpplan_backup_1": ours("1"),
                "mrpplan_backup": ours("2"),
                "mydumper": lambda c: shell(
                    f"rm -rf {dumper_dir} && mydumper --defaults-file={c.path} -B {SOURCE}"
                    f" -o {dumper_dir} -t 2 -c --long-query-guard 999999",
                    c,
                ),
            }
            for _ in range(args.rounds):
                for key, run in backups.items():
                    keep(key, run(cnf))
                    print(f"  {key}: {best[key]:.1f} s", flush=True)
            ours_file = next((project / "backups").glob("*.sql.gz"))
            sql_mb = (
                int(
                    subprocess.run(
                        ["bash", "-c", f"gunzip -c {ours_file} | wc -c"],
                        capture_output=True,
                        check=True,
                    ).stdout
                )
                / 1e6
            )
            loader = (
                "import sys; from pathlib import Path; from mrpplan import sandbox;"
                " from mrpplan.backup.load import load_file;"
                " info = sandbox.status(sandbox.default_dir(Path(sys.argv[3])));"
                " load_file(Path(sys.argv[1]), info.settings(sys.argv[2]), sys.argv[2])"
            )
            restores: dict[str, tuple[str, Callable[[Credentials], float]]] = {
                "stock_restore": (
                    targets["stock"],
                    lambda c: shell(
                        f"gunzip -c {stock_file} | mariadb {c.option} {targets['stock']}", c
                    ),
                ),
                "mrpplan_restore": (
                    targets["mrpplan"],
                    lambda c: shell(
                        f"{sys.executable} -c '{loader}' {ours_file} {targets['mrpplan']} {ROOT}", c
                    ),
                ),
                "myloader": (
                    targets["myloader"],
                    lambda c: shell(
                        f"myloader --defaults-file={c.path} -d {dumper_dir}"
                        f" -B {targets['myloader']} -t 2 -o",
                        c,
                    ),
                ),
            }
            for _ in range(args.restore_rounds):
                for key, (target, run) in restores.items():
                    fresh(info, target)
                    keep(key, run(cnf))
                    print(f"  {key}: {best[key]:.1f} s", flush=True)
                    assert checksums(info, target) == expected, f"{key}: restored data differs"
        report(best, sql_mb, ours_file.stat().st_size / 1e6, stock_file.stat().st_size / 1e6)
    finally:
        conn = admin(info)
        with conn.cursor() as cur:
            for name in targets.values():
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            if not args.reuse:
                cur.execute(f"DROP DATABASE IF EXISTS `{SOURCE}`")
        conn.close()
        shutil.rmtree(work, ignore_errors=True)


def report(best: dict[str, float], sql_mb: float, ours_mb: float, stock_mb: float) -> None:
    print(
        f"\n{len(TABLES)} tables, {sql_mb:.0f} MB of SQL; compressed {ours_mb:.0f} MB (mrpplan),"
        f" {stock_mb:.0f} MB (gzip -1)"
    )
    rows = [
        ("backup", "mariadb-dump --single-transaction | gzip -1", "stock_backup", "stock_backup"),
        ("backup", "mrpplan backup, one stream", "mrpplan_backup_1", "stock_backup"),
        ("backup", "mrpplan backup, 2 dump workers (default)", "mrpplan_backup", "stock_backup"),
        ("backup", "mydumper -t 2 -c (not one restorable file)", "mydumper", "stock_backup"),
        ("restore", "gunzip -c | mariadb", "stock_restore", "stock_restore"),
        ("restore", "mrpplan load_file (restore's loader)", "mrpplan_restore", "stock_restore"),
        ("restore", "myloader -t 2", "myloader", "stock_restore"),
    ]
    print(f"{'':8s} {'what':46s} {'seconds':>8s} {'MB/s':>7s} {'vs stock':>9s}")
    for phase, what, key, base in rows:
        seconds = best[key]
        print(
            f"{phase:8s} {what:46s} {seconds:8.2f} {sql_mb / seconds:7.1f}"
            f" {best[base] / seconds:8.2f}x"
        )


if __name__ == "__main__":
    main()
