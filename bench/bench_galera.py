"""Benchmark: the same apply on one server and on a three-node Galera cluster, same run.

    .venv/bin/python bench/bench_galera.py [--runs 3] [--rows 20000]

Starts (or reuses) the single sandbox and the Galera sandbox (`mrpplan sandbox up
--galera 3`). For each target it times, as a user runs them (`mrpplan apply ENV
--auto-approve`, a new process each):
  1. create: the example project's whole schema on an empty database;
  2. change: one ALTER adding a column and an index to a table of `--rows` rows (INPLACE:
     on Galera it runs under TOI on every node at once).
The Galera apply adds the cluster check before and after, the replicated lock row with
its lease, and the fingerprint of every node after the apply. Prints the median of the
runs per target and the ratio.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox, sandbox_galera  # noqa: E402

ENV = """\
name: {name}
connection:
  database: {database}
  option_file: {option_file}
protected: false
schema:
  version: latest
  drift: repair
seeds: []
policy:
  allow_destructive: true
  checkpoint: auto
"""
TABLE = """
CREATE TABLE bench_rows (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(40) NOT NULL,
    qty INT NOT NULL DEFAULT 0{extra}
) ENGINE=InnoDB;
"""
EXTRA = ",\n    note VARCHAR(20) NULL,\n    KEY idx_bench_qty (qty)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    single = sandbox.up(sandbox.default_dir(ROOT))
    nodes = sandbox_galera.up(sandbox_galera.default_dir(ROOT), 3)
    targets = {"one server": single, "galera (3 nodes)": nodes[0]}
    times: dict[str, dict[str, list[float]]] = {t: {"create": [], "change": []} for t in targets}
    work = Path(tempfile.mkdtemp(prefix="mrpplan-bench-galera-"))
    try:
        for run in range(args.runs):
            for label, info in targets.items():
                create, change = _one_run(work / f"{run}-{label[:3]}", info, single, args.rows)
                times[label]["create"].append(create)
                times[label]["change"].append(change)
                print(f"  run {run + 1} {label}: create {create:.2f} s, change {change:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nmedian of {args.runs} runs (mrpplan apply, whole process):")
    print(f"{'target':<18} {'create schema':>14} {'ALTER ' + format(args.rows, ',') + ' rows':>20}")
    medians = {t: {k: statistics.median(v) for k, v in d.items()} for t, d in times.items()}
    for label, found in medians.items():
        print(f"{label:<18} {found['create']:>12.2f} s {found['change']:>18.2f} s")
    one, gal = medians["one server"], medians["galera (3 nodes)"]
    print(
        f"galera / one server: create x{gal['create'] / one['create']:.2f}, "
        f"change x{gal['change'] / one['change']:.2f}"
    )


def _one_run(
    root: Path, info: sandbox.SandboxInfo, single: sandbox.SandboxInfo, rows: int
) -> tuple[float, float]:
    database = f"bench_gal_{secrets.token_hex(3)}"
    for folder in ("environments", "database/migrations", "database/seeds", "plans"):
        (root / folder).mkdir(parents=True)
    shutil.copytree(ROOT / "database" / "schema", root / "database" / "schema")
    schema = root / "database" / "schema" / "99_bench.sql"
    schema.write_text(TABLE.format(extra=""))
    (root / "environments" / "target.yaml").write_text(
        ENV.format(name="target", database=database, option_file=info.option_file)
    )
    env = {
        **os.environ,
        "MRPPLAN_PLAN_KEY": "",
        "MRPPLAN_SANDBOX_DIR": str(single.dir),
        "NO_COLOR": "1",
    }
    try:
        create = _apply(root, env)
        _fill(info, database, rows)
        schema.write_text(TABLE.format(extra=EXTRA))
        change = _apply(root, env)
    finally:
        _query(info, f"DROP DATABASE IF EXISTS `{database}`")
    return create, change


def _apply(root: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "mrpplan", "apply", "target", "--auto-approve"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"apply failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def _fill(info: sandbox.SandboxInfo, database: str, rows: int) -> None:
    _query(
        info,
        f"INSERT INTO bench_rows (name, qty) SELECT CONCAT('r', seq), seq FROM seq_1_to_{rows}",
        database,
    )


def _query(info: sandbox.SandboxInfo, sql: str, database: str | None = None) -> None:
    conn = pymysql.connect(
        host="127.0.0.1",
        port=info.port,
        user="root",
        password=info.password,
        database=database,
        autocommit=True,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
