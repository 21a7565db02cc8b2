#!/usr/bin/env bash
# concurrency.sh - 16 reflink processes copying 16 different sources to the
# same DEST at once. DEST always ends as one complete copy of one source,
# never a mix; a reader watching DEST meanwhile never sees anything else;
# nothing is left in DEST's directory; with -n exactly one process wins.
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
		"$RL" --reflink="$mode" "$@" "in/s$i" out/dst 2>"$T/err$i" &
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

# -n: exactly one wins, the others fail with "File exists", DEST is the
# winner's source.
bad=""
for ((r = 0; r < ROUNDS; r++)); do
	rm -f out/dst
	race auto -n
	if [ ${#WINNERS[@]} != 1 ]; then
		bad="$bad round $r: ${#WINNERS[@]} winners;"
		continue
	fi
	cmp -s "in/s${WINNERS[0]}" out/dst || bad="$bad round $r: DEST is not the winner's;"
	[ "$(cat "$T"/err* | grep -c 'File exists')" = $((N - 1)) ] ||
		bad="$bad round $r: losers' errors: $(cat "$T"/err* | sort | uniq -c | head -3);"
	[ "$(ls -A out)" = dst ] || bad="$bad round $r: debris;"
done
if [ -z "$bad" ]; then pass "$N processes with -n: exactly one wins, $((N - 1)) get 'File exists'"
else fail "$N processes with -n: exactly one wins" "$bad"; fi
