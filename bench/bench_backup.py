"""Benchmark: `mrpplan backup` and `mrpplan restore` as a user runs them, side by side with
the stock tools, whole processes, in one run.

    .venv/bin/python bench/bench_backup.py [--rounds 3] [--reuse] [--skip-small] [--skip-large]
        [--compare-with DIR]

Databases on the sandbox server: `large` (5 tables, about 258 MB of SQL, 2.55M rows) and
`small` (the same tables, 300,000 rows, about 30 MB of SQL). Every contender is a separate
process started the way a user starts it; the rounds are interleaved (each round runs every
contender once) and the best time of each is kept. Contenders:
  backup (large, small):
    stock     mariadb-dump --single-transaction DB | gzip -1 > FILE
    mrpplan   mrpplan backup ENV --auto              (file + manifest with CHECKSUM TABLE)
    mydumper  mydumper -t 2 -c (large only; per-table files, not one restorable stream)
  restore (large), each into an empty database:
    stock       gunzip -c FILE | mariadb DB
    mrpplan     mrpplan restore ENV FILE --force     (verify, plan, shadow load, manifest
                                                      check, swap)
    myloader    myloader -t 2 -o -e (binary log on, as for the others)
    myloader*   myloader -t 2 -o (its default: the rows are NOT binary-logged; reference)
Each restored database is compared with the source by CHECKSUM TABLE. Besides the
seconds, the table shows the CPU seconds of the command with its children and of the
server (from /proc) in the best round: on a busy machine they say more than wall time.
`--compare-with DIR` also runs the mrpplan commands of another version (DIR holds its
`mrpplan` package, e.g. `git archive OLD mrpplan | tar -x -C DIR`), interleaved in the
same rounds, as "before".

The mrpplan processes run with their byte code cached (PYTHONDONTWRITEBYTECODE is removed
from their environment: an installed package has its .pyc files; compileall writes them
first), so start-up is what a user's start-up is.

The mrpplan commands run with MRPPLAN_TIMINGS=1 and PYTHONUNBUFFERED=1: every output line
is timestamped as it arrives and the phases between them (start-up, verify and impact, the
plan, the load's rows/keys/checks, the swap) are printed with their share of the command's
time, from the best round.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402
from mrpplan.mysql.client_process import Credentials, client_credentials  # noqa: E402

LARGE = {"items": 50_000, "customers": 200_000, "stock_moves": 1_100_000}
LARGE |= {"order_lines": 900_000, "audit_log": 300_000}
SMALL = {"items": 10_000, "customers": 30_000, "stock_moves": 140_000}
SMALL |= {"order_lines": 90_000, "audit_log": 30_000}
SOURCES = {"large": ("bench_backup_src", LARGE), "small": ("bench_backup_small", SMALL)}
TARGET = "bench_restore_{}"

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

# Output lines of mrpplan that end a phase: (pattern, name of the phase that ends there).
RESTORE_PHASES = [
    (r"^timing: command started", "start-up (Python, imports, project files)"),
    (r"^Restore \S+ \(", "verify the file + impact (row counts now)"),
    (r"^Plan for ", "plan (the backup's schema, live state)"),
    (r"^step \d+/\d+: shadow_load .*\.\.\.$", "lock, journal, scratch database"),
    (r"^timing: rows loaded", "load: rows (4 sessions)"),
    (r"^timing: keys added", "load: secondary keys after the rows"),
    (r"^timing: load finished", "load: views, routines, file checks"),
    (r"^timing: manifest checked", "check: row counts + CHECKSUM TABLE vs the manifest"),
    (r"^step \d+/\d+: done", "foreign keys re-pointed, journal"),
    (r"^Restored ", "swap (RENAME TABLE), journal"),
    (r"^\(exit\)$", "exit"),
]
BACKUP_PHASES = [
    (r"^timing: command started", "start-up (Python, imports, project files)"),
    (r"^timing: dump started", "tables, sizes, free space, snapshot"),
    (r"^timing: dump finished", "dump + compress (+ CHECKSUM TABLE alongside)"),
    (r"^timing: checksums done", "waiting for CHECKSUM TABLE"),
    (r"^backup ok", "manifest, catalog"),
    (r"^\(exit\)$", "exit"),
]


@dataclass
class Timed:
    seconds: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    client_cpu: float = 0.0  # CPU seconds of the command and its children (this machine)
    server_cpu: float = 0.0  # CPU seconds the sandbox server spent meanwhile


def server_cpu() -> float:
    """CPU seconds the sandbox server has used (user + system), from /proc."""
    pid = (sandbox.default_dir(ROOT) / "mariadbd.pid").read_text().strip()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def admin(info: sandbox.SandboxInfo, database: str | None = None) -> pymysql.Connection:
    return pymysql.connect(
        host="127.0.0.1",
        port=info.port,
        user="root",
        password=info.password,
        database=database,
        autocommit=True,
    )


def make_source(info: sandbox.SandboxInfo, name: str, tables: dict[str, int], reuse: bool) -> None:
    """Fill `name` with `tables` rows (the large one about 2 minutes here); --reuse keeps it."""
    conn = admin(info)
    with conn.cursor() as cur:
        if reuse and _rows(cur, name, tables) == tables:
            print(f"reusing {name}")
            return
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        cur.execute(f"USE `{name}`")
        started = time.perf_counter()
        for statement in SCHEMA:
            cur.execute(statement)
        for statement in FILL:
            cur.execute(statement.format(**tables))
        cur.execute("ANALYZE TABLE " + ", ".join(tables))
        print(f"filled {name} in {time.perf_counter() - started:.0f} s")
    conn.close()


def _rows(cur: pymysql.cursors.Cursor, name: str, tables: dict[str, int]) -> dict[str, int]:
    found = {}
    cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (name,))
    if not cur.fetchone():
        return {}
    for table in tables:
        try:
            cur.execute(f"SELECT COUNT(*) FROM `{name}`.`{table}`")
        except pymysql.err.MySQLError:
            return {}
        row = cur.fetchone()
        found[table] = int(row[0]) if row else 0
    return found


def checksums(info: sandbox.SandboxInfo, database: str) -> dict[str, int]:
    conn = admin(info, database)
    with conn.cursor() as cur:
        cur.execute("CHECKSUM TABLE " + ", ".join(LARGE))
        result = {str(r[0]).split(".", 1)[1]: int(r[1]) for r in cur.fetchall()}
    conn.close()
    return result


def fresh(info: sandbox.SandboxInfo, database: str) -> None:
    """An empty database; scratch and trash databases of earlier rounds go too."""
    conn = admin(info)
    with conn.cursor() as cur:
        cur.execute("SHOW DATABASES")
        for (name,) in cur.fetchall():
            if str(name).startswith(("_mrpplan_trash_", "_mrpplan_load_")):
                cur.execute(f"DROP DATABASE `{name}`")
        cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
        cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    conn.close()


def shell(command: str, cnf: Credentials, env: dict[str, str] | None = None) -> Timed:
    """Run `command` (bash, pipefail); every output line timestamped as it arrives, and
    the CPU seconds it and the server used (insensitive to the machine's other load)."""
    cpu, served = children_cpu(), server_cpu()
    started = time.time()
    proc = subprocess.Popen(
        ["bash", "-o", "pipefail", "-c", command],
        pass_fds=(cnf.fd,),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    lines = [
        (time.time() - started, raw.decode("utf-8", "replace").rstrip()) for raw in proc.stdout
    ]
    if proc.wait() != 0:
        print("\n".join(text for _, text in lines[-20:]))
        raise SystemExit(f"failed: {command}")
    seconds = time.time() - started
    used = (children_cpu() - cpu, server_cpu() - served)
    return Timed(seconds, [*lines, (seconds, "(exit)")], *used)


def phases(timed: Timed, marks: list[tuple[str, str]]) -> list[tuple[str, float]]:
    """The time between consecutive phase-ending lines, named by the marks."""
    found: list[tuple[str, float]] = []
    last = 0.0
    for pattern, name in marks:
        hit = next((t for t, text in timed.lines if t >= last and re.search(pattern, text)), None)
        if hit is not None:
            found.append((name, hit - last))
            last = hit
    return found


def write_project(folder: Path, info: sandbox.SandboxInfo) -> Path:
    (folder / "environments").mkdir(parents=True)
    envs = {key: name for key, (name, _tables) in SOURCES.items()}
    envs["target"] = TARGET.format("mrpplan")
    for env, database in envs.items():
        (folder / "environments" / f"{env}.yaml").write_text(
            f"name: {env}\nconnection:\n"
            f"  database: {database}\n  option_file: {info.option_file}\n"
            "protected: false\nschema:\n  version: latest\n  drift: warn\n"
            f"backup:\n  dir: {folder / 'backups' / env}\n  retention_days: 1\n"
        )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="rounds (best kept)")
    parser.add_argument("--reuse", action="store_true", help="keep the source databases")
    parser.add_argument("--skip-small", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--compare-with", type=Path, help="an older mrpplan package's parent")
    args = parser.parse_args()
    sizes = [s for s in ("large", "small") if not getattr(args, f"skip_{s}")]
    info = sandbox.up(sandbox.default_dir(ROOT))
    for size in sizes:
        make_source(info, *SOURCES[size], args.reuse)
    expected = checksums(info, SOURCES["large"][0]) if "large" in sizes else {}
    work = Path(tempfile.mkdtemp(prefix="mrpplan-bench-"))
    project = write_project(work / "project", info)
    # `python -P -m mrpplan`: the package found first runs its own entry point (a version
    # given with --compare-with may not have this one's), in one process as the script
    # does; -P keeps the working directory (this checkout) from coming before PYTHONPATH
    mrpplan = f"{sys.executable} -P -m mrpplan"
    env = {**os.environ, "MRPPLAN_TIMINGS": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    versions = {"": env}
    packages = [ROOT / "mrpplan"]
    if args.compare_with:
        versions["_before"] = {**env, "PYTHONPATH": str(args.compare_with.resolve())}
        packages.append(args.compare_with.resolve() / "mrpplan")
    for package in packages:  # byte code written, as `pip install` does
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    best: dict[str, Timed] = {}
    dumper_dir = work / "mydumper"
    loads: list[float] = []

    def keep(key: str, timed: Timed) -> None:
        if key not in best or timed.seconds < best[key].seconds:
            best[key] = timed
        print(f"  {key}: {timed.seconds:.2f} s (best {best[key].seconds:.2f})", flush=True)

    def ours_backup(size: str, version_env: dict[str, str]) -> Callable[[Credentials], Timed]:
        def run(cnf: Credentials) -> Timed:
            for old in (project / "backups" / size).glob("*"):
                old.unlink()
            return shell(f"{mrpplan} --project {project} backup {size} --auto", cnf, version_env)

        return run

    def stock_backup(size: str) -> Callable[[Credentials], Timed]:
        database = SOURCES[size][0]
        out = work / f"stock_{size}.sql.gz"
        return lambda c: shell(
            f"mariadb-dump {c.option} --single-transaction {database} | gzip -1 > {out}", c
        )

    try:
        with client_credentials(info.settings()) as cnf:
            contenders: dict[str, Callable[[Credentials], Timed]] = {}
            for size in sizes:
                contenders[f"{size}_stock_backup"] = stock_backup(size)
                for version, version_env in versions.items():
                    contenders[f"{size}_mrpplan_backup{version}"] = ours_backup(size, version_env)
            if "large" in sizes and shutil.which("mydumper"):
                contenders["large_mydumper"] = lambda c: shell(
                    f"rm -rf {dumper_dir} && mydumper --defaults-file={c.path}"
                    f" -B {SOURCES['large'][0]} -o {dumper_dir} -t 2 -c --long-query-guard 999999",
                    c,
                )
            if "large" in sizes:
                contenders |= restores(project, work, mrpplan, versions, dumper_dir)
            for round_ in range(args.rounds):
                print(f"round {round_ + 1}/{args.rounds}", flush=True)
                for key, run in contenders.items():
                    target = TARGET.format(key.removeprefix("restore_").removesuffix("_before"))
                    if key.startswith("restore_"):
                        fresh(info, target)
                    loads.append(os.getloadavg()[0])
                    keep(key, run(cnf))
                    if key.startswith("restore_"):
                        assert checksums(info, target) == expected, f"{key}: data differs"
        report(best, work, loads)
    finally:
        conn = admin(info)
        with conn.cursor() as cur:
            for key in ("stock", "mrpplan", "myloader", "myloader_nolog"):
                cur.execute(f"DROP DATABASE IF EXISTS `{TARGET.format(key)}`")
            if not args.reuse:
                for name, _tables in SOURCES.values():
                    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()
        shutil.rmtree(work, ignore_errors=True)


def restores(
    project: Path,
    work: Path,
    mrpplan: str,
    versions: dict[str, dict[str, str]],
    dumper_dir: Path,
) -> dict[str, Callable[[Credentials], Timed]]:
    """The restore contenders; mrpplan restores the newest backup mrpplan made."""

    def ours(version_env: dict[str, str]) -> Callable[[Credentials], Timed]:
        def run(cnf: Credentials) -> Timed:
            backup = newest(project / "backups" / "large")
            command = f"{mrpplan} --project {project} restore target {backup} --force"
            return shell(command, cnf, version_env)

        return run

    def stock(cnf: Credentials) -> Timed:
        return shell(
            f"gunzip -c {work / 'stock_large.sql.gz'} | mariadb {cnf.option}"
            f" {TARGET.format('stock')}",
            cnf,
        )

    def myloader(flags: str, target: str) -> Callable[[Credentials], Timed]:
        return lambda c: shell(
            f"myloader --defaults-file={c.path} -d {dumper_dir} -B {target} -t 2 -o {flags}", c
        )

    found: dict[str, Callable[[Credentials], Timed]] = {"restore_stock": stock}
    for version, version_env in versions.items():
        found[f"restore_mrpplan{version}"] = ours(version_env)
    if shutil.which("myloader"):
        found["restore_myloader"] = myloader("-e", TARGET.format("myloader"))
        found["restore_myloader_nolog"] = myloader("", TARGET.format("myloader_nolog"))
    return found


def newest(folder: Path) -> Path:
    return max(folder.glob("*.sql.gz"), key=lambda p: p.stat().st_mtime)


def sql_mb(path: Path) -> float:
    out = subprocess.run(
        ["bash", "-c", f"gunzip -c {path} | wc -c"], capture_output=True, check=True
    ).stdout
    return int(out) / 1e6


def report(best: dict[str, Timed], work: Path, loads: list[float]) -> None:
    print(
        f"\nload average (1 min) while timing: min {min(loads):.2f}, max {max(loads):.2f},"
        f" mean {sum(loads) / len(loads):.2f}; {os.cpu_count()} cores"
    )
    rows = [
        ("large backup", "mariadb-dump --single-transaction | gzip -1", "large_stock_backup"),
        ("large backup", "mrpplan backup ENV --auto", "large_mrpplan_backup"),
        ("large backup", "mrpplan backup ENV --auto (before)", "large_mrpplan_backup_before"),
        ("large backup", "mydumper -t 2 -c (per-table files)", "large_mydumper"),
        ("small backup", "mariadb-dump --single-transaction | gzip -1", "small_stock_backup"),
        ("small backup", "mrpplan backup ENV --auto", "small_mrpplan_backup"),
        ("small backup", "mrpplan backup ENV --auto (before)", "small_mrpplan_backup_before"),
        ("restore", "gunzip -c | mariadb", "restore_stock"),
        ("restore", "mrpplan restore ENV FILE --force", "restore_mrpplan"),
        ("restore", "mrpplan restore ENV FILE --force (before)", "restore_mrpplan_before"),
        ("restore", "myloader -t 2 -e (binary log on)", "restore_myloader"),
        ("restore", "myloader -t 2 (rows not binary-logged)", "restore_myloader_nolog"),
    ]
    stock_of = {"large backup": "large_stock_backup", "small backup": "small_stock_backup"}
    stock_of["restore"] = "restore_stock"
    for size in ("large", "small"):
        stock_file = work / f"stock_{size}.sql.gz"
        if stock_file.exists():
            print(
                f"{size}: {sql_mb(stock_file):.0f} MB of SQL, {stock_file.stat().st_size / 1e6:.0f}"
                " MB as gzip -1"
            )
    print(
        f"\n{'':13s} {'what':44s} {'seconds':>8s} {'stock/this':>11s} {'CPU: client':>12s}"
        f" {'server':>7s}"
    )
    for group, what, key in rows:
        if key not in best:
            continue
        timed = best[key]
        ratio = best[stock_of[group]].seconds / timed.seconds
        print(
            f"{group:13s} {what:44s} {timed.seconds:8.2f} {ratio:10.2f}x"
            f" {timed.client_cpu:12.2f} {timed.server_cpu:7.2f}"
        )
    print(
        "(CPU: seconds of CPU of the command with its children, and of the server, in the"
        " best round)"
    )
    marks = {
        f"{what}{version}": phase_marks
        for version in ("", "_before")
        for what, phase_marks in (
            ("restore_mrpplan", RESTORE_PHASES),
            ("large_mrpplan_backup", BACKUP_PHASES),
            ("small_mrpplan_backup", BACKUP_PHASES),
        )
    }
    for key, phase_marks in marks.items():
        if key not in best:
            continue
        timed = best[key]
        print(f"\nphases of {key} (best round, {timed.seconds:.2f} s):")
        for name, seconds in phases(timed, phase_marks):
            print(f"  {name:55s} {seconds:6.2f} s {100 * seconds / timed.seconds:5.1f}%")


if __name__ == "__main__":
    main()
