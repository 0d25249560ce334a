#!/usr/bin/env bash
# Classic backup script, now a thin wrapper over `mrpplan backup`.
#   backup.sh [ENV] [--full|--schema-only|--data-only] [--auto]
#   backup.sh --list [ENV] | --verify FILE | --cleanup [ENV] [--dry-run]
set -euo pipefail
source "$(dirname "$0")/_common.sh"
env="" kind="--full" mode="backup" file="" extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full|--schema-only|--data-only) kind="$1" ;;
    --auto) extra+=(--auto) ;;
    --list) mode="list" ;;
    --verify) mode="verify"; file="${2:?--verify needs a FILE}"; shift ;;
    --verify=*) mode="verify"; file="${1#*=}" ;;
    --deep) extra+=(--deep) ;;
    --cleanup) mode="cleanup" ;;
    --dry-run) extra+=(--dry-run) ;;
    --env) env="${2:?--env needs a name}"; shift ;;
    --env=*) env="${1#*=}" ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    -*) unknown "$1" "Use --full, --schema-only, --data-only, --auto, --list, --verify FILE, --cleanup or --dry-run (see: mrpplan backup --help)." ;;
    *) env="$1" ;;
  esac
  shift
done
case "$mode" in
  backup) run backup "${env:-local}" "$kind" "${extra[@]}" ;;
  list) run backup --list ${env:+"$env"} ;;
  verify) run backup --verify "$file" "${extra[@]}" ;;
  cleanup) run backup --cleanup ${env:+"$env"} "${extra[@]}" ;;
esac
