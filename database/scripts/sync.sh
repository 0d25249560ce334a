#!/usr/bin/env bash
# Classic sync script, now a thin wrapper over `mrpplan sync`.
#   sync.sh list-envs | status ENV | pull ENV [--to local] | clone SRC DST | compare A B
#           [--backup|--no-backup] [--schema-only] [--dry-run] [--include T] [--exclude T]
set -euo pipefail
source "$(dirname "$0")/_common.sh"
action="${1:-list-envs}"; [ $# -gt 0 ] && shift
args=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --backup|--no-backup|--schema-only|--dry-run|--auto-approve) extra+=("$1") ;;
    --include|--exclude|--to) extra+=("$1" "${2:?$1 needs a value}"); shift ;;
    --include=*|--exclude=*|--to=*) extra+=("${1%%=*}" "${1#*=}") ;;
    -*) unknown "$1" "Use --backup, --no-backup, --schema-only, --dry-run, --include T, --exclude T or --to ENV (see: mrpplan sync --help)." ;;
    *) args+=("$1") ;;
  esac
  shift
done
case "$action" in
  list-envs|status|pull|clone|compare) run sync "$action" "${args[@]}" "${extra[@]}" ;;
  -h|--help) sed -n '2,4p' "$0" ;;
  *) unknown "$action" "Use one of: list-envs, status, pull, clone, compare." ;;
esac
