#!/usr/bin/env bash
# Classic migration script, now a thin wrapper over `mrpplan migrate` (usage: migrate.sh --help).
set -euo pipefail
source "$(dirname "$0")/_common.sh"

usage() {
  cat <<'HELP'
Usage: migrate.sh status [ENV]
       migrate.sh up [ENV] [--steps=N] [--dry-run] [--backup] [--force]
       migrate.sh down [ENV] [--steps=N | --to=VERSION] [--dry-run] [--force]
       migrate.sh create NAME
       migrate.sh fresh [ENV] [--force]
       migrate.sh baseline [ENV] --version=VERSION

  status    each migration: applied, pending, edited or missing
  up        apply pending migrations (all, or the next N) through a plan
  down      roll back the newest N migrations (default 1), or down to VERSION
  create    write database/migrations/NNN_NAME.sql with up and down sections
  fresh     DESTRUCTIVE: drop everything, then build the base schema and every migration
  baseline  adopt a database that already has the schema of VERSION

--dry-run shows the plan and changes nothing. --force (or --auto-approve) answers the
question for you on an unprotected environment; a protected one needs its name typed on a
terminal, or `mrpplan apply SAVED_PLAN --auto-approve` of a reviewed plan.

Examples:
  migrate.sh up --dry-run
  migrate.sh down --steps=2 --env dev
  migrate.sh up --backup --env prod
HELP
  environment_help
}

action="" name="" extra=()
while [ $# -gt 0 ]; do
  common_option "$@"; if [ "$used" -gt 0 ]; then shift "$used"; continue; fi
  case "$1" in
    --steps|--steps=*|--to|--to=*|--version|--version=*|--out|--out=*)
      option_value "$@"; extra+=("${1%%=*}" "$value"); shift "$used"; continue ;;
    --dry-run|--force|--auto-approve|--backup|--no-backup) extra+=("$1") ;;
    -*) unknown "$1" "Use --steps=N, --to=VERSION, --dry-run, --force, --backup or --env ENV (see: migrate.sh --help)." ;;
    *)
      if [ -z "$action" ]; then action="$1"
      elif [ "$action" = create ] && [ -z "$name" ]; then name="$1"
      elif is_env "$1" && [ -z "$env_name" ]; then env_name="$1"
      else usage_error "'$1' is not an environment (environments/$1.yaml does not exist)"
      fi ;;
  esac
  shift
done
case "${action:-status}" in
  status|up|down|fresh|baseline) run migrate "$action" "$(env_or_default)" "${extra[@]}" ;;
  create) [ -n "$name" ] || usage_error "create needs a NAME"; run migrate create "$name" ;;
  *) unknown "$action" "Use one of: status, up, down, create, fresh, baseline." ;;
esac
