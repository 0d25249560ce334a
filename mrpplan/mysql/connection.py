"""Sessions on the server (PyMySQL): `session()` opens every one; where the client tools are.

Credentials for the client tools (an option file that exists only in memory) are in
`client_process.client_credentials`."""

from __future__ import annotations

import contextlib
import shutil
import ssl
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pymysql
import pymysql.cursors

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import ConnectionFailed, ToolMissing, UnknownDatabase
from mrpplan.mysql.privileges import GuardedCursor

if TYPE_CHECKING:  # the stubs make Connection generic in its cursor; PyMySQL does not
    _Connection = pymysql.connections.Connection[GuardedCursor]
else:
    _Connection = pymysql.connections.Connection


class Session(_Connection):
    """An open session on the server, made only by `session()` (which closes it).

    PyMySQL builds a new TLS context for every connection (SSL "preferred" by default),
    loading the system's CA certificates each time: that was a tenth of a no-change plan.
    The default context is built once per process and shared (contexts are shareable), and
    without the CA store (`preferred_tls`): it verifies nothing, as PyMySQL's does not."""

    _shared_ctx: ssl.SSLContext | None = None

    def _create_ssl_ctx(self, sslp: dict[str, Any]) -> ssl.SSLContext:
        if sslp:
            return super()._create_ssl_ctx(sslp)  # type: ignore[misc]
        if Session._shared_ctx is None:
            Session._shared_ctx = preferred_tls()
        return Session._shared_ctx


def preferred_tls() -> ssl.SSLContext:
    """The context of SSL "preferred" (no CA, no certificate given): encrypted when the
    server offers TLS, never verified. PyMySQL's own is the same but first loads the
    system's CA certificates (~25 ms), which a context that verifies nothing never reads."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.verify_flags &= ~ssl.VERIFY_X509_STRICT
    ctx.options |= ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3
    return ctx


@contextlib.contextmanager
def session(
    settings: ConnectionSettings,
    *,
    database: str | None = "",
    autocommit: bool = True,
    connect_timeout: int = 10,
    read_only: bool = False,
    lock_wait_timeout: int | None = None,
    innodb_lock_wait_timeout: int | None = None,
    sql_mode: str | None = None,
) -> Iterator[Session]:
    """The one way to talk to the server: a session closed on every path out of the block.

    `database=None` connects to no database, "" to the configured one. The session-wide
    settings live here: `read_only` makes every transaction of the session READ ONLY (the
    server refuses any write); the timeouts are in seconds; `sql_mode` replaces the
    server's default for this session only."""
    conn = _open(
        settings, database=database, autocommit=autocommit, connect_timeout=connect_timeout
    )
    try:
        _configure(conn, read_only, lock_wait_timeout, innodb_lock_wait_timeout, sql_mode)
        yield conn
    finally:
        if conn.open:  # an owner may have closed it already (ending a BACKUP STAGE)
            conn.close()


def _configure(
    conn: Session,
    read_only: bool,
    lock_wait_timeout: int | None,
    innodb_lock_wait_timeout: int | None,
    sql_mode: str | None,
) -> None:
    assignments: list[tuple[str, object]] = [
        (name, value)
        for name, value in (
            ("lock_wait_timeout", lock_wait_timeout),
            ("innodb_lock_wait_timeout", innodb_lock_wait_timeout),
            ("sql_mode", sql_mode),
        )
        if value is not None
    ]
    with conn.cursor() as cur:
        if assignments:
            cur.execute(
                "SET SESSION " + ", ".join(f"{name} = %s" for name, _ in assignments),
                tuple(value for _, value in assignments),
            )
        if read_only:
            cur.execute("SET SESSION TRANSACTION READ ONLY")


def _open(
    settings: ConnectionSettings,
    *,
    database: str | None,
    autocommit: bool,
    connect_timeout: int,
) -> Session:
    db = settings.database if database == "" else database
    kwargs: dict[str, object] = {
        "user": settings.user or "root",
        "password": settings.password or "",
        "database": db,
        "charset": "utf8mb4",
        "autocommit": autocommit,
        "connect_timeout": connect_timeout,
        "local_infile": False,
        "cursorclass": GuardedCursor,  # privilege errors name privilege, user and statement
    }
    if settings.socket and not settings.host:
        kwargs["unix_socket"] = settings.socket
    else:
        kwargs["host"] = settings.host or "127.0.0.1"
        kwargs["port"] = settings.port or 3306
    try:
        return Session(**kwargs)  # type: ignore[call-overload]
    except pymysql.err.OperationalError as exc:
        failure = UnknownDatabase if exc.args and exc.args[0] == 1049 else ConnectionFailed
        raise failure(_login_message(settings, db, exc)) from None


def _login_message(settings: ConnectionSettings, db: str | None, exc: Exception) -> str:
    errno = exc.args[0] if exc.args else None
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    where = f"{settings.user}@{settings.endpoint()}"
    if errno == 1045:
        why = f"access denied for {where}"
        if settings.password_source:
            why += f" (check the password in {settings.password_source})"
        elif settings.password_env:
            why += f" (the password variable {settings.password_env} is not set)"
    elif errno == 1049:
        why = f"database {db!r} does not exist on {settings.endpoint()}"
    elif errno in (2003, 2002, 2013, 2006):
        why = f"cannot reach the server at {settings.endpoint()} (is it running?)"
    else:
        why = f"cannot connect as {where}: {text}"
    return f"connection failed: {why}. Nothing was changed."


def server_version(conn: Session) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        row = cur.fetchone()
    return str(row[0]) if row else ""


def kill_query(settings: ConnectionSettings, connection_id: int) -> None:
    """Stop the statement another of our connections is running (a cancelled backup's
    checksum pass), so a failure is reported in seconds, not after a full table scan."""
    with (
        session(settings, database=None, connect_timeout=5) as conn,
        conn.cursor() as cur,
        contextlib.suppress(pymysql.err.MySQLError),  # the statement already ended
    ):
        cur.execute("KILL QUERY %s", (connection_id,))


def client_tool(*names: str) -> str:
    """Path of the first client program found (e.g. 'mariadb-dump', 'mysqldump')."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise ToolMissing(
        f"none of {', '.join(names)} is installed",
        hint="install the client tools: apt-get install mariadb-client",
    )
