#!/usr/bin/env bash
# Classic seed script, now a thin wrapper over `mrpplan seed` (usage: seed.sh --help).
set -euo pipefail
source "$(dirname "$0")/_common.sh"

usage() {
  cat <<'HELP'
Usage: seed.sh list
       seed.sh run [SEED...] [--force]
       seed.sh reference | test
       seed.sh refresh [SEED...] [--force]
       seed.sh create NAME [--set reference|test|production|sample|cleanup]
       seed.sh status [--track]

  list       the seed files, their sets and checksums
  run        run every seed the environment lists, or the SEEDs named (01_test_data);
             a seed whose checksum is recorded is skipped (--force runs it again)
  reference  run the 00_reference_* seeds;  test: the 01_test_* seeds
  refresh    DESTRUCTIVE: empty the tables seeds write and re-run the seeds (checkpoint first);
             asks on a terminal, --force when there is none
  create     write database/seeds/NN_<set>_NAME.sql
  status     each seed: pending, applied or changed; --track: every run (who, when,
             checksum, rows, duration)

Examples:
  seed.sh run 01_test_data
  seed.sh refresh --force --env dev
  seed.sh status --track
HELP
  environment_help
}

action="" names=() extra=()
while [ $# -gt 0 ]; do
  common_option "$@"; if [ "$used" -gt 0 ]; then shift "$used"; continue; fi
  case "$1" in
    --track|--dry-run|--auto-approve|--force|--json) extra+=("$1") ;;
    --set|--set=*|--out|--out=*) option_value "$@"; extra+=("${1%%=*}" "$value"); shift "$used"; continue ;;
    -*) unknown "$1" "Use --track, --force, --set SET or --env ENV (see: seed.sh --help)." ;;
    *)
      if [ -z "$action" ]; then action="$1"
      elif [ "$action" != create ] && [ ${#names[@]} -eq 0 ] && [ -z "$env_name" ] && is_env "$1"; then env_name="$1"
      else names+=("$1")
      fi ;;
  esac
  shift
done
case "${action:-list}" in
  list) run seed list "${extra[@]}" ;;
  run|refresh) run seed "$action" "$(env_or_default)" "${names[@]}" "${extra[@]}" ;;
  reference|test|status)
    [ ${#names[@]} -eq 0 ] || usage_error "$action takes no seed names ('${names[*]}' given)"
    run seed "$action" "$(env_or_default)" "${extra[@]}" ;;
  create)
    [ ${#names[@]} -eq 1 ] || usage_error "create needs one NAME"
    run seed create "${names[0]}" "${extra[@]}" ;;
  *) unknown "$action" "Use one of: list, run, reference, test, refresh, create, status." ;;
esac
