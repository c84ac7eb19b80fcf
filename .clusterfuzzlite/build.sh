#!/bin/bash -eu
# Builds the smhsim libFuzzer harnesses the OSS-Fuzz / ClusterFuzzLite way:
# with $CC $CFLAGS (sanitizer and coverage flags chosen by the platform),
# linked with $LIB_FUZZING_ENGINE, into $OUT together with each harness's
# seed corpus (<harness>_seed_corpus.zip), dictionary and options file.
#
# Runs locally as well, e.g.:
#   CC=clang CFLAGS='-fsanitize=address,fuzzer-no-link -g' \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/cflout bash .clusterfuzzlite/build.sh
#
# The core and simulator sources are compiled directly (no CMake), so the
# script does not depend on the project's build options; the one generated
# header (smhsim/config.h) and the trace demo are written here with the
# defaults of CMakeLists.txt and sim/trace.cmake.

SRC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${WORK:-$(mktemp -d)}"
: "${CC:?set CC (clang)}" "${OUT:?set OUT (output directory)}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE (-fsanitize=fuzzer)}"
CFLAGS="${CFLAGS:-}"
mkdir -p "$OUT" "$WORK/include/smhsim" "$WORK/obj"

# ---- generated files ----
# config.h from cmake/config.h.in with the default option values.
sed -e 's/^#cmakedefine \(CONFIG_SYS_HEAP_SMALL_ONLY\|CONFIG_SYS_HEAP_BIG_ONLY\)\b.*$/\/* #undef \1 *\//' \
	-e 's/^#cmakedefine \(CONFIG_[A-Z_]*\) 1$/#define \1 1/' \
	-e 's/@CONFIG_SYS_HEAP_ALLOC_LOOPS@/3/' \
	-e 's/@CONFIG_SYS_HEAP_BEST_FIT_BUCKET@/0/' \
	-e 's/@CONFIG_SYS_HEAP_BEST_FIT_FREE_PCT@/100/' \
	-e 's/@CONFIG_SYS_HEAP_HARDENING_LEVEL@/1/' \
	-e 's/@CONFIG_SYS_HEAP_ARRAY_SIZE@/32/' \
	-e 's/@CONFIG_MULTI_HEAP_MAX_HEAPS@/8/' \
	"$SRC_ROOT/cmake/config.h.in" >"$WORK/include/smhsim/config.h"
if grep -q '@\|#cmakedefine' "$WORK/include/smhsim/config.h"; then
	echo "build.sh: cmake/config.h.in has options this script does not know:" >&2
	grep -n '@\|#cmakedefine' "$WORK/include/smhsim/config.h" >&2
	exit 1
fi

# The built-in demo trace as a C string (what sim/trace.cmake generates).
python3 - "$SRC_ROOT/sim/trace_builtin_demo.trace" "$WORK/trace_builtin_demo.c" <<'PY'
import sys
text = open(sys.argv[1]).read()
lit = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", '\\n"\n\t"')
with open(sys.argv[2], "w") as f:
    f.write('#include <smhsim/trace.h>\n\nconst char *smh_trace_builtin_demo(void)\n{\n\treturn "%s";\n}\n' % lit)
PY

# ---- libraries: the sources the CMake lists name ----
# The .c files listed in `set(<var> ...)` of a CMakeLists file, as paths.
cmake_sources() {
	local file="$1" var="$2" dir
	dir="$(dirname "$file")"
	awk -v var="$var" '
		$0 ~ "^set\\(" var "( |$)" { on = 1 }
		on { for (i = 1; i <= NF; i++) if ($i ~ /^[A-Za-z0-9_\/]+\.c\)?$/) { f = $i; sub(/\)$/, "", f); print f } }
		on && /\)/ { on = 0 }' "$file" | sed "s|^|$dir/|"
}
mapfile -t LIB_SOURCES < <(
	cmake_sources "$SRC_ROOT/src/CMakeLists.txt" SMHSIM_CORE_SOURCES
	for extra in multi_heap.c shared_multi_heap.c; do
		[ -f "$SRC_ROOT/src/$extra" ] && echo "$SRC_ROOT/src/$extra"
	done
	echo "$SRC_ROOT/port/posix.c"
	cmake_sources "$SRC_ROOT/sim/CMakeLists.txt" SMHSIM_SIM_SOURCES
	# added to smhsim_sim by target_sources(), not by the list above
	for backend in sanitizer.c sanitizer_asan.c sanitizer_valgrind.c; do
		echo "$SRC_ROOT/sim/$backend"
	done
	echo "$SRC_ROOT/sim/trace_parse.c"
	echo "$SRC_ROOT/sim/trace_run.c"
	echo "$WORK/trace_builtin_demo.c"
)
INCLUDES=(-I"$SRC_ROOT/include" -I"$WORK/include" -I"$SRC_ROOT/src" -I"$SRC_ROOT/sim")
FDT_CFLAGS="$(pkg-config --cflags libfdt 2>/dev/null || true)"
objs=()
for src in $(printf '%s\n' "${LIB_SOURCES[@]}" | awk '!seen[$0]++'); do
	obj="$WORK/obj/$(echo "${src#"$SRC_ROOT"/}" | tr / _).o"
	# shellcheck disable=SC2086
	$CC $CFLAGS -std=gnu11 "${INCLUDES[@]}" $FDT_CFLAGS -c "$src" -o "$obj"
	objs+=("$obj")
done

# fuzz_damage's core: the core sources again, at hardening FULL (below
# MODERATE a damaged heap may legitimately be written through).
mapfile -t DAMAGE_SOURCES < <(
	cmake_sources "$SRC_ROOT/src/CMakeLists.txt" SMHSIM_CORE_SOURCES
	echo "$SRC_ROOT/port/posix.c"
)
mkdir -p "$WORK/obj-damage"
damage_objs=()
for src in $(printf '%s\n' "${DAMAGE_SOURCES[@]}" | awk '!seen[$0]++'); do
	obj="$WORK/obj-damage/$(echo "${src#"$SRC_ROOT"/}" | tr / _).o"
	# shellcheck disable=SC2086
	$CC $CFLAGS -std=gnu11 -DCONFIG_SYS_HEAP_HARDENING_LEVEL=3 "${INCLUDES[@]}" -c "$src" -o "$obj"
	damage_objs+=("$obj")
done

# libfdt: statically when the archive exists (sanitizer builds see all code).
LIBFDT="-lfdt"
for a in /usr/lib/x86_64-linux-gnu/libfdt.a /usr/lib/libfdt.a /usr/local/lib/libfdt.a; do
	if [ -f "$a" ]; then
		LIBFDT="$a"
		break
	fi
done

# ---- harnesses ----
FUZZ="$SRC_ROOT/fuzz"
SUPPORT="$SRC_ROOT/tests/support"
declare -A EXTRA=(
	[fuzz_heap]="$FUZZ/op_decoder.c $SUPPORT/shadow.c"
	[fuzz_pool]="$FUZZ/op_decoder.c $SUPPORT/shadow.c"
	[fuzz_dtb]="$FUZZ/op_decoder.c"
	[fuzz_trace]="$FUZZ/op_decoder.c"
	[fuzz_damage]="$FUZZ/op_decoder.c"
)
declare -A MAX_LEN=([fuzz_heap]=1024 [fuzz_pool]=1024 [fuzz_dtb]=8192 [fuzz_trace]=4096
	[fuzz_damage]=1024)
for h in fuzz_heap fuzz_pool fuzz_dtb fuzz_trace fuzz_damage; do
	if [ "$h" = fuzz_damage ]; then
		link=("${damage_objs[@]}")
		level=(-DCONFIG_SYS_HEAP_HARDENING_LEVEL=3)
	else
		link=("${objs[@]}")
		level=()
	fi
	# shellcheck disable=SC2086
	$CC $CFLAGS -std=gnu11 -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION "${level[@]}" "${INCLUDES[@]}" \
		-I"$FUZZ" -I"$SUPPORT" $FDT_CFLAGS "$FUZZ/$h.c" ${EXTRA[$h]} "${link[@]}" \
		$LIB_FUZZING_ENGINE $LIBFDT -lpthread -o "$OUT/$h"
	(cd "$FUZZ/corpus/$h" && zip -q -r -X "$OUT/${h}_seed_corpus.zip" .)
	[ -f "$FUZZ/$h.dict" ] && cp "$FUZZ/$h.dict" "$OUT/$h.dict"
	{
		echo "[libfuzzer]"
		echo "max_len = ${MAX_LEN[$h]}"
		[ -f "$FUZZ/$h.dict" ] && echo "dict = $h.dict"
	} >"$OUT/$h.options"
done
echo "build.sh: harnesses in $OUT"
