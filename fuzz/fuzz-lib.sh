# shellcheck shell=bash
# Helpers shared by scripts/fuzz and scripts/fuzz-ci. Source it after
# scripts/lib.sh.

# The libFuzzer build: the `fuzz` preset of CMakePresets.json (clang,
# -fsanitize=fuzzer-no-link,address,undefined, SMHSIM_FUZZ=ON).
# shellcheck disable=SC2034 # used by the scripts that source this file
SMHSIM_FUZZ_BUILD="$SMHSIM_ROOT/build/fuzz"

# Every libFuzzer harness (fuzz/CMakeLists.txt builds them).
# shellcheck disable=SC2034 # used by the scripts that source this file
SMHSIM_FUZZ_HARNESSES=(fuzz_heap fuzz_pool fuzz_dtb fuzz_trace fuzz_damage)

# Configures the preset and builds the libFuzzer harnesses named as
# arguments, their *_replay twins and fuzz_to_trace (not the test suites).
# The log goes to build/fuzz.build.log.
smhsim_fuzz_build() {
	local targets=() h
	command -v clang >/dev/null 2>&1 || smhsim_die "clang not found: run scripts/setup"
	for h in "$@"; do
		targets+=("$h" "${h}_replay")
	done
	targets+=(fuzz_to_trace)
	smhsim_build_preset fuzz --target "${targets[@]}"
}

# A fresh scratch corpus for harness $1 in $2/corpus, seeded from the
# committed one, and an empty artifact directory $2.
smhsim_fuzz_scratch_corpus() {
	local h="$1" dir="$2"
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	cp "$SMHSIM_ROOT/fuzz/corpus/$h/"* "$dir/corpus/"
}

# The input size bound of harness $1 in bytes.
smhsim_fuzz_max_len() {
	case "$1" in
	fuzz_heap | fuzz_pool | fuzz_damage) echo 1024 ;; # ~300 ops: enough for deep states
	fuzz_dtb) echo 8192 ;;
	fuzz_trace) echo 4096 ;;
	*) smhsim_die "unknown harness '$1'" ;;
	esac
}

# libFuzzer flags of harness $1: dictionary and input size bound.
smhsim_fuzz_flags() {
	local h="$1" dict="$SMHSIM_ROOT/fuzz/$1.dict" max_len
	max_len="$(smhsim_fuzz_max_len "$h")"
	local flags=(-timeout=10 -rss_limit_mb=2048 -max_len="$max_len")
	[ -f "$dict" ] && flags+=(-dict="$dict")
	printf '%s\n' "${flags[@]}"
}

# "N execs, E exec/s, cov: C, ft: F" from a libFuzzer log: the last status
# line of a fork-mode run (#N: cov: ...) or the DONE line of a plain run,
# and stat:: lines when present.
smhsim_fuzz_summary() {
	local log="$1" line execs rate cov ft
	line="$(grep -E '^#[0-9]+:?[[:space:]]+(DONE[[:space:]]+)?cov:' "$log" | tail -n 1 || true)"
	if [ -z "$line" ]; then
		line="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
	fi
	execs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$line")"
	cov="$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$line")"
	ft="$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$line")"
	rate="$(sed -nE 's/.*exec\/s:? ([0-9]+).*/\1/p' <<<"$line")"
	# A fork-mode line's exec/s is the last job's: average over the run.
	local elapsed
	elapsed="$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$line")"
	if [ -n "$elapsed" ] && [ "$elapsed" -gt 0 ] && [ -n "$execs" ]; then
		rate=$((execs / elapsed))
	fi
	local stat_execs stat_rate
	stat_execs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n 1)"
	stat_rate="$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -n 1)"
	[ -n "$stat_execs" ] && execs="$stat_execs"
	[ -n "$stat_rate" ] && rate="$stat_rate"
	printf '%s execs, %s exec/s, cov: %s, ft: %s' "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}"
}
