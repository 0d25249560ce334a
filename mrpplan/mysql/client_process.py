"""The stock client programs (mariadb-dump, mariadb) as child processes.

Bulk data moves through the C client tools, not through Python: they run at the
server's speed (DESIGN §4.2). This module builds their argument lists, starts them,
collects their stderr, and turns a non-zero exit into one readable error.

Credentials reach every child through `client_credentials`: an option file that lives
only in memory (memfd) and is inherited as `/dev/fd/N` (`--defaults-extra-file=/dev/fd/N`).
No file on any disk ever holds the password, so a SIGKILL at any moment leaves nothing
behind; it is never in argv or the environment either (`ps`, /proc/PID/environ).

Public API (also used by sync):
    client_credentials(settings)               context manager -> Credentials (fd, option)
    DumpSpec                                   what to dump
    dump_argv(tool, option_file, spec)         argv for mariadb-dump/mysqldump
    client_argv(tool, option_file, database)   argv for mariadb/mysql reading SQL on stdin
    ToolProcess(argv, credentials=...)         a started child that inherits the credentials
    open_dump(settings, spec)                  context manager -> ToolProcess (read .stdout)
    open_loader(settings, database)            context manager -> ToolProcess (write .stdin)
    pipe_dump(source, spec, target, database)  mariadb-dump -> mariadb, no temp file
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError, SqlError
from mrpplan.forked import kill_with_parent
from mrpplan.mysql.connection import client_tool

CHUNK = 1 << 20

# Session settings for a load: safe because they only live in the loading session.
LOAD_SESSION_SQL = "SET SESSION foreign_key_checks=0, unique_checks=0"


@dataclass(frozen=True)
class Credentials:
    """An option file held in memory; children open it as `path` (an inherited fd)."""

    fd: int
    secret: str | None

    @property
    def path(self) -> str:
        return f"/dev/fd/{self.fd}"

    @property
    def option(self) -> str:
        """The client option; it must be the first argument (client rule)."""
        return f"--defaults-extra-file={self.path}"


def option_file_text(settings: ConnectionSettings) -> str:
    """The `[client]` section that logs a client tool in as `settings` say."""
    lines = ["[client]", f"user={_quote(settings.user or 'root')}"]
    if settings.password:
        lines.append(f"password={_quote(settings.password)}")
    if settings.socket and not settings.host:
        lines.append(f"socket={settings.socket}")
    else:
        lines.append(f"host={settings.host or '127.0.0.1'}")
        lines.append(f"port={settings.port or 3306}")
        lines.append("protocol=TCP")
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@contextlib.contextmanager
def client_credentials(settings: ConnectionSettings) -> Iterator[Credentials]:
    """The credentials as an in-memory option file, for `ToolProcess(credentials=...)`.

    A memfd is an anonymous file in RAM: it has no name in any filesystem and vanishes
    when the last process holding it ends, so nothing survives a SIGKILL. It is opened
    close-on-exec, so only the children it is passed to (pass_fds) inherit it, and it is
    sealed read-only. Each `open(/dev/fd/N)` starts at offset 0, so tools that read the
    file once per connection (mydumper, myloader, Perl DBI) work too. Where memfd does
    not exist, a pipe holds the text instead (readable once: enough for one client).
    """
    data = option_file_text(settings).encode()
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None:
        fd = memfd("mrpplan-client", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        os.fchmod(fd, 0o600)  # memfds start 0777; clients ignore world-writable files
        os.write(fd, data)
        seals = fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    else:  # pragma: no cover - not Linux
        fd, write_end = os.pipe()
        os.write(write_end, data)
        os.close(write_end)
    try:
        yield Credentials(fd, settings.password)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class DumpSpec:
    """What to dump from one database. Empty `tables` = the whole database."""

    database: str
    tables: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    schema: bool = True
    data: bool = True
    routines: bool = True
    extra: tuple[str, ...] = field(default=())

    @property
    def whole_database(self) -> bool:
        return not self.tables


def dump_argv(tool: str, option_file: Path | str, spec: DumpSpec) -> list[str]:
    """The dump command line. The option file must come first (client rule)."""
    argv = [
        tool,
        f"--defaults-extra-file={option_file}",
        "--single-transaction",  # consistent InnoDB snapshot, no table locks
        "--quick",  # stream rows, do not buffer whole tables in the client
        "--hex-blob",  # binary columns survive any client charset
        "--extended-insert",  # multi-row INSERTs: the fast form to load
        "--triggers",
        "--add-drop-table",
        "--create-options",
        "--set-charset",
        "--default-character-set=utf8mb4",
        "--max-allowed-packet=1G",
        "--no-tablespaces",  # MySQL 8 would need the PROCESS privilege otherwise
        "--skip-add-locks",  # LOCK TABLES adds nothing for InnoDB loads
    ]
    if spec.whole_database and spec.schema:
        argv += ["--routines", "--events"] if spec.routines else []
    else:
        argv += ["--skip-routines", "--skip-events"]
    if not spec.schema:
        argv += ["--no-create-info", "--skip-triggers"]
    if not spec.data:
        argv += ["--no-data"]
    argv += [f"--ignore-table={spec.database}.{t}" for t in spec.exclude]
    argv += list(spec.extra)
    argv += ["--", spec.database, *spec.tables] if spec.tables else ["--", spec.database]
    return argv


def client_argv(
    tool: str,
    option_file: Path | str,
    database: str,
    *,
    init_command: str | None = LOAD_SESSION_SQL,
) -> list[str]:
    """The `mariadb` client reading a dump on stdin into `database`."""
    argv = [
        tool,
        f"--defaults-extra-file={option_file}",
        "--batch",
        "--binary-mode",  # dumps may carry \0 and \r in strings
        "--skip-reconnect",  # a lost connection must fail, never continue half-way
        "--max-allowed-packet=1G",
        "--default-character-set=utf8mb4",
    ]
    if init_command:
        argv.append(f"--init-command={init_command}")
    argv += ["--database", database]
    return argv


class ToolProcess:
    """A running client program with its stderr collected in the background."""

    def __init__(
        self,
        argv: list[str],
        *,
        stdin: int | IO[bytes] | None,
        stdout: int | IO[bytes] | None,
        credentials: Credentials | None = None,
        secret: str | None = None,
        die_with_parent: bool = False,
    ):
        self.argv = argv
        self.name = os.path.basename(argv[0])
        self.popen = _start(
            argv,
            credentials,
            credentials.secret if credentials else secret,
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            preexec_fn=kill_with_parent() if die_with_parent else None,
        )
        self._err = bytearray()
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def stdout(self) -> IO[bytes]:
        assert self.popen.stdout is not None
        return self.popen.stdout

    @property
    def stdin(self) -> IO[bytes]:
        assert self.popen.stdin is not None
        return self.popen.stdin

    def _collect(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            if len(self._err) < 64 * 1024:
                self._err += line

    @property
    def stderr_text(self) -> str:
        return self._err.decode("utf-8", "replace").strip()

    def wait(self) -> int:
        code = self.popen.wait()
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.wait()

    def check(self, what: str) -> None:
        """Raise a readable error if the program failed."""
        code = self.wait()
        if code != 0:
            raise tool_error(self.name, what, code, self.stderr_text)


def _start(
    argv: list[str], credentials: Credentials | None, secret: str | None, **how: Any
) -> subprocess.Popen[bytes]:
    """The one way a client program starts: never with a password in its arguments or
    environment, with the in-memory option file (if any) as its only inherited fd."""
    if argv_has_secret(argv, secret):
        raise MrpplanError(
            f"refusing to start {os.path.basename(argv[0])}: its arguments would show a password"
        )
    fds = (credentials.fd,) if credentials else ()
    return subprocess.Popen(argv, env=child_env(secret), pass_fds=fds, **how)


def tool_error(name: str, what: str, code: int, stderr: str) -> MrpplanError:
    """One message for a failed client program; SqlError with errno when the server said why."""
    text = _last_lines(stderr) or f"exit code {code}"
    if code < 0:
        text = f"killed by signal {-code}" + (f": {text}" if stderr else "")
    found = re.search(r"ERROR (\d+) \(\w+\)(?: at line (\d+))?: (.*)", stderr)
    if found:
        errno = int(found.group(1))
        where = f" at line {found.group(2)} of the dump" if found.group(2) else ""
        return SqlError(
            f"{what} failed: {name}: server error {errno}{where}: {found.group(3)}", errno=errno
        )
    return MrpplanError(f"{what} failed: {name}: {text}")


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-n:])


_SECRET_KEY = re.compile(r"PASS|PWD|SECRET|TOKEN|CREDENTIAL", re.IGNORECASE)


def child_env(secret: str | None = None) -> dict[str, str]:
    """The environment for child programs: no variable that looks like or holds a secret
    (MYSQL_PWD, the env's password_env variable, ...), no MYSQL_HOST overriding the file."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not _SECRET_KEY.search(k) and not (secret and secret in v)
    }
    env.pop("MYSQL_HOST", None)
    env.pop("MYSQL_TCP_PORT", None)
    return env


# clients started by `start_detached` and not yet seen to end (kept so none is reaped
# unseen while the command runs, as Popen objects that are dropped while running warn)
_DETACHED: list[subprocess.Popen[bytes]] = []


def start_detached(settings: ConnectionSettings, sql: str) -> bool:
    """Run `sql` with the `mariadb` client in a process that outlives the command: in a
    session of its own (Ctrl-C in the terminal does not reach it), with no output, never
    waited for. False when the client cannot be started."""
    _DETACHED[:] = [p for p in _DETACHED if p.poll() is None]
    try:
        tool = loader_tool()
        with client_credentials(settings) as credentials:
            argv = [tool, credentials.option, "--batch", "--skip-reconnect", "-e", sql]
            quiet = subprocess.DEVNULL
            started = _start(
                argv,
                credentials,
                settings.password,
                stdin=quiet,
                stdout=quiet,
                stderr=quiet,
                start_new_session=True,
            )
            _DETACHED.append(started)
    except (MrpplanError, OSError):  # a password in argv included
        return False
    return True


def dump_tool() -> str:
    return client_tool("mariadb-dump", "mysqldump")


def loader_tool() -> str:
    return client_tool("mariadb", "mysql")


@contextlib.contextmanager
def open_dump(settings: ConnectionSettings, spec: DumpSpec) -> Iterator[ToolProcess]:
    """Start mariadb-dump; the caller reads `.stdout`, then calls `.check(...)`.

    The process is killed if the block exits early.
    """
    with client_credentials(settings) as credentials:
        proc = ToolProcess(
            dump_argv(dump_tool(), credentials.path, spec),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            credentials=credentials,
        )
        try:
            yield proc
        finally:
            if proc.popen.poll() is None:
                with contextlib.suppress(Exception):
                    proc.stdout.close()
                proc.kill()


@contextlib.contextmanager
def open_loader(
    settings: ConnectionSettings,
    database: str,
    *,
    stdin: int | IO[bytes] | None = subprocess.PIPE,
    init_command: str | None = LOAD_SESSION_SQL,
) -> Iterator[ToolProcess]:
    """Start the `mariadb` client reading SQL into `database` (write `.stdin`, close, check)."""
    with client_credentials(settings) as credentials:
        argv = client_argv(loader_tool(), credentials.path, database, init_command=init_command)
        proc = ToolProcess(argv, stdin=stdin, stdout=subprocess.DEVNULL, credentials=credentials)
        try:
            yield proc
        except BaseException:
            proc.kill()
            raise
        finally:
            if proc.popen.stdin is not None and not proc.popen.stdin.closed:
                with contextlib.suppress(BrokenPipeError, OSError):
                    proc.stdin.close()
            proc.wait()


def pipe_dump(
    source: ConnectionSettings,
    spec: DumpSpec,
    target: ConnectionSettings,
    database: str,
    *,
    on_bytes: Callable[[int], None] | None = None,
) -> int:
    """Stream a dump of `spec` from `source` into `database` on `target`; no temp file.

    Returns the number of SQL bytes moved. Raises MrpplanError/SqlError naming the side
    that failed; the target may then hold a partial load (callers take a checkpoint first).
    """
    moved = 0
    with open_dump(source, spec) as dump, open_loader(target, database) as load:
        try:
            moved = copy_stream(dump.stdout, load.stdin, on_bytes)
        except BrokenPipeError:
            dump.kill()
            load.check("loading into " + database)
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                load.stdin.close()
        dump.check(f"dumping {source.describe()}")
        load.check(f"loading into {target.describe().rsplit('/', 1)[0]}/{database}")
    return moved


def copy_stream(
    src: IO[bytes], dst: IO[bytes], on_bytes: Callable[[int], None] | None = None
) -> int:
    """Copy in 1 MiB chunks, reporting each chunk's size."""
    total = 0
    read = src.read1 if hasattr(src, "read1") else src.read
    while True:
        chunk = read(CHUNK)
        if not chunk:
            return total
        dst.write(chunk)
        total += len(chunk)
        if on_bytes:
            on_bytes(len(chunk))


def argv_has_secret(argv: Sequence[str], secret: str | None) -> bool:
    """True if a secret appears anywhere in argv (used by tests and a runtime guard)."""
    return bool(secret) and any(str(secret) in arg for arg in argv)
