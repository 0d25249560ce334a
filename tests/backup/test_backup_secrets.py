"""The password never reaches a process's arguments or environment, nor any file written."""

from __future__ import annotations

import gzip
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from backup_support import seed

from mrpplan.backup.dump import create_backup
from mrpplan.config.settings import BackupSettings, ConnectionSettings, Environment
from mrpplan.mysql.client_process import DumpSpec, open_dump, open_loader


def _user_env(fresh_db: Any, tmp_path: Path) -> tuple[Environment, str]:
    """A dedicated login with a distinctive password, as password_env would give it."""
    password = "Pw-" + secrets.token_hex(12)
    user = "bk_" + secrets.token_hex(4)
    fresh_db.execute(
        f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT ALL ON `{fresh_db.name}`.* TO '{user}'@'%'",
        f"GRANT RELOAD, PROCESS ON *.* TO '{user}'@'%'",
        f"GRANT SELECT ON mysql.* TO '{user}'@'%'",  # SHOW CREATE PROCEDURE of others' routines
    )
    settings = ConnectionSettings(
        database=fresh_db.name,
        host="127.0.0.1",
        port=fresh_db.server.port,
        user=user,
        password_env="BK_PASSWORD",
        password=password,
    )
    env = Environment(
        name="local",
        file=tmp_path / "local.yaml",
        connection=settings,
        backup=BackupSettings(dir=tmp_path / "backups"),
    )
    return env, password


def _children_cmdlines(stop: threading.Event, seen: list[tuple[bytes, bytes]]) -> None:
    me = os.getpid()
    while not stop.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                if parent != me:
                    continue
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read()
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read()
                seen.append((cmdline, environ))
            except (OSError, IndexError, ValueError):
                continue
        time.sleep(0.005)


def test_password_absent_from_arguments_environment_and_files(
    fresh_db: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(fresh_db)
    env, password = _user_env(fresh_db, tmp_path)
    monkeypatch.setenv("BK_PASSWORD", password)  # as password_env would have it
    try:
        with open_dump(env.connection, DumpSpec(fresh_db.name)) as dump:
            argv_seen = list(dump.argv)
            cmdline = Path(f"/proc/{dump.pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{dump.pid}/environ").read_bytes()
            dump.stdout.read()
            dump.check("dump")
        assert password not in " ".join(argv_seen)
        assert password.encode() not in cmdline and password.encode() not in environ
        assert any(a.startswith("--defaults-extra-file=") for a in argv_seen)

        stop, seen = threading.Event(), []
        watcher = threading.Thread(target=_children_cmdlines, args=(stop, seen), daemon=True)
        watcher.start()
        try:
            result = create_backup(env, "full")
        finally:
            stop.set()
            watcher.join()
        assert any(b"mariadb-dump" in c or b"mysqldump" in c for c, _ in seen)
        for cmd, child_env in seen:
            assert password.encode() not in cmd and password.encode() not in child_env

        with open_loader(env.connection, fresh_db.name) as loader:
            assert password not in " ".join(loader.argv)
            loader.stdin.write(b"SELECT 1;\n")
            loader.stdin.close()
            loader.check("load")

        written = list(env.backup.dir.iterdir())
        assert result.path in written and len(written) == 2
        for path in written:
            data = path.read_bytes()
            if path.name.endswith(".gz"):
                data = gzip.decompress(data)
            assert password.encode() not in data, path
    finally:
        fresh_db.execute(f"DROP USER IF EXISTS '{env.connection.user}'@'%'")


def test_dump_command_line_is_consistent_and_secret_free(tmp_path: Path) -> None:
    from mrpplan.errors import MrpplanError
    from mrpplan.mysql.client_process import ToolProcess, dump_argv

    argv = dump_argv("mariadb-dump", tmp_path / "x.cnf", DumpSpec("erp"))
    assert argv[1] == f"--defaults-extra-file={tmp_path / 'x.cnf'}"  # must come first
    for flag in ("--single-transaction", "--routines", "--triggers", "--events", "--quick"):
        assert flag in argv
    assert argv[-2:] == ["--", "erp"]
    try:
        ToolProcess(["true", "--password=hunter2x"], stdin=None, stdout=None, secret="hunter2x")
    except MrpplanError as exc:
        assert "password" in exc.message and "hunter2x" not in exc.message
    else:
        raise AssertionError("a password in argv must be refused")
