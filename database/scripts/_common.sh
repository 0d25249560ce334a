# Shared by the classic wrapper scripts (sourced, not run).
#
# How a wrapper picks the environment it acts on, in this order:
#   1. --env NAME, -e NAME or --env=NAME anywhere on the line;
#   2. a first plain word that names an environment file (environments/NAME.yaml),
#      e.g. `backup.sh prod --full` or `migrate.sh up staging`;
#   3. the MRPPLAN_ENV variable (export MRPPLAN_ENV=prod for a whole session);
#   4. local.
# sync.sh names its environments as words, as the old script did (`sync.sh pull prod`).
#
# MRPPLAN may name the program to run (default: mrpplan on PATH, else the project's .venv).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project_root="$(cd "$here/../.." && pwd)"
if [ -n "${MRPPLAN:-}" ]; then
  # shellcheck disable=SC2206  # MRPPLAN may be "python recorder.py": split on purpose
  mrpplan_cmd=($MRPPLAN)
elif command -v mrpplan >/dev/null 2>&1; then
  mrpplan_cmd=(mrpplan)
else
  mrpplan_cmd=("$project_root/.venv/bin/mrpplan")
fi

global=()       # options for mrpplan itself (--verbose, --no-color), wherever they were typed
env_name=""     # set by --env/-e or an environment word; see env_or_default
used=0          # how many words common_option consumed

run() {
  exec "${mrpplan_cmd[@]}" --project "$project_root" "${global[@]}" "$@"
}

env_or_default() {
  echo "${env_name:-${MRPPLAN_ENV:-local}}"
}

# The environment someone asked for explicitly (option, word or MRPPLAN_ENV), or nothing.
env_if_given() {
  echo "${env_name:-${MRPPLAN_ENV:-}}"
}

is_env() {
  [ -n "$1" ] && [ -f "$project_root/environments/$1.yaml" ]
}

usage_error() {
  echo "$(basename "$0"): $1 (see: $(basename "$0") --help)" >&2
  exit 64
}

unknown() {
  # $1 = the flag, $2 = what to use instead
  echo "$(basename "$0"): unknown option '$1'. $2" >&2
  exit 64
}

# Options every wrapper takes. Sets `used` to the number of words consumed (0: not ours).
common_option() {
  used=1
  case "$1" in
    -v|--verbose) global+=(--verbose) ;;
    --no-color) global+=(--no-color) ;;
    -e|--env)
      [ $# -ge 2 ] || usage_error "$1 needs an environment name"
      env_name="$2"; used=2 ;;
    --env=*) env_name="${1#*=}" ;;
    -h|--help) usage; exit 0 ;;
    *) used=0 ;;
  esac
}

# `--opt=value` or `--opt value` -> sets `value` and `used` (1 or 2).
value=""
option_value() {
  case "$1" in
    *=*) used=1; value="${1#*=}" ;;
    *) [ $# -ge 2 ] || usage_error "$1 needs a value"; used=2; value="$2" ;;
  esac
}

environment_help() {
  cat <<'HELP'

Environment: --env NAME (or -e NAME), or an environment name as the first word after the
action, else $MRPPLAN_ENV, else local. Names are the files in environments/.
Every line runs an `mrpplan` command; `--verbose` (anywhere) shows what it does in detail.
HELP
}
