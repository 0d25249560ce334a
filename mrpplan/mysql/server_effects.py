"""What a session did to the server outside its database: accounts, roles, databases and
global variables, measured before and after (DESIGN §3.11).

Reading SQL text cannot see through `EXECUTE IMMEDIATE CONCAT(...)` or `/*!100000 ... */`;
the server's own tables can. `read_server_state` takes one snapshot in one round trip (a
UNION ALL over the grant tables, the database list, the global variables and the session's
own statement counters); `effects` lists what differs between two snapshots.

Other clients change the server too (a test suite creating databases, an operator adding
an account). Each kind of difference is attributed to the session only when its own status
counters for that kind moved: the server counts the statements that dynamic SQL and stored
programs run too (`EXECUTE IMMEDIATE 'CREATE USER ...'` moves `Com_create_user`; measured
on 10.11), so this sees through them. Row writes count for the grant tables only together
with dynamic SQL: a plain statement naming `mysql.*` is refused by the allowlist before it
runs (`sqlfiles/statement_kinds.py`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mrpplan.mysql.connection import Session
from mrpplan.mysql.privileges import PrivilegeDenied
from mrpplan.mysql.quote import ident, literal

# mrpplan's scratch databases (workspaces, an apply's rehearsals): throwaway by design;
# never its trash databases, which hold rows
_SCRATCH = ("_mrpplan_ws_", "_mrpplan_expect_")
# Globals that move by themselves (binary log positions) are not effects.
_VOLATILE = frozenset({"GTID_BINLOG_POS", "GTID_BINLOG_STATE", "GTID_CURRENT_POS"})
# Statements whose effect cannot be known from their kind.
_OPAQUE = ("COM_EXECUTE_IMMEDIATE", "COM_EXECUTE_SQL", "COM_CALL_PROCEDURE", "COM_CREATE_EVENT")
_ACCOUNT = (
    "COM_CREATE_USER",
    "COM_DROP_USER",
    "COM_ALTER_USER",
    "COM_RENAME_USER",
    "COM_GRANT",
    "COM_REVOKE",
    "COM_REVOKE_ALL",
    "COM_CREATE_ROLE",
    "COM_DROP_ROLE",
    "COM_GRANT_ROLE",
    "COM_REVOKE_ROLE",
    "COM_FLUSH",  # grant tables written directly, then FLUSH PRIVILEGES
)
# Statements that change accounts only when dynamic SQL hides what they are: a plain
# `SET PASSWORD`/`SET DEFAULT ROLE` or a write to `mysql.*` is refused by the allowlist before
# it runs, while every SET (mrpplan's own `SET @...` in each migration step too) counts here.
_ACCOUNT_BESIDE_OPAQUE = ("COM_SET_OPTION",)
_ROW_WRITES = (
    "COM_INSERT",
    "COM_INSERT_SELECT",
    "COM_UPDATE",
    "COM_UPDATE_MULTI",
    "COM_DELETE",
    "COM_DELETE_MULTI",
    "COM_REPLACE",
    "COM_REPLACE_SELECT",
    "COM_LOAD",
)
_DATABASE = ("COM_CREATE_DB", "COM_DROP_DB")
_GLOBAL = ("COM_SET_OPTION",)
# A SET that only gives a user variable the time (mrpplan's clock at the start of every
# migration step, `SET @mrpplan_t0 = NOW(6)`): it moves Com_set_option and changes nothing
# a snapshot holds. Exactly this text, so no comment or expression can hide anything in it.
_QUIET_SET = re.compile(r"SET @[A-Za-z0-9_]+ = NOW\(6\)")
_COUNTERS = frozenset((*_OPAQUE, *_ACCOUNT, *_ROW_WRITES, *_DATABASE, *_GLOBAL))

_MARIADB_ACCOUNTS = (
    "SELECT 'account', CONCAT(QUOTE(User), '@', QUOTE(Host)), SHA2(Priv, 256)"
    " FROM mysql.global_priv"
)
_MYSQL_ACCOUNTS = (
    "SELECT 'account', CONCAT(QUOTE(User), '@', QUOTE(Host)), SHA2(CONCAT_WS(',',"
    " authentication_string, account_locked, Super_priv, Grant_priv, Create_user_priv), 256)"
    " FROM mysql.user"
)
_GRANTS = (
    "SELECT 'grant', CONCAT(GRANTEE, ' on ', TABLE_SCHEMA), GROUP_CONCAT(PRIVILEGE_TYPE"
    " ORDER BY PRIVILEGE_TYPE) FROM information_schema.SCHEMA_PRIVILEGES"
    " GROUP BY GRANTEE, TABLE_SCHEMA"
    " UNION ALL SELECT 'grant', CONCAT(GRANTEE, ' on ', TABLE_SCHEMA, '.', TABLE_NAME),"
    " GROUP_CONCAT(PRIVILEGE_TYPE ORDER BY PRIVILEGE_TYPE)"
    " FROM information_schema.TABLE_PRIVILEGES GROUP BY GRANTEE, TABLE_SCHEMA, TABLE_NAME"
)
_ROLES = (
    "SELECT 'role', CONCAT(QUOTE(User), '@', QUOTE(Host), ' has ', QUOTE(Role)), Admin_option"
    " FROM mysql.roles_mapping"
)
_REST = (
    "SELECT 'database', SCHEMA_NAME, '' FROM information_schema.SCHEMATA"
    " UNION ALL SELECT 'global', VARIABLE_NAME, VARIABLE_VALUE"
    " FROM information_schema.GLOBAL_VARIABLES"
)


_PRIVATE = (_MARIADB_ACCOUNTS, _MYSQL_ACCOUNTS, _ROLES)


def _counters_query() -> str:
    names = ", ".join(literal(n) for n in sorted(_COUNTERS))
    return (
        "SELECT 'counter', VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
        f" WHERE VARIABLE_NAME IN ({names})"
    )


@dataclass(frozen=True)
class ServerState:
    """One snapshot. `accounts`: account, grant and role rows -> digest of their privileges."""

    accounts: dict[str, str] = field(default_factory=dict)
    databases: frozenset[str] = frozenset()
    globals: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)  # the observed session's
    taken: float = field(default_factory=time.monotonic)  # when the server was read


def read_server_state(conn: Session, *, session: Session | None = None) -> ServerState:
    """The server's accounts, databases and globals as `conn` sees them, and the statement
    counters of `session` (default: `conn` itself, then it is one round trip)."""
    mariadb = "mariadb" in str(conn.get_server_info()).lower()
    parts = [_MARIADB_ACCOUNTS if mariadb else _MYSQL_ACCOUNTS, _GRANTS, _REST]
    if mariadb:
        parts.insert(2, _ROLES)
    if session is None:
        parts.append(_counters_query())
    try:
        rows = _rows(conn, " UNION ALL ".join(parts))
    except PrivilegeDenied:  # an observer that cannot read the grant tables sees the rest
        rows = _rows(conn, " UNION ALL ".join(p for p in parts if p not in _PRIVATE))
    if session is not None:
        rows += _rows(session, _counters_query())
    accounts: dict[str, str] = {}
    databases: set[str] = set()
    globals_: dict[str, str] = {}
    counters: dict[str, int] = {}
    for kind, name, value in rows:
        if kind in ("account", "grant", "role"):
            accounts[f"{kind} {name}"] = str(value)
        elif kind == "database":
            databases.add(str(name))
        elif kind == "global" and str(name).upper() not in _VOLATILE:
            globals_[str(name).lower()] = str(value)
        elif kind == "counter":
            counters[str(name).upper()] = int(value or 0)
    return ServerState(accounts, frozenset(databases), globals_, counters)


def read_counters(session: Session) -> dict[str, int]:
    """Only the session's statement counters (cheaper than a whole snapshot)."""
    return {
        str(name).upper(): int(value or 0) for _k, name, value in _rows(session, _counters_query())
    }


def may_have_effects(
    before: ServerState, counters: dict[str, int], *, ran_sql: Sequence[str] = ()
) -> bool:
    """Could a new snapshot show an effect of what the session ran since `before`? Only
    when its counters moved for a kind `effects` compares (module docstring): row writes
    alone (mrpplan's journal, a migration's history row) compare nothing. `ran_sql`: the
    statements the caller knows ran in that time; each quiet SET among them (`_QUIET_SET`)
    accounts for one Com_set_option, unless dynamic SQL ran, whose SETs no text shows."""
    ran = _ran(before, counters)
    if not any(ran[k] for k in _OPAQUE):
        quiet = sum(1 for statement in ran_sql if _QUIET_SET.fullmatch(statement))
        ran["COM_SET_OPTION"] = max(0, ran["COM_SET_OPTION"] - quiet)
    return any(_compared(ran))


def _ran(before: ServerState, counters: dict[str, int]) -> dict[str, int]:
    return {k: counters.get(k, 0) - before.counters.get(k, 0) for k in _COUNTERS}


def _compared(ran: dict[str, int]) -> tuple[bool, bool, bool]:
    """Which kinds (accounts, databases, globals) the session's counters say it may have
    changed: the only ones `effects` compares, as another client changes the others."""
    opaque = any(ran[k] for k in _OPAQUE)
    hidden = opaque and any(ran[k] for k in (*_ROW_WRITES, *_ACCOUNT_BESIDE_OPAQUE))
    return (
        any(ran[k] for k in _ACCOUNT) or hidden,
        any(ran[k] for k in _DATABASE),
        any(ran[k] for k in _GLOBAL),
    )


def _rows(conn: Session, query: str) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(query)
        return [tuple(row) for row in cur.fetchall()]


@dataclass(frozen=True)
class Effects:
    """What differs, one readable line each, and the statements that put back what can be
    put back (accounts created are dropped, globals set to their old values)."""

    lines: tuple[str, ...]
    undo: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.lines)


def effects(before: ServerState, after: ServerState, *, ignore: Iterable[str] = ()) -> Effects:
    """The differences the observed session may have made (module docstring). `ignore`:
    databases the caller made itself (the workspace's scratch database)."""
    accounts, databases, globals_ = _compared(_ran(before, after.counters))
    lines: list[str] = []
    undo: list[str] = []
    if accounts:
        for name in sorted(set(before.accounts) | set(after.accounts)):
            old, new = before.accounts.get(name), after.accounts.get(name)
            if old == new:
                continue
            kind, _, who = name.partition(" ")
            how = "created" if old is None else "removed" if new is None else "changed"
            lines.append(f"{kind} {who} {how}")
            if kind == "account" and old is None:
                undo.append(f"DROP USER IF EXISTS {who}")
    if databases:
        ignored = set(ignore)
        for name in sorted(after.databases - before.databases - ignored):
            if not name.startswith("_mrpplan"):  # mrpplan's own, e.g. other plans' scratch
                lines.append(f"database {ident(name)} created")
        for name in sorted(before.databases - after.databases - ignored):
            if not name.startswith(_SCRATCH):  # mrpplan's scratch databases come and go
                lines.append(f"database {ident(name)} dropped")
    if globals_:
        for name in sorted(set(before.globals) | set(after.globals)):
            old_value, new_value = before.globals.get(name), after.globals.get(name)
            if old_value != new_value:
                lines.append(f"global variable {name} changed from {old_value!r} to {new_value!r}")
                if old_value is not None:
                    undo.append(f"SET GLOBAL {name} = {_value(old_value)}")
    return Effects(tuple(lines), tuple(undo))


def _value(text: str) -> str:
    return text if text.lstrip("-").isdigit() else literal(text)
