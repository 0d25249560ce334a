"""Benchmark of fleet plan and apply (issue 16): 1, 50 and 200 tenant databases.

Run on demand (not part of the tests):
    .venv/bin/python bench/bench_fleet.py [--sizes 1,50,200] [--loop-sample 20]

Every tenant holds the example project's schema at its latest version (cloned from one
database built by mrpplan, with its history rows); the project then gets one new migration
(a UNIQUE key). For each fleet size it prints:
  - `plan` of the fleet in-process (the library call: how many desired-schema builds it
    needed), and the whole `mrpplan plan` process a user waits for;
  - `mrpplan apply` of that saved plan (canary 1, then 4 at a time);
  - per-database cost of each, and the ratio against planning each database on its own,
    `mrpplan plan ENV` in a shell loop (measured on `--loop-sample` databases of the fleet:
    the loop's cost per database does not depend on the fleet's size).
Plan time should grow linearly (or better) with the number of databases.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mrpplan import sandbox  # noqa: E402

MIGRATION = """-- 004: one name per currency

-- mrpplan:up

ALTER TABLE currencies ADD UNIQUE KEY uq_currencies_name (name);

-- mrpplan:down

ALTER TABLE currencies DROP KEY uq_currencies_name;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,50,200")
    parser.add_argument("--loop-sample", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    info = sandbox.up(sandbox.default_dir(ROOT))
    work = Path(tempfile.mkdtemp(prefix="mrpplan-bench-fleet-"))
    run_id = secrets.token_hex(2)
    created: list[str] = []
    try:
        project = _project(work, info, args.parallel)
        template = f"bft{run_id}_template"
        created.append(template)
        _build_template(project, info, template)
        dump = _dump(info, template)
        (project / "database" / "migrations" / "004_unique_currency_name.sql").write_text(MIGRATION)
        rows = []
        for size in sizes:
            prefix = f"bft{run_id}_{size}_"
            names = [f"{prefix}{n:04d}" for n in range(size)]
            started = time.monotonic()
            _clone(info, dump, names)
            created += names
            print(f"  cloned {size} tenant database(s) in {time.monotonic() - started:.1f} s")
            rows.append(_measure(project, info, size, prefix, names, args.loop_sample))
        _report(rows)
    finally:
        _drop(info, created)
        shutil.rmtree(work, ignore_errors=True)


def _project(work: Path, info: sandbox.SandboxInfo, parallel: int) -> Path:
    project = work / "project"
    project.mkdir()
    shutil.copytree(ROOT / "database", project / "database", ignore=_no_backups)
    (project / "environments").mkdir()
    (project / "plans").mkdir()
    common = (
        "schema: {version: latest, drift: error}\n"
        f"fleet: {{parallel: {parallel}, canary: 1}}\n"
        "policy: {allow_destructive: false, checkpoint: auto}\n"
    )
    (project / "environments" / "fleet.yaml").write_text(
        "name: fleet\n"
        f"connection: {{option_file: '{info.option_file}', database: '${{BENCH_PATTERN}}'}}\n"
        + common
    )
    (project / "environments" / "one.yaml").write_text(
        "name: one\n"
        f"connection: {{option_file: '{info.option_file}', database: '${{BENCH_DB}}'}}\n" + common
    )
    return project


def _no_backups(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "backups"]


def _cli(
    project: Path, *args: str, env: dict[str, str] | None = None, allow_failure: bool = False
) -> float:
    merged = {**os.environ, "NO_COLOR": "1", "MRPPLAN_PLAN_KEY": "", **(env or {})}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "mrpplan", "--project", str(project), *args],
        capture_output=True,
        text=True,
        env=merged,
        check=False,
    )
    elapsed = time.monotonic() - started
    if done.returncode == 1 and allow_failure:  # a fleet apply that stopped part-way
        print(
            "  "
            + "\n  ".join(
                line
                for line in done.stderr.splitlines()
                if "FAILED" in line or "ROLLED BACK" in line or "ERROR" in line
            )
        )
        print("  " + next(line for line in done.stdout.splitlines() if "Fleet apply:" in line))
    elif done.returncode not in (0, 2):
        raise SystemExit(f"mrpplan {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def _build_template(project: Path, info: sandbox.SandboxInfo, name: str) -> None:
    _client(info, f"CREATE DATABASE `{name}`")
    _cli(project, "apply", "one", "--auto-approve", env={"BENCH_DB": name})


def _dump(info: sandbox.SandboxInfo, template: str) -> str:
    done = subprocess.run(
        [
            "mariadb-dump",
            f"--defaults-extra-file={info.option_file}",
            "--skip-dump-date",
            "--no-create-db",
            f"--ignore-table={template}.mrpplan_apply_journal",
            template,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _clone(info: sandbox.SandboxInfo, dump: str, names: list[str]) -> None:
    """Every tenant through one client process: the template's schema and history rows."""
    script = "".join(
        f"CREATE DATABASE `{n}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;\nUSE `{n}`;\n"
        + dump
        for n in names
    )
    subprocess.run(
        ["mariadb", f"--defaults-extra-file={info.option_file}"],
        input=script,
        text=True,
        check=True,
    )


def _client(info: sandbox.SandboxInfo, sql: str) -> None:
    subprocess.run(
        ["mariadb", f"--defaults-extra-file={info.option_file}", "-e", sql],
        check=True,
    )


def _drop(info: sandbox.SandboxInfo, names: list[str]) -> None:
    if names:
        _client(info, "".join(f"DROP DATABASE IF EXISTS `{n}`;" for n in names))


def _measure(
    project: Path,
    info: sandbox.SandboxInfo,
    size: int,
    prefix: str,
    names: list[str],
    loop_sample: int,
) -> dict[str, float]:
    from mrpplan.config import Project, load_environment
    from mrpplan.desired import workspace
    from mrpplan.fleet.planner import make_fleet_plan
    from mrpplan.wiring import wiring

    pattern = {"BENCH_PATTERN": f"{prefix}%"}
    os.environ.update(pattern)
    env = load_environment(Project(project), "fleet")
    shutil.rmtree(project / ".mrpplan" / "cache", ignore_errors=True)  # cold, as in CI
    workspace._MEMORY.clear()
    builds = len(workspace.BUILDS)
    started = time.monotonic()
    fleet = make_fleet_plan(Project(project), env, wiring=wiring())
    library = time.monotonic() - started
    built = len(workspace.BUILDS) - builds
    assert len(fleet.changing) == size, f"{len(fleet.changing)} of {size} change"

    plan_file = project / "plans" / f"fleet-{size}.json"
    plan = _cli(project, "plan", "fleet", "--out", str(plan_file), env=pattern)
    sample = names[: max(1, min(loop_sample, size))]
    started = time.monotonic()
    for name in sample:  # what a shell loop over the databases does
        one = str(project / "plans" / "one.json")
        _cli(project, "plan", "one", "--out", one, env={"BENCH_DB": name})
    loop_each = (time.monotonic() - started) / len(sample)
    apply = _cli(
        project, "apply", str(plan_file), "--auto-approve", env=pattern, allow_failure=True
    )
    print(
        f"  {size} db: plan {plan:.2f} s (library {library:.2f} s, {built} desired-schema "
        f"builds), apply {apply:.2f} s, shell loop {loop_each:.2f} s per db"
    )
    return {
        "size": size,
        "library": library,
        "builds": built,
        "plan": plan,
        "apply": apply,
        "loop_each": loop_each,
    }


def _report(rows: list[dict[str, float]]) -> None:
    print()
    print(
        f"{'dbs':>5} {'plan s':>8} {'per db':>8} {'lib s':>7} {'builds':>6} "
        f"{'apply s':>8} {'per db':>8} {'loop/db':>8} {'loop x':>7}"
    )
    for r in rows:
        size = r["size"]
        per_plan = r["plan"] / size
        print(
            f"{size:>5.0f} {r['plan']:>8.2f} {per_plan:>8.3f} {r['library']:>7.2f} "
            f"{r['builds']:>6.0f} {r['apply']:>8.2f} {r['apply'] / size:>8.3f} "
            f"{r['loop_each']:>8.3f} {r['loop_each'] / per_plan:>6.1f}x"
        )
    print(
        "\nplan s / apply s: the whole `mrpplan plan|apply` process; lib s: make_fleet_plan in "
        "process; builds: desired schemas built by it from a cold cache; loop/db: one "
        "`mrpplan plan` process per database; loop x: loop cost per db / fleet plan cost per db."
    )


if __name__ == "__main__":
    main()
