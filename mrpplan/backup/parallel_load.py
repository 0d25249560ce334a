"""Load a dump through several `mariadb` client sessions at once.

The server inserts rows of one session on one core; a restore is bound by that. Here the
decompressed stream is split at statement boundaries: every `INSERT` statement goes to
the next session in turn, everything else (DDL, SET, triggers, routines) goes, in order,
to the first session. Barriers keep the order that matters:
  - before INSERTs go to other sessions, the first session has finished the DDL before
    them (the table exists);
  - before the next non-INSERT statement, every session has finished its INSERTs (a
    trigger created after a table's rows never fires on them, as in a serial load).
A barrier is `SELECT 'mrpplan-sync-N';` whose output the session prints when it gets there.
Session settings from the dump (`SET NAMES`, `TIME_ZONE`, `SQL_MODE`, ...) are sent to
every session so each INSERT runs under the same settings as in a serial load. Regions
inside `LOCK TABLES` or a non-`;` DELIMITER stay on the first session.

mariadb-dump escapes newlines inside values, so an INSERT statement ends at the first
`;` that ends a line.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
from pathlib import Path
from typing import IO

from mrpplan.backup.compression import codec_of
from mrpplan.backup.progress import Progress
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import BackupError, MrpplanError
from mrpplan.mysql.client_process import (
    Credentials,
    ToolProcess,
    client_argv,
    client_credentials,
    loader_tool,
    tool_error,
)

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
) -> None:
    """Load `path` into `database` through `sessions` client sessions (see module doc)."""
    codec = codec_of(path)
    dec = subprocess.Popen(
        codec.decompress_argv(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    feeder = threading.Thread(target=_feed, args=(path, dec, progress), daemon=True)
    with client_credentials(settings) as credentials:
        # --unbuffered: the client prints each barrier marker as soon as it gets there
        extra = ["--skip-column-names", "--unbuffered"]
        argv = [*client_argv(loader_tool(), credentials.path, database), *extra]
        pool = [_Session(argv, credentials) for _ in range(max(1, sessions))]
        feeder.start()
        try:
            assert dec.stdout is not None
            _route(dec.stdout, pool)
        except _SessionDied as died:
            _stop(pool, dec)
            died.session.proc.wait()
            raise _failure(died.session, what) from None
        except BaseException:
            _stop(pool, dec)
            raise
        finally:
            feeder.join()
        codes = [s.close() for s in pool]
        dec.wait()
        for session, code in zip(pool, codes, strict=True):
            if code != 0:
                raise _failure(session, what)
    err = dec.stderr.read().decode("utf-8", "replace").strip() if dec.stderr else ""
    if dec.returncode != 0:
        raise BackupError(f"{what} failed: {path}: {codec.name} stream damaged: {err}")


def _failure(session: _Session, what: str) -> MrpplanError:
    code = session.proc.wait()
    return tool_error(session.proc.name, what, code or 1, session.proc.stderr_text)


def _stop(pool: list[_Session], dec: subprocess.Popen[bytes]) -> None:
    for session in pool:
        session.proc.kill()
    if dec.poll() is None:
        dec.kill()
    dec.wait()


def _feed(path: Path, dec: subprocess.Popen[bytes], progress: Progress) -> None:
    assert dec.stdin is not None
    fed = 0
    try:
        with path.open("rb", buffering=0) as handle:
            while chunk := handle.read(CHUNK):
                dec.stdin.write(chunk)
                fed += len(chunk)
                progress.advance(fed)
    except (BrokenPipeError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            dec.stdin.close()


def _route(stream: IO[bytes], pool: list[_Session]) -> None:
    main, turn = pool[0], 0
    buf = bytearray()
    eof = False
    delimiter = b";"
    locked = False
    main_dirty = False

    def fill() -> bool:
        chunk = stream.read1(CHUNK)  # type: ignore[attr-defined]
        if chunk:
            buf.extend(chunk)
        return bool(chunk)

    while True:
        nl = buf.find(b"\n")
        while nl < 0 and not eof:
            eof = not fill()
            nl = buf.find(b"\n")
        if nl < 0:
            if buf:
                main.send(bytes(buf))
            break
        head = bytes(buf[: min(nl + 1, 24)])
        if delimiter == b";" and not locked and head.startswith(_INSERT):
            end, start = buf.find(b";\n"), 0
            while end < 0 and not eof:
                start = max(0, len(buf) - 1)
                eof = not fill()
                end = buf.find(b";\n", start)
            if end < 0:
                end = len(buf) - 2
            statement = bytes(buf[: end + 2])
            del buf[: end + 2]
            session = pool[turn % len(pool)]
            turn += 1
            if session is not main and main_dirty:
                main.sync()
                main_dirty = False
            session.send(statement)
            session.pending = session is not main
            continue
        line = bytes(buf[: nl + 1])
        del buf[: nl + 1]
        stripped = line.strip()
        if not stripped or stripped.startswith(b"--"):
            main.send(line)
            continue
        for session in pool[1:]:
            if session.pending:
                session.sync()
        if stripped[:10].upper() == b"DELIMITER ":
            delimiter = stripped.split()[1]
        elif delimiter == b";":
            upper = stripped[:14].upper()
            if upper.startswith(b"LOCK TABLES"):
                locked = True
            elif upper.startswith(b"UNLOCK TABLES"):
                locked = False
            if _BROADCAST.match(stripped) and stripped.endswith(b";"):
                for session in pool[1:]:
                    session.send(line)
        main.send(line)
        main_dirty = True
