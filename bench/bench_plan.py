"""Benchmark of plan and apply against the stock client tools (issues 14, 28), whole-process
times.

Run on demand (not part of the tests):
    .venv/bin/python bench/bench_plan.py [--sizes erp,1000] [--code DIR ...] [--profile]
        [--schema-dir DIR] [--repeat 5] [--slow-repeat 3] [--no-change-only]

Generates an ERP-sized project (about 400 tables built by a base schema plus 60 migrations
holding 900 ALTERs, 200 foreign keys) and a 1,000-table one (`--sizes`), or takes a real
schema (`--schema-dir`: a folder of `*.sql` files, `*.key.sql` loaded after the tables, as
Dolibarr's `htdocs/install/mysql/tables`; files with a `-` in their name are external
modules' and left out, as Dolibarr's installer does). For each it prints, in one run:
`mrpplan --help`; a no-change `plan` vs `mariadb-dump --no-data`; the first `plan` after
one new migration; a cold `plan` (no cache, as in CI) of the database that is up to date,
and of an empty database (every migration pending: each is traced statement by statement),
vs loading the schema with `mariadb < schema.sql`; `apply` of the whole schema into an empty
database (the plan made just before it, with no cache) vs the same load.
`--no-change-only` times only `--help`, the no-change plan and the first plan after a new
migration (start-up and fixed costs; a few minutes instead of half an hour).

Every time is the whole process a user waits for, the median of N runs; the stock tool and
each checkout of mrpplan (`--code DIR`, repeatable: e.g. an export of the commit before a
change, then this tree) run in turns, so a busy machine slows each alike. `--profile` runs
each mrpplan command once more under cProfile and prints its phases with their share.
Dolibarr's tables:
    git clone --depth 1 --filter=blob:none --sparse https://github.com/Dolibarr/dolibarr
    git -C dolibarr sparse-checkout set htdocs/install/mysql/tables
    python bench/bench_plan.py --label dolibarr --schema-dir dolibarr/htdocs/install/mysql/tables
"""

from __future__ import annotations

import argparse
import os
import pstats
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
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
        return sum(1 for s in every if s[:12].upper() == "CREATE TABLE")

    def counts(self) -> str:
        every = self.base + [s for m in self.migrations for s in m]
        alters = sum(1 for s in every if s[:11].upper() == "ALTER TABLE")
        fks = sum(s.upper().count("FOREIGN KEY") for s in every)
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


def directory_project(folder: Path) -> Project:
    """A real schema's folder: the tables' files, then the keys' (`*.key.sql`), each in name
    order; a file with `-` in its name belongs to an external module and is left out."""
    from mrpplan.sqlfiles.split import split_sql

    files = sorted(f for f in folder.glob("*.sql") if "-" not in f.name)
    ordered = [f for f in files if not f.name.endswith(".key.sql")]
    ordered += [f for f in files if f.name.endswith(".key.sql")]
    statements = [
        s.text.strip().rstrip(";").strip()
        for f in ordered
        for s in split_sql(f.read_text(encoding="utf-8", errors="replace"), f)
    ]
    return Project([s for s in statements if s], [])


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
    """Whole-process runs of `mrpplan` from one checkout (`code`)."""

    def __init__(self, code: Path, name: str):
        self.code = code
        self.name = name
        self.env = {**os.environ, "PYTHONPATH": str(code), "NO_COLOR": "1"}

    def mrpplan(self, project: Path, *args: str, profile: Path | None = None) -> float:
        run = ["-m", "cProfile", "-o", str(profile)] if profile else []
        # -P: the working directory (this checkout for --help) never comes before PYTHONPATH
        return _timed(
            [sys.executable, "-P", *run, "-m", "mrpplan", *args], cwd=project, env=self.env
        )


class Tools:
    """The stock client tools on the sandbox."""

    def __init__(self, info: sandbox.SandboxInfo):
        self.option_file = info.option_file

    def client(self, *args: str, stdin: Path | None = None) -> float:
        tool = shutil.which("mariadb") or "mysql"
        return _timed([tool, f"--defaults-extra-file={self.option_file}", *args], stdin=stdin)

    def dump(self, database: str) -> float:
        tool = shutil.which("mariadb-dump") or "mysqldump"
        return _timed(
            [
                tool,
                f"--defaults-extra-file={self.option_file}",
                "--no-data",
                "--skip-comments",
                database,
            ]
        )

    def settle(self) -> None:
        """Wait (untimed) until the scratch databases that commands dropped on their way
        out are gone, so the next command, whichever it is, meets an idle server."""
        tool = shutil.which("mariadb") or "mysql"
        query = "SHOW DATABASES LIKE '\\_mrpplan\\_ws\\_%'"
        argv = [tool, f"--defaults-extra-file={self.option_file}", "-N", "-e", query]
        deadline = time.monotonic() + 120
        while subprocess.run(argv, capture_output=True, check=False).stdout.strip():
            if time.monotonic() > deadline:
                raise SystemExit("a workspace scratch database stayed for 2 minutes")
            time.sleep(0.05)

    def fresh(self, database: str) -> None:
        self.client("-e", f"DROP DATABASE IF EXISTS `{database}`; CREATE DATABASE `{database}`")

    def drop(self, database: str) -> None:
        self.client("-e", f"DROP DATABASE IF EXISTS `{database}`")


def _timed(
    argv: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: Path | None = None,
) -> float:
    start = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        done = subprocess.run(
            argv, cwd=cwd, env=env, stdin=source, capture_output=True, check=False
        )
    took = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}"
        )
    return took


@dataclass
class Measure:
    """One row: the stock tool's times and each checkout's, run in turns."""

    what: str
    tool: str
    goal: str
    faster: bool = False  # the ratio reads "N x faster" (tool / mrpplan)
    theirs: list[float] = field(default_factory=list)
    ours: dict[str, list[float]] = field(default_factory=dict)

    def cells(self, names: Sequence[str]) -> list[str]:
        theirs = statistics.median(self.theirs) if self.theirs else None
        out = [self.what, self.tool, f"{theirs:.3f} s" if theirs else ""]
        for name in names:
            mine = statistics.median(self.ours[name])
            if theirs is None:
                out += [f"{mine:.3f} s", ""]
            elif self.faster:
                out += [f"{mine:.3f} s", f"{theirs / mine:.2f}x faster"]
            else:
                out += [f"{mine:.3f} s", f"{mine / theirs:.2f}x"]
        return [*out, self.goal]


class Bench:
    """The projects of one size, one copy per checkout (each its own database and cache)."""

    def __init__(self, tools: Tools, runners: list[Runner], label: str, project: Project):
        self.tools, self.runners, self.label, self.project = tools, runners, label, project
        self.planned = 0.0  # the last `apply`'s plan of the empty database, in seconds
        tag = secrets.token_hex(3)
        self.ref = f"bench_ref_{tag}"
        self.roots: dict[str, Path] = {}
        self.live: dict[str, str] = {}
        for n, runner in enumerate(runners):
            root = Path(tempfile.mkdtemp(prefix=f"mrpplan-bench-{n}-"))
            self.live[runner.name] = f"bench_plan_{tag}_{n}"
            write_project(root, project, self.live[runner.name], tools.option_file)
            (root / "schema.sql").write_text(project.schema_sql())
            self.roots[runner.name] = root

    def close(self) -> None:
        for name, root in self.roots.items():
            self.tools.drop(self.live[name])
            shutil.rmtree(root, ignore_errors=True)
        self.tools.drop(self.ref)

    def load(self) -> float:
        self.tools.fresh(self.ref)
        schema = next(iter(self.roots.values())) / "schema.sql"
        return self.tools.client(self.ref, stdin=schema)

    def apply(self, runner: Runner, profile: Path | None = None) -> float:
        """The apply of a plan made just before for the empty database, with no cache (as a
        new environment in CI); that plan's own time is kept in `planned`."""
        root = self.roots[runner.name]
        self.tools.drop(self.live[runner.name])
        shutil.rmtree(root / ".mrpplan" / "cache", ignore_errors=True)
        self.planned = runner.mrpplan(root, "plan", "bench", "--out", "plans/all.json")
        self.tools.settle()
        took = runner.mrpplan(root, "apply", "plans/all.json", "--auto-approve", profile=profile)
        self.tools.settle()
        return took

    def cold(self, runner: Runner, profile: Path | None = None) -> float:
        root = self.roots[runner.name]
        shutil.rmtree(root / ".mrpplan" / "cache", ignore_errors=True)
        took = runner.mrpplan(root, "plan", "bench", "--detailed-exitcode", profile=profile)
        self.tools.settle()
        return took

    def warm(self, runner: Runner, profile: Path | None = None) -> float:
        root = self.roots[runner.name]
        took = runner.mrpplan(root, "plan", "bench", "--detailed-exitcode", profile=profile)
        self.tools.settle()
        return took

    def rows(self, repeat: int, slow: int, no_change_only: bool = False) -> list[Measure]:
        label = self.label
        apply = Measure(f"{label}: apply whole schema into an empty db", "mariadb <", "<= 1.5x")
        cold = Measure(f"{label}: cold plan (no cache)", "mariadb <", "<= 1.2x")
        empty = Measure(
            f"{label}: cold plan of an empty db (every migration pending)", "mariadb <", ""
        )
        warm = Measure(
            f"{label}: no-change plan", "mariadb-dump --no-data", ">= 4x/6x faster", faster=True
        )
        if no_change_only:  # the live databases built once, untimed (start-up work)
            for runner in self.runners:
                self.apply(runner)
            slow = 0
        for _ in range(slow):
            apply.theirs.append(self.load())
            cold.theirs.append(apply.theirs[-1])
            empty.theirs.append(apply.theirs[-1])
            for runner in self.runners:
                apply.ours.setdefault(runner.name, []).append(self.apply(runner))
                empty.ours.setdefault(runner.name, []).append(self.planned)
            for runner in self.runners:
                cold.ours.setdefault(runner.name, []).append(self.cold(runner))
        first = next(iter(self.live.values()))
        for _ in range(repeat):
            warm.theirs.append(self.tools.dump(first))
            for runner in self.runners:
                warm.ours.setdefault(runner.name, []).append(self.warm(runner))
        rows = [warm] if no_change_only else [apply, empty, cold, warm]
        if self.project.migrations:
            rows.append(self._new_migration(warm))
        return rows

    def _new_migration(self, warm: Measure) -> Measure:
        """A pull request's first plan: one new migration with one ALTER (median of three),
        beside the no-change plan's median."""
        row = Measure(f"{self.label}: first plan after one new migration", "", "+300 ms")
        row.theirs = []
        table = self.project.base[len(self.project.base) // 2].split("`")[1]
        number = len(self.project.migrations) + 1
        for n in range(3):
            for runner in self.runners:
                path = self.roots[runner.name] / "database" / "migrations"
                path = path / f"{number:03d}_pull_request.sql"
                path.write_text(
                    f"-- mrpplan:up\nALTER TABLE `{table}` ADD COLUMN `pr_{n}` INT NULL;\n"
                )
                row.ours.setdefault(runner.name, []).append(self.warm(runner))
        for runner in self.runners:
            path = self.roots[runner.name] / "database" / "migrations"
            (path / f"{number:03d}_pull_request.sql").unlink()
        for name, times in row.ours.items():
            base = statistics.median(warm.ours[name])
            row.ours[name] = [t - base for t in times]
        row.what += " (added time)"
        return row

    def profiles(self, folder: Path, no_change_only: bool = False) -> list[tuple[str, str, Path]]:
        """Each command once more under cProfile: (checkout, command, profile file)."""
        out = []
        slow = () if no_change_only else (("apply", self.apply), ("cold plan", self.cold))
        for runner in self.runners:
            for command, run in slow:
                path = folder / f"{self.label}-{runner.name}-{command}.prof".replace(" ", "_")
                run(runner, profile=path)
                out.append((runner.name, command, path))
            path = folder / f"{self.label}-{runner.name}-warm.prof".replace(" ", "_")
            self.warm(runner)
            self.warm(runner, profile=path)
            out.append((runner.name, "no-change plan", path))
        return out


# the phases a profile is cut into: (label, file ending, function); they may nest (the
# lint reads a desired schema too), so the shares need not add up to 100%
PHASES = [
    ("start-up: imports", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("config + environment", "cli/context.py", "environment"),
    ("live schema read", "plan/live.py", "read_state"),
    ("desired schema: cache or build", "desired/workspace.py", "desired_chain"),
    ("  of which: build on the server", "mysql/workspace.py", "build"),
    ("    of which: the statements", "mysql/workspace.py", "_run"),
    ("  of which: dropping the scratch db", "mysql/workspace.py", "_drop"),
    ("steps (diff)", "plan/planner.py", "collect_drafts"),
    ("plan render", "fleet/publish.py", "emit"),
    ("lint", "lint/project.py", "lint_project"),
    ("apply: plan file read", "plan/fleet_planfile.py", "read_any"),
    ("apply: statement checks", "apply/verify.py", "check_plan"),
    ("apply: plan rebuilt under the lock", "plan/rebuild.py", "check_rebuilt"),
    ("apply: steps", "apply/executor.py", "run_steps"),
    ("  of which: journal", "mysql/journal.py", "_execute"),
    ("  of which: expected after-states", "plan/live.py", "statement_expectations"),
    ("  of which: rehearsals", "mysql/rehearse.py", "rehearse"),
    ("apply: final check", "apply/executor.py", "verify_desired"),
    ("server snapshots (SQL files' effects)", "mysql/server_effects.py", "read_server_state"),
    (
        "waiting on the server (socket reads)",
        "~",
        "<method 'recv_into' of '_socket.socket' objects>",
    ),
]


def phases(path: Path) -> list[tuple[str, float, float]]:
    """(phase, seconds, share of the whole run) of one profile, for the phases it has."""
    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    total = max(cum for (_cc, _nc, _tt, cum, _callers) in stats.values())
    out = []
    for label, ending, function in PHASES:
        seconds = 0.0
        for (file, _line, name), (_cc, _nc, _tt, cum, _callers) in stats.items():
            if name == function and file.endswith(ending):
                seconds = max(seconds, cum) if "importlib" in file else seconds + cum
        if seconds > 0.0005:
            out.append((label, seconds, seconds / total))
    return [("whole run (profiled)", total, 1.0), *out]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="erp,1000", help="erp and/or table counts")
    parser.add_argument(
        "--schema-dir", type=Path, help="a real schema's folder instead of --sizes (Dolibarr)"
    )
    parser.add_argument("--label", help="the name of --schema-dir's rows (e.g. dolibarr)")
    parser.add_argument(
        "--code",
        type=Path,
        action="append",
        help="an mrpplan checkout to run (repeatable; default: this tree)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each fast measurement")
    parser.add_argument("--slow-repeat", type=int, default=3, help="runs of applies and loads")
    parser.add_argument("--profile", action="store_true", help="print each command's phases")
    parser.add_argument(
        "--no-change-only",
        action="store_true",
        help="only --help, the no-change plan and the first plan after a new migration"
        " (the databases are built once, untimed)",
    )
    args = parser.parse_args()
    info = sandbox.up(sandbox.default_dir(ROOT))
    codes = [c.resolve() for c in (args.code or [ROOT])]
    runners = []
    for n, code in enumerate(codes):
        # an installed package runs from compiled bytecode; where PYTHONDONTWRITEBYTECODE is
        # set nothing would write it, and each process would compile every module again
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(code / "mrpplan")],
            check=False,
            capture_output=True,
        )
        runners.append(Runner(code, f"{n + 1}:{code.name}"))
    tools = Tools(info)
    names = [r.name for r in runners]
    load_before = os.getloadavg()
    help_row = Measure("mrpplan --help", "", "<= 0.15 s")
    for _ in range(10):
        for runner in runners:
            help_row.ours.setdefault(runner.name, []).append(runner.mrpplan(ROOT, "--help"))
    rows = [help_row]
    projects: list[tuple[str, Project]] = []
    if args.schema_dir:
        label = args.label or args.schema_dir.resolve().name
        projects.append((label, directory_project(args.schema_dir)))
    else:
        for size in args.sizes.split(","):
            projects.append(
                ("erp", erp_project())
                if size == "erp"
                else (f"{size} tables", wide_project(int(size)))
            )
    profiled: list[tuple[str, str, str, Path]] = []
    folder = Path(tempfile.mkdtemp(prefix="mrpplan-bench-profiles-"))
    for label, project in projects:
        print(f"{label}: {project.counts()}", flush=True)
        bench = Bench(tools, runners, label, project)
        try:
            rows += bench.rows(args.repeat, args.slow_repeat, args.no_change_only)
            if args.profile:
                profiled += [(label, *p) for p in bench.profiles(folder, args.no_change_only)]
        finally:
            bench.close()
    load_after = os.getloadavg()
    print()
    print(f"load average (1, 5, 15 min): before {_load(load_before)}, after {_load(load_after)}")
    for runner in runners:
        print(f"checkout {runner.name}: {runner.code}")
    print(
        f"median of {args.repeat} (plans, dumps) / {args.slow_repeat} (applies, loads, cold plans)"
    )
    header = ["measure", "against", "that takes"]
    for name in names:
        header += [name, "ratio"]
    print("| " + " | ".join([*header, "goal"]) + " |")
    print("|" + "---|" * (len(header) + 1))
    for row in rows:
        print("| " + " | ".join(row.cells(names)) + " |")
    for label, name, command, path in profiled:
        print(f"\n{label}, {command}, checkout {name}:")
        for phase, seconds, share in phases(path):
            print(f"  {phase:<40} {seconds:8.3f} s {share:6.1%}")
    return 0


def _load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.1f}" for x in load)


if __name__ == "__main__":
    raise SystemExit(main())
