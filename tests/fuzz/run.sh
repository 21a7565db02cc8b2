#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...] - build the libFuzzer targets with clang
# (ASan + UBSan) into $B/fuzz/ and run each for SECONDS. Prints one
# "ok - fuzz/NAME ..." or "not ok - fuzz/NAME: ..." line per target (the
# test protocol), so `tests/cli/fuzz.sh` (a few seconds, in make check) and
# `make fuzz` (minutes) share it. Targets: opts (cli_parse), tree
# (rl_copy_tree over generated trees). The corpus grows in $B/fuzz/corpus-*,
# seeded from tests/fuzz/corpus/*; crashes are kept as $B/fuzz/crash-*.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
SECS=${1:-60}
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(opts tree)
CLANG=${FUZZ_CC:-clang}
F="$B/fuzz"
mkdir -p "$F"
FLAGS=(-g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$TOP/include"
	-fsanitize=address,undefined -fno-sanitize-recover=all)

# build NAME SRC...: the fuzzer binary $F/fuzz_NAME.
build() {
	local name=$1 out="$F/fuzz_$1"; shift
	"$CLANG" "${FLAGS[@]}" -fsanitize=fuzzer -I"$TOP/cli" -I"$TOP/lib" \
		-o "$out.tmp" "$@" -lpthread 2>"$F/build-$name.log" && mv -f "$out.tmp" "$out"
}

run() {
	local name=$1 bin="$F/fuzz_$1" corpus="$F/corpus-$1" seeds="$TOP/tests/fuzz/corpus/$1"
	local dict=() log="$F/run-$name.log"
	mkdir -p "$corpus"
	[ -f "$TOP/tests/fuzz/$name.dict" ] && dict=(-dict="$TOP/tests/fuzz/$name.dict")
	local extra=()
	[ "$name" = tree ] && extra=(-max_len=512)
	[ "$name" = opts ] && extra=(-max_len=1024)
	# The tree target makes and removes trees all the time: tmpfs is faster.
	local tmp=${FUZZ_TMPDIR:-/dev/shm}
	[ -d "$tmp" ] && [ -w "$tmp" ] || tmp=${TMPDIR:-/tmp}
	if (cd "$F" && TMPDIR="$tmp" timeout $((SECS * 2 + 120)) "$bin" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix="$F/crash-$name-" -print_final_stats=1 "${dict[@]}" "${extra[@]}" \
		"$corpus" "$seeds") >"$log" 2>&1; then
		local runs
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok - fuzz/$name: ${runs:-?} inputs in ${SECS}s, no crash (corpus $(ls "$corpus" | wc -l))"
	else
		echo "not ok - fuzz/$name: crashed, see $log and $F/crash-$name-*"
		failed=1
		grep -m3 -E 'ERROR|SUMMARY|runtime error|abort' "$log" | sed 's/^/    /'
	fi
}

if ! command -v "$CLANG" >/dev/null 2>&1 ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }' |
	"$CLANG" -fsanitize=fuzzer -x c -o "$F/probe" - 2>/dev/null; then
	why="clang with libFuzzer not available (apt install clang libclang-rt-14-dev)"
	if [ "${CI:-}" = true ]; then echo "not ok - fuzz: $why"; else echo "skip - fuzz: $why"; fi
	exit 0
fi
failed=0
for t in "${TARGETS[@]}"; do
	case $t in
	opts) srcs=("$TOP/tests/fuzz/fuzz_opts.c" "$TOP/cli/opts.c" "$TOP/cli/optargs.c" "$TOP/cli/abbrev.c") ;;
	tree) srcs=("$TOP/tests/fuzz/fuzz_tree.c" "$TOP"/lib/*/*.c) ;;
	*) echo "not ok - fuzz/$t: unknown target"; continue ;;
	esac
	if ! build "$t" "${srcs[@]}"; then
		echo "not ok - fuzz/$t: build failed"
		failed=1
		sed 's/^/    /' "$F/build-$t.log" | head -20
		continue
	fi
	run "$t"
done
exit $failed
