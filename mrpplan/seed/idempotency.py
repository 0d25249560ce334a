"""Are the seeds idempotent? Run each twice in a scratch database and compare checksums.

Seeds are re-run (after a file changes, by `seed run --force`, by `refresh`), so a second
run must change nothing: upserts on natural keys, not plain INSERTs that add rows again.
The check builds the latest schema in a scratch database on the given server (the
environment's, or the sandbox), runs every seed once in file order, then runs each seed a
second time and compares `CHECKSUM TABLE` of every table before and after that second run.
Nothing outside the scratch database is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mrpplan.config.project import Project
from mrpplan.desired.directory import desired_statements
from mrpplan.mysql import seed_history as history
from mrpplan.mysql.connection import Session
from mrpplan.mysql.table_stats import base_tables, table_checksums
from mrpplan.mysql.workspace import scratch_database
from mrpplan.mysql.workspace_place import Workspace
from mrpplan.seed.runner import ROWS_VARIABLE, apply_seed, runnable_statements
from mrpplan.seed.sets import SeedFile, list_seeds


@dataclass(frozen=True)
class SeedCheck:
    seed: str
    path: str
    changed: tuple[str, ...]  # tables whose rows changed on the second run

    @property
    def idempotent(self) -> bool:
        return not self.changed

    def message(self) -> str:
        return (
            f"{self.path}: seed is not idempotent: running it a second time changed"
            f" {', '.join(self.changed)} (use upserts on natural keys, e.g."
            " INSERT ... ON DUPLICATE KEY UPDATE)"
        )


def check_idempotent(project: Project, workspace: Workspace) -> list[SeedCheck]:
    """One SeedCheck per seed file, in file order."""
    seeds = list_seeds(project.seeds_dir)
    if not seeds:
        return []
    prepared = [(seed, runnable_statements(seed)) for seed in seeds]
    with scratch_database(workspace, desired_statements(project, "latest")) as conn:
        history.ensure(conn)
        for seed, statements in prepared:
            _run(conn, seed, statements)
        return [_second_run(conn, seed, statements) for seed, statements in prepared]


def _run(conn: Session, seed: SeedFile, statements: Sequence[str]) -> None:
    record = history.record_sql(seed.name, seed.checksum, ROWS_VARIABLE)
    apply_seed(conn, seed.name, statements, record, source=str(seed.path))


def _checksums(conn: Session) -> dict[str, dict[str, int | None]]:
    with conn.cursor() as cur:
        cur.execute("SELECT DATABASE()")
        row = cur.fetchone()
    database = str(row[0]) if row else ""
    tables = [t for t in base_tables(conn, database) if not t.startswith(("mrpplan_", "_mrpplan"))]
    return table_checksums(conn, database, tables)


def _second_run(conn: Session, seed: SeedFile, statements: Sequence[str]) -> SeedCheck:
    before = _checksums(conn)
    _run(conn, seed, statements)
    after = _checksums(conn)
    changed = tuple(sorted(t for t in after if after[t] != before.get(t)))
    return SeedCheck(seed.name, str(seed.path), changed)
