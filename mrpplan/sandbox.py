"""A throwaway local MariaDB server: no systemd, loopback only, data under .mrpplan/sandbox."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pymysql

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError, ToolMissing

_SEARCH = ("/usr/sbin", "/usr/local/sbin", "/usr/libexec", "/usr/local/mysql/bin")
# Binary logging as a production primary has it, so point-in-time restore (DESIGN §3.13)
# works in the demo and the tests: ROW events with full row images. The suite writes a
# lot, so old logs go after 15 minutes and each file is rotated at 16 MB. Functions need
# no DETERMINISTIC declaration (as before, when nothing was logged).
BINLOG_ARGS = (
    "--log-bin=mariadb-bin",
    "--server-id=1",
    "--binlog-format=ROW",
    "--binlog-row-image=FULL",
    "--binlog-expire-logs-seconds=900",
    "--max-binlog-size=16M",
    "--log-bin-trust-function-creators=1",
)

INSTALL_HINT = (
    "install the server package: `sudo apt-get install mariadb-server` "
    "(Debian/Ubuntu), then run `mrpplan sandbox up` again"
)


@dataclass(frozen=True)
class SandboxInfo:
    """A running sandbox server: where it is and how to log in."""

    dir: Path
    port: int
    socket: Path
    pid: int
    password: str
    version: str

    def settings(self, database: str = "mysql") -> ConnectionSettings:
        return ConnectionSettings(
            database=database,
            host="127.0.0.1",
            port=self.port,
            user="root",
            option_file=self.option_file,
            password=self.password,
        )

    @property
    def option_file(self) -> Path:
        return self.dir / "client.cnf"

    def url(self, show_password: bool = False) -> str:
        secret = self.password if show_password else "****"
        return f"mysql://root:{secret}@127.0.0.1:{self.port}/"


def default_dir(project_root: Path) -> Path:
    override = os.environ.get("MRPPLAN_SANDBOX_DIR")
    return Path(override) if override else project_root / ".mrpplan" / "sandbox"


def _program(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in _SEARCH:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    raise ToolMissing(
        f"{name} is not installed, so the sandbox server cannot start", hint=INSTALL_HINT
    )


def free_port() -> int:
    """A free port below the kernel's range for outgoing connections: a port from that
    range, free when chosen, can be the local port of any client connection by the time
    the server binds it (a Galera node failed to start so, "Address already in use", in a
    test run making thousands of connections)."""
    low, high = _ephemeral_range()
    first, last = (max(1024, low - 12000), low - 1) if low > 2048 else (high + 1, 65535)
    for _ in range(200):
        port = first + secrets.randbelow(max(1, last - first + 1))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # everything there taken
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ephemeral_range() -> tuple[int, int]:
    """Linux's ip_local_port_range (its default where it cannot be read)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[:2]
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _alive(pid: int) -> bool:
    """True while the process runs. A server this process started (its child) that has
    ended is reaped here: otherwise it stays a zombie that signal 0 still reaches, and a
    wait for it to end would never return."""
    try:
        ended, _status = os.waitpid(pid, os.WNOHANG)
        if ended == pid:
            return False
    except ChildProcessError:
        pass  # not a child of this process: its parent reaps it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _state_file(base: Path) -> Path:
    return base / "state.json"


def status(base: Path) -> SandboxInfo | None:
    """The running sandbox, or None when it is not running."""
    base = base.resolve()
    state_path = _state_file(base)
    if not state_path.is_file():
        return None
    state = json.loads(state_path.read_text())
    pid = _running_pid(base)
    if pid is None:
        return None
    password = (base / "root.password").read_text().strip()
    info = SandboxInfo(base, int(state["port"]), Path(state["socket"]), pid, password, "")
    try:
        version = _query_version(info)
    except pymysql.err.MySQLError:
        return None
    return SandboxInfo(info.dir, info.port, info.socket, pid, password, version)


def _query_version(info: SandboxInfo, password: str | None = None) -> str:
    with (
        root_session(info, info.password if password is None else password) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT VERSION()")
        row = cur.fetchone()
        return str(row[0]) if row else ""


def root_session(info: SandboxInfo, password: str) -> contextlib.closing[pymysql.Connection]:
    """Root over the socket, closed by `with`: the server's own bootstrap. mysql.session()
    is above this module (the workspace starts the sandbox), so it cannot be used here.
    No TLS on the local socket of our own server (it guards nothing there): PyMySQL would
    load the system's CA certificates for it, a twentieth of a no-change plan."""
    return contextlib.closing(
        pymysql.connect(
            unix_socket=str(info.socket),
            user="root",
            password=password,
            connect_timeout=2,
            ssl_disabled=True,
        )
    )


def up(
    base: Path,
    port: int | None = None,
    timeout: float = 60.0,
    extra_args: Sequence[str] = (),
) -> SandboxInfo:
    """Start the sandbox (or reuse the running one) and return how to reach it.

    Two `up`s at once (two terminals, parallel test workers) take turns on a lock file:
    the second finds the server the first started instead of preparing a second datadir.
    `extra_args` come last, so they win (e.g. `--log-bin` and `--server-id` for a primary
    and its replica in the replication tests).

    A sandbox started by an older mrpplan without binary logging is restarted with it
    (its data is kept): `restarted_for_binlog` says so to the caller."""
    base = base.resolve()
    running = status(base)
    if running and (extra_args or logs_binlog(running)):
        return running
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o700)
    with open(base / "up.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        running = status(base)
        if running and not extra_args and not logs_binlog(running):
            down(base, timeout)
            RESTARTED.append(base)
            port = port or _previous_port(base)
            running = None
        return running or _start(base, port, timeout, extra_args)


RESTARTED: list[Path] = []  # sandboxes this process restarted to turn binary logging on


def restarted_for_binlog(base: Path) -> bool:
    return base.resolve() in RESTARTED


def logs_binlog(info: SandboxInfo) -> bool:
    """True when the running server writes a binary log in ROW format."""
    with root_session(info, info.password) as conn, conn.cursor() as cur:
        cur.execute("SELECT @@log_bin, @@binlog_format")
        row = cur.fetchone()
    return row is not None and int(row[0]) == 1 and str(row[1]).upper() == "ROW"


def _previous_port(base: Path) -> int | None:
    """A restarted sandbox keeps its port (clients may have its URL)."""
    try:
        return int(json.loads(_state_file(base).read_text())["port"]) or None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _start(base: Path, port: int | None, timeout: float, extra_args: Sequence[str]) -> SandboxInfo:
    mariadbd = _program("mariadbd")
    data = base / "data"
    fresh = not (data / "mysql").is_dir()
    if fresh:
        _prepare_datadir(base, data)
    password_file = base / "root.password"
    if not password_file.is_file():
        _write_private(password_file, secrets.token_urlsafe(24) + "\n")
    password = password_file.read_text().strip()
    port = port or int(os.environ.get("MRPPLAN_SANDBOX_PORT", "0")) or free_port()
    tmp = base / "tmp"
    tmp.mkdir(mode=0o700, exist_ok=True)
    sock = base / "mariadbd.sock"
    if len(str(sock)) > 100:  # unix socket paths are limited to ~107 bytes
        sock = Path(f"/tmp/mrpplan-{secrets.token_hex(6)}.sock")
    args = [
        mariadbd,
        "--no-defaults",
        f"--datadir={data}",
        f"--socket={sock}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--pid-file={base / 'mariadbd.pid'}",
        f"--log-error={base / 'error.log'}",
        f"--tmpdir={tmp}",  # its own: a /tmp cleaner must not delete its temporary tables
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_general_ci",
        "--skip-name-resolve",
        *BINLOG_ARGS,
        "--innodb-buffer-pool-size=256M",
        "--innodb-log-file-size=256M",
        "--innodb-flush-log-at-trx-commit=2",
        "--max-allowed-packet=256M",
        "--max-connections=200",
        "--performance-schema=OFF",
        "--innodb-lock-wait-timeout=20",
    ]
    if os.geteuid() == 0:
        args.append("--user=root")
    args += list(extra_args)
    log = open(base / "mariadbd.out", "ab")  # noqa: SIM115 - handed to the daemon
    subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    log.close()
    _write_private(_state_file(base), json.dumps({"port": port, "socket": str(sock)}) + "\n")
    info = SandboxInfo(base, port, sock, 0, password, "")
    deadline = time.monotonic() + timeout
    while True:
        try:
            _query_version(info)
            break
        except pymysql.err.MySQLError as exc:
            if exc.args and exc.args[0] == 1045 and fresh:
                _set_root_password(info)
                continue
            if time.monotonic() > deadline:
                tail = _tail(base / "error.log")
                raise MrpplanError(
                    f"the sandbox server did not start within {timeout:.0f}s.\n{tail}"
                ) from None
            time.sleep(0.05)
    if fresh:
        _set_root_password(info)
    secret_line = f"password={json.dumps(password)}"  # generated: letters, digits, - and _
    lines = ["[client]", "user=root", secret_line, "host=127.0.0.1", f"port={port}", "protocol=TCP"]
    _write_private(info.option_file, "\n".join(lines) + "\n")
    running = status(base)
    if running is None:
        raise MrpplanError("the sandbox server started but cannot be reached")
    return running


def _prepare_datadir(base: Path, data: Path) -> None:
    """Copy the template datadir (made once with mariadb-install-db) into place."""
    template = base / "template"
    if not (template / "mysql").is_dir():
        install_db = _program("mariadb-install-db")
        shutil.rmtree(template, ignore_errors=True)
        args = [
            install_db,
            "--no-defaults",
            f"--datadir={template}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        if os.geteuid() == 0:
            args.append("--user=root")
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise MrpplanError(f"mariadb-install-db failed:\n{done.stderr.strip()[-2000:]}")
    shutil.copytree(template, data)


def _set_root_password(info: SandboxInfo) -> None:
    """A fresh datadir's root has no password: give it the generated one, for TCP too."""
    with contextlib.ExitStack() as stack:
        try:
            conn = stack.enter_context(root_session(info, ""))
        except pymysql.err.MySQLError:
            return  # already set
        pw = info.password.replace("'", "''")
        with conn.cursor() as cur:
            cur.execute("SET SESSION sql_log_bin = 0")  # the password stays out of the log
            for host in ("localhost", "127.0.0.1", "::1"):
                cur.execute(f"CREATE USER IF NOT EXISTS 'root'@'{host}'")
                cur.execute(f"ALTER USER 'root'@'{host}' IDENTIFIED BY '{pw}'")
                cur.execute(f"GRANT ALL PRIVILEGES ON *.* TO 'root'@'{host}' WITH GRANT OPTION")
            cur.execute("FLUSH PRIVILEGES")


def _running_pid(base: Path) -> int | None:
    """The server's pid from its pid file, when that process is alive."""
    pid_file = base / "mariadbd.pid"
    if not pid_file.is_file():
        return None
    pid = int(pid_file.read_text().strip() or 0)
    return pid if pid > 0 and _alive(pid) else None


def down(base: Path, timeout: float = 60.0) -> bool:
    """Stop the sandbox by its pid file and wait; False when it was not running."""
    pid = _running_pid(base)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    return True


def _tail(path: Path, lines: int = 15) -> str:
    if not path.is_file():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
