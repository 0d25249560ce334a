"""Benchmark of plan and apply against the stock client tools (issue 14), whole-process times.

Run on demand (not part of the tests):
    .venv/bin/python bench/bench_plan.py [--sizes erp,1000] [--code DIR]

Generates an ERP-sized project (about 400 tables built by a base schema plus 60 migrations
holding 900 ALTERs, 200 foreign keys) and a 1,000-table one, and prints for each, in one run:
`mrpplan --help`; a no-change `plan` vs `mariadb-dump --no-data`; the first `plan` after
one new migration; a cold `plan` (no cache, as in CI) vs loading the schema with
`mariadb < schema.sql`; `apply` of the whole schema into an empty database vs the same load.
Every time is the whole process a user waits for. `--code DIR` measures another checkout
of mrpplan (e.g. the commit before a change) with the same generated projects.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_schema import TYPES as COLUMN_TYPES  # noqa: E402

from mrpplan import sandbox  # noqa: E402

AREAS = ["item", "bom", "route", "wo", "po", "so", "inv", "lot", "qc", "mrp", "cost", "ship"]


@dataclass
class _Table:
    name: str
    columns: dict[str, str] = field(default_factory=dict)  # alterable column -> its type
    keys: int = 0
    fks: int = 0


@dataclass(frozen=True)
class Project:
    """A generated schema: base statements and migrations (each a list of statements)."""

    base: list[str]
    migrations: list[list[str]]

    @property
    def tables(self) -> int:
        every = self.base + [s for m in self.migrations for s in m]
        return sum(1 for s in every if s.startswith("CREATE TABLE"))

    def counts(self) -> str:
        every = self.base + [s for m in self.migrations for s in m]
        alters = sum(1 for s in every if s.startswith("ALTER TABLE"))
        fks = sum(s.count("FOREIGN KEY") for s in every)
        return (
            f"{self.tables} tables, {len(self.migrations)} migrations, {alters} ALTERs,"
            f" {fks} foreign keys"
        )

    def schema_sql(self) -> str:
        every = self.base + [s for m in self.migrations for s in m]
        return "".join(f"{s};\n" for s in every)


def _create(
    rng: random.Random, number: int, parents: Sequence[_Table], fk: bool
) -> tuple[str, _Table]:
    area = AREAS[number % len(AREAS)]
    table = _Table(f"{area}_{number:04d}")
    cols = ["`id` INT UNSIGNED NOT NULL AUTO_INCREMENT", "`code` VARCHAR(30) NOT NULL"]
    for k in range(rng.randint(5, 10)):
        kind = rng.choice(COLUMN_TYPES)
        cols.append(f"`c{k}` {kind}")
        table.columns[f"c{k}"] = kind
    keys = ["PRIMARY KEY (`id`)", f"UNIQUE KEY `uq_{table.name}_code` (`code`)"]
    keys.append(f"KEY `ix_{table.name}_c0` (`c0`)")
    if fk and parents:
        parent = rng.choice(parents[-60:])
        cols.append(f"`{parent.name}_id` INT UNSIGNED NULL")
        keys.append(
            f"CONSTRAINT `fk_{table.name}_{parent.name}` FOREIGN KEY (`{parent.name}_id`)"
            f" REFERENCES `{parent.name}` (`id`) ON DELETE RESTRICT"
        )
        table.fks += 1
    body = ",\n  ".join(cols + keys)
    text = (
        f"CREATE TABLE `{table.name}` (\n  {body}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        f" COMMENT='{area} table {number}'"
    )
    return text, table


def _alter(rng: random.Random, tables: list[_Table], fk_left: int, serial: int) -> tuple[str, bool]:
    """One ALTER TABLE of an existing table; True when it adds a foreign key."""
    table = rng.choice(tables)
    t = f"`{table.name}`"
    if fk_left > 0 and rng.random() < 0.25:
        parent = rng.choice([p for p in tables if p is not table] or tables)
        column = f"ref{serial}_id"
        table.fks += 1
        return (
            f"ALTER TABLE {t} ADD COLUMN `{column}` INT UNSIGNED NULL,"
            f" ADD CONSTRAINT `fk_{table.name}_{serial}` FOREIGN KEY (`{column}`)"
            f" REFERENCES `{parent.name}` (`id`)",
            True,
        )
    roll = rng.random()
    if roll < 0.45 or not table.columns:
        column = f"m{serial}"
        kind = rng.choice(COLUMN_TYPES)
        table.columns[column] = kind
        return f"ALTER TABLE {t} ADD COLUMN `{column}` {kind}", False
    column = rng.choice(sorted(table.columns))
    if roll < 0.7:
        table.keys += 1
        part = f"`{column}`(20)" if table.columns[column].startswith("TEXT") else f"`{column}`"
        return f"ALTER TABLE {t} ADD KEY `ix_{table.name}_{serial}` ({part})", False
    if roll < 0.85:
        table.columns[column] = f"VARCHAR({60 + serial % 100}) NULL"
        return f"ALTER TABLE {t} MODIFY `{column}` {table.columns[column]}", False
    if roll < 0.93:
        return f"ALTER TABLE {t} COMMENT = 'changed by migration {serial}'", False
    del table.columns[column]
    return f"ALTER TABLE {t} DROP COLUMN `{column}`", False


def erp_project(
    tables: int = 400, alters: int = 900, fks: int = 200, migrations: int = 60, seed: int = 14
) -> Project:
    """An ERP-like schema: 80% of the tables in the base schema, the rest and `alters`
    ALTER TABLEs spread over `migrations` migrations; `fks` foreign keys in all."""
    rng = random.Random(seed)
    made: list[_Table] = []
    base: list[str] = []
    in_base = tables * 4 // 5
    inline_fks = fks * 2 // 5
    for n in range(in_base):
        text, table = _create(rng, n, made, fk=n > 0 and rng.random() < inline_fks / in_base)
        base.append(text)
        made.append(table)
    fk_left = fks - sum(t.fks for t in made)
    steps: list[list[str]] = [[] for _ in range(migrations)]
    creates = list(range(in_base, tables))
    for serial in range(alters):
        steps[serial * migrations // alters].append("")  # placeholder keeps the spread even
    out: list[list[str]] = []
    serial = 0
    for m, slots in enumerate(steps):
        stmts: list[str] = []
        late = tables - in_base
        for _ in range(late * (m + 1) // migrations - late * m // migrations):
            number = creates.pop(0)
            text, table = _create(rng, number, made, fk=False)
            stmts.append(text)
            made.append(table)
        for _ in slots:
            text, added_fk = _alter(rng, made, fk_left, serial)
            fk_left -= added_fk
            serial += 1
            stmts.append(text)
        out.append(stmts)
    return Project(base, out)


def wide_project(tables: int = 1000, seed: int = 7) -> Project:
    """A generated schema of `tables` tables in the base schema, ~0.7 foreign keys each."""
    rng = random.Random(seed)
    made: list[_Table] = []
    base = []
    for n in range(tables):
        text, table = _create(rng, n, made, fk=n > 0 and rng.random() < 0.7)
        base.append(text)
        made.append(table)
    return Project(base, [])


def write_project(root: Path, project: Project, database: str, option_file: Path) -> None:
    """The project folder: one environment `bench`, the base schema and the migrations."""
    (root / "environments").mkdir(parents=True)
    (root / "database" / "schema").mkdir(parents=True)
    (root / "database" / "migrations").mkdir(parents=True)
    (root / "environments" / "bench.yaml").write_text(
        f"name: bench\nconnection:\n  database: {database}\n  option_file: {option_file}\n"
        "protected: false\nschema:\n  version: latest\n  drift: warn\nseeds: []\n"
        "policy:\n  allow_destructive: true\n  checkpoint: auto\n"
    )
    (root / "database" / "schema" / "01_base.sql").write_text(
        "".join(f"{s};\n\n" for s in project.base)
    )
    for n, stmts in enumerate(project.migrations, start=1):
        body = "".join(f"{s};\n" for s in stmts)
        (root / "database" / "migrations" / f"{n:03d}_change_{n}.sql").write_text(
            f"-- mrpplan:up\n{body}"
        )


class Runner:
    """Whole-process runs of `mrpplan` (from --code, or this tree) and the client tools."""

    def __init__(self, code: Path, info: sandbox.SandboxInfo):
        self.env = {**os.environ, "PYTHONPATH": str(code), "NO_COLOR": "1"}
        self.info = info

    def mrpplan(self, project: Path, *args: str, check: bool = True) -> float:
        return _timed(
            [sys.executable, "-m", "mrpplan", *args], cwd=project, env=self.env, check=check
        )

    def client(self, *args: str, stdin: Path | None = None) -> float:
        tool = shutil.which("mariadb") or "mysql"
        return _timed([tool, f"--defaults-extra-file={self.info.option_file}", *args], stdin=stdin)

    def dump(self, database: str) -> float:
        tool = shutil.which("mariadb-dump") or "mysqldump"
        return _timed(
            [
                tool,
                f"--defaults-extra-file={self.info.option_file}",
                "--no-data",
                "--skip-comments",
                database,
            ]
        )


def _timed(
    argv: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: Path | None = None,
    check: bool = True,
) -> float:
    start = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        done = subprocess.run(
            argv, cwd=cwd, env=env, stdin=source, capture_output=True, check=False
        )
    took = time.perf_counter() - start
    if check and done.returncode not in (0, 2):
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}"
        )
    return took


def best(fn: Callable[[], float], repeat: int) -> float:
    return min(fn() for _ in range(repeat))


def measure(runner: Runner, label: str, project: Project, repeat: int) -> list[tuple[str, ...]]:
    """The table's rows for one generated project."""
    tag = secrets.token_hex(3)
    live, ref = f"bench_plan_{tag}", f"bench_ref_{tag}"
    root = Path(tempfile.mkdtemp(prefix=f"mrpplan-bench-{label}-"))
    write_project(root, project, live, runner.info.option_file)
    (root / "schema.sql").write_text(project.schema_sql())
    print(f"{label}: {project.counts()}", flush=True)
    rows: list[tuple[str, ...]] = []
    try:

        def load() -> float:
            runner.client("-e", f"DROP DATABASE IF EXISTS `{ref}`; CREATE DATABASE `{ref}`")
            return runner.client(ref, stdin=root / "schema.sql")

        load_s = best(load, 2)
        runner.mrpplan(root, "plan", "bench", "--out", "plans/all.json")
        apply_s = runner.mrpplan(root, "apply", "plans/all.json", "--auto-approve")
        rows.append(
            _row(
                f"{label}: apply whole schema into an empty db",
                apply_s,
                "mariadb <",
                load_s,
                "<= 1.5x",
            )
        )

        def cold() -> float:
            shutil.rmtree(root / ".mrpplan" / "cache", ignore_errors=True)
            return runner.mrpplan(root, "plan", "bench", "--detailed-exitcode")

        cold_s = best(cold, 2)
        rows.append(_row(f"{label}: cold plan (no cache)", cold_s, "mariadb <", load_s, "<= 1.2x"))
        warm_s = best(lambda: runner.mrpplan(root, "plan", "bench", "--detailed-exitcode"), repeat)
        dump_s = best(lambda: runner.dump(live), repeat)
        rows.append(
            _row(
                f"{label}: no-change plan",
                warm_s,
                "mariadb-dump --no-data",
                dump_s,
                ">= 4x/6x faster",
                faster=True,
            )
        )
        if project.migrations:
            rows.append(_new_migration_row(runner, root, label, project, warm_s))
    finally:
        runner.client("-e", f"DROP DATABASE IF EXISTS `{live}`; DROP DATABASE IF EXISTS `{ref}`")
        shutil.rmtree(root, ignore_errors=True)
    return rows


def _new_migration_row(
    runner: Runner, root: Path, label: str, project: Project, warm_s: float
) -> tuple[str, ...]:
    """A pull request's first plan: one new migration with one ALTER (best of three)."""
    next_number = len(project.migrations) + 1
    path = root / "database" / "migrations" / f"{next_number:03d}_pull_request.sql"
    table = project.base[len(project.base) // 2].split("`")[1]
    times = []
    for n in range(3):
        path.write_text(f"-- mrpplan:up\nALTER TABLE `{table}` ADD COLUMN `pr_{n}` INT NULL;\n")
        times.append(runner.mrpplan(root, "plan", "bench", "--detailed-exitcode"))
    path.unlink()
    first = min(times)
    return (
        f"{label}: first plan after one new migration",
        f"{first:.3f} s",
        "no-change plan",
        f"{warm_s:.3f} s",
        f"+{(first - warm_s) * 1000:.0f} ms",
        "+300 ms",
    )


def _row(
    what: str, ours: float, tool: str, theirs: float, goal: str, faster: bool = False
) -> tuple[str, ...]:
    ratio = f"{theirs / ours:.2f}x faster" if faster else f"{ours / theirs:.2f}x"
    return (what, f"{ours:.3f} s", tool, f"{theirs:.3f} s", ratio, goal)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="erp,1000", help="erp and/or a table count")
    parser.add_argument("--code", type=Path, default=ROOT, help="the mrpplan checkout to run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per warm measurement")
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    # an installed package runs from compiled bytecode; where PYTHONDONTWRITEBYTECODE is set
    # nothing would write it, and each process would compile every module again
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(args.code.resolve() / "mrpplan")],
        check=False,
        capture_output=True,
    )
    runner = Runner(args.code.resolve(), info)
    rows = [
        _row(
            "mrpplan --help", best(lambda: runner.mrpplan(ROOT, "--help"), 10), "", 1.0, "<= 0.15 s"
        )
    ]
    rows[0] = (*rows[0][:2], "", "", "", rows[0][5])
    for size in args.sizes.split(","):
        if size == "erp":
            rows += measure(runner, "erp", erp_project(), args.repeat)
        else:
            rows += measure(runner, f"{size} tables", wide_project(int(size)), args.repeat)
    print()
    print(f"code: {args.code.resolve()}  load average: {os.getloadavg()[0]:.1f}")
    print("| measure | mrpplan | against | that takes | ratio | goal |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
