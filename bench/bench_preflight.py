"""Benchmark: what the pre-flight checks (issue 25) cost on a big table, beside the ALTER
each one guards.

    .venv/bin/python bench/bench_preflight.py [--rows 2000000] [--reuse]

Builds `bench_preflight.parts` (ROWS rows, from seq_1_to_N) and `suppliers` (1000 rows) on
the sandbox, runs each kind of check through `mysql.preflight.run_check` (the query `plan`
and `apply` run) and prints its time and offender count; then runs the ALTER the check is
for, on a copy, for comparison.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.diff.preflight import PreflightCheck  # noqa: E402
from mrpplan.mysql.preflight import run_check  # noqa: E402

DB = "bench_preflight"
KEY = ("id",)
CHECKS = [
    (
        PreflightCheck("unique", "parts", ("code",), ("code",), {"prefix": [None]}),
        "ADD UNIQUE KEY uq_code (code)",
    ),
    (PreflightCheck("not_null", "parts", ("qty",), KEY), "MODIFY qty INT NOT NULL"),
    (
        PreflightCheck(
            "foreign_key",
            "parts",
            ("supplier_id",),
            ("supplier_id",),
            {"ref_table": "suppliers", "ref_columns": ["id"], "parent_exists": True},
        ),
        "ADD CONSTRAINT fk_sup FOREIGN KEY (supplier_id) REFERENCES suppliers (id)",
    ),
    (
        PreflightCheck("check", "parts", (), KEY, {"expression": "`qty` >= 0"}),
        "ADD CONSTRAINT chk_qty CHECK (qty >= 0)",
    ),
    (
        PreflightCheck(
            "narrowing",
            "parts",
            ("code",),
            KEY,
            {"rule": "max_chars", "limit": 8, "new_type": "varchar(8)"},
        ),
        "MODIFY code VARCHAR(8) NOT NULL",
    ),
    (
        PreflightCheck(
            "narrowing",
            "parts",
            ("price",),
            KEY,
            {"rule": "decimal", "precision": 12, "scale": 2, "new_type": "decimal(12,2)"},
        ),
        "MODIFY price DECIMAL(12,2) NOT NULL",
    ),
    (
        PreflightCheck(
            "narrowing",
            "parts",
            ("label",),
            KEY,
            {
                "rule": "charset",
                "charset": "latin1",
                "old_charset": "utf8mb4",
                "new_type": "latin1",
            },
        ),
        "MODIFY label VARCHAR(100) CHARACTER SET latin1 NULL",
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing table")
    parser.add_argument("--alters", action="store_true", help="also time each ALTER (a copy)")
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    conn = pymysql.connect(
        host="127.0.0.1", port=info.port, user="root", password=info.password, autocommit=True
    )
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS {DB}")
        cur.execute(f"USE {DB}")
        cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", (DB,))
        if not args.reuse or not cur.fetchone()[0]:
            _build(cur, args.rows)
    print(f"{args.rows:,} rows in {DB}.parts (sandbox, MariaDB {conn.get_server_info()})")
    print(f"{'check':<44} {'seconds':>8} {'offenders':>10}   ALTER it guards: seconds")
    for check, alter in CHECKS:
        started = time.perf_counter()
        outcome = run_check(conn, check, 600, True)
        took = time.perf_counter() - started
        alter_took = _alter(conn, alter) if args.alters else "-"
        print(f"{check.describe():<44} {took:8.2f} {outcome.offenders!s:>10}   {alter_took}")
    conn.close()


def _build(cur: object, rows: int) -> None:
    execute = cur.execute  # type: ignore[attr-defined]
    execute("DROP TABLE IF EXISTS parts, suppliers")
    execute("CREATE TABLE suppliers (id INT UNSIGNED PRIMARY KEY) ENGINE=InnoDB")
    execute("INSERT INTO suppliers SELECT seq FROM seq_1_to_1000")
    execute(
        "CREATE TABLE parts (id INT NOT NULL PRIMARY KEY, code VARCHAR(40) NOT NULL, "
        "qty INT NULL, price DECIMAL(12,4) NOT NULL, supplier_id INT UNSIGNED NULL, "
        "label VARCHAR(100) CHARACTER SET utf8mb4 NULL, KEY (supplier_id)) ENGINE=InnoDB"
    )
    # a few offenders of each kind among clean rows
    execute(
        f"INSERT INTO parts SELECT seq, CONCAT('P', seq), IF(seq % 100000 = 7, NULL, seq % 50), "
        f"IF(seq % 250000 = 3, seq / 1000, seq % 900), IF(seq % 400000 = 1, 5000, seq % 1000 + 1), "
        f"CONCAT('part ', seq) FROM seq_1_to_{rows}"
    )
    execute("UPDATE parts SET code = 'P17' WHERE id = 99")
    execute("ANALYZE TABLE parts")


def _alter(conn: pymysql.connections.Connection, clause: str) -> str:
    """The ALTER on a copy of the table (so every check sees the same rows)."""
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS parts_copy")
        cur.execute("CREATE TABLE parts_copy LIKE parts")
        cur.execute("INSERT INTO parts_copy SELECT * FROM parts")
        started = time.perf_counter()
        try:
            cur.execute(f"ALTER TABLE parts_copy {clause.replace('fk_sup', 'fk_sup_copy')}")
            result = f"{time.perf_counter() - started:.2f}"
        except pymysql.err.MySQLError as exc:
            result = f"{time.perf_counter() - started:.2f} (failed: {exc.args[0]})"
        cur.execute("DROP TABLE IF EXISTS parts_copy")
    return result


if __name__ == "__main__":
    main()
