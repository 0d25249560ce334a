"""The server's binary log: is it on, which files, where is it now; copy and replay files.

Copies go through `mariadb-binlog --read-from-remote-server --raw` and replays through
`mariadb-binlog FILE... | mariadb`, both with credentials in the in-memory option file
(client_process.client_credentials), never in argv. The replayed SQL has its GTID
settings removed on the way (`SET @@session.gtid_seq_no=...`): the replay is a new
change of this server, logged under new GTIDs, never a re-run of old ones (that would
move the server's GTID position backwards for its replicas).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError
from mrpplan.mysql.client_process import (
    ToolProcess,
    client_credentials,
    open_loader,
    tool_error,
)
from mrpplan.mysql.connection import Session, client_tool

HOW_TO_TURN_ON = (
    "turn binary logging on in the server's configuration ([mariadbd] log_bin=mariadb-bin, "
    "binlog_format=ROW, server_id=1, binlog_row_image=FULL) and restart it; `mrpplan sandbox "
    "up` does this for the sandbox"
)
_GTID_LINES = re.compile(rb"^/\*M!100001 SET @@session\.(?:gtid_seq_no|server_id)=\d+\*/.*\n", re.M)
CHUNK = 1 << 20


@dataclass(frozen=True)
class Position:
    """A place in the binary log: file and offset, and the GTID state there."""

    file: str
    position: int
    gtid: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "position": self.position, "gtid": self.gtid}


@dataclass(frozen=True)
class BinlogState:
    log_bin: bool
    binlog_format: str
    row_image: str
    files: tuple[tuple[str, int], ...]  # (name, size), oldest first; the last one is active

    def refusal(self) -> str | None:
        """Why point-in-time restore cannot work from this server, or None."""
        if not self.log_bin:
            return "the server does not write a binary log (log_bin is OFF)"
        if self.binlog_format.upper() != "ROW":
            return f"the server logs in {self.binlog_format} format, not ROW"
        return None


def binlog_state(conn: Session, *, files: bool = False) -> BinlogState:
    """The settings; with `files`, the list of logs too (needs BINLOG MONITOR)."""
    with conn.cursor() as cur:
        cur.execute("SELECT @@log_bin, @@binlog_format, @@binlog_row_image")
        row = cur.fetchone()
        if row is None:
            raise MrpplanError("the server did not answer SELECT @@log_bin")
        log_bin, fmt, image = row
        found: tuple[tuple[str, int], ...] = ()
        if int(log_bin) and files:
            cur.execute("SHOW BINARY LOGS")
            found = tuple((str(r[0]), int(r[1])) for r in cur.fetchall())
    return BinlogState(bool(int(log_bin)), str(fmt), str(image), found)


def current_position(conn: Session) -> Position | None:
    """Where the log is now (None without a binary log). Consistent with a snapshot only
    while commits are blocked (mysql/snapshot.py)."""
    with conn.cursor() as cur:
        cur.execute("SHOW MASTER STATUS")
        row = cur.fetchone()
        if not row:
            return None
        cur.execute("SELECT @@gtid_binlog_pos")
        gtid = cur.fetchone()
    return Position(str(row[0]), int(row[1]), str(gtid[0] if gtid else ""))


def copy_raw(settings: ConnectionSettings, name: str, prefix: Path) -> Path:
    """Copy the server's log `name` as it is now into `<prefix><name>` (raw bytes); a log
    still being written is copied up to its current end."""
    with client_credentials(settings) as credentials:
        argv = [
            client_tool("mariadb-binlog", "mysqlbinlog"),
            credentials.option,
            "--read-from-remote-server",
            "--raw",
            f"--result-file={prefix}",
            name,
        ]
        proc = ToolProcess(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            credentials=credentials,
            die_with_parent=True,  # a killed run must not leave a copier writing on
        )
        proc.check(f"copying the binary log {name} from {settings.describe()}")
    return prefix.with_name(prefix.name + name)


def replay(
    settings: ConnectionSettings,
    files: Sequence[Path],
    *,
    database: str,
    into: str,
    start: int,
    stop: int,
) -> None:
    """Replay the events of `database` in `files` (from `start` in the first file to
    `stop` in the last) into the database `into` on the server of `settings`."""
    argv = [
        client_tool("mariadb-binlog", "mysqlbinlog"),
        "--no-defaults",
        f"--database={database}",
        f"--rewrite-db={database}->{into}",
        f"--start-position={start}",
        f"--stop-position={stop}",
        "--skip-gtid-strict-mode",
        *(str(f) for f in files),
    ]
    source = ToolProcess(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        with open_loader(settings, into, init_command=None) as load:
            copier = threading.Thread(target=_copy_without_gtids, args=(source, load), daemon=True)
            copier.start()
            copier.join()
            load.check(f"replaying the binary log into {into}")
    finally:
        if source.popen.poll() is None:
            source.kill()
    code = source.wait()
    if code != 0:
        raise tool_error(source.name, "reading the archived binary log", code, source.stderr_text)


def _copy_without_gtids(source: ToolProcess, load: ToolProcess) -> None:
    """Whole lines at a time, 1 MiB blocks: the filter costs a regex pass per block."""
    rest = b""
    with contextlib.suppress(BrokenPipeError, OSError):
        while chunk := source.stdout.read1(CHUNK):  # type: ignore[attr-defined]
            block = rest + chunk
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            load.stdin.write(_GTID_LINES.sub(b"", block[:cut]))
        load.stdin.write(_GTID_LINES.sub(b"", rest))
    with contextlib.suppress(BrokenPipeError, OSError):
        load.stdin.close()


def check_tool() -> None:
    """mariadb-binlog is there (a clear message before anything starts)."""
    try:
        client_tool("mariadb-binlog", "mysqlbinlog")
    except MrpplanError as exc:
        raise MrpplanError(
            "mariadb-binlog is not installed: binary logs cannot be copied or replayed",
            hint="install the client tools: apt-get install mariadb-client",
        ) from exc
