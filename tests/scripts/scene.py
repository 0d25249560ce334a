"""A project copy on the sandbox where the old scripts' README lines run as their users typed
them: `cd database && ./scripts/X.sh ...`, with or without a terminal.

Database states are made once per session (schema at 001 or 003 with seed data) and dumped;
each example loads the state it starts from with the `mariadb` client (fast, no planner).
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dbtools import REPO, CliResult, Database

from mrpplan import sandbox

MRPPLAN = f"{sys.executable} -m mrpplan"


def client(server: sandbox.SandboxInfo, program: str) -> list[str]:
    return [program, f"--defaults-file={server.option_file}"]


def make_state(
    server: sandbox.SandboxInfo, dump: Path, database: str, steps: list[list[str]]
) -> None:
    """Run mrpplan commands against `database` (as env local of the repo), then dump it."""
    env = dict(os.environ, LOCAL_DB_NAME=database, LOCAL_DB_OPTION_FILE=str(server.option_file))
    for key in ("LOCAL_DB_HOST", "LOCAL_DB_PORT", "LOCAL_DB_USER", "LOCAL_DB_PASSWORD", "DB_NAME"):
        env.pop(key, None)
    env["MRPPLAN_SANDBOX_DIR"] = str(server.dir)
    for args in steps:
        done = subprocess.run(
            [sys.executable, "-m", "mrpplan", "--project", str(REPO), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    with dump.open("wb") as out:
        subprocess.run(
            [*client(server, "mariadb-dump"), "--routines", "--triggers", database],
            stdout=out,
            check=True,
        )


@dataclass
class Scene:
    root: Path
    server: sandbox.SandboxInfo
    databases: dict[str, Database]
    states: dict[str, Path]
    env: dict[str, str] = field(default_factory=dict)

    # --- setting the scene -------------------------------------------------------------
    def load(self, env_name: str, state: str) -> None:
        if state == "empty":
            return
        with self.states[state].open("rb") as dump:
            subprocess.run(
                [*client(self.server, "mariadb"), self.databases[env_name].name],
                stdin=dump,
                check=True,
            )

    @property
    def backups(self) -> Path:
        folder = self.root / "database" / "backups"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def legacy_backup(self, env_name: str, name: str = "backup_file.sql.gz") -> Path:
        """What the old backup.sh wrote: `mariadb-dump ... | gzip`, no manifest."""
        dump = subprocess.run(
            [
                *client(self.server, "mariadb-dump"),
                "--single-transaction",
                "--routines",
                "--triggers",
                self.databases[env_name].name,
            ],
            capture_output=True,
            check=True,
        ).stdout
        path = self.backups / name
        path.write_bytes(gzip.compress(dump))
        return path

    def mrpplan(self, *args: str) -> CliResult:
        done = subprocess.run(
            [sys.executable, "-m", "mrpplan", "--project", str(self.root), *args],
            capture_output=True,
            text=True,
            env=self._process_env({}),
            check=False,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    # --- running a line ------------------------------------------------------------------
    def _process_env(self, extra: dict[str, str]) -> dict[str, str]:
        env = dict(os.environ, NO_COLOR="1", COLUMNS="200", MRPPLAN=MRPPLAN)
        env.pop("MRPPLAN_ENV", None)
        env.update(self.env)
        env.update(extra)
        return env

    def run_line(self, line: str, *, answers: str | None, extra_env: dict[str, str]) -> CliResult:
        """Run `./scripts/...` from database/ as in the README; `answers` typed on a terminal
        (None: no terminal, as from cron)."""
        argv = ["bash", "-c", line]
        cwd = self.root / "database"
        env = self._process_env(extra_env)
        if answers is None:
            done = subprocess.run(
                argv,
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
                timeout=600,
            )
            return CliResult(done.returncode, done.stdout, done.stderr)
        primary, secondary = os.openpty()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=secondary,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            os.close(secondary)
            os.write(primary, answers.encode())
            out, err = proc.communicate(timeout=600)
        finally:
            os.close(primary)
        return CliResult(proc.returncode, out, err)

    # --- what a user would look at -------------------------------------------------------
    def db(self, env_name: str) -> Database:
        return self.databases[env_name]

    def tables(self, env_name: str) -> set[str]:
        rows = self.db(env_name).query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        )
        return {str(r[0]) for r in rows if not str(r[0]).startswith(("mrpplan_", "_mrpplan"))}

    def version(self, env_name: str) -> str | None:
        if "mrpplan_schema_history" not in self._all_tables(env_name):
            return None
        rows = self.db(env_name).query(
            "SELECT MAX(version) FROM mrpplan_schema_history WHERE success = 1"
        )
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    def _all_tables(self, env_name: str) -> set[str]:
        rows = self.db(env_name).query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        )
        return {str(r[0]) for r in rows}

    def count(self, env_name: str, table: str) -> int:
        return int(self.db(env_name).query(f"SELECT COUNT(*) FROM `{table}`")[0][0])  # type: ignore[arg-type]

    def seed_runs(self, env_name: str) -> list[tuple[str, str]]:
        if "mrpplan_seed_history" not in self._all_tables(env_name):
            return []
        return [
            (str(a), str(b))
            for a, b in self.db(env_name).query(
                "SELECT seed, checksum FROM mrpplan_seed_history ORDER BY id"
            )
        ]

    def backup_files(self, prefix: str = "") -> list[str]:
        return sorted(
            p.name
            for p in self.backups.iterdir()
            if p.name.startswith(prefix) and p.name.endswith((".sql.gz", ".sql.zst"))
        )


def copy_project(root: Path) -> None:
    for part in ("environments", "database"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("backups"))
