#!/usr/bin/env bash
# Classic backup script, now a thin wrapper over `mrpplan backup` (usage: backup.sh --help).
set -euo pipefail
source "$(dirname "$0")/_common.sh"

usage() {
  cat <<'HELP'
Usage: backup.sh [ENV] [--full | --schema-only | --data-only] [--auto]
       backup.sh --list [ENV]
       backup.sh --verify FILE [--deep]
       backup.sh --cleanup [ENV] [--dry-run]
       backup.sh --import FILE [ENV] [--deep]

Back up an environment's database (default: a full backup), list, verify, import or clean up
backups. FILE may be a bare name (backup_file.sql.gz): it is looked up in the backup folder.

  (no option)     full backup, with a progress bar        mrpplan backup ENV --full
  --auto          for cron: no prompts, one summary line  mrpplan backup ENV --auto
  --schema-only   tables, views, routines; no rows        mrpplan backup ENV --schema-only
  --list          backups, newest first                   mrpplan backup --list [ENV]
  --verify FILE   stream, sha256, trailer (--deep: test restore in the sandbox)
  --import FILE   adopt a backup made by the old script (mariadb-dump | gzip, no manifest)
  --cleanup       delete backups past the environment's retention_days (--dry-run: list only)

Examples:
  backup.sh --auto                  # cron: 0 2 * * * cd .../database && ./scripts/backup.sh --auto
  backup.sh --full --env prod
  backup.sh --verify mrp_erp_full_prod_20260101T020000Z.sql.gz
HELP
  environment_help
}

kinds=() mode="backup" file="" extra=()
while [ $# -gt 0 ]; do
  common_option "$@"; if [ "$used" -gt 0 ]; then shift "$used"; continue; fi
  case "$1" in
    --full|--schema-only|--data-only) kinds+=("$1") ;;
    --auto|--deep|--dry-run) extra+=("$1") ;;
    --list) mode="list" ;;
    --cleanup) mode="cleanup" ;;
    --verify|--verify=*|--import|--import=*)
      mode="${1%%=*}"; mode="${mode#--}"
      option_value "$@"; file="$value"; shift "$used"; continue ;;
    --retention-days|--retention-days=*|--compress|--compress=*|--label|--label=*|--tables|--tables=*)
      option_value "$@"; extra+=("${1%%=*}" "$value"); shift "$used"; continue ;;
    -*) unknown "$1" "Use --full, --schema-only, --data-only, --auto, --list, --verify FILE, --import FILE, --cleanup, --dry-run or --env ENV (see: backup.sh --help)." ;;
    *)
      if [ "$mode" = import ] && [ -z "$file" ]; then file="$1"
      elif is_env "$1" && [ -z "$env_name" ]; then env_name="$1"
      else usage_error "'$1' is not an environment (environments/$1.yaml does not exist)"
      fi ;;
  esac
  shift
done
case "$mode" in
  backup) run backup "$(env_or_default)" "${kinds[@]:---full}" "${extra[@]}" ;;
  list) run backup --list $(env_if_given) ;;
  verify) run backup --verify "$file" "${extra[@]}" ;;
  import) run backup import "$file" "$(env_or_default)" "${extra[@]}" ;;
  cleanup) run backup --cleanup $(env_if_given) "${extra[@]}" ;;
esac
