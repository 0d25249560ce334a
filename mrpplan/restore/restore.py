"""Restore a backup into an environment from Python (tests, tools): the same restore plan as
`mrpplan restore`, applied through the one executor (shadow load, check, one RENAME)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mrpplan.backup.manifest import Manifest, read_manifest
from mrpplan.config import Project
from mrpplan.config.settings import Environment
from mrpplan.plan.providers import Wiring
from mrpplan.restore.impact import RestoreImpact, assess_restore

__all__ = ["RestoreImpact", "RestoreResult", "assess_restore", "restore_backup"]


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    manifest: Manifest
    seconds: float


def restore_backup(
    env: Environment,
    path: Path,
    project: Project | None = None,
    *,
    allow_destructive: bool = False,
    wiring: Wiring,
) -> RestoreResult:
    """Build the restore plan for `path` and apply it (approved: the caller decided;
    `allow_destructive` as `restore --allow-destructive`)."""
    from mrpplan.apply.executor import apply_plan
    from mrpplan.restore.restore_plan import restore_plan

    started = time.monotonic()
    project = project or Project(env.file.parent.parent if env.file else Path.cwd())
    now = datetime.now(UTC).replace(microsecond=0)
    plan = restore_plan(project, env, path, now, allow_destructive=allow_destructive)
    apply_plan(project, env, plan, wiring=wiring)
    return RestoreResult(path, read_manifest(path), round(time.monotonic() - started, 3))
