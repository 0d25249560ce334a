"""The seed commands as library calls: run, refresh, status, create.

Seeds that write run as plans (seed/plan_steps.py, through cli/writing.carry_out); this
module keeps the read-only parts and the direct `run` used by the classic script wrapper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mrpplan.config import Environment, Project
from mrpplan.config.text_file import write_new
from mrpplan.errors import Refused, UsageError
from mrpplan.migrate.create import slug
from mrpplan.mysql import seed_history as history
from mrpplan.mysql.connection import session
from mrpplan.seed.ownership import holds_copy, sync_owned_seeds
from mrpplan.seed.runner import state_of
from mrpplan.seed.sets import SEED_SETS, SeedFile, list_seeds, select_seeds
from mrpplan.units import json_record


@dataclass(frozen=True)
class SeedStatus:
    seed: str
    set: str
    state: str  # pending | applied | changed | untracked (history row, no file) | rows from
    # SOURCE (sync): its tables hold what the last sync copied (seed/ownership.py)
    applied_at: datetime | None
    rows_affected: int | None
    checksum: str | None

    def as_dict(self) -> dict[str, object]:
        return json_record(self, "seed", "set", "state", "applied_at", "rows_affected", "checksum")


def chosen_seeds(project: Project, env: Environment, names: Sequence[str]) -> list[SeedFile]:
    """The named seeds/sets, or the environment's `seeds:` list when none are named."""
    wanted = list(names) or list(env.seeds)
    if not wanted:
        raise UsageError(f"{env.name} lists no seeds (seeds: in {env.file.name}); name one")
    return select_seeds(project.seeds_dir, wanted)


def check_allowed(env: Environment, seeds: Sequence[SeedFile]) -> None:
    """A protected environment only takes the seeds its file lists (no test data in prod)."""
    if not env.protected:
        return
    listed = set(env.seeds)
    outside = [s.name for s in seeds if s.name not in listed and s.set not in listed]
    if outside:
        raise Refused(
            f"{env.name} is protected and its seeds list ({', '.join(env.seeds) or 'empty'})"
            f" does not include {', '.join(outside)}. Nothing was changed.",
            hint=f"add them to seeds: in {env.file.name} after review",
        )


def seed_statuses(project: Project, env: Environment, *, track: bool = False) -> list[SeedStatus]:
    """Every seed file's state in env (with `track`, also history rows with no file)."""
    seeds = list_seeds(project.seeds_dir)
    owned = sync_owned_seeds(project, env, seeds)
    with session(env.connection) as conn:
        recorded = history.read(conn)
        synced = {
            name
            for name, tables in owned.items()
            if holds_copy(conn, env.connection.database, tables)
        }
    result = []
    for seed in seeds:
        record = recorded.get(seed.name)
        state = state_of(seed, recorded)
        if seed.name in synced and env.sync is not None:
            state = f"rows from {env.sync.source} (sync)"  # seed/ownership.py
        result.append(
            SeedStatus(
                seed.name,
                seed.set,
                state,
                record.applied_at if record else None,
                record.rows_affected if record else None,
                record.checksum if record else None,
            )
        )
    if track:
        files = {s.name for s in seeds}
        for name, record in recorded.items():
            if name not in files:
                result.append(
                    SeedStatus(
                        name,
                        "",
                        "untracked",
                        record.applied_at,
                        record.rows_affected,
                        record.checksum,
                    )
                )
    return result


def seed_runs(env: Environment) -> list[history.SeedRecord]:
    """Every recorded seed run in env, oldest first (`seed status --track`)."""
    with session(env.connection) as conn:
        return history.runs(conn)


TEMPLATE = """-- Seed {name} ({set_name} set), created by `mrpplan seed create`.
-- Runs in ONE transaction: rows only (INSERT/REPLACE/UPDATE/DELETE), no DDL.
-- Keep it idempotent: upsert on natural keys so a second run changes nothing, e.g.
--   INSERT INTO units_of_measure (uom_code, name) VALUES ('EA', 'Each')
--   ON DUPLICATE KEY UPDATE name = VALUES(name);

"""


def create_seed(seeds_dir: Path, name: str, set_name: str = "reference") -> Path:
    """Write `<set prefix><slug>.sql` (never overwrites)."""
    if set_name not in SEED_SETS:
        raise UsageError(f"unknown seed set {set_name!r} (one of {', '.join(SEED_SETS)})")
    path = seeds_dir / f"{SEED_SETS[set_name]}{slug(name)}.sql"
    write_new(path, TEMPLATE.format(name=path.stem, set_name=set_name))
    return path
