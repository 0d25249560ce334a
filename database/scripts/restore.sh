#!/usr/bin/env bash
# Classic restore script, now a thin wrapper over `mrpplan restore` (usage: restore.sh --help).
set -euo pipefail
source "$(dirname "$0")/_common.sh"

usage() {
  cat <<'HELP'
Usage: restore.sh [--backup-first] [--dry-run] [--verify] [--force] [-e ENV] [FILE]
       restore.sh --list [-e ENV]

Restore a backup into an environment's database. The file is verified first (gzip stream,
sha256, dump trailer); a backup made by the old script (no manifest) is adopted first
(content check and a test load into the sandbox). FILE may be a bare name
(rollback_20260101T020000Z.sql.gz): it is looked up in the backup folder. Without FILE,
a terminal shows the backups to choose from.

  --list          the backups to choose from              mrpplan backup --list [ENV]
  --dry-run       what the restore would change (row counts, schema diff); nothing changes
  --backup-first  take a rollback point of the tables first
  --verify        test-restore FILE into the sandbox before touching the database
  --force         do not ask (on a protected environment the rule of `mrpplan apply` holds)

Examples:
  restore.sh --dry-run backup_file.sql.gz
  restore.sh --backup-first mrp_erp_full_prod_20260101T020000Z.sql.gz --env staging
HELP
  environment_help
}

file="" mode="restore" extra=()
while [ $# -gt 0 ]; do
  common_option "$@"; if [ "$used" -gt 0 ]; then shift "$used"; continue; fi
  case "$1" in
    --backup-first|--no-backup-first|--dry-run|--force|--verify|--auto-approve) extra+=("$1") ;;
    --list) mode="list" ;;
    --out|--out=*) option_value "$@"; extra+=(--out "$value"); shift "$used"; continue ;;
    -*) unknown "$1" "Use --list, --backup-first, --dry-run, --force, --verify or --env ENV (see: restore.sh --help)." ;;
    *)
      if [ -z "$file" ] && [ -z "$env_name" ] && is_env "$1" && [ $# -gt 1 ]; then env_name="$1"
      elif [ -z "$file" ]; then file="$1"
      else usage_error "one backup FILE at a time ('$file' and '$1' given)"
      fi ;;
  esac
  shift
done
case "$mode" in
  list) run backup --list $(env_if_given) ;;
  restore) run restore "$(env_or_default)" ${file:+"$file"} "${extra[@]}" ;;
esac
