"""Where a branch's SQL runs during `plan`: never on the target with the apply account.

The desired schema and the migration traces run SQL nobody has reviewed yet (DESIGN
§3.11). They run in a workspace whose limits the server enforces:
- `workspace:` in the environment file: that account on the target's server, accepted
  only when SHOW GRANTS says it reaches nothing but `_mrpplan\\_ws\\_%` (and at most
  SELECT elsewhere);
- otherwise the sandbox (started on demand) when its flavor and major.minor version are
  the target's, through an account mrpplan makes there, `mrpplan_ws`, granted only the
  workspace databases: even when the sandbox also holds the target, the branch's SQL
  cannot touch another database, an account or a global variable;
- otherwise a refusal saying how to fix it. The apply account is never used.

One workspace per process and environment (a fleet builds its desired schema once).
`MRPPLAN_WORKSPACE_LOG` (a file path) records each workspace session as the server saw it
(CURRENT_USER(), port), so a test can prove where branch SQL ran.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mrpplan import sandbox
from mrpplan.config import Environment, Project
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError, Refused
from mrpplan.mysql.connection import Session, server_version, session
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import literal
from mrpplan.mysql.workspace_grants import WORKSPACE_PATTERN, check_workspace_account

SANDBOX_ACCOUNT = "mrpplan_ws"
_LOG = "MRPPLAN_WORKSPACE_LOG"


@dataclass(frozen=True)
class Workspace:
    """Where the scratch databases are made, and who watches the server meanwhile."""

    settings: ConnectionSettings  # the workspace account (never the apply account)
    observer: ConnectionSettings  # reads the server's accounts/databases/globals (read only)
    kind: str  # "sandbox" | "account"
    charset: str  # the target database's defaults: tables inherit them
    collation: str

    def describe(self) -> str:
        where = "the sandbox" if self.kind == "sandbox" else "the target's server"
        return f"{where} ({self.settings.endpoint()}) as {self.settings.user}"


_CHOSEN: dict[tuple[Any, ...], Workspace] = {}
_LOCK = threading.Lock()


def workspace_for(project: Project, env: Environment) -> Workspace:
    """The workspace of env's (first) server; Refused when there is none that is safe.
    Chosen (and its grants checked) once per server: a fleet's members share it and only
    read their own database's default charset."""
    target = env.servers[0]
    key = (project.root, env.name, target.endpoint(), env.workspace)
    mine = (*key, target.database)
    if mine in _CHOSEN:
        return _CHOSEN[mine]
    with session(target, database=None) as conn:
        charset, collation = default_charset(conn, target.database)
        with _LOCK:
            if key not in _CHOSEN:
                _CHOSEN[key] = _choose(project, env, target, server_version(conn))
    _CHOSEN[mine] = replace(_CHOSEN[key], charset=charset, collation=collation)
    return _CHOSEN[mine]


def _choose(
    project: Project, env: Environment, target: ConnectionSettings, version: str
) -> Workspace:
    if env.workspace is not None:
        if env.workspace.user == target.user:
            raise Refused(
                f"{env.name}: the workspace account ({env.workspace.user}) is the apply account."
                " Nothing was run.",
                hint="give `workspace:` its own user: " + grant_example(),
            )
        checked(env.workspace)
        return Workspace(env.workspace, target, "account", "", "")
    info = _sandbox(project, target)
    wanted, found = Flavor.parse(version), Flavor.parse(info.version)
    if (wanted.name, wanted.version[:2]) != (found.name, found.version[:2]):
        raise Refused(
            f"{env.name}'s server is {_label(wanted)} but the sandbox is {_label(found)}: plan"
            " builds a branch's SQL only on a server of the same version, never with the"
            " apply account. Nothing was run.",
            hint="configure `workspace:` in the environment file (an account granted only the"
            f" workspace databases: {grant_example()}), or start a sandbox of"
            f" {_label(wanted)} (MRPPLAN_SANDBOX_DIR)",
        )
    return sandbox_workspace(info)


def sandbox_workspace(
    info: sandbox.SandboxInfo, charset: str = "utf8mb4", collation: str = "utf8mb4_general_ci"
) -> Workspace:
    """The sandbox's restricted workspace account (made on first use, as root)."""
    settings = checked(_sandbox_account(info))
    return Workspace(settings, info.settings(), "sandbox", charset, collation)


def grant_example(user: str = "'mrpplan_ws'@'%'") -> str:
    return f"GRANT ALL PRIVILEGES ON `{WORKSPACE_PATTERN}`.* TO {user}"


def checked(settings: ConnectionSettings) -> ConnectionSettings:
    """The account's grants, read from the server, before any SQL runs as it."""
    with session(settings, database=None) as conn:
        check_workspace_account(conn, settings.endpoint())
    return settings


def record_session(conn: Session, workspace: Workspace) -> None:
    """Test hook (module doc): append who the server says this workspace session is."""
    path = os.environ.get(_LOG)
    if not path:
        return
    with conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER(), @@port")
        row = cur.fetchone()
        assert row is not None  # a SELECT without FROM is one row
        user, port = row
    line = {"kind": workspace.kind, "current_user": str(user), "port": int(port)}
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def default_charset(conn: Session, database: str) -> tuple[str, str]:
    """The target database's default charset/collation (tables inherit it)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM"
            f" information_schema.SCHEMATA WHERE SCHEMA_NAME = {literal(database)}"
        )
        row = cur.fetchone()
        if not row:
            cur.execute("SELECT @@character_set_server, @@collation_server")
            row = cur.fetchone()
    return (str(row[0]), str(row[1])) if row else ("utf8mb4", "utf8mb4_general_ci")


def _label(flavor: Flavor) -> str:
    name = "MariaDB" if flavor.is_mariadb else "MySQL"
    return f"{name} {flavor.version[0]}.{flavor.version[1]}"


def _sandbox(project: Project, target: ConnectionSettings) -> sandbox.SandboxInfo:
    """The project's sandbox, or the sandbox the target itself is (its option file is that
    sandbox's), or the project's sandbox started now."""
    home = sandbox.default_dir(project.root)
    info = sandbox.status(home)
    if info is None and target.option_file is not None:
        own = target.option_file.parent
        if (own / "state.json").is_file():
            info = sandbox.status(own)
    if info is not None:
        return info
    try:
        return sandbox.up(home)
    except MrpplanError as exc:
        raise Refused(
            f"no workspace for the branch's SQL: the sandbox cannot start ({exc.message})."
            " Nothing was run.",
            hint="configure `workspace:` in the environment file (an account granted only the"
            f" workspace databases: {grant_example()}), or install the server package so"
            " `mrpplan sandbox up` works",
        ) from None


def _sandbox_account(info: sandbox.SandboxInfo) -> ConnectionSettings:
    """`mrpplan_ws`@`127.0.0.1` on the sandbox, granted only the workspace databases; its
    password is kept beside the root password (0600)."""
    secret = info.dir / "workspace.password"
    settings = ConnectionSettings(
        database="", host="127.0.0.1", port=info.port, user=SANDBOX_ACCOUNT
    )
    with open(info.dir / "workspace.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if secret.is_file():
            ready = replace(settings, password=secret.read_text().strip())
            if _can_login(ready):
                return ready
        else:
            _write_private(secret, secrets.token_urlsafe(24) + "\n")
        ready = replace(settings, password=secret.read_text().strip())
        _make_account(info, ready)
        return ready


def _can_login(settings: ConnectionSettings) -> bool:
    try:
        with session(settings, database=None, connect_timeout=5):
            pass
    except MrpplanError:
        return False
    return True


def _make_account(info: sandbox.SandboxInfo, settings: ConnectionSettings) -> None:
    account = f"{literal(SANDBOX_ACCOUNT)}@'127.0.0.1'"
    password = literal(settings.password or "")
    with session(info.settings(), database=None) as root, root.cursor() as cur:
        cur.execute(f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {password}")
        cur.execute(f"ALTER USER {account} IDENTIFIED BY {password}")
        cur.execute(f"GRANT ALL PRIVILEGES ON `{WORKSPACE_PATTERN}`.* TO {account}")


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
