"""Environment sync: list, status, pull/clone (copy), compare; masking of copied data.

Commands (mrpplan/cli/sync.py):
  sync list-envs [--json]            name, host:port/database, protected, reachable, version
  sync status ENV [--json]           server version, size, schema version, pending migrations,
                                     drift (the `drift` check), last backup (from manifests)
  sync pull [ENV] [--to local]       copy ENV (default: the destination's sync.source) into --to
  sync clone SRC DST                 copy SRC into DST
  sync compare A B [--json]          the changes that would make B's schema like A's; exit 2
                                     when they differ, 0 when same
  copy options: --schema-only/--with-data, --include GLOB, --exclude GLOB (repeatable or
  comma-separated), --backup/--no-backup (default on), --dry-run, --auto-approve, --json

Decisions (the why lives next to the code; this is the summary):
- Copies stream `mariadb-dump --single-transaction` (consistent snapshot, no table locks, so
  reading a protected production server is fine) into the destination's `mariadb` client, no
  temporary file, credentials only in an in-memory option file (mysql/client_process.py).
- Writing into a protected environment needs the typed environment name on a terminal or
  --auto-approve; without a terminal and without it: exit 3 before anything is read.
- --include/--exclude on the command line win over the destination's `sync:` section (each
  list on its own). An include pattern matching nothing is a usage error (exit 64).
  Excluded tables are left untouched in the destination (structure and rows).
- The selected part of the destination becomes equal to the source's: destination tables
  and views the selection covers but the source lacks are dropped; a whole-database copy
  (no --include) also copies routines, triggers and events and drops the destination's
  extra stored routines/events (copied events run if the destination's event scheduler is
  on, as they would after a restore).
- Between the load and the masking UPDATEs (same run, before the command returns) the
  destination briefly holds unmasked rows; a failure in between restores the checkpoint.
- mrpplan's own tables: `mrpplan_apply_journal` and `_mrpplan*` are never copied (the
  destination keeps its own journal). On whole-database copies the source's
  `mrpplan_schema_history` IS copied (the destination's schema now equals the source's, so
  the source's recorded version is the true one; if the source has none, the destination's
  is dropped), and for data copies `mrpplan_seed_history` too (the seeded rows came along).
  A schema-only whole copy empties the destination's seed history; a partial copy
  (--include) leaves both histories alone.
- --backup (default): the destination tables the copy replaces or drops are saved as a
  rollback checkpoint (backup/checkpoint.py); any failure (load, masking, verification,
  Ctrl-C) drops what the copy created and restores the checkpoint, and the error says so.
  Not restored: views/routines that were dropped or replaced (only tables are checkpointed).
- Masking (mask.py has the exact rules): the DESTINATION's `sync.mask` applies, whatever
  the source; `table.column: email | phone | name | null | fixed:<text>` (text after the
  first colon, taken literally; a bare YAML `null` means the null rule). UPDATEs computed in
  SQL from the row's primary key: unique per row, stable across pulls, NULL stays NULL.
  Afterwards MD5 hashes of the source's distinct values are compared with the destination's:
  any remaining source value fails the copy (and restores the checkpoint). Rules naming a
  missing table/column, `null` on a NOT NULL column, `fixed` on a UNIQUE column, or text
  rules on non-text columns are refused before anything is copied.
- Plans: an environment with `sync:` gets sync steps (shadow_prepare, shadow_load,
  swap_tables) in `mrpplan plan ENV` (plan_steps.py): the plan's schema steps shape the
  tables from the environment's own schema settings, then each table whose rows differ
  from the source's (same columns and content hash of the unmasked columns) is truncated,
  loaded data-only from the source and masked; the planner's checkpoint in front of each
  step brings the rows back on failure.
  `schema_only: true` environments get no sync steps in plans (their schema is their own).
"""
