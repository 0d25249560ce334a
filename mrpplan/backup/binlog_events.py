"""Read an archived MariaDB binary log file: its transactions, their times and GTIDs.

Only the event headers and a few fixed fields are read (no row decoding): enough to say
what a file covers (first/last event time, GTID range), which transactions touch a
database, and where each one starts and ends, so a restore can stop exactly after a
moment or a GTID (`mariadb-binlog --start-position/--stop-position`) and count what it
replays. Layout (MariaDB binlog v4): a 4-byte magic, then events with a 19-byte header
(timestamp, type, server_id, size, end position, flags).
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mrpplan.errors import BackupError

MAGIC = b"\xfebin"
HEADER = struct.Struct("<IBIIIH")  # timestamp, type, server_id, size, log_pos, flags
QUERY, STOP, ROTATE, XID, FORMAT, TABLE_MAP, GTID = 2, 3, 4, 16, 15, 19, 162
QUERY_POST_HEADER = 13
TABLE_MAP_POST_HEADER = 8
GTID_STANDALONE = 1
_CONTROL = (b"BEGIN", b"COMMIT", b"ROLLBACK", b"XA ")


@dataclass
class Transaction:
    """One event group: from its GTID event to its last event (`end` = the position after
    it, what `--stop-position` needs to include it)."""

    gtid: str
    time: int  # unix seconds of its GTID event (the statement's start)
    start: int
    end: int
    databases: set[str] = field(default_factory=set)
    statements: list[str] = field(default_factory=list)  # query events other than BEGIN/COMMIT


@dataclass
class LogFile:
    """What one binary log file holds."""

    transactions: list[Transaction]
    first_time: int | None  # the earliest and latest event times
    last_time: int | None
    size: int
    rotated_to: str | None  # the next file's name when the file ends with a Rotate event
    closed: bool  # ended by a Rotate or Stop event: the server writes no more to it

    @property
    def gtid_first(self) -> str | None:
        return self.transactions[0].gtid if self.transactions else None

    @property
    def gtid_last(self) -> str | None:
        return self.transactions[-1].gtid if self.transactions else None


def read_log(path: Path) -> LogFile:
    """Index a binary log file; raise BackupError when it is not one or is cut short.
    The file is mapped, not read: a production log may be 1 GB."""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise BackupError(f"{path.name} is empty, not a binary log file")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _index(data, path)


def _index(data: mmap.mmap, path: Path) -> LogFile:
    if data[:4] != MAGIC:
        raise BackupError(f"{path.name} is not a binary log file (no binlog magic number)")
    transactions: list[Transaction] = []
    first = last = None
    rotated_to = None
    closed = False
    current: Transaction | None = None
    for ts, kind, server_id, pos, end, body in _events(data, path):
        closed = kind in (ROTATE, STOP)
        if kind not in (FORMAT, ROTATE) and ts:  # statement start times: not in order
            first = ts if first is None else min(first, ts)
            last = ts if last is None else max(last, ts)
        if kind == GTID:
            seq, domain, flags = struct.unpack_from("<QIB", body)
            current = Transaction(f"{domain}-{server_id}-{seq}", ts, pos, end)
            transactions.append(current)
            if flags & GTID_STANDALONE:
                current.end = end  # the statement that follows ends it
            continue
        if kind == ROTATE:
            rotated_to = body[8:].decode("utf-8", "replace")
            current = None
            continue
        if current is None:
            continue
        current.end = end
        if kind == TABLE_MAP:
            length = body[TABLE_MAP_POST_HEADER]
            start = TABLE_MAP_POST_HEADER + 1
            current.databases.add(body[start : start + length].decode("utf-8", "replace"))
        elif kind == QUERY:
            _query(body, current)
    return LogFile(transactions, first, last, len(data), rotated_to, closed)


def _query(body: bytes, current: Transaction) -> None:
    db_len = body[8]
    vars_len = struct.unpack_from("<H", body, 11)[0]
    start = QUERY_POST_HEADER + vars_len
    database = body[start : start + db_len].decode("utf-8", "replace")
    text = body[start + db_len + 1 :]
    if text.lstrip().upper().startswith(_CONTROL):
        if database:
            current.databases.add(database)
        return
    if database:
        current.databases.add(database)
    current.statements.append(text.decode("utf-8", "replace").strip())


def _events(data: mmap.mmap, path: Path) -> Iterator[tuple[int, int, int, int, int, bytes]]:
    """(timestamp, type, server_id, start, end, body) of each whole event; the body
    without its CRC32 (present when the Format Description event says so), and only for
    the kinds read here (row events are skipped without a copy)."""
    pos = 4
    total = len(data)
    checksum = 0
    while pos < total:
        if pos + HEADER.size > total:
            raise BackupError(f"{path.name} is cut short at byte {pos} (a partial event header)")
        ts, kind, server_id, size, _log_pos, _flags = HEADER.unpack_from(data, pos)
        if size < HEADER.size or pos + size > total:
            raise BackupError(f"{path.name} is cut short at byte {pos} (a partial event)")
        if kind == FORMAT:  # its checksum algorithm is the byte before its own CRC32
            checksum = 4 if data[pos + size - 5] == 1 else 0
        wanted = kind in (QUERY, ROTATE, TABLE_MAP, GTID)
        body = data[pos + HEADER.size : pos + size - checksum] if wanted else b""
        yield ts, kind, server_id, pos, pos + size, body
        pos += size


def gtid_parts(gtid: str) -> tuple[int, int, int]:
    """(domain, server, sequence) of `0-1-123`; ValueError when it is not one."""
    domain, server, seq = (int(p) for p in gtid.strip().split("-"))
    return domain, server, seq
