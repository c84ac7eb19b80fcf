#!/bin/bash -eu
# Builds the smhsim libFuzzer harnesses the OSS-Fuzz / ClusterFuzzLite way:
# compiled with $CC $CFLAGS (sanitizer and coverage flags chosen by the
# platform), linked with $LIB_FUZZING_ENGINE, into $OUT together with each
# harness's seed corpus (<harness>_seed_corpus.zip), dictionary and options
# file.
#
# It is CMake's own fuzz build with the platform's flags
# (-DSMHSIM_FUZZ_ENGINE, fuzz/CMakeLists.txt), so which core each harness
# links, and at which hardening level, is said in one place. scripts/fuzz-ci
# runs this script too, so it cannot silently stop building.
#
# Runs locally as well, e.g.:
#   CC=clang CFLAGS='-fsanitize=address,fuzzer-no-link -g' \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/cflout bash .clusterfuzzlite/build.sh

set -euo pipefail # also when run as `bash build.sh`, which ignores the #! flags

# The repository: this script's parent directory in a checkout; in the
# platform's image the script is copied to $SRC and run from the checkout.
SRC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$SRC_ROOT/fuzz/fuzz-lib.sh" ] || SRC_ROOT="$PWD"
# shellcheck source=scripts/lib.sh
. "$SRC_ROOT/scripts/lib.sh"
# shellcheck source=fuzz/fuzz-lib.sh
. "$SRC_ROOT/fuzz/fuzz-lib.sh"
: "${CC:?set CC (clang)}" "${OUT:?set OUT (output directory)}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE (-fsanitize=fuzzer)}"
BUILD="${SMHSIM_CFL_BUILD_DIR:-${WORK:-$(mktemp -d)}/smhsim-build}"
HARNESSES=("${SMHSIM_FUZZ_HARNESSES[@]}")

# Only the harnesses are built: the tests, benchmarks and the command would
# be compiled with the platform's flags for nothing.
cmake -S "$SRC_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=None \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="${CFLAGS:-}" \
	-DSMHSIM_FUZZ=ON -DSMHSIM_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
	-DSMHSIM_WERROR=OFF -DSMHSIM_BUILD_TESTS=OFF -DSMHSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)" --target "${HARNESSES[@]}"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)" # the corpora are zipped from their own directories
for h in "${HARNESSES[@]}"; do
	cp "$BUILD/fuzz/$h" "$OUT/$h"
	rm -f "$OUT/${h}_seed_corpus.zip"
	(cd "$SRC_ROOT/fuzz/corpus/$h" && zip -q -r -X "$OUT/${h}_seed_corpus.zip" .)
	[ -f "$SRC_ROOT/fuzz/$h.dict" ] && cp "$SRC_ROOT/fuzz/$h.dict" "$OUT/$h.dict"
	{
		echo "[libfuzzer]"
		echo "max_len = $(smhsim_fuzz_max_len "$h")"
		[ -f "$SRC_ROOT/fuzz/$h.dict" ] && echo "dict = $h.dict"
	} >"$OUT/$h.options"
done
echo "build.sh: harnesses in $OUT"
