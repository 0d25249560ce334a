"""`restore ENV --to-time T | --to-gtid G [--tables T1,T2]` (DESIGN §3.13): the
point-in-time restore plan, what it replays, and the line after it ran."""

from __future__ import annotations

from datetime import UTC, datetime

from mrpplan.apply.gate import Writing, carry_out
from mrpplan.backup.binlog_window import Replay
from mrpplan.config import Project
from mrpplan.config.settings import Environment
from mrpplan.plan.screen import Screen
from mrpplan.plan.types import Plan
from mrpplan.restore.pitr_plan import parse_moment, pitr_plan


def restore_to(
    project: Project,
    screen: Screen,
    env: Environment,
    write: Writing,
    *,
    to_time: str | None,
    to_gtid: str | None,
    tables: tuple[str, ...],
    allow_destructive: bool,
) -> None:
    if to_time is not None:
        parse_moment(to_time)  # a usage error before anything is read
    found: list[Replay] = []
    asked = {
        "to_time": to_time,
        "to_gtid": to_gtid,
        "tables": tables,
        "allow_destructive": allow_destructive,
    }

    def build() -> Plan:
        plan, replay = pitr_plan(project, env, asked, datetime.now(UTC).replace(microsecond=0))
        if not found:
            _describe(screen, env, replay, tables)
        found.append(replay)
        return plan

    result = carry_out(project, env, build, write, screen, sql_on_dry_run=False)
    if result is not None and found:
        replay = found[-1]
        what = ", ".join(tables) if tables else env.connection.database
        screen.out.print(
            f"Restored {what} of {env.name} to {replay.moment}: {replay.backup.name} "
            f"plus {replay.events} replayed transaction(s)."
        )


def _describe(screen: Screen, env: Environment, replay: Replay, tables: tuple[str, ...]) -> None:
    files = ", ".join(f.name for f in replay.files)
    screen.out.print(
        f"Point-in-time restore of {env.name} ({replay.database}) to {replay.moment}"
        + (f", tables {', '.join(tables)} only" if tables else "")
        + ":"
    )
    screen.out.print(
        f"  backup:   {replay.backup.name} (snapshot at binlog "
        f"{(replay.manifest.binlog or {}).get('file')}:{replay.start})"
    )
    screen.out.print(f"  logs:     {files} (position {replay.start} to {replay.stop})")
    screen.out.print(f"  events:   {replay.events} transaction(s) of {replay.database} replayed")
