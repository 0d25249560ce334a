"""Where `plan` runs a branch's SQL (issue 22): a workspace whose limits the server enforces,
never the target with the apply account; what a statement did outside its database is
measured, at plan and at apply, whatever its text hides."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pymysql
import pytest
from plan_test_support import without_sync

from mrpplan import sandbox

# Read by the allowlist (issue 22, part B): these files run their dynamic SQL on purpose.
ALLOW = "-- mrpplan:allow-dynamic the test proves the workspace and the effects check hold\n"


def _root(server: sandbox.SandboxInfo) -> pymysql.connections.Connection:
    return pymysql.connect(
        host="127.0.0.1", port=server.port, user="root", password=server.password, autocommit=True
    )


def _admin(server: sandbox.SandboxInfo, *statements: str) -> list[tuple[Any, ...]]:
    conn = _root(server)
    try:
        rows: list[tuple[Any, ...]] = []
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
                rows = list(cur.fetchall()) if cur.description else []
        return rows
    finally:
        conn.close()


def _accounts(server: sandbox.SandboxInfo, user: str) -> int:
    return int(_admin(server, f"SELECT COUNT(*) FROM mysql.user WHERE User = '{user}'")[0][0])


def _migration(root: Path, body: str) -> Path:
    path = root / "database" / "migrations" / "004_branch.sql"
    path.write_text(
        ALLOW + "-- mrpplan:up\nCREATE TABLE notes (id INT PRIMARY KEY);\n" + body + "\n"
        "-- mrpplan:down\nDROP TABLE notes;\n"
    )
    return path


def _sessions(log: Path) -> list[dict[str, Any]]:
    if not log.is_file():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.parametrize(
    "disguise, code",
    [
        # allowed by the annotation: it reaches the workspace, whose account the server refuses
        ("EXECUTE IMMEDIATE 'CREATE USER IF NOT EXISTS ''{user}''@''%''';", 3),
        # an account statement: the allowlist refuses the file before anything runs
        ("/*!100000 CREATE USER IF NOT EXISTS '{user}'@'%' */;", 1),
    ],
)
def test_plan_of_a_migration_creating_an_account_creates_none_and_refuses(
    project: Any, cli: Any, server: sandbox.SandboxInfo, disguise: str, code: int
) -> None:
    without_sync(project.root, "local")
    user = f"intruder_{secrets.token_hex(4)}"
    _migration(project.root, disguise.format(user=user))
    try:
        planned = cli("plan", "local")
        assert _accounts(server, user) == 0, planned.output
        assert planned.code == code, planned.output
        assert "004_branch.sql" in planned.output
        assert "CREATE USER" in planned.output and "Traceback" not in planned.output
    finally:
        _admin(server, f"DROP USER IF EXISTS '{user}'@'%'")


def test_plan_of_a_disguised_drop_of_another_database_leaves_it_intact(
    project: Any, cli: Any, database_factory: Any
) -> None:
    without_sync(project.root, "local")
    other = database_factory("other")
    other.execute(
        "CREATE TABLE precious (id INT PRIMARY KEY, v INT)",
        "INSERT INTO precious SELECT seq, seq FROM seq_1_to_50",
    )
    hidden = f"`{other.name}`.precious"[::-1].replace("'", "''")
    _migration(
        project.root, f"EXECUTE IMMEDIATE CONCAT('DROP TABLE IF EXISTS ', REVERSE('{hidden}'));"
    )
    planned = cli("plan", "local")
    assert other.query("SELECT COUNT(*) FROM precious")[0][0] == 50, planned.output
    assert planned.code == 3, planned.output
    assert "004_branch.sql" in planned.output and "DROP" in planned.output


def test_the_workspace_never_runs_with_the_apply_account(
    project: Any, cli: Any, tmp_path: Path
) -> None:
    """The project's environments point at the sandbox as root: the workspace still runs as
    the sandbox's restricted account, which the server itself limits to `_mrpplan_ws_%`."""
    without_sync(project.root, "local")
    _migration(project.root, "INSERT INTO notes VALUES (1);")
    log = tmp_path / "workspace.log"
    planned = cli(
        "plan", "local", env={"MRPPLAN_WORKSPACE_LOG": str(log), "XDG_CACHE_HOME": str(tmp_path)}
    )
    assert planned.code == 0, planned.output
    sessions = _sessions(log)
    assert sessions, "the workspace was never used"
    assert {s["current_user"] for s in sessions} == {"mrpplan_ws@127.0.0.1"}, sessions


def _workspace_env(root: Path, user: str) -> None:
    path = root / "environments" / "local.yaml"
    path.write_text(
        path.read_text() + f"workspace:\n  user: {user}\n  password_env: WORKSPACE_PASSWORD\n"
    )


def test_a_workspace_account_with_too_many_grants_is_refused_before_any_sql(
    project: Any, cli: Any, server: sandbox.SandboxInfo, database_factory: Any, tmp_path: Path
) -> None:
    without_sync(project.root, "local")
    other = database_factory("other")
    user, password = f"ws_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    account = f"'{user}'@'%'"
    _admin(
        server,
        f"CREATE USER {account} IDENTIFIED BY '{password}'",
        f"GRANT ALL PRIVILEGES ON `\\_mrpplan\\_ws\\_%`.* TO {account}",
        f"GRANT SELECT, INSERT ON `{other.name}`.* TO {account}",
    )
    _workspace_env(project.root, user)
    _migration(project.root, "INSERT INTO notes VALUES (1);")
    log = tmp_path / "workspace.log"
    env = {
        "WORKSPACE_PASSWORD": password,
        "MRPPLAN_WORKSPACE_LOG": str(log),
        "XDG_CACHE_HOME": str(tmp_path),  # a cold cache: the workspace would have to run
    }
    try:
        refused = cli("plan", "local", env=env)
        assert refused.code == 3, refused.output
        assert f"INSERT on `{other.name}`.*" in refused.output
        assert password not in refused.output and "Traceback" not in refused.output
        assert _sessions(log) == []  # no SQL ran as the account

        _admin(server, f"REVOKE INSERT ON `{other.name}`.* FROM {account}")
        planned = cli("plan", "local", env=env)
        assert planned.code == 0, planned.output
        assert {s["current_user"] for s in _sessions(log)} == {f"{user}@%"}
    finally:
        _admin(server, f"DROP USER IF EXISTS {account}")


def test_the_apply_account_is_never_the_workspace_account(
    project: Any, cli: Any, server: sandbox.SandboxInfo
) -> None:
    without_sync(project.root, "local")
    _workspace_env(project.root, "root")
    refused = cli("plan", "local", env={"WORKSPACE_PASSWORD": server.password})
    assert refused.code == 3, refused.output
    assert "is the apply account" in refused.output


@pytest.mark.parametrize(
    "effect, left",
    [
        ("CREATE USER IF NOT EXISTS ''{user}''@''%''", "account '{user}'@'%' created"),
        ("SET GLOBAL max_connect_errors = 1234567", "global variable max_connect_errors"),
    ],
)
def test_apply_stops_and_undoes_a_migration_that_changes_the_server(
    project: Any, cli: Any, server: sandbox.SandboxInfo, effect: str, left: str
) -> None:
    """In the workspace the statement does nothing (its scratch database gives it away); on
    the target it reaches the server. Only the measured effect can tell."""
    without_sync(project.root, "local")
    user = f"late_{secrets.token_hex(4)}"
    before = _admin(server, "SELECT @@GLOBAL.max_connect_errors")[0][0]
    first = cli("apply", "local", "--auto-approve")
    assert first.code == 0, first.output
    _migration(
        project.root,
        "EXECUTE IMMEDIATE IF(DATABASE() LIKE '\\_mrpplan\\_ws\\_%', 'DO 0', "
        f"'{effect.format(user=user)}');",
    )
    try:
        applied = cli("apply", "local", "--auto-approve")
        assert applied.code == 1, applied.output
        assert "004_branch" in applied.output and left.format(user=user) in applied.output
        assert "Undone" in applied.output
        assert _accounts(server, user) == 0
        assert _admin(server, "SELECT @@GLOBAL.max_connect_errors")[0][0] == before
        db = project.databases["local"]
        assert db.query("SHOW TABLES LIKE 'notes'") == []
        versions = db.query("SELECT version FROM mrpplan_schema_history")
        assert "004" not in {str(v[0]) for v in versions}
    finally:
        _admin(
            server,
            f"DROP USER IF EXISTS '{user}'@'%'",
            f"SET GLOBAL max_connect_errors = {int(before)}",
        )


@pytest.mark.parametrize(
    "effect, left",
    [
        ("CREATE USER IF NOT EXISTS ''{user}''@''%''", "account '{user}'@'%' created"),
        ("SET GLOBAL max_connect_errors = 1234567", "global variable max_connect_errors"),
    ],
)
def test_a_server_change_after_a_quiet_migration_of_the_same_apply_is_undone(
    project: Any, cli: Any, server: sandbox.SandboxInfo, effect: str, left: str
) -> None:
    """The server guard reads no snapshot after a migration that ran nothing able to change
    the server (its own clock `SET @mrpplan_t0 = NOW(6)` included) and starts the next one
    from the snapshot before it: the next migration's change is still found and undone."""
    without_sync(project.root, "local")
    user = f"quiet_{secrets.token_hex(4)}"
    before = _admin(server, "SELECT @@GLOBAL.max_connect_errors")[0][0]
    first = cli("apply", "local", "--auto-approve")
    assert first.code == 0, first.output
    migrations = project.root / "database" / "migrations"
    (migrations / "004_quiet.sql").write_text(
        "-- mrpplan:up\nCREATE TABLE quiet_notes (id INT PRIMARY KEY);\n"
        "ALTER TABLE quiet_notes ADD COLUMN note VARCHAR(20) NULL;\n"
        "-- mrpplan:down\nDROP TABLE quiet_notes;\n"
    )
    (migrations / "005_loud.sql").write_text(
        ALLOW + "-- mrpplan:up\n"
        "EXECUTE IMMEDIATE IF(DATABASE() LIKE '\\_mrpplan\\_ws\\_%', 'DO 0', "
        f"'{effect.format(user=user)}');\n"
        "-- mrpplan:down\nDO 0;\n"
    )
    try:
        applied = cli("apply", "local", "--auto-approve")
        assert applied.code == 1, applied.output
        assert "005_loud" in applied.output and left.format(user=user) in applied.output
        assert _accounts(server, user) == 0
        assert _admin(server, "SELECT @@GLOBAL.max_connect_errors")[0][0] == before
        db = project.databases["local"]
        assert db.query("SHOW TABLES LIKE 'quiet_notes'") == []
        versions = {str(v[0]) for v in db.query("SELECT version FROM mrpplan_schema_history")}
        assert not versions & {"004", "005"}
    finally:
        _admin(
            server,
            f"DROP USER IF EXISTS '{user}'@'%'",
            f"SET GLOBAL max_connect_errors = {int(before)}",
        )
