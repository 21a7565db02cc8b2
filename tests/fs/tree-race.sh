#!/usr/bin/env bash
# tree-race.sh - while `reflink -r` runs, another process keeps swapping
# directories of the source and of the destination for symlinks pointing
# outside (and back). Nothing may ever be written outside DEST, and nothing
# outside SOURCE may be copied. A small fd limit makes the engine close and
# reopen directories by name, the moment a swap could redirect it. On tmpfs
# and ext4 (page cache vs. a real journal: different timings).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

# swapper ROOT TARGET SECONDS: for SECONDS, pick directories under ROOT and
# swap each for a symlink to TARGET for a moment, then put it back.
swapper() {
	/usr/bin/python3 - "$@" <<'EOF'
import os, random, sys, time
root, target, secs = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), float(sys.argv[3])
r = random.Random(1)
end = time.time() + secs
swaps = 0
while time.time() < end:
    try:
        dirs = [e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
        if not dirs:
            time.sleep(0.001)
            continue
        d = r.choice(dirs)
        subs = [e.path for e in os.scandir(d) if e.is_dir(follow_symlinks=False)]
        d = r.choice(subs) if subs and r.random() < 0.5 else d
        os.rename(d, d + b".away")
        os.symlink(target, d)
        time.sleep(r.random() * 0.002)
        os.unlink(d)
        os.rename(d + b".away", d)
        swaps += 1
    except OSError:
        pass
print(swaps)
EOF
}

race_suite() { # race_suite FS MB
	local fs=$1 mb=$2 m j mode n
	use_fs m "tree-race: $fs" "$fs" "$mb" || return 0
	mkdir -p "$m/src" "$m/outside" "$m/outside-src"
	echo secret > "$m/outside-src/secret"
	for d in $(seq 1 40); do
		mkdir -p "$m/src/d$d/e1/f1" "$m/src/d$d/e2"
		for f in $(seq 1 12); do
			printf 'file %s %s\n' "$d" "$f" > "$m/src/d$d/x$f"
			printf 'deep %s %s\n' "$d" "$f" > "$m/src/d$d/e1/f1/y$f"
			printf 'mid %s %s\n' "$d" "$f" > "$m/src/d$d/e2/z$f"
		done
	done
	for round in "1 auto" "4 never" "2 auto"; do
		set -- $round
		j=$1 mode=$2
		local name="$fs: -j $j $mode, source and destination dirs swapped for symlinks"
		rm -rf "$m/dst" 2>/dev/null
		# Swap source directories for links to a foreign tree, and
		# destination directories (once they exist) for links outside.
		swapper "$m/src" "$m/outside-src" 2 >"$T/.s1" &
		local s1=$!
		( for _ in $(seq 1 200); do [ -d "$m/dst" ] && break; sleep 0.01; done
		  swapper "$m/dst" "$m/outside" 2 ) >"$T/.s2" &
		local s2=$!
		n=0
		while kill -0 $s1 2>/dev/null; do
			rm -rf "$m/dst" 2>/dev/null
			( ulimit -n 40; exec "$RL" -r -T --reflink="$mode" -j "$j" "$m/src" "$m/dst" ) \
				>/dev/null 2>>"$T/.errs"
			n=$((n + 1))
		done
		wait $s1 $s2
		local bad=""
		[ -z "$(ls -A "$m/outside")" ] || bad="written outside DEST: $(ls -A "$m/outside" | head -3 | tr "\n" " ")"
		[ "$(cat "$m/outside-src/secret")" = secret ] || bad="$bad; the outside source changed"
		if find "$m/dst" -name secret 2>/dev/null | grep -q .; then bad="$bad; a file from outside SOURCE was copied"; fi
		[ "$(cat "$T/.s1")" -gt 0 ] 2>/dev/null || bad="$bad; the source swapper never swapped"
		[ "$(cat "$T/.s2")" -gt 0 ] 2>/dev/null || bad="$bad; the destination swapper never swapped"
		[ "$n" -gt 1 ] || bad="$bad; only $n copies ran"
		if [ -z "$bad" ]; then pass "$name (copies: $n, swaps: $(cat "$T/.s1")+$(cat "$T/.s2"))"
		else fail "$name" "$bad"; fi
	done
	# With nothing swapping, the tree still copies identically.
	rm -rf "$m/dst"
	rl_run "$RL" -r --reflink=auto -j 2 "$m/src" "$m/dst"
	if [ "$RC" = 0 ] && diff -r "$m/src" "$m/dst" >/dev/null; then
		pass "$fs: after the races, a quiet copy is identical"
	else
		fail "$fs: after the races, a quiet copy is identical" "exit $RC: $ERR"
	fi
}

race_suite tmpfs 64
race_suite ext4 128
