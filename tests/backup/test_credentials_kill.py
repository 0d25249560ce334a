"""`kill -9` of mrpplan while a client tool streams leaves no password anywhere.

The dump is held mid-stream by a `LOCK TABLES ... WRITE` on a table it has not reached
yet, taken once the dump streams the big table before it (a backup does not start while
a table is locked: it waits for the lock first). Its SELECT then waits for the lock.
While it waits, every child's argv and environment are read from /proc; then mrpplan
gets SIGKILL, and every file under /tmp, $TMPDIR and the project is searched for the
password.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backup_support import drop_login, password_login, seed
from dbtools import run_cli

SANDBOX_ENVS = ("LOCAL", "DEV")
# items comes before stock: streaming it takes long enough to lock stock meanwhile
BIG_ITEMS = "INSERT INTO items (sku) SELECT CONCAT('bulk-', seq) FROM seq_1_to_600000"


def _group(pgid: int) -> list[int]:
    """Processes of a process group (mrpplan and the children it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    found.append(int(entry.name))
            except ProcessLookupError:
                continue
    return found


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""  # it ended meanwhile


def _wait_for(
    what: str, check: Callable[[], bool], proc: subprocess.Popen[bytes], every: float = 0.05
) -> None:
    deadline = time.monotonic() + 60
    while not check():
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"mrpplan ended (exit {proc.returncode}) before {what}: {out}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def _files_holding(secret: bytes, roots: list[Path]) -> list[Path]:
    """Every readable file under roots whose first 4 MB contain `secret`."""
    hits = []
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = Path(folder, name)
                try:
                    with path.open("rb") as handle:
                        if secret in handle.read(4 << 20):
                            hits.append(path)
                except OSError:
                    continue
    return hits


@pytest.fixture
def locked_table(server: Any) -> Iterator[Callable[[Any, str], None]]:
    """`lock(db, table)`: hold LOCK TABLES table WRITE until the test ends."""
    held: list[Any] = []

    def lock(db: Any, table: str) -> None:
        conn = db.connect()
        with conn.cursor() as cur:
            cur.execute(f"LOCK TABLES `{table}` WRITE")
        held.append(conn)

    yield lock
    for conn in held:
        conn.close()


def _kill_mid_stream(
    args: list[str],
    project: Any,
    env: dict[str, str],
    user: str,
    password: str,
    lock_once_streaming: Callable[[], None],
) -> None:
    tmpdir = project.root.parent / "tmpdir"
    tmpdir.mkdir()
    child_env = {**os.environ, **env, "TMPDIR": str(tmpdir), "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mrpplan", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=child_env,
        cwd=project.root,
        start_new_session=True,
    )
    db = next(iter(project.databases.values()))
    try:

        def dumping() -> bool:
            return any(_name(pid) in ("mariadb-dump", "mysqldump") for pid in _group(proc.pid))

        _wait_for("the dump to start", dumping, proc, every=0.005)
        lock_once_streaming()

        def dump_waits() -> bool:
            rows = db.query(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                " WHERE USER = %s AND STATE LIKE 'Waiting for table metadata lock%%'",
                (user,),
            )
            return bool(rows[0][0])

        _wait_for("the dump to wait on the locked table", dump_waits, proc)
        names = {pid: Path(f"/proc/{pid}/comm").read_text().strip() for pid in _group(proc.pid)}
        assert any(n in ("mariadb-dump", "mysqldump") for n in names.values()), names
        for pid, name in names.items():
            if pid == proc.pid:
                continue  # mrpplan itself holds the password in memory, as it must
            for part in ("cmdline", "environ"):
                assert password.encode() not in Path(f"/proc/{pid}/{part}").read_bytes(), (
                    f"{name} {part} shows the password"
                )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the orphaned children, if any still run
    roots = [Path("/tmp"), tmpdir, project.root]
    assert _files_holding(password.encode(), roots) == []
    assert list(Path("/tmp").glob("mrpplan-*.cnf")) == []


def _login_env(project: Any, user: str, password: str, names: tuple[str, ...]) -> dict[str, str]:
    env = {}
    for upper in names:
        env[f"{upper}_DB_HOST"] = "127.0.0.1"
        env[f"{upper}_DB_PORT"] = str(project.databases["local"].server.port)
        env[f"{upper}_DB_USER"] = user
        env[f"{upper}_DB_PASSWORD"] = password
    return env


def test_kill_9_during_backup_leaves_no_password(project: Any, locked_table: Any) -> None:
    local = project.databases["local"]
    seed(local)
    local.execute(BIG_ITEMS)
    user, password = password_login(local)
    try:
        env = _login_env(project, user, password, ("LOCAL",))
        _kill_mid_stream(
            ["backup", "local"], project, env, user, password, lambda: locked_table(local, "stock")
        )
        folder = project.root / "database" / "backups"
        left = list(folder.glob(".*.partial"))
        # what the killed backup was writing: its file, and the pieces of parallel workers
        assert left, list(folder.iterdir())
        assert len({p.name.split(".sql")[0] for p in left}) == 1, left
        cleanup = run_cli("backup", "--cleanup", "local", env=env, cwd=project.root)
        assert cleanup.code == 0, cleanup.output
        assert list(folder.iterdir()) == []
    finally:
        drop_login(local, user)


def test_kill_9_during_sync_clone_leaves_no_password(project: Any, locked_table: Any) -> None:
    dev, local = project.databases["dev"], project.databases["local"]
    seed(dev)
    dev.execute(
        BIG_ITEMS,  # local.yaml masks these columns of a clone:
        "CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(120), phone VARCHAR(30),"
        " contact_name VARCHAR(80))",
        "INSERT INTO customers VALUES (1, 'a@corp.example', '+49 30 1', 'Ann')",
    )
    user, password = password_login(dev, dev.name, local.name)
    try:
        env = _login_env(project, user, password, SANDBOX_ENVS)
        args = ["sync", "clone", "dev", "local"]
        _kill_mid_stream(args, project, env, user, password, lambda: locked_table(dev, "stock"))
    finally:
        drop_login(dev, user)
