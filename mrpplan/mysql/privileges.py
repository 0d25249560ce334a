"""A missing privilege, said plainly: which privilege, which account, which statement.

Every connection mrpplan opens uses `GuardedCursor`, so a privilege error raised anywhere
(the journal, a history table, a step) becomes `PrivilegeDenied`. It is still a PyMySQL
OperationalError with the same (errno, text) args, so code that handles server errors
(the executor's undo, the seed runner's rollback) works exactly as before; only when
nothing handles it does the CLI print it as one readable message instead of a crash.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pymysql
import pymysql.cursors

from mrpplan.errors import SqlError

# table/column/routine command denied, database access denied, global privilege needed
PRIVILEGE_ERRNOS = frozenset({1142, 1143, 1370, 1044, 1227})
_COMMAND = re.compile(r"^(?P<priv>[\w ]+?) command denied to user '[^']*'@'[^']*' for (?P<on>.+)$")
_GLOBAL = re.compile(r"you need \(at least one of\) the (?P<priv>.+?) privilege")
_DATABASE = re.compile(r"to database '(?P<db>[^']*)'")
_TABLE = re.compile(r"table `?(?P<db>[^`.]+)`?\.`")


class PrivilegeDenied(SqlError, pymysql.err.OperationalError):
    """The server refused a statement for lack of a privilege."""

    def __init__(self, errno: int, server_text: str, statement: str, account: str):
        privilege, on, grant_on = _parse(errno, server_text, statement)
        shown = " ".join(statement.split())
        shown = shown if len(shown) <= 200 else shown[:197] + "..."
        hint = (
            f"an administrator can grant it: GRANT {privilege} ON {grant_on} TO {account}; "
            "or use a user that has it"
            if grant_on
            else f"ask an administrator to grant {privilege} to {account}"
        )
        super().__init__(
            f"permission denied: {account} lacks the {privilege} privilege on {on}, "
            f"which this statement needs:\n  {shown}",
            statement=statement,
            errno=errno,
            hint=hint,
        )
        self.args = (errno, server_text)
        self.privilege = privilege
        self.account = account


class GuardedCursor(pymysql.cursors.Cursor):
    """The default cursor, with privilege errors turned into PrivilegeDenied."""

    def execute(self, query: Any, args: Any = None) -> int:
        try:
            return super().execute(query, args)  # type: ignore[no-any-return]
        except pymysql.err.MySQLError as exc:
            if not (exc.args and exc.args[0] in PRIVILEGE_ERRNOS):
                raise
            connection = self.connection
            raise PrivilegeDenied(
                int(exc.args[0]), str(exc.args[1]), str(query), _account(connection)
            ) from None


@contextlib.contextmanager
def before_any_change(unchanged: str = "Nothing was changed.") -> Iterator[None]:
    """Around the first write of a command: a privilege error there changed nothing."""
    try:
        yield
    except PrivilegeDenied as exc:
        exc.unchanged = exc.unchanged or unchanged
        raise


def _account(conn: pymysql.connections.Connection[Any]) -> str:
    """'user'@'host' as the server knows the account (what a GRANT must name)."""
    with contextlib.suppress(Exception), conn.cursor(pymysql.cursors.Cursor) as cur:
        cur.execute("SELECT CURRENT_USER()")
        row = cur.fetchone()
        if row and row[0]:
            user, _, host = str(row[0]).rpartition("@")
            return f"'{user}'@'{host}'"
    return f"'{getattr(conn, 'user', b'') or ''}'"


def _parse(errno: int, text: str, statement: str) -> tuple[str, str, str | None]:
    """(privilege, what it is needed on, the GRANT target or None) from the server's text."""
    command = _COMMAND.search(text)
    if command:
        on = command["on"]
        table = _TABLE.search(on)
        return command["priv"].upper(), on, f"`{table['db']}`.*" if table else None
    needed = _GLOBAL.search(text)
    if needed:
        return needed["priv"].upper(), "the server", "*.*"
    database = _DATABASE.search(text)
    verb = (statement.split() or ["USAGE"])[0].upper()
    if database:
        return verb, f"database {database['db']}", f"`{database['db']}`.*"
    return verb, "this server", None
