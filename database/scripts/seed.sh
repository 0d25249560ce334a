#!/usr/bin/env bash
# Classic seed script, now a thin wrapper over `mrpplan seed`.
#   seed.sh list | run ENV [NAME] | reference ENV | test ENV | refresh ENV | create NAME [--set S] | status ENV [--track]
set -euo pipefail
source "$(dirname "$0")/_common.sh"
action="${1:-list}"; [ $# -gt 0 ] && shift
args=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --track|--dry-run|--auto-approve) extra+=("$1") ;;
    --set) extra+=(--set "${2:?--set needs a name}"); shift ;;
    --set=*) extra+=(--set "${1#*=}") ;;
    --env) args=("${2:?--env needs a name}" "${args[@]}"); shift ;;
    -*) unknown "$1" "Use --track, --set SET or --env ENV (see: mrpplan seed --help)." ;;
    *) args+=("$1") ;;
  esac
  shift
done
case "$action" in
  list) run seed list "${extra[@]}" ;;
  run|reference|test|refresh|status) [ ${#args[@]} -gt 0 ] || args=(local); run seed "$action" "${args[@]}" "${extra[@]}" ;;
  create) run seed create "${args[@]}" "${extra[@]}" ;;
  -h|--help) sed -n '2,3p' "$0" ;;
  *) unknown "$action" "Use one of: list, run, reference, test, refresh, create, status." ;;
esac
