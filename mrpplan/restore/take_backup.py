"""`mrpplan backup ENV`: the backup as asked, and one database's view of it.

Apart from restore/views.py (every other backup and restore screen) so that a backup,
often the only command a cron job runs, imports the dump and nothing of restores,
verification or imports (start-up is most of a small database's backup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mrpplan.backup.dump import BackupResult, create_backup
from mrpplan.backup.progress import NoProgress, Progress
from mrpplan.backup.progress_bar import progress_for
from mrpplan.backup.timings import mark
from mrpplan.units import human_size

if TYPE_CHECKING:
    from mrpplan.config.settings import Environment
    from mrpplan.plan.screen import Screen


@dataclass(frozen=True)
class BackupOrder:
    """`mrpplan backup ENV` as asked: the kind, the tables, compression, label, --auto."""

    kind: str
    tables: tuple[str, ...]
    compress: str
    label: str
    auto: bool

    def take(self, env: Environment, progress: Progress | None = None) -> BackupResult:
        return create_backup(
            env,
            self.kind,
            tables=self.tables,
            compression=self.compress,
            label=self.label,
            progress=progress,
        )


def back_up(screen: Screen, env: Environment, order: BackupOrder) -> None:
    """One database's backup, with a bar on a terminal (--auto: one summary line)."""
    mark("command started")
    kind, auto = order.kind, order.auto
    result = order.take(env, NoProgress() if auto else progress_for(screen.err))
    m = result.manifest
    rate = m.sql_bytes / m.duration_seconds / 1e6 if m.duration_seconds else 0.0
    if auto:
        screen.document(
            f"backup ok: env={env.name} kind={kind} file={result.path} bytes={m.compressed_bytes} "
            f"sql_bytes={m.sql_bytes} tables={len(m.tables)} seconds={m.duration_seconds:.1f}"
        )
        return
    screen.out.print(f"Backup of {env.name} ({m.database}, {kind}) written: {result.path}")
    for note in result.notes:
        screen.out.print(f"  note: {note}")
    screen.out.print(
        f"  {len(m.tables)} tables, {human_size(m.sql_bytes)} of SQL -> "
        f"{human_size(m.compressed_bytes)} "
        f"{m.compression}, {m.duration_seconds:.1f} s ({rate:.0f} MB/s); sha256 {m.sha256[:16]}…"
    )
