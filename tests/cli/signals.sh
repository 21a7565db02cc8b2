#!/usr/bin/env bash
# signals.sh - copies under a storm of signals produce identical results.
#   1. EINTR injected on every interruptible call (the shim's "intr" rule),
#      a large file in each mode;
#   2. a real storm: the shim installs a SIGUSR1 handler without SA_RESTART
#      (as a program embedding the library may have) and the test sends
#      SIGUSR1 as fast as it can for the whole copy;
#   3. a real SIGSTOP/SIGCONT storm (signals that cannot be caught).
# (SIGINT, SIGTERM and SIGHUP stop a copy: tests/cli/interrupt.sh.)
# Tree copies (-r, with worker threads) get the same three storms.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/fault/lib.sh"

if ! build_shim >"$T/.build" 2>&1; then
	fail "signals: build the LD_PRELOAD shim" "$(cat "$T/.build")"
	exit 0
fi
W="$T/w"
mkdir -p "$W/out" && cd "$W" || exit 1
BIG=big
head -c 128M /dev/urandom > "$BIG"
# A sparse one too: data, a 64 MiB hole, data.
truncate -s 80M sparse
head -c 8M /dev/urandom | dd of=sparse conv=notrunc status=none
head -c 8M /dev/urandom | dd of=sparse bs=1M seek=72 conv=notrunc status=none

# --- 1. EINTR on every call ---
for mode in auto never; do
	for f in "$BIG" sparse; do
		rm -f out/dst
		frun "intr:EINTR:every=1" "$RL" --reflink=$mode "$f" out/dst
		n=$(grep -c EINTR "$FLOG")
		if [ "$RC" = 0 ] && [ -z "$ERR" ] && cmp -s "$f" out/dst && [ "$n" -gt 3 ]; then
			pass "EINTR on every call ($mode, $f): identical ($n calls interrupted)"
		else
			fail "EINTR on every call ($mode, $f): identical" "exit $RC, $n interrupted: $ERR"
		fi
	done
done

# usr1_ready PID: the shim's SIGUSR1 handler is installed (SigCgt bit 10).
usr1_ready() {
	local mask
	# Only the command itself, never the shell between fork and exec.
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$RL")" ] || return 1
	mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$mask" ] && (( (16#$mask >> 9) & 1 ))
}

# storm_copy KIND MODE FILE [OPTION...]: copy FILE to out/dst in the
# background while signals of KIND (usr1 or stop) rain on it; RC gets its
# status, SENT the number of signals sent.
storm_copy() {
	local kind=$1 mode=$2 file=$3 pid i
	shift 3
	rm -rf out/dst
	: > "$FLOG"
	LD_PRELOAD="$SHIM" RL_FAULT_SIGNAL=1 RL_FAULT_LOG="$FLOG" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$RL" --reflink="$mode" "$@" "$file" out/dst 2>"$T/.err" &
	pid=$!
	for ((i = 0; i < 500; i++)); do usr1_ready $pid && break; sleep 0.01; done
	SENT=0
	if [ $kind = usr1 ]; then
		while kill -USR1 $pid 2>/dev/null; do SENT=$((SENT + 1)); done
	else
		while kill -STOP $pid 2>/dev/null; do
			kill -CONT $pid 2>/dev/null
			SENT=$((SENT + 1))
		done
	fi
	RC=0
	wait $pid || RC=$?
	ERR=$(cat "$T/.err")
}

# --- 2. a real SIGUSR1 storm with a handler installed ---
for mode in never auto; do
	storm_copy usr1 $mode "$BIG"
	got=$(awk '/^signals/ {print $2}' "$FLOG")
	if [ "$RC" = 0 ] && [ -z "$ERR" ] && cmp -s "$BIG" out/dst && [ "${got:-0}" -gt 0 ]; then
		pass "SIGUSR1 storm ($mode): identical ($SENT sent, ${got} handled)"
	else
		fail "SIGUSR1 storm ($mode): identical" "exit $RC, $SENT sent, ${got:-0} handled: $ERR"
	fi
done
storm_copy usr1 never sparse
if [ "$RC" = 0 ] && cmp -s sparse out/dst; then pass "SIGUSR1 storm (never, sparse): identical"
else fail "SIGUSR1 storm (never, sparse): identical" "exit $RC: $ERR"; fi

# --- 3. SIGSTOP/SIGCONT storm ---
storm_copy stop never "$BIG"
if [ "$RC" = 0 ] && [ -z "$ERR" ] && cmp -s "$BIG" out/dst && [ "$SENT" -gt 0 ]; then
	pass "SIGSTOP/SIGCONT storm (never): identical ($SENT stops)"
else
	fail "SIGSTOP/SIGCONT storm (never): identical" "exit $RC, $SENT stops: $ERR"
fi

# --- trees: 4 worker threads, 300 files, a few large ones ---
FDTREE=(/usr/bin/python3 "$TOP/tests/fault/fdtree.py")
mkdir -p tree
for d in $(seq 10); do
	mkdir -p "tree/d$d/sub"
	for f in $(seq 30); do printf 'file %d %d\n' $d $f > "tree/d$d/sub/f$f"; done
done
for d in 1 2 3 4; do head -c 24M /dev/urandom > "tree/d$d/big"; done
cp sparse tree/d5/sparse
ln -s ../d1/big tree/d6/link
# same_tree NAME: out/dst is identical to tree/ (names, kinds, bytes, links).
same_tree() { "${FDTREE[@]}" same tree out/dst >/dev/null 2>"$T/.same"; }

for mode in auto never; do
	rm -rf out/dst
	frun "intr:EINTR:every=1" "$RL" -r -j 4 --reflink=$mode tree out/dst
	n=$(grep -c EINTR "$FLOG")
	if [ "$RC" = 0 ] && [ -z "$ERR" ] && same_tree && [ "$n" -gt 300 ]; then
		pass "-r -j 4 ($mode), EINTR on every call: identical tree ($n calls interrupted)"
	else
		fail "-r -j 4 ($mode), EINTR on every call: identical tree" "exit $RC, $n: $ERR $(cat "$T/.same")"
	fi
done
storm_copy usr1 never tree -r -j 4
got=$(awk '/^signals/ {print $2}' "$FLOG")
if [ "$RC" = 0 ] && [ -z "$ERR" ] && same_tree && [ "${got:-0}" -gt 0 ]; then
	pass "-r -j 4, SIGUSR1 storm: identical tree ($SENT sent, $got handled)"
else
	fail "-r -j 4, SIGUSR1 storm: identical tree" "exit $RC, $SENT sent, ${got:-0} handled: $ERR $(cat "$T/.same")"
fi
storm_copy stop never tree -r -j 4
if [ "$RC" = 0 ] && [ -z "$ERR" ] && same_tree && [ "$SENT" -gt 0 ]; then
	pass "-r -j 4, SIGSTOP/SIGCONT storm: identical tree ($SENT stops)"
else
	fail "-r -j 4, SIGSTOP/SIGCONT storm: identical tree" "exit $RC, $SENT stops: $ERR $(cat "$T/.same")"
fi
