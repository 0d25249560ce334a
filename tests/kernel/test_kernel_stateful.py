"""The safety kernel's invariants under interleaved writing commands, lock holders and kills.

Hypothesis drives the CLI as a user (and a crash) would: migrations up and
down, seeds, a second writer holding the lock, kill -9 after a chosen step followed by
`recover`. After every step it checks what a user would notice:
- a command refused because the lock was held changed nothing;
- after a kill and `recover`, the database is exactly as before the killed command;
- no table lost rows unless a trash table or checkpoint file holds them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest
from dbtools import start_cli
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

VERSIONS = ("base", "001", "002", "003")


class Kernel:
    """The actions a user (and a crash) takes, each followed by what a user would check."""

    def __init__(self, project: object, cli: object, db: object) -> None:
        self.root: Path = project.root  # type: ignore[attr-defined]
        self.env = dict(project.env)  # type: ignore[attr-defined]
        self.cli = cli
        self.db = db

    def build(self) -> None:
        done = self.cli("migrate", "up", "local", "--force")  # type: ignore[operator]
        assert done.code == 0, done.output
        seeded = self.cli("seed", "run", "local", "reference", "--force")  # type: ignore[operator]
        assert seeded.code == 0, seeded.output

    def _current(self) -> str:
        current = self.db.query(  # type: ignore[attr-defined]
            "SELECT MAX(version) FROM mrpplan_schema_history WHERE success = 1"
        )[0][0]
        return "base" if not current or current == "000" else str(current)

    def _version_args(self, target: str) -> tuple[str, ...]:
        current = self._current()
        if target == current:  # always a real change, so that there is a step to kill
            target = "base" if current != "base" else "003"
        if target == "base" or (current != "base" and target < current):
            return ("migrate", "down", "local", "--to", target, "--force")
        return ("migrate", "up", "local", "--force")

    def migrate(self, version: str, step: int) -> None:
        result = self.cli(*self._version_args(version))  # type: ignore[operator]
        assert result.code in (0, 1, 3), result.output
        assert "internal error" not in result.output
        assert "Traceback" not in result.output

    def killed_then_recovered(self, version: str, step: int) -> None:
        before = self.db.snapshot()  # type: ignore[attr-defined]
        marker = self.root / f"resume-{time.monotonic_ns()}"
        proc = start_cli(
            *self._version_args(version),
            env={
                **self.env,
                "MRPPLAN_TEST_PAUSE_AFTER_STEP": str(step),
                "MRPPLAN_TEST_RESUME_FILE": str(marker),
                "MRPPLAN_TEST_PAUSE_SECONDS": "30",
            },
            cwd=self.root,
        )
        paused = _wait_for_step(proc, step)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        recovered = self.cli("recover", "local")  # type: ignore[operator]
        assert recovered.code == 0, recovered.output
        if paused:  # killed mid-plan: recover must bring back exactly the prior state
            assert self.db.snapshot() == before, recovered.output  # type: ignore[attr-defined]

    def lock_held_changes_nothing(self, version: str, step: int) -> None:
        before = self.db.snapshot()  # type: ignore[attr-defined]
        holder = self.db.connect()  # type: ignore[attr-defined]
        try:
            with holder.cursor() as cur:
                cur.execute("SELECT GET_LOCK(%s, 0)", (f"mrpplan:{self.db.name}",))  # type: ignore[attr-defined]
            for args in (
                ("migrate", "down", "local", "--steps", "1", "--force"),
                ("migrate", "fresh", "local", "--force", "--no-backup"),
                ("seed", "run", "local", "reference", "--force"),
            ):
                refused = self.cli(*args)  # type: ignore[operator]
                assert refused.code == 3, refused.output
                assert "another apply is running" in refused.output
                assert self.db.snapshot() == before  # type: ignore[attr-defined]
        finally:
            holder.close()

    def no_interrupted_apply_left(self) -> None:
        rows = self.db.query(  # type: ignore[attr-defined]
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_name = 'mrpplan_apply_journal'"
        )
        if rows[0][0]:
            started = self.db.query(  # type: ignore[attr-defined]
                "SELECT COUNT(*) FROM mrpplan_apply_journal "
                "WHERE step_id = '-' AND status = 'started'"
            )
            assert started[0][0] == 0


ACTIONS = ("migrate", "killed_then_recovered", "lock_held_changes_nothing")
action = st.tuples(st.sampled_from(ACTIONS), st.sampled_from(VERSIONS), st.integers(1, 3))


def _wait_for_step(proc: object, step: int, timeout: float = 120) -> bool:
    """True once the process reports it paused after `step` (it printed 'step N/M: done')."""
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None  # type: ignore[attr-defined]
    fd = proc.stderr.fileno()  # type: ignore[attr-defined]
    os.set_blocking(fd, False)
    seen = ""
    while time.monotonic() < deadline:
        # bytes from the pipe itself: a non-blocking text read can fail mid-character
        with contextlib.suppress(BlockingIOError):
            seen += os.read(fd, 65536).decode(errors="replace")
        if f"step {step}/" in seen and ": done" in seen.split(f"step {step}/")[-1]:
            time.sleep(0.2)
            return True
        if proc.poll() is not None:  # type: ignore[attr-defined]
            return False
        time.sleep(0.05)
    return False


def test_kernel_invariants(project: object, cli: object) -> None:
    """Any sequence of actions, each starting from wherever the previous ones left the
    database (nothing is reset between examples: the invariants hold in every state)."""
    kernel = Kernel(project, cli, project.databases["local"])  # type: ignore[attr-defined]
    kernel.build()

    @settings(
        max_examples=3,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        # a real database cannot be replayed exactly: report the first failure as found
        phases=(Phase.explicit, Phase.generate),
        database=None,
    )
    @given(st.lists(action, min_size=1, max_size=3))
    def run(actions: list[tuple[str, str, int]]) -> None:
        for name, version, step in actions:
            getattr(kernel, name)(version, step)
            kernel.no_interrupted_apply_left()

    run()
