"""Load a dump through several server sessions at once.

The server inserts rows of one session on one core; a restore is bound by that. Here the
decompressed stream is split at statement boundaries: every `INSERT` statement goes to
the next row session in turn (mysql/statement_session.py: the statement as it is, no
client process scanning it again), everything else (DDL, SET, triggers, routines) goes,
in order, to one `mariadb` client, the main session. Barriers keep the order that matters:
  - before INSERTs go to the row sessions, the main session has finished the DDL before
    them (the table exists);
  - before the next non-INSERT statement, every row session has finished its INSERTs (a
    trigger created after a table's rows never fires on them, as in a serial load).
A barrier is `SELECT 'mrpplan-sync-N';` whose output the main session prints when it gets
there. Session settings from the dump (`SET NAMES`, `TIME_ZONE`, `SQL_MODE`, ...) are sent
to every session so each INSERT runs under the same settings as in a serial load. Regions
inside `LOCK TABLES` or a non-`;` DELIMITER stay on the main session.

A table whose rows take more than one INSERT gets its trailing plain keys after the rows
(deferred_keys.py): its CREATE TABLE is held until its first INSERT shows that, and the
keys are added at the end of the stream, the tables spread over the row sessions.

mariadb-dump escapes newlines inside values, so an INSERT statement ends at the first
`;` that ends a line.

The rows stay in the binary log (`sql_log_bin` is not touched): it is what point-in-time
restore replays across this load (the scratch database, its rows, then the RENAME that
swaps them in; without the rows a replay would swap in empty tables) and what replicas
apply. Only the INSERT text MariaDB copies into it as a comment is left out
(mysql/statement_session.py). Measured with perf on the server during a 258 MB load:
about 35-40% of its CPU is the SQL parser and the items of the INSERT ... VALUES text (the
same text `mariadb` and myloader send), the rest InnoDB and the binary log.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from mrpplan.backup.compression import codec_of
from mrpplan.backup.deferred_keys import CREATE_TABLE, DeferredKeys, defer_keys
from mrpplan.backup.progress import Progress
from mrpplan.backup.timings import mark
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import BackupError, MrpplanError, SqlError
from mrpplan.mysql.client_process import (
    Credentials,
    ToolProcess,
    client_argv,
    client_credentials,
    loader_tool,
    tool_error,
)
from mrpplan.mysql.statement_session import StatementSession

CHUNK = 1 << 20
_INSERT = (b"INSERT INTO ", b"INSERT  INTO ", b"REPLACE INTO ", b"INSERT IGNORE INTO ")
_BROADCAST = re.compile(rb"^(?:/\*[!M]?\d* )?(?:SET |USE )", re.IGNORECASE)


class _SessionDied(Exception):
    def __init__(self, session: _Session):
        super().__init__(session.proc.name)
        self.session = session


class _Session:
    """One `mariadb` client; a reader thread notes the barrier markers it prints."""

    def __init__(self, argv: list[str], credentials: Credentials):
        self.proc = ToolProcess(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, credentials=credentials
        )
        self.pending = False
        self._asked = 0
        self._seen = 0
        self._eof = False
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.startswith(b"mrpplan-sync-"):
                with self._cond:
                    self._seen = int(line.strip().rsplit(b"-", 1)[1])
                    self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def send(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
        except (BrokenPipeError, ValueError):
            raise _SessionDied(self) from None

    def sync(self) -> None:
        """Return once the session has run everything sent so far."""
        self._asked += 1
        self.send(f"SELECT 'mrpplan-sync-{self._asked}';\n".encode())
        try:
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise _SessionDied(self) from None
        with self._cond:
            while self._seen < self._asked and not self._eof:
                self._cond.wait()
            if self._seen < self._asked:
                raise _SessionDied(self)
        self.pending = False

    def close(self) -> int:
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            self.proc.stdin.close()
        code = self.proc.wait()
        self._reader.join(timeout=5)
        return code


def load_parallel(
    path: Path,
    settings: ConnectionSettings,
    database: str,
    *,
    sessions: int,
    progress: Progress,
    what: str,
    after_rows: Callable[[], None] | None = None,
) -> str:
    """Load `path` into `database` through `sessions` row sessions and one `mariadb`
    client for everything else (see module doc); the sha256 of the bytes read.
    `after_rows` is called once every row is in, while the deferred keys are built."""
    codec = codec_of(path)
    dec = subprocess.Popen(
        codec.load_argv(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    digest = hashlib.sha256()
    feeder = threading.Thread(target=_feed, args=(path, dec, progress, digest), daemon=True)
    with client_credentials(settings) as credentials, contextlib.ExitStack() as opened:
        # --unbuffered: the client prints each barrier marker as soon as it gets there
        extra = ["--skip-column-names", "--unbuffered"]
        main = _Session(
            [*client_argv(loader_tool(), credentials.path, database), *extra], credentials
        )
        rows: list[StatementSession] = []
        feeder.start()
        try:
            for _ in range(max(1, sessions)):
                rows.append(opened.enter_context(StatementSession(settings, database)))
            assert dec.stdout is not None
            _Router(dec.stdout, main, rows, after_rows).run()
            for session in rows:
                session.close()
            mark("keys added")
        except _SessionDied as died:
            _stop(main, rows, dec)
            died.session.proc.wait()
            raise _failure(died.session, what) from None
        except SqlError as exc:
            _stop(main, rows, dec)
            raise SqlError(f"{what} failed: {exc}", errno=exc.errno) from None
        except BaseException:
            _stop(main, rows, dec)
            raise
        finally:
            feeder.join()
        code = main.close()
        dec.wait()
        if code != 0:
            raise _failure(main, what)
    err = dec.stderr.read().decode("utf-8", "replace").strip() if dec.stderr else ""
    err = err.splitlines()[-1] if err else ""  # igzip's own traceback ends with the reason
    if dec.returncode != 0:
        raise BackupError(f"{what} failed: {path}: {codec.name} stream damaged: {err}")
    return digest.hexdigest()


def _failure(session: _Session, what: str) -> MrpplanError:
    code = session.proc.wait()
    return tool_error(session.proc.name, what, code or 1, session.proc.stderr_text)


def _stop(main: _Session, rows: list[StatementSession], dec: subprocess.Popen[bytes]) -> None:
    main.proc.kill()
    for session in rows:
        session.kill()
    if dec.poll() is None:
        dec.kill()
    dec.wait()


def _feed(
    path: Path, dec: subprocess.Popen[bytes], progress: Progress, digest: hashlib._Hash
) -> None:
    """The file into the decompressor, hashed on the way (the load verifies what it reads)."""
    assert dec.stdin is not None
    fed = 0
    try:
        with path.open("rb", buffering=0) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                dec.stdin.write(chunk)
                fed += len(chunk)
                progress.advance(fed)
    except (BrokenPipeError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            dec.stdin.close()


_HOLDABLE = re.compile(rb"^/\*!40\d{3} (?:SET character_set_client|ALTER TABLE \S+ DISABLE KEYS)")
_PEEK = 24


class _Router:
    """Reads the stream and sends each statement to its session (see module doc)."""

    def __init__(
        self,
        stream: IO[bytes],
        main: _Session,
        rows: list[StatementSession],
        after_rows: Callable[[], None] | None = None,
    ):
        self.stream, self.main, self.rows = stream, main, rows
        self.after_rows = after_rows
        self.buf = bytearray()
        self.eof = False
        self.turn = 0
        self.delimiter = b";"
        self.locked = False
        self.main_dirty = False  # main has DDL that the other sessions' next INSERTs need
        self.create: list[bytes] | None = None  # lines of a CREATE TABLE being read
        self.held: tuple[bytes, DeferredKeys, list[bytes]] | None = None
        self.deferred: dict[bytes, tuple[bytes, int]] = {}  # table -> (ADD KEY, row bytes)
        self.filling: bytes | None = None  # deferred table whose rows are being routed

    def run(self) -> None:
        while True:
            nl = self.buf.find(b"\n")
            while nl < 0 and not self.eof:
                self._fill()
                nl = self.buf.find(b"\n")
            if nl < 0:
                break
            head = bytes(self.buf[: min(nl + 1, _PEEK)])
            if self.delimiter == b";" and not self.locked and head.startswith(_INSERT):
                self._insert(self._cut_statement())
                continue
            line = bytes(self.buf[: nl + 1])
            del self.buf[: nl + 1]
            self._line(line)
        if self.create is not None:  # a cut-off stream: let the server report it
            self.main.send(b"".join(self.create))
        if self.held is not None:
            self._release(defer=False)
        if self.buf:
            self.main.send(bytes(self.buf))
        self._add_keys(last=True)

    def _fill(self) -> None:
        chunk = self.stream.read1(CHUNK)  # type: ignore[attr-defined]
        self.buf.extend(chunk)
        self.eof = not chunk

    def _cut_statement(self) -> bytes:
        end, start = self.buf.find(b";\n"), 0
        while end < 0 and not self.eof:
            start = max(0, len(self.buf) - 1)
            self._fill()
            end = self.buf.find(b";\n", start)
        if end < 0:
            end = len(self.buf) - 2
        statement = bytes(self.buf[: end + 2])
        del self.buf[: end + 2]
        return statement

    def _insert(self, statement: bytes) -> None:
        if self.held is not None:
            self._release(defer=self._insert_follows())
        if self.filling is not None:
            alter, size = self.deferred[self.filling]
            self.deferred[self.filling] = (alter, size + len(statement))
        session = self.rows[self.turn % len(self.rows)]
        self.turn += 1
        if self.main_dirty:
            self.main.sync()
            self.main_dirty = False
        session.send(statement)
        session.pending = True

    def _insert_follows(self) -> bool:
        """The table's rows take more than one INSERT: worth building its keys after."""
        while len(self.buf) < _PEEK and not self.eof:
            self._fill()
        return bytes(self.buf[:_PEEK]).startswith(_INSERT)

    def _line(self, line: bytes) -> None:
        stripped = line.strip()
        if self.create is not None:
            self.create.append(line)
            if stripped.endswith(b";"):
                self._created(b"".join(self.create))
            return
        if self.held is not None:
            if not stripped or stripped.startswith(b"--") or _HOLDABLE.match(stripped):
                self.held[2].append(line)
                return
            self._release(defer=False)
        if not stripped or stripped.startswith(b"--"):
            self.main.send(line)
            return
        self.filling = None
        for session in self.rows:
            if session.pending:
                session.sync()
        if stripped[:10].upper() == b"DELIMITER ":
            self.delimiter = stripped.split()[1]
        elif self.delimiter == b";":
            upper = stripped[:14].upper()
            if upper.startswith(b"LOCK TABLES"):
                self.locked = True
            elif upper.startswith(b"UNLOCK TABLES"):
                self.locked = False
            if self._touches_deferred(stripped):
                self._add_keys()
            if not self.locked and CREATE_TABLE.match(stripped):
                self.create = [line]
                return
            if _BROADCAST.match(stripped) and stripped.endswith(b";"):
                for session in self.rows:
                    session.send(line)
        self.main.send(line)
        self.main_dirty = True

    def _created(self, statement: bytes) -> None:
        """A whole CREATE TABLE: held until its rows show whether keys wait for them."""
        self.create = None
        split = defer_keys(statement)
        if split is None:
            self.main.send(statement)
            self.main_dirty = True
        else:
            self.held = (statement, split, [])

    def _release(self, *, defer: bool) -> None:
        """Send the held CREATE TABLE (without its deferred keys, or as dumped) and the
        lines held after it."""
        assert self.held is not None
        statement, split, lines = self.held
        self.held = None
        self.main.send(split.create if defer else statement)
        self.main_dirty = True
        for line in lines:
            self._line(line)
        if defer:
            self.deferred[split.table] = (split.add_keys, 0)
            self.filling = split.table

    def _touches_deferred(self, stripped: bytes) -> bool:
        """USE, or dropping a table whose keys wait: its keys are added first."""
        if not self.deferred:
            return False
        if stripped.upper().startswith(b"USE "):
            return True
        return stripped.startswith(b"DROP TABLE") and any(t in stripped for t in self.deferred)

    def _add_keys(self, *, last: bool = False) -> None:
        """Once the rows are in, the waiting keys are added, the largest tables first, each
        on the session with the least work so far (tables build in parallel). `last`: the
        end of the stream, where `after_rows` learns that every row is in."""
        if not self.deferred and not last:
            return
        self.main.sync()
        for session in self.rows:
            session.sync()
        if last:
            mark("rows loaded")
            if self.after_rows is not None:
                self.after_rows()
        work = dict.fromkeys(self.rows, 0)
        for alter, size in sorted(self.deferred.values(), key=lambda d: -d[1]):
            session = min(work, key=lambda s: work[s])
            session.send(alter)
            work[session] += size
        self.deferred.clear()
        self.filling = None
