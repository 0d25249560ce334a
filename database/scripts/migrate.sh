#!/usr/bin/env bash
# Classic migration script, now a thin wrapper over `mrpplan migrate`.
#   migrate.sh status|up|down|fresh [ENV] [--steps=N] [--dry-run] [--force]
#   migrate.sh create NAME
set -euo pipefail
source "$(dirname "$0")/_common.sh"
action="${1:-status}"; [ $# -gt 0 ] && shift
env="" name="" extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps=*) extra+=(--steps "${1#*=}") ;;
    --steps) extra+=(--steps "${2:?--steps needs N}"); shift ;;
    --dry-run|--force|--backup|--no-backup) extra+=("$1") ;;
    --env) env="${2:?--env needs a name}"; shift ;;
    --env=*) env="${1#*=}" ;;
    -*) unknown "$1" "Use --steps=N, --dry-run, --force, --backup or --env ENV (see: mrpplan migrate --help)." ;;
    *) if [ "$action" = create ]; then name="$1"; else env="$1"; fi ;;
  esac
  shift
done
case "$action" in
  status|up|down|fresh) run migrate "$action" "${env:-local}" "${extra[@]}" ;;
  create) run migrate create "${name:?create needs a NAME}" ;;
  -h|--help) sed -n '2,4p' "$0" ;;
  *) unknown "$action" "Use one of: status, up, down, create, fresh." ;;
esac
