"""Benchmark: restore and clone time before (direct load) and after the shadow-table swap.

    .venv/bin/python bench/bench_swap.py [--rows 200000] [--rounds 2] [--before 3822b9e]

Same data, same run, same sandbox server: the "before" code is `git archive`d from the
given commit into a temporary folder and run as `python -m mrpplan` with that folder first
on PYTHONPATH; "after" is this tree. Each round, for each code:
  restore  `mrpplan restore dst FULL_BACKUP --force` into a database that already holds the
           tables (before: DROP/CREATE/INSERT straight into them; after: load into a
           scratch database, check against the manifest, one RENAME TABLE)
  clone    `mrpplan sync clone src dst --auto-approve` (before: also with --no-backup, i.e.
           without its checkpoint of the destination)
Prints the median seconds of each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_sync import FILL, SCHEMA  # noqa: E402

from mrpplan import sandbox  # noqa: E402

SRC, DST = "bench_swap_src", "bench_swap_dst"


def env_file(name: str, database: str, option_file: Path) -> str:
    return (
        f"name: {name}\nconnection:\n  database: {database}\n  option_file: {option_file}\n"
        "protected: false\nschema:\n  version: latest\n  drift: warn\n"
        "backup:\n  dir: database/backups\n  retention_days: 7\n"
        "policy:\n  allow_destructive: true\n  checkpoint: auto\n"
    )


def run(code: Path | None, project: Path, *args: str) -> float:
    env = dict(os.environ, NO_COLOR="1")
    if code is not None:
        env["PYTHONPATH"] = str(code)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "mrpplan", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"mrpplan {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default="3822b9e")
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    import pymysql

    conn = pymysql.connect(
        host="127.0.0.1", port=info.port, user="root", password=info.password, autocommit=True
    )
    with conn.cursor() as cur:
        for db in (SRC, DST):
            cur.execute(f"DROP DATABASE IF EXISTS {db}")
            cur.execute(f"CREATE DATABASE {db}")
        cur.execute(f"USE {SRC}")
        for statement in SCHEMA:
            cur.execute(statement)
        customers = max(1000, args.rows // 10)
        for statement in FILL:
            cur.execute(statement.format(customers=customers, rows=args.rows))
    work = Path(tempfile.mkdtemp(prefix="bench_swap_"))
    before = work / "before"
    before.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", args.before, "mrpplan"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
    project = work / "project"
    for part in ("environments", "database"):
        shutil.copytree(ROOT / part, project / part, ignore=shutil.ignore_patterns("backups"))
    for name, db in (("src", SRC), ("dst", DST)):
        (project / "environments" / f"{name}.yaml").write_text(env_file(name, db, info.option_file))
    run(None, project, "backup", "src")
    backup = next((project / "database" / "backups").glob("mrp_erp_full_src_*.sql.gz"))
    run(None, project, "restore", "dst", str(backup), "--force")  # dst holds the tables
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for label, code in (("before", before), ("after", None)):
            times.setdefault(f"restore {label}", []).append(
                run(code, project, "restore", "dst", str(backup), "--force")
            )
            times.setdefault(f"clone {label}", []).append(
                run(code, project, "sync", "clone", "src", "dst", "--auto-approve")
            )
        times.setdefault("clone before --no-backup", []).append(
            run(before, project, "sync", "clone", "src", "dst", "--auto-approve", "--no-backup")
        )
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ROUND(SUM(data_length + index_length) / 1e6, 1) FROM information_schema.tables"
            " WHERE table_schema = %s",
            (SRC,),
        )
        size = cur.fetchone()[0]
        cur.execute("SHOW DATABASES LIKE '\\_mrpplan\\_%'")
        for (name,) in cur.fetchall():
            if name.endswith(DST):
                cur.execute(f"DROP DATABASE `{name}`")
        for db in (SRC, DST):
            cur.execute(f"DROP DATABASE IF EXISTS {db}")
    shutil.rmtree(work)
    print(f"{args.rows:,} order lines, {size} MB of data and indexes, {args.rounds} rounds")
    for label, values in times.items():
        print(f"{label:<28} median {statistics.median(values):6.2f} s   {values}")


if __name__ == "__main__":
    main()
