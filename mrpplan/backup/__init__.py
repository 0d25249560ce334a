"""Backups and restores people can trust (DESIGN §3.5).

One concept per module:
  dump        take a backup: mariadb-dump -> compressor -> file; manifest beside it
  parallel_dump  several mariadb-dump workers under one snapshot, joined into one file
  space       free space checked first; "no space left on DIR (needed about X, free Y)"
  partial     `.name.partial` files, locked while written; stale ones are cleaned up
  manifest    the sidecar `<file>.manifest.json` (never credentials); file names
  stream      byte pipelines: compress while hashing, decompress while hashing
  compression gzip (default, `gzip -1`/pigz) and zstd, recognised by magic bytes
  verify      quick (stream whole, sha256, sizes, trailer) and deep (test restore) checks
  load        stream a file into the `mariadb` client; parallel_load spreads INSERTs
  impact      what a restore would change (restore --dry-run)
  restore     verify, rollback point, load, compare with the manifest, roll back on failure
  checkpoint  rollback points of a few tables for apply (save_checkpoint/restore_checkpoint)
  catalog     the backups in a folder; retention: what may be deleted, trash-table purge

Decisions worth knowing:
- Credentials only ever reach the client programs through an in-memory option file
  (`client_credentials`, inherited as /dev/fd/N; nothing on disk survives a kill);
  child processes get an environment without secret-looking variables (compressors get
  only PATH). Files are 0600 in a 0700 folder, written as `.name.partial` then renamed.
- What a backup holds: mrpplan's history tables (`mrpplan_schema_history`,
  `mrpplan_seed_history`, `mrpplan_apply_journal`) are KEPT, so a restored database's
  history tells the truth about its restored schema. Tables named `_mrpplan*` (trash of
  dropped tables, scratch tables) are left out: they are copies made by apply, purged by
  `backup --cleanup ENV` after the retention period.
- Row counts and CHECKSUM TABLE values are read in their own consistent snapshot started
  just before the dump (CHECKSUM TABLE respects the snapshot), in parallel with it. On a
  database written to during the backup they can differ slightly from the dump's own
  snapshot; a restore then says which tables differ rather than claiming success.
- A restore replaces the tables the backup holds and keeps tables it does not hold (they
  are listed as "keep" in the dry run). A schema-only backup re-creates its tables empty;
  a data-only backup empties its tables and reloads them with their triggers set aside.
- Loading speed: foreign_key_checks/unique_checks are off inside the loading sessions only.
  `sql_log_bin` is NOT touched: a restore on a primary must reach its replicas. INSERT
  statements are spread over 4 client sessions (MRPPLAN_LOAD_SESSIONS), with barriers so every
  DDL statement sees the same state as in a serial `gunzip | mariadb` load.
"""
