"""The password never reaches a process's arguments or environment, nor any file written."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path
from typing import Any

from backup_support import drop_login, password_login, seed

from mrpplan.backup.dump import create_backup
from mrpplan.config.settings import BackupSettings, ConnectionSettings, Environment
from mrpplan.mysql.client_process import DumpSpec, open_dump, open_loader


def _user_env(fresh_db: Any, tmp_path: Path) -> tuple[Environment, str]:
    """A dedicated login with a distinctive password, as password_env would give it."""
    user, password = password_login(fresh_db)
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


class _SpawnRecorder:
    """Wraps the real subprocess.Popen: every child still runs, and its argv and
    environment are kept (a /proc watcher could miss a dump that ends in milliseconds)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.seen: list[tuple[str, dict[str, str]]] = []

    def __call__(self, args: Any, *rest: Any, **kwargs: Any) -> Any:
        argv = " ".join(map(str, args)) if isinstance(args, (list, tuple)) else str(args)
        child_env = kwargs.get("env")
        self.seen.append((argv, dict(os.environ if child_env is None else child_env)))
        return self.real(args, *rest, **kwargs)


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
        assert any(a.startswith("--defaults-extra-file=/dev/fd/") for a in argv_seen)

        recorder = _SpawnRecorder(subprocess.Popen)
        monkeypatch.setattr(subprocess, "Popen", recorder)
        result = create_backup(env, "full")
        monkeypatch.setattr(subprocess, "Popen", recorder.real)
        assert any("mariadb-dump" in argv or "mysqldump" in argv for argv, _ in recorder.seen)
        for argv, child_env in recorder.seen:
            assert password not in argv
            assert password not in child_env.values(), argv

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
        drop_login(fresh_db, env.connection.user)


def test_dump_command_line_is_consistent_and_secret_free() -> None:
    from mrpplan.errors import MrpplanError
    from mrpplan.mysql.client_process import ToolProcess, dump_argv

    argv = dump_argv("mariadb-dump", "/dev/fd/7", DumpSpec("erp"))
    assert argv[1] == "--defaults-extra-file=/dev/fd/7"  # must come first
    for flag in ("--single-transaction", "--routines", "--triggers", "--events", "--quick"):
        assert flag in argv
    assert argv[-2:] == ["--", "erp"]
    try:
        ToolProcess(["true", "--password=hunter2x"], stdin=None, stdout=None, secret="hunter2x")
    except MrpplanError as exc:
        assert "password" in exc.message and "hunter2x" not in exc.message
    else:
        raise AssertionError("a password in argv must be refused")
