"""Connections to the server (PyMySQL); where the client tools are.

Credentials for the client tools (an option file that exists only in memory) are in
`client_process.client_credentials`."""

from __future__ import annotations

import shutil
from typing import Any

import pymysql
import pymysql.cursors

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import ConnectionFailed, ToolMissing, UnknownDatabase
from mrpplan.mysql.privileges import GuardedCursor

Connection = pymysql.connections.Connection


class _Connection(pymysql.connections.Connection):  # type: ignore[type-arg]
    """PyMySQL builds a new TLS context for every connection (SSL "preferred" by default),
    loading the system's CA certificates each time: that was a tenth of a no-change plan.
    The default context is built once per process and shared (contexts are shareable)."""

    _shared_ctx: Any = None

    def _create_ssl_ctx(self, sslp: dict[str, Any]) -> Any:
        if sslp:
            return super()._create_ssl_ctx(sslp)  # type: ignore[misc]
        if _Connection._shared_ctx is None:
            _Connection._shared_ctx = super()._create_ssl_ctx(sslp)  # type: ignore[misc]
        return _Connection._shared_ctx


def connect(
    settings: ConnectionSettings,
    *,
    database: str | None = "",
    autocommit: bool = True,
    connect_timeout: int = 10,
) -> Connection:
    """Open a connection; `database=None` connects to no database, "" to the configured one."""
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
        return _Connection(**kwargs)  # type: ignore[call-overload]
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


def server_version(conn: Connection) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        row = cur.fetchone()
    return str(row[0]) if row else ""


def kill_query(settings: ConnectionSettings, connection_id: int) -> None:
    """Stop the statement another of our connections is running (a cancelled backup's
    checksum pass), so a failure is reported in seconds, not after a full table scan."""
    conn = connect(settings, database=None, connect_timeout=5)
    try:
        with conn.cursor() as cur:
            cur.execute("KILL QUERY %s", (connection_id,))
    except pymysql.err.MySQLError:
        pass  # the statement already ended
    finally:
        conn.close()


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
