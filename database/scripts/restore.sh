#!/usr/bin/env bash
# Classic restore script, now a thin wrapper over `mrpplan restore`.
#   restore.sh [--env ENV] [--backup-first] [--dry-run] [--force] [--verify] FILE
set -euo pipefail
source "$(dirname "$0")/_common.sh"
env="local" file="" extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --backup-first|--dry-run|--force|--verify) extra+=("$1") ;;
    --env) env="${2:?--env needs a name}"; shift ;;
    --env=*) env="${1#*=}" ;;
    -h|--help) sed -n '2,3p' "$0"; exit 0 ;;
    -*) unknown "$1" "Use --backup-first, --dry-run, --force, --verify or --env ENV (see: mrpplan restore --help)." ;;
    *) file="$1" ;;
  esac
  shift
done
run restore "$env" ${file:+"$file"} "${extra[@]}"
