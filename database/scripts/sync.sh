#!/usr/bin/env bash
# Classic sync script, now a thin wrapper over `mrpplan sync` (usage: sync.sh --help).
set -euo pipefail
source "$(dirname "$0")/_common.sh"

usage() {
  cat <<'HELP'
Usage: sync.sh list-envs
       sync.sh status ENV
       sync.sh pull ENV [--to local] [--backup] [--schema-only] [--dry-run]
       sync.sh clone SRC DST [--backup] [--schema-only] [--dry-run]
       sync.sh compare A B
       (also: --include T, --exclude T, --data-only, --no-backup)

  list-envs  every environment: where it is, protected, reachable, schema version
  status     server, size, schema version, pending migrations, drift, last backup
  pull       copy ENV's database into --to (default local), masking what the destination says
  clone      copy SRC's database into DST
  compare    schema differences (exit 2 when they differ)

--backup (the default) checkpoints the destination's tables first; --dry-run lists the tables
with estimated rows and sizes and changes nothing. --include/--exclude add to the
destination's sync lists. Environments are the names in environments/ (the old script's
ENVIRONMENTS[...] entries are now environments/NAME.yaml). A protected destination needs its
name typed on a terminal.

Examples:
  sync.sh pull prod --backup --schema-only
  sync.sh clone dev staging --backup
  sync.sh compare dev staging
HELP
  echo "Every line runs an \`mrpplan sync\` command; --verbose (anywhere) shows details."
}

action="" args=() extra=()
while [ $# -gt 0 ]; do
  common_option "$@"; if [ "$used" -gt 0 ]; then shift "$used"; continue; fi
  case "$1" in
    --backup|--no-backup|--schema-only|--with-data|--data-only|--dry-run|--auto-approve|--force|--json) extra+=("$1") ;;
    --include|--include=*|--exclude|--exclude=*|--to|--to=*|--out|--out=*)
      option_value "$@"; extra+=("${1%%=*}" "$value"); shift "$used"; continue ;;
    -*) unknown "$1" "Use --backup, --no-backup, --schema-only, --dry-run, --include T, --exclude T or --to ENV (see: sync.sh --help)." ;;
    *) if [ -z "$action" ]; then action="$1"; else args+=("$1"); fi ;;
  esac
  shift
done
[ -z "$env_name" ] || { [ "${action:-}" = pull ] && extra+=(--to "$env_name"); } || usage_error "--env is only for pull (the destination); name environments as words"
case "${action:-list-envs}" in
  list-envs|status|pull|clone|compare) run sync "${action:-list-envs}" "${args[@]}" "${extra[@]}" ;;
  *) unknown "$action" "Use one of: list-envs, status, pull, clone, compare." ;;
esac
