"""Benchmark: point-in-time restore, mrpplan vs the stock recipe, whole processes, one run.

    .venv/bin/python bench/bench_pitr.py [--rows 200000] [--events 20000] [--rounds 1]

Builds a database on the sandbox (a table of `--rows` rows), takes `mrpplan backup local`,
commits `--events` single-row transactions, waits into the next second, makes a "bad"
UPDATE of every row, archives the binary logs (`mrpplan backup local --binlogs`) and then
measures, interleaved, the best of `--rounds`:

  replay:  the N events only, into a copy loaded from the backup:
           mrpplan's replay (mysql/binlog.replay, GTID lines filtered) in a new process
           vs `mariadb-binlog --database --rewrite-db --start/stop-position FILES | mariadb`
  restore: the whole command as the user runs it:
           `mrpplan restore local --to-time T --force` (verify, load into the scratch
           database, check the manifest, replay, one RENAME, trash kept)
           vs `gunzip -c backup | mariadb DB; mariadb-binlog ... | mariadb DB` (in place,
           no checks, nothing kept)

Every result is compared with CHECKSUM TABLE of the source at the moment.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.mysql.client_process import client_credentials  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from bench_sync import admin as connect  # noqa: E402
from bench_sync import execute  # noqa: E402

SOURCE = "bench_pitr_src"


def checksum(info: sandbox.SandboxInfo, database: str) -> int:
    conn = connect(info, database)
    try:
        with conn.cursor() as cur:
            cur.execute("CHECKSUM TABLE items")
            row = cur.fetchone()
            return int(row[1]) if row else -1
    finally:
        conn.close()


def project(info: sandbox.SandboxInfo, folder: Path) -> dict[str, str]:
    """A project copy whose `local` environment is the benchmark database."""
    for part in ("environments", "database"):
        shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("backups"))
    (folder / "plans").mkdir()
    env = dict(os.environ)
    env.update(
        LOCAL_DB_NAME=SOURCE,
        LOCAL_DB_OPTION_FILE=str(info.option_file),
        MRPPLAN_SANDBOX_DIR=str(info.dir),
        MRPPLAN_PLAN_KEY="",
        NO_COLOR="1",
    )
    return env


def mrpplan(env: dict[str, str], cwd: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mrpplan", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"mrpplan {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def shell(info: sandbox.SandboxInfo, command: str) -> float:
    """Run a shell pipeline with the sandbox credentials as an in-memory option file."""
    with client_credentials(info.settings()) as cnf:
        started = time.perf_counter()
        subprocess.run(
            ["bash", "-o", "pipefail", "-c", command.replace("CNF", cnf.option)],
            check=True,
            pass_fds=(cnf.fd,),
        )
        return time.perf_counter() - started


def build(
    info: sandbox.SandboxInfo, env: dict[str, str], folder: Path, rows: int, events: int
) -> int:
    """The source, its backup, the events, the bad UPDATE, the archive; returns the moment."""
    execute(info, f"DROP DATABASE IF EXISTS `{SOURCE}`", f"CREATE DATABASE `{SOURCE}`")
    execute(
        info,
        "CREATE TABLE items (id INT PRIMARY KEY, sku VARCHAR(32), descr VARCHAR(120),"
        " price DECIMAL(12,4), qty INT)",
        "INSERT INTO items SELECT seq, CONCAT('SKU-', seq), CONCAT('part ', seq, ' of assembly ',"
        f" seq MOD 97), seq / 7, seq MOD 1000 FROM seq_1_to_{rows}",
        "CREATE PROCEDURE churn(n INT) BEGIN DECLARE i INT DEFAULT 0; WHILE i < n DO"
        " UPDATE items SET qty = qty + 1, price = price * 1.01"
        f" WHERE id = 1 + (i * 7919) MOD {rows}; SET i = i + 1; END WHILE; END",
        database=SOURCE,
    )
    mrpplan(env, folder, "backup", "local", "--auto")
    started = time.perf_counter()
    execute(info, f"CALL churn({events})", database=SOURCE)  # autocommit: one txn per UPDATE
    print(f"{events:,} transactions committed in {time.perf_counter() - started:.1f} s")
    now = time.time()
    time.sleep(int(now) + 1 - now + 0.05)
    moment = int(time.time())
    good = checksum(info, SOURCE)
    time.sleep(int(time.time()) + 1 - time.time() + 0.05)
    execute(info, "UPDATE items SET price = 0", database=SOURCE)
    mrpplan(env, folder, "backup", "local", "--binlogs")
    (folder / "good.json").write_text(json.dumps({"checksum": good, "moment": moment}))
    return moment


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    folder = Path(tempfile.mkdtemp(prefix="bench_pitr_"))
    try:
        env = project(info, folder)
        moment = build(info, env, folder, args.rows, args.events)
        good = json.loads((folder / "good.json").read_text())["checksum"]
        sys.path.insert(0, str(ROOT))
        from mrpplan.backup.binlog_window import replay_plan
        from mrpplan.config import Project
        from mrpplan.config.loader import load_environment

        os.environ.update({k: v for k, v in env.items() if k.startswith(("LOCAL_", "MRPPLAN_"))})
        os.chdir(folder)
        environment = load_environment(Project(folder), "local")
        plan = replay_plan(environment, to_time=moment, to_gtid=None)
        files = " ".join(str(f) for f in plan.files)
        backup = plan.backup
        print(
            f"backup {backup.name}; {plan.events:,} transactions to replay from "
            f"{', '.join(f.name for f in plan.files)}"
        )
        binlog = (
            f"mariadb-binlog --database={SOURCE} --rewrite-db='{SOURCE}->DB' "
            f"--start-position={plan.start} --stop-position={plan.stop} {files}"
        )
        times: dict[str, list[float]] = {k: [] for k in ("mr", "stock", "mr_all", "stock_all")}
        for _round in range(args.rounds):
            for who in ("mr", "stock"):
                db = f"bench_pitr_{who}"
                execute(info, f"DROP DATABASE IF EXISTS `{db}`", f"CREATE DATABASE `{db}`")
                shell(info, f"gunzip -c {backup} | mariadb CNF {db}")
                if who == "stock":
                    seconds = shell(info, f"{binlog.replace('DB', db)} | mariadb CNF {db}")
                else:
                    code = (
                        "import sys; from pathlib import Path; from mrpplan import sandbox;"
                        "from mrpplan.mysql.binlog import replay;"
                        f"info = sandbox.status(Path({str(info.dir)!r}));"
                        f"replay(info.settings(), [Path(p) for p in {files.split()!r}],"
                        f" database={SOURCE!r}, into={db!r}, start={plan.start}, stop={plan.stop})"
                    )
                    started = time.perf_counter()
                    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
                    seconds = time.perf_counter() - started
                assert checksum(info, db) == good, f"{who}: replay result differs"
                times[who].append(seconds)
                execute(info, f"DROP DATABASE `{db}`")
            # the whole command: stock recipe in place on a copy, mrpplan on the source
            db = "bench_pitr_stock_all"
            execute(info, f"DROP DATABASE IF EXISTS `{db}`", f"CREATE DATABASE `{db}`")
            times["stock_all"].append(
                shell(
                    info,
                    f"gunzip -c {backup} | mariadb CNF {db} && "
                    f"{binlog.replace('DB', db)} | mariadb CNF {db}",
                )
            )
            assert checksum(info, db) == good
            execute(info, f"DROP DATABASE `{db}`")
            at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment))
            times["mr_all"].append(
                mrpplan(env, folder, "restore", "local", "--to-time", at, "--force")
            )
            assert checksum(info, SOURCE) == good, "mrpplan restore result differs"
            execute(info, "UPDATE items SET price = 0", database=SOURCE)  # the accident again
        best = {k: min(v) for k, v in times.items()}
        rate = plan.events / best["mr"]
        print(f"\n{'measure':<44} {'mrpplan':>9} {'stock':>9} {'ratio':>7}")
        print(
            f"{'replay ' + format(plan.events, ',') + ' transactions':<44} "
            f"{best['mr']:>8.2f}s {best['stock']:>8.2f}s {best['stock'] / best['mr']:>6.2f}x"
            f"   ({rate:,.0f} txn/s)"
        )
        print(
            f"{'whole restore --to-time vs gunzip|mariadb + binlog':<44} "
            f"{best['mr_all']:>8.2f}s {best['stock_all']:>8.2f}s "
            f"{best['stock_all'] / best['mr_all']:>6.2f}x"
        )
        print("(ratio > 1: mrpplan faster; all results equal the source at the moment)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for db in ("bench_pitr_mr", "bench_pitr_stock", "bench_pitr_stock_all"):
            execute(info, f"DROP DATABASE IF EXISTS `{db}`")


if __name__ == "__main__":
    main()
