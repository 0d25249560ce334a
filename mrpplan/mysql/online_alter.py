"""pt-online-schema-change: an ALTER of a big table that never blocks its writers (§3.8).

The tool creates `_<t>_new` with the new definition, keeps it current with triggers on
`t`, copies the rows in chunks (pausing while a replica lags more than `max_lag` seconds
or too many threads run), then swaps the two tables with one atomic RENAME.

Foreign keys of other tables pointing at `t` follow the renamed old table. The tool's
`--alter-foreign-keys-method=rebuild_constraints` would re-create each of them with an
ALTER that copies the child table with foreign key checks on, which stops writes to `t`
for as long as the copy takes (bench_online.py: 0.8 s for a 50,000-row child), and
`drop_swap` drops the original table. So the tool runs with `none` (`--force` skips its
question) and mrpplan re-points them itself right after the swap, with foreign_key_checks
off: a metadata-only ALTER of each child (ALGORITHM=NOCOPY, LOCK=NONE).

Credentials reach it as for the dump tools: the in-memory option file, here as the DSN's
`F=/dev/fd/N`; nothing on argv, in the environment or on disk. The child dies with
mrpplan (PR_SET_PDEATHSIG): a killed apply never leaves a copy running on its own.

What happens after the swap (children re-pointed, names given back, the old table kept,
`--no-drop-old-table`, as the step's trash table: the checkpoint of a big table) is
mysql/online_swap.py.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError, ToolMissing
from mrpplan.mysql.client_process import ToolProcess, client_credentials
from mrpplan.mysql.connection import Session
from mrpplan.mysql.online_swap import execute, settle
from mrpplan.mysql.quote import ident

TOOL = "pt-online-schema-change"
INSTALL_HINT = (
    "install Debian's percona-toolkit (`sudo apt-get install percona-toolkit`), or set "
    "policy.online_schema_change.tool: none to refuse such steps"
)
# --alter-foreign-keys-method values mrpplan uses: none, and mrpplan re-points the child
# tables' foreign keys itself (module doc)
FK_METHODS = ("none",)
TOOL_VARIABLE = "MRPPLAN_PT_OSC"  # the tool's path when it is not on PATH
TEST_DIE_AFTER_SWAP = "MRPPLAN_TEST_OSC_DIE_AFTER_SWAP"  # tests: SIGKILL before settling
TEST_SLEEP = "MRPPLAN_TEST_OSC_SLEEP"  # tests: seconds between small chunks (to kill mid-copy)

_CLAUSE = re.compile(r",\s*ALGORITHM=\w+,\s*LOCK=\w+\s*$")


@dataclass(frozen=True)
class Tuning:
    """How the tool copies and swaps (bench/bench_online.py compares such sets).

    Chunks of 100 rows, not a chunk time: on a table with an AUTO_INCREMENT column each
    chunk's INSERT ... SELECT holds the new table's AUTO-INC lock until it ends (unless
    innodb_autoinc_lock_mode=2), and the tool's triggers need it for every write to the
    table. A writer waits for the chunk, and deadlocks (error 1213, the writer is rolled
    back) when the chunk then reaches a row it holds. 100-row chunks end within
    milliseconds: one writer error in ~88,000 bench writes, where the tool's 0.5 s chunk
    time (or mrpplan's former 0.1 s) gave 5-95 per 10,000. The copy is slower (~10k
    rows/s here against ~60k)."""

    chunk_time: float = 0  # 0: fixed chunk_size, never grown
    chunk_size: int | None = 100
    # the swap waits 2 s for a metadata lock, then retries (tries below)
    set_vars: tuple[str, ...] = ("lock_wait_timeout=2",)
    tries: str = "create_triggers:20:1,drop_triggers:20:1,swap_tables:20:1,update_foreign_keys:20:1"
    options: tuple[str, ...] = ()  # further options, as on the command line


TUNING = Tuning()


@dataclass(frozen=True)
class OnlineAlter:
    """One run of the tool: which table, which clauses, how it throttles."""

    database: str
    table: str
    alter: str  # the ALTER's clauses, without `ALTER TABLE t` and ALGORITHM/LOCK
    foreign_keys: str  # none: mrpplan re-points the children's foreign keys
    max_lag: float
    max_threads_running: int
    keep_old_as: str | None  # trash name for the old table; None: dropped (an undo)
    max_flow_ctl: float | None = None  # Galera: pause above this % of flow control
    tuning: Tuning = TUNING


def tool_path() -> str | None:
    """Where the tool is (MRPPLAN_PT_OSC, PATH, then Debian's place), or None."""
    chosen = os.environ.get(TOOL_VARIABLE)
    if chosen is not None:  # a non-standard install (or, in tests, a missing one)
        return chosen if os.access(chosen, os.X_OK) and Path(chosen).is_file() else None
    found = shutil.which(TOOL)
    if found:
        return found
    debian = Path("/usr/bin") / TOOL
    return str(debian) if debian.is_file() else None


def alter_clauses(statement: str, table: str) -> str:
    """The clauses of `ALTER TABLE `table` ..., ALGORITHM=X, LOCK=Y` (what --alter takes).

    ValueError for anything else: only a plain ALTER of that one table goes to the tool.
    """
    head = f"ALTER TABLE {ident(table)} "
    if not statement.startswith(head) or ";" in statement:
        raise ValueError(f"not an ALTER TABLE of {table}: {statement[:80]}")
    return _CLAUSE.sub("", statement[len(head) :]).strip()


def osc_argv(tool: str, option_path: str, spec: OnlineAlter, *, sleep: float = 0.0) -> list[str]:
    """The tool's command line; the DSN names the option file, never a password."""
    for name in (spec.database, spec.table):
        if any(ch in name for ch in ",="):  # the DSN separates its parts with them
            raise ValueError(f"{TOOL} cannot name {name!r} in its DSN")
    critical = max(50, spec.max_threads_running * 4)
    argv = [
        tool,
        f"--alter={spec.alter}",
        f"--max-lag={spec.max_lag:g}",
        f"--max-load=Threads_running={spec.max_threads_running}",
        f"--critical-load=Threads_running={critical}",
        "--check-interval=1",
        *tuning_argv(spec.tuning),
        "--charset=utf8mb4",
        "--recursion-method=hosts,processlist",  # report_host first: loopback replicas
        "--execute",
    ]
    if spec.max_flow_ctl is not None:  # a Galera node: the tool's cluster mode
        argv.append(f"--max-flow-ctl={spec.max_flow_ctl:g}")
    argv += [f"--alter-foreign-keys-method={spec.foreign_keys}", "--force"]
    # always: the children still point at the old table until mrpplan re-points them,
    # then it becomes the trash table (or, for an undo, is dropped)
    argv.append("--no-drop-old-table")
    if sleep > 0:
        argv = [a for a in argv if not a.startswith(("--chunk-time=", "--chunk-size="))]
        argv += ["--chunk-size=50", "--chunk-time=0", f"--sleep={sleep:g}"]
    argv.append(f"F={option_path},D={spec.database},t={spec.table}")
    return argv


def tuning_argv(tuning: Tuning) -> list[str]:
    argv = [f"--chunk-time={tuning.chunk_time:g}"]
    if tuning.chunk_size is not None:
        argv.append(f"--chunk-size={tuning.chunk_size}")
    if tuning.set_vars:
        argv.append(f"--set-vars={','.join(tuning.set_vars)}")
    if tuning.tries:
        argv.append(f"--tries={tuning.tries}")
    return argv + list(tuning.options)


def run_online_alter(
    settings: ConnectionSettings,
    conn: Session,
    spec: OnlineAlter,
    *,
    say: Callable[[str], None] = lambda _line: None,
    sleep: float = 0.0,
) -> None:
    """Run the tool, then re-point the children, give back the names it changed and keep
    the old table as trash. On failure whatever the tool left (triggers, `_t_new`) is
    removed: the table is as it was."""
    tool = tool_path()
    if tool is None:
        raise ToolMissing(
            f"{TOOL} is not installed: the ALTER of {spec.table} cannot run online",
            hint=INSTALL_HINT,
        )
    olds = old_tables(conn, spec.database, spec.table)
    with client_credentials(settings) as credentials:
        argv = osc_argv(tool, credentials.path, spec, sleep=sleep)
        proc = ToolProcess(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            credentials=credentials,
            die_with_parent=True,
        )
        tail: list[str] = []
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                tail = [*tail[-4:], line]
                if line:
                    say(f"{TOOL}: {line}")
        except BaseException:
            proc.kill()
            _after_failure(conn, spec, olds)
            raise
        code = proc.wait()
    if code != 0:
        _after_failure(conn, spec, olds)
        detail = proc.stderr_text or " | ".join(line for line in tail if line)
        raise MrpplanError(
            f"{TOOL} failed on {spec.database}.{spec.table} (exit code {code}): "
            f"{_last_lines(detail)}. Its triggers and new table were removed; "
            f"{spec.table} is as it was."
        )
    for line in throttle_lines(proc.stderr_text):
        say(f"{TOOL}: {line}")
    new_old = [t for t in old_tables(conn, spec.database, spec.table) if t not in olds]
    if os.environ.get(TEST_DIE_AFTER_SWAP):  # tests: a kill in the narrowest window
        os.kill(os.getpid(), signal.SIGKILL)
    if new_old:
        settle(conn, spec.database, spec.table, new_old[0], spec.keep_old_as)


def throttle_lines(stderr: str, limit: int = 5) -> list[str]:
    """The tool's reports of pausing (replica lag, load), each said once."""
    words = ("lag", "waiting", "paus", "threads_running")
    lines = (" ".join(line.split()) for line in stderr.splitlines())
    seen = dict.fromkeys(line for line in lines if any(w in line.lower() for w in words))
    return list(seen)[:limit]


def _after_failure(conn: Session, spec: OnlineAlter, olds: Sequence[str]) -> None:
    """Leftovers go; if the tool got as far as the swap, the change is finished instead."""
    clear_leftovers(conn, spec.database, spec.table)
    new_old = [t for t in old_tables(conn, spec.database, spec.table) if t not in olds]
    if new_old:
        settle(conn, spec.database, spec.table, new_old[0], spec.keep_old_as)


def clear_leftovers(conn: Session, database: str, table: str) -> list[str]:
    """Drop the triggers and the new table a killed or failed run left; triggers first,
    so that writes to `table` never meet a trigger whose target is gone."""
    removed: list[str] = []
    with conn.cursor() as cur:
        cur.execute(
            "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s "
            "AND event_object_table = %s AND trigger_name LIKE 'pt\\_osc\\_%%'",
            (database, table),
        )
        triggers = [str(r[0]) for r in cur.fetchall()]
    for name in triggers:
        execute(conn, f"DROP TRIGGER IF EXISTS {ident(name)}")
        removed.append(f"trigger {name}")
    for name in _tables_like(conn, database, table, "new"):
        execute(conn, f"DROP TABLE IF EXISTS {ident(name)}")
        removed.append(f"table {name}")
    return removed


def old_tables(conn: Session, database: str, table: str) -> list[str]:
    """`_t_old` (more underscores when taken): the tool's name for the swapped-out table."""
    return _tables_like(conn, database, table, "old")


def _tables_like(conn: Session, database: str, table: str, suffix: str) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name LIKE %s",
            (database, f"%\\_{_like(table)}\\_{suffix}"),
        )
        names = [str(r[0]) for r in cur.fetchall()]
    pattern = re.compile(rf"^_+{re.escape(table)}_{suffix}$")
    return sorted(n for n in names if pattern.match(n))


def table_exists(conn: Session, database: str, table: str) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (database, table),
        )
        return cur.fetchone() is not None


def _like(name: str) -> str:
    return name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-n:]) or "no output"


def autoinc_lock_mode(conn: Session) -> int:
    """The server's innodb_autoinc_lock_mode: below 2, an INSERT ... SELECT (each of the
    tool's chunks) holds the table's AUTO-INC lock until it ends."""
    with conn.cursor() as cur:
        cur.execute("SELECT @@innodb_autoinc_lock_mode")
        row = cur.fetchone()
    return int(row[0]) if row else 1


def estimated_seconds(rows: int, rows_per_second: int) -> int:
    """A rough duration for copying `rows` (the bench measures the rate)."""
    return max(1, round(rows / max(1, rows_per_second)))


def describe_duration(seconds: int) -> str:
    if seconds < 90:
        return f"~{seconds} s"
    if seconds < 5400:
        return f"~{round(seconds / 60)} min"
    return f"~{seconds / 3600:.1f} h"


__all__: Sequence[str] = (
    "FK_METHODS",
    "INSTALL_HINT",
    "TOOL",
    "OnlineAlter",
    "alter_clauses",
    "autoinc_lock_mode",
    "clear_leftovers",
    "run_online_alter",
    "tool_path",
)
