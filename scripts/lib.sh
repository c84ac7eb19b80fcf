# shellcheck shell=bash
# Shared helpers for the scripts in this directory. Source it, do not run it.

# Repository root, whatever directory the caller was started from.
SMHSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Parallelism: the project is sized for a 2-core machine.
SMHSIM_JOBS="${SMHSIM_JOBS:-2}"

# A visible banner between the stages of a long run.
smhsim_header() {
	printf '\n==== %s ====\n' "$*"
}

smhsim_note() {
	printf '%s: %s\n' "$(basename "$0")" "$*"
}

smhsim_die() {
	printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

# Configures a preset; the output goes to build/<preset>.build.log and is
# shown only when it fails.
smhsim_configure_preset() {
	local preset="$1"
	local log="$SMHSIM_ROOT/build/$preset.build.log"
	mkdir -p "$SMHSIM_ROOT/build"
	if ! (cd "$SMHSIM_ROOT" && cmake --preset "$preset") >"$log" 2>&1; then
		cat "$log"
		printf 'configure of preset %s failed (log: %s)\n' "$preset" "$log" >&2
		return 1
	fi
}

# Configures and builds a preset, keeping the compiler output in the same log.
# Extra arguments are passed to `cmake --build` (e.g. --target x y).
smhsim_build_preset() {
	local preset="$1"
	shift
	local log="$SMHSIM_ROOT/build/$preset.build.log"
	smhsim_configure_preset "$preset" || return 1
	if ! (cd "$SMHSIM_ROOT" && cmake --build --preset "$preset" "$@") >>"$log" 2>&1; then
		cat "$log"
		printf 'build of preset %s failed (log: %s)\n' "$preset" "$log" >&2
		return 1
	fi
	printf 'built preset %s (log: %s)\n' "$preset" "$log"
}
