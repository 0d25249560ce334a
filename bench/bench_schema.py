"""Benchmark of the schema engine on a generated 1,000-table ERP-like schema.

Run on demand (not part of the tests):  .venv/bin/python bench/bench_schema.py [--tables N]

Prints, in one run: inspect + diff with no change (cold: desired schema built in a
scratch database; warm: desired schema from the cache), with one changed table, and
`mariadb-dump --no-data` of the same schema, with the ratios. Targets (issue 3): warm
no-change under 0.5 s and at least 4x faster than mariadb-dump --no-data; one changed
table adds under 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from mrpplan import sandbox  # noqa: E402
from mrpplan.desired.workspace import desired_schema  # noqa: E402
from mrpplan.diff import diff_schemas  # noqa: E402
from mrpplan.diff.ddl import render_changes  # noqa: E402
from mrpplan.model import parse  # noqa: E402
from mrpplan.model.schema import Schema  # noqa: E402
from mrpplan.mysql.connection import client_tool, server_version, session  # noqa: E402
from mrpplan.mysql.flavor import Flavor  # noqa: E402
from mrpplan.mysql.inspect import inspect_schema  # noqa: E402
from mrpplan.mysql.workspace_place import sandbox_workspace  # noqa: E402
from mrpplan.sqlfiles.split import SqlStatement  # noqa: E402

TYPES = [
    "VARCHAR(40) NOT NULL",
    "VARCHAR(200) NULL",
    "DECIMAL(18,4) NOT NULL DEFAULT 0",
    "INT UNSIGNED NOT NULL DEFAULT 0",
    "DATE NULL",
    "DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP",
    "TINYINT(1) NOT NULL DEFAULT 1",
    "TEXT NULL",
    "ENUM('new','open','closed') NOT NULL DEFAULT 'new'",
]


def generate(tables: int, seed: int = 7) -> list[str]:
    """~11 columns, 3 indexes per table (PK + 2), ~0.7 FKs per table to earlier tables."""
    rng = random.Random(seed)
    out = []
    for i in range(tables):
        cols = ["`id` INT UNSIGNED NOT NULL AUTO_INCREMENT", "`code` VARCHAR(30) NOT NULL"]
        cols += [f"`c{k}` {rng.choice(TYPES)}" for k in range(8)]
        keys = ["PRIMARY KEY (`id`)", f"UNIQUE KEY `uq_t{i}_code` (`code`)"]
        fk = ""
        if i > 0 and rng.random() < 0.7:
            parent = rng.randrange(max(0, i - 50), i)
            cols.append("`parent_id` INT UNSIGNED NULL")
            keys.append(f"KEY `idx_t{i}_parent` (`parent_id`)")
            fk = (
                f", CONSTRAINT `fk_t{i}_parent` FOREIGN KEY (`parent_id`)"
                f" REFERENCES `t{parent:04d}` (`id`) ON DELETE RESTRICT"
            )
        else:
            cols.append("`created_by` VARCHAR(40) NULL")
            keys.append(f"KEY `idx_t{i}_created_by` (`created_by`)")
        body = ",\n  ".join(cols + keys)
        out.append(
            f"CREATE TABLE `t{i:04d}` (\n  {body}{fk}\n) ENGINE=InnoDB"
            f" DEFAULT CHARSET=utf8mb4 COMMENT='generated table {i}'"
        )
    return out


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    with contextlib.ExitStack() as stack:  # closes the admin session on every path
        return _main(stack)


def _main(stack: contextlib.ExitStack) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    args = parser.parse_args()

    info = sandbox.up(sandbox.default_dir(ROOT))
    database = f"bench_schema_{secrets.token_hex(4)}"
    settings = info.settings(database)
    ddl = generate(args.tables)
    statements = [SqlStatement(text, Path("bench.sql"), n + 1) for n, text in enumerate(ddl)]
    admin = stack.enter_context(session(settings, database=None))
    cache = Path(tempfile.mkdtemp(prefix="mrpplan-bench-"))
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
            cur.execute(f"USE `{database}`")
            start = time.perf_counter()
            for text in ddl:
                cur.execute(text)
            create_s = time.perf_counter() - start
        fks = sum(1 for text in ddl if "FOREIGN KEY" in text)
        print(f"schema: {args.tables} tables, ~11 columns and 3 indexes each, {fks} foreign keys")
        print(f"  creating it took {create_s:.2f} s")
        flavor = Flavor.parse(server_version(admin))

        phases: dict[str, float] = {}

        def plan_once() -> list[object]:
            t0 = time.perf_counter()
            with session(settings) as conn:
                live = inspect_schema(conn, database)
            t1 = time.perf_counter()
            desired = desired_schema(sandbox_workspace(info), statements, cache)
            t2 = time.perf_counter()
            parse._CACHE.clear()  # the changed table is parsed on every run
            steps = list(render_changes(diff_schemas(live, desired), flavor))
            t3 = time.perf_counter()
            phases.update(inspect=t1 - t0, desired=t2 - t1, diff=t3 - t2)
            return steps

        def best_diff(repeat: int) -> float:
            best = float("inf")
            for _ in range(repeat):
                plan_once()
                best = min(best, phases["diff"])
            return best

        cold, steps = timed(plan_once)
        assert steps == [], f"expected no change, got {len(steps)} steps"  # type: ignore[arg-type]
        warm, steps = timed(plan_once, repeat=7)
        assert steps == []
        diff_nochange = best_diff(7)

        with admin.cursor() as cur:
            cur.execute("ALTER TABLE `t0500` ADD COLUMN `extra` INT NULL AFTER `code`")
        changed, steps = timed(plan_once, repeat=7)
        assert len(steps) == 1, steps  # type: ignore[arg-type]
        diff_changed = best_diff(7)

        dump = client_tool(*flavor.dump_tool())

        def run_dump() -> None:
            subprocess.run(
                [
                    dump,
                    f"--defaults-extra-file={info.option_file}",
                    "--no-data",
                    "--skip-comments",
                    database,
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )

        dump_s, _ = timed(run_dump, repeat=3)

        def parse_all() -> None:
            parse._CACHE.clear()
            with session(settings) as conn:
                live = inspect_schema(conn, database)
            assert not Schema(live.tables).unsupported_tables()

        parse_s, _ = timed(parse_all)

        print(f"  inspect + diff, no change, cold (desired built in scratch db): {cold:.3f} s")
        print(f"  inspect + diff, no change, warm (desired from cache):          {warm:.3f} s")
        print(f"  inspect + diff, one changed table (warm):                      {changed:.3f} s")
        print(
            f"    one changed table adds (diff + parse + render):              "
            f"{(diff_changed - diff_nochange) * 1000:.1f} ms"
            f"  (end to end {(changed - warm) * 1000:+.0f} ms, server noise included)"
        )
        print(f"  {Path(dump).name} --no-data:                                     {dump_s:.3f} s")
        print(f"  (inspect + parse of every table, for reference:                {parse_s:.3f} s)")
        print(f"  ratio mariadb-dump / warm no-change: {dump_s / warm:.1f}x")
        ok_warm = warm < 0.5 and dump_s / warm >= 4
        ok_change = diff_changed - diff_nochange < 0.05
        print(
            f"  targets: warm < 0.5 s and >= 4x: {'met' if ok_warm else 'MISSED'};"
            f" one change < 50 ms: {'met' if ok_change else 'MISSED'}"
        )
        return 0 if ok_warm and ok_change else 1
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{database}`")


if __name__ == "__main__":
    raise SystemExit(main())
