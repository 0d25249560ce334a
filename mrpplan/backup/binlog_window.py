"""The recovery window: which moments a full backup plus the archived logs can restore.

A full backup whose manifest has a binary-log position can be brought to any second from
its snapshot up to the end of the unbroken run of archived logs that starts at its
position's file. A run is broken by a missing file (a number skipped) or a file whose
sha256 or size no longer match its manifest. The run ends one second before the copy of
the log still being written started (commits of that second may not be in it), or one
second before the last event of a complete file followed by a gap.

`replay_plan` picks, for a moment or a GTID, the newest such backup and the exact
stretch of log to replay: from the backup's position to the start of the first
transaction after the moment (or the end of the transaction with that GTID).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mrpplan.backup.binlog_archive import ArchivedLog, archive_dir, file_sha256, read_archive
from mrpplan.backup.binlog_events import Transaction, read_log
from mrpplan.backup.catalog import list_backups
from mrpplan.backup.manifest import Manifest, read_manifest
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError, Refused

_GLOBAL = re.compile(
    r"\s*(CREATE|DROP|ALTER)\s+(DATABASE|SCHEMA|USER|ROLE)|\s*(GRANT|REVOKE|FLUSH|SET)\b",
    re.IGNORECASE,
)
STALE_SECONDS = 3600  # an archive not copied for an hour is flagged (cron runs every few min)


@dataclass(frozen=True)
class Window:
    start: int  # unix seconds, inclusive
    end: int

    def text(self) -> str:
        return f"from {moment_text(self.start)} to {moment_text(self.end)}"


@dataclass
class Recovery:
    windows: list[Window] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # gaps in the archive
    last_copy: float | None = None
    logs: int = 0

    def stale(self, now: float) -> bool:
        return self.last_copy is not None and now - self.last_copy > STALE_SECONDS

    def summary(self, now: float) -> str:
        if not self.logs:
            return "no archived binary logs (mrpplan backup ENV --binlogs)"
        if not self.windows:
            text = "no full backup with a binary-log position is covered by the archive"
        else:
            text = "restorable to any second " + "; ".join(w.text() for w in self.windows)
        if self.problems:
            text += "; GAP: " + "; ".join(self.problems)
        if self.stale(now) and self.last_copy is not None:
            text += f"; STALE: last copied {int((now - self.last_copy) // 60)} min ago"
        return text


def moment_text(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class _Run:
    """Archived logs in an unbroken sequence, verified."""

    logs: list[ArchivedLog]

    @property
    def end(self) -> int:
        last = self.logs[-1]
        if last.complete:
            return (last.last_time or 0) - 1
        return math.floor(last.copied_at) - 1

    def holds(self, name: str) -> bool:
        return any(log.name == name for log in self.logs)


def _runs(folder: Path, verify: bool = True) -> tuple[list[_Run], list[str], list[ArchivedLog]]:
    logs = read_archive(folder)
    runs: list[_Run] = []
    problems: list[str] = []
    current: list[ArchivedLog] = []
    previous: ArchivedLog | None = None
    for log in logs:
        bad = _damage(folder, log) if verify else None
        if previous is not None and log.sequence != previous.sequence + 1:
            missing = _name_like(log.name, previous.sequence + 1)
            more = log.sequence - previous.sequence - 1
            problems.append(
                f"{missing} is missing" + (f" (and {more - 1} more)" if more > 1 else "")
            )
            if current:
                runs.append(_Run(current))
            current = []
        previous = log
        if bad:
            problems.append(f"{log.name}: {bad}")
            if current:
                runs.append(_Run(current))
            current = []
            continue
        current.append(log)
    if current:
        runs.append(_Run(current))
    return runs, problems, logs


def _name_like(name: str, sequence: int) -> str:
    stem, _dot, digits = name.rpartition(".")
    return f"{stem}.{sequence:0{len(digits)}d}"


def _damage(folder: Path, log: ArchivedLog) -> str | None:
    path = folder / log.name
    if not path.is_file():
        return "the file is missing"
    if path.stat().st_size != log.size:
        return f"{path.stat().st_size} bytes, its manifest says {log.size}"
    if file_sha256(path) != log.sha256:
        return "sha256 differs from its manifest"
    return None


def _positioned_backups(env: Environment) -> list[tuple[Path, Manifest]]:
    """Full backups of env with a binary-log position, newest first."""
    found = []
    for entry in list_backups([env.backup.dir], env.name):
        if entry.kind != "full":
            continue
        try:
            manifest = read_manifest(entry.path)
        except BackupError:
            continue
        if manifest.binlog and manifest.database == env.connection.database:
            found.append((entry.path, manifest))
    return sorted(found, key=lambda pm: float(pm[1].binlog["at"]), reverse=True)  # type: ignore[index]


def recovery(env: Environment) -> Recovery:
    runs, problems, logs = _runs(archive_dir(env))
    if not logs:
        return Recovery()
    windows: list[Window] = []
    for _path, manifest in _positioned_backups(env):
        binlog = manifest.binlog or {}
        run = next((r for r in runs if r.holds(str(binlog["file"]))), None)
        start = math.floor(float(binlog["at"]))
        if run is not None and run.end >= start:
            windows.append(Window(start, run.end))
    merged: list[Window] = []
    for window in sorted(windows, key=lambda w: w.start):
        if merged and window.start <= merged[-1].end + 1:
            merged[-1] = Window(merged[-1].start, max(merged[-1].end, window.end))
        else:
            merged.append(window)
    last = max((log.copied_at for log in logs), default=None)
    return Recovery(merged, problems, last, len(logs))


@dataclass(frozen=True)
class Replay:
    """What a point-in-time restore loads and replays."""

    backup: Path
    manifest: Manifest
    files: tuple[Path, ...]
    start: int  # position in the first file
    stop: int  # position in the last file
    events: int  # transactions of the database replayed
    moment: str  # what the user asked for, as text
    database: str


def replay_plan(env: Environment, *, to_time: int | None, to_gtid: str | None) -> Replay:
    """The backup and the stretch of log for the moment or GTID; refused with the window."""
    folder = archive_dir(env)
    runs, _problems, _logs = _runs(folder)
    database = env.connection.database
    asked = f"GTID {to_gtid}" if to_gtid else moment_text(to_time or 0)
    for path, manifest in _positioned_backups(env):
        binlog = manifest.binlog or {}
        run = next((r for r in runs if r.holds(str(binlog["file"]))), None)
        if run is None:
            continue
        if to_time is not None and (math.floor(float(binlog["at"])) > to_time or to_time > run.end):
            continue
        names = [log.name for log in run.logs]
        chain = run.logs[names.index(str(binlog["file"])) :]
        found = _stop(folder, chain, int(binlog["position"]), database, to_time, to_gtid)
        if found is None:
            continue
        files, stop, picked = found
        _refuse_schema_changes(picked, database, asked)
        return Replay(
            backup=path,
            manifest=manifest,
            files=tuple(folder / log.name for log in files),
            start=int(binlog["position"]),
            stop=stop,
            events=sum(1 for t in picked if database in t.databases),
            moment=asked,
            database=database,
        )
    window = recovery(env)
    raise Refused(
        f"{env.name} cannot be restored to {asked}: "
        + window.summary(datetime.now(UTC).timestamp())
        + ". Nothing was changed.",
        hint="choose a moment in the window; archive the logs with "
        f"`mrpplan backup {env.name} --binlogs` and keep a full backup taken before the moment",
    )


def _stop(
    folder: Path,
    chain: list[ArchivedLog],
    start: int,
    database: str,
    to_time: int | None,
    to_gtid: str | None,
) -> tuple[list[ArchivedLog], int, list[Transaction]] | None:
    """(files, stop position in the last, transactions replayed), or None when the moment
    is not in this chain (a GTID not found). The stretch ends with the last transaction
    replayed, so it stays the same while the archive grows (a saved plan stays valid)."""
    picked: list[Transaction] = []
    files, stop = chain[:1], start
    for i, log in enumerate(chain):
        index = read_log(folder / log.name)
        for txn in index.transactions:
            if i == 0 and txn.start < start:
                continue
            if to_time is not None and txn.time > to_time:
                return files, stop, picked
            picked.append(txn)
            files, stop = chain[: i + 1], txn.end
            if to_gtid is not None and txn.gtid == to_gtid:
                return files, stop, picked
    return None if to_gtid is not None else (files, stop, picked)


def _refuse_schema_changes(picked: list[Transaction], database: str, asked: str) -> None:
    """Statements (DDL, TRUNCATE) cannot be rewritten safely to the scratch database: a
    replay across one is refused, naming it (restore to before it, or back up after it)."""
    named = re.compile(
        rf"(?<![\w$])`?{re.escape(database)}`?\s*\.|(DATABASE|SCHEMA)\s+(IF\s+\w+\s+)?(EXISTS\s+)?"
        rf"`?{re.escape(database)}`?\s*($|;)",
        re.IGNORECASE,
    )
    for txn in picked:
        for statement in txn.statements:
            own = database in txn.databases and not _GLOBAL.match(statement)
            if own or named.search(statement):
                words = " ".join(statement.split()[:3])
                raise Refused(
                    f"the archived log holds a schema change of {database} between the backup "
                    f"and {asked}: {words} ... at {moment_text(txn.time)} (GTID {txn.gtid}); "
                    "a point-in-time restore replays row changes only. Nothing was changed.",
                    hint="restore to a moment before it, or take a full backup after it",
                )
