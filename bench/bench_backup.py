"""Benchmark: mrpplan backup/restore vs the stock client tools, on a 2-million-row table.

    .venv/bin/python bench/bench_backup.py [--rows 2000000] [--rounds 2]

Runs against the sandbox server. Prints MB/s (of SQL text) and ratios:
  backup:  mrpplan backup            vs  mariadb-dump --single-transaction | gzip -1 > file
  restore: mrpplan restore (verify + load + checksum compare)
                                     vs  gunzip -c file | mariadb
Targets (issue 6): backup >= 0.95x, restore >= 1.0x (aim 1.5x).
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.backup.dump import create_backup  # noqa: E402
from mrpplan.backup.restore import restore_backup  # noqa: E402
from mrpplan.config.settings import BackupSettings, Environment  # noqa: E402
from mrpplan.mysql.client_process import Credentials, client_credentials  # noqa: E402

TABLE = """
CREATE TABLE stock_moves (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  item_code VARCHAR(32) NOT NULL,
  warehouse CHAR(4) NOT NULL,
  qty DECIMAL(14,3) NOT NULL,
  unit_cost DECIMAL(14,4) NOT NULL,
  moved_at DATETIME NOT NULL,
  reference VARCHAR(40) NOT NULL,
  note VARCHAR(80) NULL,
  KEY idx_item (item_code),
  KEY idx_moved (moved_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
"""

FILL = """
INSERT INTO stock_moves (item_code, warehouse, qty, unit_cost, moved_at, reference, note)
SELECT CONCAT('ITEM-', LPAD(seq MOD 50000, 7, '0')),
       CONCAT('WH', LPAD(seq MOD 12, 2, '0')),
       (seq MOD 997) + 0.125,
       (seq MOD 4999) / 7,
       TIMESTAMP('2024-01-01') + INTERVAL (seq * 13) SECOND,
       CONCAT('PO-2026-', LPAD(seq, 8, '0')),
       IF(seq MOD 5 = 0, NULL, CONCAT('received by dock ', seq MOD 17, ', lot ', HEX(seq * 31)))
FROM seq_1_to_{rows}
"""


def admin(info: sandbox.SandboxInfo, database: str | None = None) -> pymysql.Connection:
    return pymysql.connect(
        host="127.0.0.1",
        port=info.port,
        user="root",
        password=info.password,
        database=database,
        autocommit=True,
    )


def settle(cur: pymysql.cursors.Cursor, limit: float = 60) -> None:
    """Let the server flush the fill's dirty pages first, so both sides meet a quiet server."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        cur.execute("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")
        row = cur.fetchone()
        if row and int(row[1]) < 500:
            return
        time.sleep(1)


def run(cmd: str, cnf: Credentials) -> float:
    started = time.perf_counter()
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True, pass_fds=(cnf.fd,))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    source = f"bench_src_{secrets.token_hex(3)}"
    targets = [f"bench_dst_{secrets.token_hex(3)}" for _ in range(2)]
    work = Path(tempfile.mkdtemp(prefix="mrpplan-bench-"))
    conn = admin(info)
    try:
        with conn.cursor() as cur:
            for name in (source, *targets):
                cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            cur.execute(f"USE `{source}`")
            cur.execute(TABLE)
            t = time.perf_counter()
            cur.execute(FILL.format(rows=args.rows))
            print(f"filled {args.rows:,} rows in {time.perf_counter() - t:.1f} s")
            settle(cur)
        env = Environment(
            name="bench",
            file=work / "bench.yaml",
            connection=info.settings(source),
            backup=BackupSettings(dir=work / "backups"),
        )
        dst_env = Environment(
            name="benchdst",
            file=work / "d.yaml",
            connection=info.settings(targets[1]),
            backup=BackupSettings(dir=work / "backups"),
        )
        with client_credentials(info.settings()) as cnf:
            stock_file = work / "stock.sql.gz"
            best: dict[str, float] = {}

            def keep(key: str, seconds: float) -> None:
                best[key] = min(best.get(key, seconds), seconds)

            ours = None
            for _ in range(args.rounds):
                keep(
                    "stock_backup",
                    run(
                        f"mariadb-dump {cnf.option} --single-transaction {source} "
                        f"| gzip -1 > {stock_file}",
                        cnf,
                    ),
                )
                t = time.perf_counter()
                result = create_backup(env, "full")
                keep("our_backup", time.perf_counter() - t)
                if ours is not None:
                    ours.unlink()
                ours = result.path
            assert ours is not None
            sql_bytes = result.manifest.sql_bytes
            for _ in range(args.rounds):
                keep(
                    "stock_restore",
                    run(
                        f"gunzip -c {stock_file} | mariadb {cnf.option} {targets[0]}",
                        cnf,
                    ),
                )
                t = time.perf_counter()
                restore_backup(dst_env, ours)
                keep("our_restore", time.perf_counter() - t)
        mb = sql_bytes / 1e6
        print(
            f"SQL size {mb:.0f} MB, compressed {ours.stat().st_size / 1e6:.0f} MB (ours), "
            f"{stock_file.stat().st_size / 1e6:.0f} MB (stock)"
        )
        for what in ("backup", "restore"):
            stock, our = best[f"stock_{what}"], best[f"our_{what}"]
            print(
                f"{what:8s} stock {mb / stock:6.1f} MB/s ({stock:5.2f} s)   "
                f"mrpplan {mb / our:6.1f} MB/s ({our:5.2f} s)   ratio {stock / our:4.2f}x"
            )
    finally:
        with conn.cursor() as cur:
            for name in (source, *targets):
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
