"""CLI: `restore ENV --to-time T | --to-gtid G [--tables T1,T2]` (DESIGN §3.13)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mrpplan.apply.gate import carry_out
from mrpplan.backup.binlog_window import Replay
from mrpplan.cli.context import AppContext
from mrpplan.cli.writing import writing
from mrpplan.config.settings import Environment
from mrpplan.plan.types import Plan
from mrpplan.restore.pitr_plan import parse_moment, pitr_plan


def restore_to(
    app: AppContext,
    env: Environment,
    *,
    to_time: str | None,
    to_gtid: str | None,
    tables: tuple[str, ...],
    dry_run: bool,
    out: Path | None,
    force: bool,
    allow_destructive: bool,
) -> None:
    if to_time is not None:
        parse_moment(to_time)  # a usage error before anything is read
    found: list[Replay] = []

    def build() -> Plan:
        plan, replay = pitr_plan(
            app.project,
            env,
            datetime.now(UTC).replace(microsecond=0),
            to_time=to_time,
            to_gtid=to_gtid,
            tables=tables,
            allow_destructive=allow_destructive,
        )
        if not found:
            _describe(app, env, replay, tables)
        found.append(replay)
        return plan

    result = carry_out(
        app.project,
        env,
        build,
        writing("restore", force, out, dry_run),
        app.screen,
        sql_on_dry_run=False,
    )
    if result is not None and found:
        replay = found[-1]
        what = ", ".join(tables) if tables else env.connection.database
        app.console.print(
            f"Restored {what} of {env.name} to {replay.moment}: {replay.backup.name} "
            f"plus {replay.events} replayed transaction(s)."
        )


def _describe(app: AppContext, env: Environment, replay: Replay, tables: tuple[str, ...]) -> None:
    files = ", ".join(f.name for f in replay.files)
    app.console.print(
        f"Point-in-time restore of {env.name} ({replay.database}) to {replay.moment}"
        + (f", tables {', '.join(tables)} only" if tables else "")
        + ":"
    )
    app.console.print(
        f"  backup:   {replay.backup.name} (snapshot at binlog "
        f"{(replay.manifest.binlog or {}).get('file')}:{replay.start})"
    )
    app.console.print(f"  logs:     {files} (position {replay.start} to {replay.stop})")
    app.console.print(f"  events:   {replay.events} transaction(s) of {replay.database} replayed")
