#!/usr/bin/env bash
# concurrency.sh - 16 reflink processes copying 16 different sources to the
# same DEST at once. DEST always ends as one complete copy of one source,
# never a mix; a reader watching DEST meanwhile never sees anything else;
# nothing is left in DEST's directory; with -n exactly one process writes
# DEST and the others skip silently (exit 0, as cp 9.5's -n).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"

N=16
ROUNDS=6
W="$T/w"
mkdir -p "$W/in" "$W/out" && cd "$W" || exit 1
for ((i = 0; i < N; i++)); do
	head -c $((2 * 1024 * 1024 + i * 4099)) /dev/urandom > "in/s$i"
done
sha256sum in/s* | awk '{print $1}' | sort > "$T/sums"
# What a reader may see: a source, or the old DEST before it is replaced.
{ cat "$T/sums"; printf 'old content\n' | sha256sum | awk '{print $1}'; } > "$T/views"

# is_a_source [FILE]: FILE's (or stdin's) sha256 is one of the sources'.
is_a_source() {
	local s
	s=$(sha256sum ${1:+"$1"} | awk '{print $1}')
	grep -qx "$s" "${SUMS:-$T/sums}"
}

# watch_dest: until $T/stop exists, open DEST whenever it is there (the
# test itself removes it between rounds) and check what that open saw.
watch_dest() {
	local bad=0 seen=0 fd
	while [ ! -e "$T/stop" ]; do
		exec {fd}<out/dst || continue
		seen=$((seen + 1))
		SUMS="$T/views" is_a_source <&$fd || bad=$((bad + 1))
		exec {fd}<&-
	done 2>/dev/null
	echo "$seen $bad" > "$T/watch"
}

# race MODE [OPTION...]: all N at once; sets FAILS (non-zero exits) and
# WINNERS (sources whose process exited 0).
race() {
	local mode=$1 i pids=(); shift
	for ((i = 0; i < N; i++)); do
		"$RL" --reflink="$mode" "$@" "in/s$i" out/dst >"$T/out$i" 2>"$T/err$i" &
		pids+=($!)
	done
	FAILS=0 WINNERS=()
	for ((i = 0; i < N; i++)); do
		if wait "${pids[$i]}"; then WINNERS+=("$i"); else FAILS=$((FAILS + 1)); fi
	done
}

for mode in auto never; do
	for state in new old; do
		rm -f "$T/stop"
		watch_dest &
		wpid=$!
		bad=""
		for ((r = 0; r < ROUNDS; r++)); do
			rm -f out/dst
			[ $state = old ] && printf 'old content\n' > out/dst
			race $mode
			[ "$FAILS" = 0 ] || bad="$bad round $r: $FAILS failed ($(cat "$T"/err* | head -2));"
			is_a_source out/dst || bad="$bad round $r: DEST is not one whole source;"
			[ "$(ls -A out)" = dst ] || bad="$bad round $r: debris [$(ls -A out | tr '\n' ' ')];"
		done
		touch "$T/stop"
		wait $wpid
		read -r seen wbad < "$T/watch"
		[ "$wbad" = 0 ] || bad="$bad a reader saw $wbad bad views of $seen;"
		name="$N processes, $mode, DEST $state: always one complete copy ($ROUNDS rounds)"
		if [ -z "$bad" ]; then pass "$name (reader checked $seen views)"
		else fail "$name" "$bad"; fi
	done
done

# -n: exactly one writes DEST (its -v line says so), the others skip
# silently with exit 0 (the loser of the final link finds DEST there);
# DEST is the writer's source.
bad=""
for ((r = 0; r < ROUNDS; r++)); do
	rm -f out/dst
	race auto -n -v
	[ "$FAILS" = 0 ] || bad="$bad round $r: $FAILS exited non-zero;"
	[ -z "$(cat "$T"/err*)" ] || bad="$bad round $r: stderr: $(cat "$T"/err* | head -2);"
	writers=$(grep -l -- "-> 'out/dst'" "$T"/out* 2>/dev/null | wc -l)
	if [ "$writers" != 1 ]; then
		bad="$bad round $r: $writers writers;"
		continue
	fi
	w=$(grep -l -- "-> 'out/dst'" "$T"/out*); w=${w##*/out}
	cmp -s "in/s$w" out/dst || bad="$bad round $r: DEST is not the writer's;"
	[ "$(ls -A out)" = dst ] || bad="$bad round $r: debris;"
done
if [ -z "$bad" ]; then pass "$N processes with -n: exactly one writes DEST, $((N - 1)) skip silently (exit 0)"
else fail "$N processes with -n: exactly one writes DEST" "$bad"; fi

# --- trees: 8 processes copy 8 different trees to one DEST ---
FDTREE=(/usr/bin/python3 "$TOP/tests/fault/fdtree.py")
M=8
for ((i = 0; i < M; i++)); do
	mkdir -p "trees/t$i/sub"
	for f in a b c; do head -c $((300000 + i * 1000)) /dev/urandom > "trees/t$i/$f"; done
	head -c 200000 /dev/urandom > "trees/t$i/sub/d"
done
# Without -T, cp's rule: DEST is made, or, if it exists by then, the tree
# goes inside it as DEST/tI. Each process either copies its whole tree to
# one of those places, or fails with "File exists" (it lost the race to make
# DEST) having written nothing; DEST's own files are one source's.
bad=""
for ((r = 0; r < 3; r++)); do
	rm -rf out/tt
	pids=()
	for ((i = 0; i < M; i++)); do "$RL" -r --reflink=auto "trees/t$i" out/tt 2>"$T/terr$i" & pids+=($!); done
	owner=""
	for ((i = 0; i < M; i++)); do
		if wait "${pids[$i]}"; then
			if [ -d "out/tt/t$i" ]; then
				"${FDTREE[@]}" same "trees/t$i" "out/tt/t$i" >/dev/null 2>&1 || bad="$bad round $r: out/tt/t$i differs;"
			else owner="$owner $i"; fi
		else
			grep -q "File exists" "$T/terr$i" || bad="$bad round $r: t$i: $(cat "$T/terr$i");"
			[ ! -e "out/tt/t$i" ] || bad="$bad round $r: t$i failed but wrote out/tt/t$i;"
		fi
	done
	[ "$(echo $owner | wc -w)" = 1 ] || { bad="$bad round $r: DEST made by [$owner];"; continue; }
	for f in a b c sub/d; do
		cmp -s "trees/t${owner# }/$f" "out/tt/$f" || bad="$bad round $r: out/tt/$f is not t$owner's;"
	done
done
if [ -z "$bad" ]; then pass "$M processes -r to one DEST: each tree whole, in DEST or DEST/tI, or refused"
else fail "$M processes -r to one DEST: each tree whole, in DEST or DEST/tI, or refused" "$bad"; fi

# With -T (merge), every file ends as one complete copy of one source.
rm -rf out/tt && mkdir out/tt
pids=()
for ((i = 0; i < M; i++)); do "$RL" -r -T --reflink=never "trees/t$i" out/tt 2>"$T/terr$i" & pids+=($!); done
for ((i = 0; i < M; i++)); do wait "${pids[$i]}"; done
bad=""
for f in a b c sub/d; do
	ok=0
	for ((i = 0; i < M; i++)); do cmp -s "trees/t$i/$f" "out/tt/$f" && ok=1; done
	[ $ok = 1 ] || bad="$bad $f is no source's;"
done
[ -z "$(find out/tt -name '.rl-tmp-*')" ] || bad="$bad debris;"
if [ -z "$bad" ]; then pass "$M processes merging trees into one DEST (-T): every file one complete copy"
else fail "$M processes merging trees into one DEST (-T): every file one complete copy" "$bad"; fi

# The race above, made exact: A makes out/tt/sub (new to it), then waits
# (the fault shim delays its next call naming out/tt/sub/d) while B merges
# and creates sub/d; then A creates sub/d. Both merges must succeed, as two
# cp -r runs would, and sub/d must be a whole copy.
. "$TOP/tests/fault/lib.sh"
if build_shim >"$T/.build" 2>&1; then
	rm -rf out/tt && mkdir out/tt
	LD_PRELOAD="$SHIM" RL_FAULT="any:delay:ms=1500:path=tt/sub/d" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$RL" -r -T --reflink=never trees/t0 out/tt 2>"$T/errA" &
	apid=$!
	sleep 0.5
	"$RL" -r -T --reflink=never trees/t1 out/tt 2>"$T/errB"
	brc=$?
	arc=0
	wait $apid || arc=$?
	if [ $arc = 0 ] && [ $brc = 0 ] && { cmp -s trees/t0/sub/d out/tt/sub/d || cmp -s trees/t1/sub/d out/tt/sub/d; }; then
		pass "two merges: a file the other made in a directory this one made: both succeed"
	else
		fail "two merges: a file the other made in a directory this one made: both succeed" \
			"A exit $arc: $(cat "$T/errA"); B exit $brc: $(cat "$T/errB")"
	fi
else
	fail "concurrency: build the fault shim" "$(cat "$T/.build")"
fi

# The other race of -r, made exact: B finds DEST absent, then (delayed by
# the shim) fails to make it because A made it meanwhile; A is busy filling
# it. B must fail with "File exists" and leave A's directory alone; A's copy
# must complete.
if build_shim >"$T/.build" 2>&1; then
	rm -rf out/tt
	LD_PRELOAD="$SHIM" RL_FAULT="mkdirat:delay:ms=700:path=out/tt" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$RL" -r --reflink=never trees/t1 out/tt 2>"$T/errB" &
	bpid=$!
	sleep 0.2
	LD_PRELOAD="$SHIM" RL_FAULT="any:delay:ms=1500:path=out/tt/" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$RL" -r --reflink=never trees/t0 out/tt 2>"$T/errA"
	arc=$?
	brc=0
	wait $bpid || brc=$?
	if [ $arc = 0 ] && [ $brc = 1 ] && grep -q "File exists" "$T/errB" &&
	   "${FDTREE[@]}" same trees/t0 out/tt >/dev/null 2>&1; then
		pass "-r race: the process that lost making DEST leaves the winner's directory alone"
	else
		fail "-r race: the process that lost making DEST leaves the winner's directory alone" \
			"A exit $arc: $(cat "$T/errA" | head -2); B exit $brc: $(cat "$T/errB")"
	fi
fi
