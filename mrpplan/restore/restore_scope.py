"""What a restore covers, and the steps around its swap (plan/replace.py does the swap).

- A FULL backup is the database's whole state: after its restore the database holds what
  the backup holds, nothing more. Tables it lacks are moved to the swap's trash database
  (one `trash_table` step each, reverse: the RENAME back); views, routines and events it
  lacks are dropped (one step each, reverse: their definition from the plan). Each of these
  is counted in "to destroy" and follows `policy.allow_destructive`. Schema and seed
  history come from the backup, so `plan` is clean afterwards.
- Data-only, schema-only and rollback backups replace their tables and keep the rest
  (a rollback point's `absent_tables` are removed: they did not exist then).
- In any backup, mrpplan's journal and its temporary tables (`_mrpplan_trash_*` left by a
  `migrate down`, `_mrpplan_load_*`/`_mrpplan_ws_*` scratch, `_mrpplan_sync_state`) are
  loaded into the scratch database with the rest (the manifest check covers them) but never
  swapped in: the live journal is an audit trail, the live temporaries are kept as they are.
  The journal gets one row saying what was restored (`journal_draft`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrpplan.backup.dump import is_internal
from mrpplan.backup.manifest import Manifest, manifest_path
from mrpplan.mysql import shadow
from mrpplan.mysql.journal import JOURNAL
from mrpplan.mysql.quote import ident, literal
from mrpplan.plan import kinds
from mrpplan.plan.types import Step

RESTORED = "restored"  # step_id of the journal row a restore writes


@dataclass(frozen=True)
class RestoreScope:
    """Which tables of a backup come in, which are skipped, and whether it is whole."""

    kind: str
    whole: bool
    incoming: tuple[str, ...]
    skipped: tuple[str, ...]
    absent: tuple[str, ...]

    @classmethod
    def of(cls, manifest: Manifest) -> RestoreScope:
        skipped = tuple(sorted(t for t in manifest.tables if skipped_table(t)))
        return cls(
            kind=manifest.kind,
            whole=manifest.kind == "full",
            incoming=tuple(sorted(t for t in manifest.tables if t not in skipped)),
            skipped=skipped,
            absent=tuple(manifest.absent_tables),
        )

    def removed(self, live: Sequence[str]) -> list[str]:
        """Live tables the restore moves to the trash (`live`: without temporaries)."""
        if self.whole:
            return sorted(t for t in live if t not in self.incoming and t != JOURNAL)
        return sorted(t for t in self.absent if t in live)

    def warnings(self) -> list[str]:
        temporary = [t for t in self.skipped if t != JOURNAL]
        if not temporary:
            return []
        named = ", ".join(temporary[:3]) + (
            f" and {len(temporary) - 3} more" * (len(temporary) > 3)
        )
        return [
            f"the backup holds {len(temporary)} temporary table(s) of mrpplan ({named}): "
            "skipped (loaded and checked, never swapped in; the live ones are kept as they are)"
        ]


def skipped_table(table: str) -> bool:
    """The journal and mrpplan's temporaries are never restored over the live ones."""
    return table == JOURNAL or is_internal(table)


def narrowed(live: Any, backup: Any, replaced: Sequence[str], kind: str) -> list[str]:
    """What replacing `replaced` with the backup's definitions loses besides the rows the
    restore is asked to replace: dropped or narrowed columns (the schema engine's risks),
    and every row of a schema-only backup's tables."""
    if kind == "data":
        return []
    from mrpplan.diff import diff_schemas
    from mrpplan.model.schema import Schema

    names = set(replaced)
    before = Schema(tables={n: t for n, t in live.tables.items() if n in names})
    after = Schema(tables={n: t for n, t in backup.tables.items() if n in names})
    losses = [c.describe() for c in diff_schemas(before, after) if c.destructive]
    if kind == "schema" and replaced:
        losses.append(f"the rows of {', '.join(replaced)} (a schema-only backup: emptied)")
    return losses


def removal_drafts(
    swap: shadow.Swap, removed: Sequence[str], live: Any, backup: Any, whole: bool
) -> list[Step]:
    """After the swap: tables the backup lacks to the trash; with `whole`, the views,
    routines and events it lacks dropped (their definitions are the reverse SQL)."""
    drafts = []
    for table in removed:
        forward, reverse = shadow.trash_statements(swap, table)
        drafts.append(
            Step(
                kind=kinds.TRASH_TABLE,
                object=table,
                sql=(forward,),
                reverse_sql=(reverse,),
                destructive=True,
                reason=f"the backup has no table {table}: moved to {swap.trash} with its rows "
                "(kept until `backup --cleanup` purges it)",
            )
        )
    if not whole:
        return drafts
    for section, word in (("views", "VIEW"), ("routines", None), ("events", "EVENT")):
        theirs = getattr(backup, section)
        for name, old in sorted(getattr(live, section).items()):
            if name in theirs:
                continue
            kind = word or old.kind
            drafts.append(
                Step(
                    kind=kinds.drop_kind(kind),
                    object=name,
                    sql=(f"DROP {kind} IF EXISTS {ident(name)}",),
                    reverse_sql=(old.canonical,),
                    destructive=True,
                    reason=f"the backup has no {kind.lower()} {name}: dropped (its definition "
                    "is kept in this plan and in the journal; a rollback creates it again)",
                )
            )
    return drafts


def journal_draft(path: Path, manifest: Manifest, swap: shadow.Swap) -> Step:
    """One journal row saying what was restored: file, manifest digest, when (started_at);
    its id comes from the swap's trash database, unique per restore of the database."""
    try:
        digest = hashlib.sha256(manifest_path(path).read_bytes()).hexdigest()
    except OSError:
        digest = manifest.sha256
    apply_id = "restore" + hashlib.sha256(swap.trash.encode()).hexdigest()[:25]
    detail = json.dumps(
        {
            "restored": path.name,
            "kind": manifest.kind,
            "from": f"{manifest.env}/{manifest.database}",
            "backup_created_at": manifest.created_at,
            "sha256": manifest.sha256,
            "manifest_sha256": digest,
        },
        sort_keys=True,
    )
    row = (
        f"INSERT INTO {ident(JOURNAL)} (apply_id, plan_digest, step_id, status, artifact, "
        f"detail, finished_at) VALUES ({literal(apply_id)}, {literal(digest)}, "
        f"{literal(RESTORED)}, 'done', {literal(path.name)}, {literal(detail)}, NOW(6))"
    )
    undo = (
        f"DELETE FROM {ident(JOURNAL)} WHERE apply_id = {literal(apply_id)} "
        f"AND step_id = {literal(RESTORED)}"
    )
    return Step(
        kind=kinds.RECORD_HISTORY,
        object=JOURNAL,
        sql=(row,),
        reverse_sql=(undo,),
        reason=f"record in {JOURNAL} that {path.name} was restored (the journal itself is "
        "never replaced by a restore)",
    )
