"""`restore ENV --to-time T | --to-gtid G [--tables T1,T2]`: a restore plan plus a replay.

The plan is the restore plan of the newest full backup before the moment (load into the
scratch database, check against the manifest, one RENAME TABLE; backup/restore_plan.py)
with one more step between the load and the swap:

  binlog_replay  -- mrpplan:replay {"files": [...], "start": P, "stop": Q, ...}
      replays the database's archived row events from the backup's position to the
      moment, rewritten to the scratch database (mariadb-binlog --database --rewrite-db
      | mariadb). Each file's sha256 is checked first. Nothing of the target changes; a
      kill or a failure is undone by dropping the scratch database (shadow_prepare).

With `--tables` only those tables are swapped in (the others stay as they are now); the
plan warns about foreign keys between a restored table and a kept one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from mrpplan.backup.binlog_archive import file_sha256
from mrpplan.backup.binlog_window import Replay, replay_plan
from mrpplan.config import Environment, Project
from mrpplan.errors import BackupError, UsageError
from mrpplan.mysql.binlog import replay
from mrpplan.mysql.connection import session
from mrpplan.plan import kinds
from mrpplan.plan.kinds import RunContext
from mrpplan.plan.providers import Wiring
from mrpplan.plan.types import Plan, Step
from mrpplan.restore.restore_plan import restore_plan

MARKER = "-- mrpplan:replay "


def parse_moment(text: str) -> int:
    """'YYYY-MM-DD HH:MM:SS' (UTC, as the binary log's event times) -> unix seconds."""
    from datetime import UTC

    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return int(datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    raise UsageError(f"--to-time {text!r}: expected 'YYYY-MM-DD HH:MM:SS' (UTC)")


def find_replay(env: Environment, origin: Mapping[str, Any]) -> Replay:
    to_time = origin.get("to_time")
    return replay_plan(
        env,
        to_time=None if to_time is None else parse_moment(str(to_time)),
        to_gtid=origin.get("to_gtid") or None,
    )


def pitr_plan(
    project: Project, env: Environment, asked: Mapping[str, Any], now: datetime
) -> tuple[Plan, Replay]:
    """The plan for what was `asked` (to_time or to_gtid, tables, allow_destructive: the
    options of `restore ENV --to-time`, and the plan's `origin` when apply builds it again)."""
    tables = tuple(asked.get("tables") or ())
    origin: dict[str, Any] = {"builder": "restore_pitr", "tables": list(tables)}
    if asked.get("to_time") is not None:
        origin["to_time"] = asked["to_time"]
    if asked.get("to_gtid"):
        origin["to_gtid"] = asked["to_gtid"]
    found = find_replay(env, origin)
    missing = sorted(set(tables) - set(found.manifest.tables))
    if missing:
        raise UsageError(
            f"--tables: {', '.join(missing)} not in {found.backup.name}; nothing was changed"
        )

    def step(scratch: str) -> Step:
        return replay_draft(found, scratch)

    plan = restore_plan(
        project,
        env,
        found.backup,
        now,
        allow_destructive=bool(asked.get("allow_destructive")),
        tables=tables,
        after_load=step,
        origin=origin,
    )
    if tables:
        warnings = [*plan.warnings, *crossing_keys(env, tables)]
        plan = _with_warnings(plan, warnings)
    return plan, found


def _with_warnings(plan: Plan, warnings: list[str]) -> Plan:
    import dataclasses

    return dataclasses.replace(plan, warnings=tuple(warnings))


def replay_draft(found: Replay, scratch: str) -> Step:
    data = {
        "files": [
            {"path": str(f), "bytes": n, "sha256": file_sha256(f, n)}
            for f, n in zip(found.files, _lengths(found), strict=True)
        ],
        "start": found.start,
        "stop": found.stop,
        "database": found.database,
        "events": found.events,
    }
    names = ", ".join(f.name for f in found.files)
    return Step(
        kinds.BINLOG_REPLAY,
        object=scratch,
        sql=(MARKER + json.dumps(data, sort_keys=True),),
        reverse_sql=None,
        reason=f"replay {found.events} transaction(s) of {found.database} from the binary "
        f"log ({names}, from position {found.start} to {found.stop}) into {scratch}: "
        f"the database as it was at {found.moment}; nothing in {found.database} changes yet",
    )


def _lengths(found: Replay) -> list[int]:
    """Bytes of each file the replay reads: whole files, the last up to the stop."""
    return [f.stat().st_size for f in found.files[:-1]] + [found.stop]


def crossing_keys(env: Environment, tables: Sequence[str]) -> list[str]:
    """Foreign keys between a restored table and a table that stays as it is."""
    chosen = set(tables)
    with session(env.connection) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT constraint_name, table_name, referenced_table_name "
            "FROM information_schema.referential_constraints WHERE constraint_schema = %s",
            (env.connection.database,),
        )
        rows = [(str(a), str(b), str(c)) for a, b, c in cur.fetchall()]
    return [
        f"foreign key {name} ({child} -> {parent}) crosses the boundary: "
        f"{child if child in chosen else parent} goes back in time, "
        f"{parent if child in chosen else child} stays as it is now (rows may no longer match)"
        for name, child, parent in sorted(rows)
        if (child in chosen) != (parent in chosen)
    ]


def run_replay(ctx: RunContext, step: Step) -> None:
    """Check each file, then replay into the scratch database."""
    data = json.loads(step.sql[0][len(MARKER) :])
    files = []
    for item in data["files"]:
        path = Path(item["path"])
        length = int(item["bytes"])
        if not path.is_file() or file_sha256(path, length) != item["sha256"]:
            raise BackupError(
                f"{path.name} changed or went missing since the plan was made "
                "(sha256 differs); the target was not touched"
            )
        files.append(path)
    ctx.progress(f"replaying {data['events']} transaction(s) into {step.object}")
    replay(
        ctx.env.connection,
        files,
        database=str(data["database"]),
        into=step.object,
        start=int(data["start"]),
        stop=int(data["stop"]),
    )


def build_again(
    project: Project, env: Environment, origin: Mapping[str, Any], now: datetime, wiring: Wiring
) -> Plan:
    """The builder `apply` makes this plan again with (plan/rebuild.py)."""
    plan, _found = pitr_plan(project, env, origin, now)
    return plan
