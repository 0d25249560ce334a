# Shared by the classic wrapper scripts: find mrpplan and report unknown flags helpfully.
# MRPPLAN may name the program to run (default: mrpplan on PATH, else the project's .venv).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project_root="$(cd "$here/../.." && pwd)"
if [ -n "${MRPPLAN:-}" ]; then
  mrpplan_cmd=($MRPPLAN)
elif command -v mrpplan >/dev/null 2>&1; then
  mrpplan_cmd=(mrpplan)
else
  mrpplan_cmd=("$project_root/.venv/bin/mrpplan")
fi

run() {
  exec "${mrpplan_cmd[@]}" --project "$project_root" "$@"
}

unknown() {
  # $1 = the flag, $2 = what to use instead
  echo "$(basename "$0"): unknown option '$1'. $2" >&2
  exit 64
}
