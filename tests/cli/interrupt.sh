#!/usr/bin/env bash
# interrupt.sh - SIGINT, SIGTERM and SIGHUP stop a copy within 0.5 s: a
# large single file (absent before, or replacing an old one), a tree of
# many small files, a tree of one huge file. Each time: exit 128 + the
# signal, one line on stderr saying what was done, no partial file, no
# .rl-tmp-* debris, every file copied whole. Then at exact points: the
# fault shim's run hook sends the signal from inside a given call (a
# write, a copy_file_range, the final link, the second of three operands). The command is started with
# default dispositions (a background job in a script inherits SIGINT
# ignored, which the command rightly keeps). Also: --progress to a pipe
# refreshes at least every 0.5 s during one large file.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/fault/lib.sh"

W=$(fs_or_skip "interrupt: tmpfs" tmpfs 7000) || exit 0
cd "$W" || exit 1
# 2 GiB of dense data: a few seconds through read/write on tmpfs.
/usr/bin/python3 - <<'PY'
import os
block = os.urandom(1 << 20)
with open("big", "wb") as f:
    for i in range(2048):
        f.write(i.to_bytes(8, "little") + block[8:])
os.makedirs("many")
for d in range(100):
    os.makedirs("many/d%d" % d)
    for i in range(600):
        with open("many/d%d/f%d" % (d, i), "wb") as f:
            f.write(block[i:i + 2000 + i])
os.makedirs("huge/sub")
for i in range(5):
    with open("huge/small%d" % i, "wb") as f:
        f.write(block[:1000])
os.link("big", "huge/sub/big")
PY


# handlers_ready PID: the command itself runs and catches SIGINT (SigCgt
# bit 2), so the signal cannot land before it is listening.
handlers_ready() {
	local mask
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$RL")" ] || return 1
	mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$mask" ] && (( (16#$mask >> 1) & 1 ))
}

# interrupt SIG DELAY ARGS...: run reflink ARGS, send SIG after DELAY
# seconds of copying; RC, ERR and MS (signal to exit, ms) are set.
interrupt() {
	local sig=$1 delay=$2 pid i t0 t1
	shift 2
	"${DFL[@]}" "$RL" "$@" </dev/null >/dev/null 2>"$T/.err" &
	pid=$!
	for ((i = 0; i < 300; i++)); do handlers_ready $pid && break; sleep 0.01; done
	sleep "$delay"
	t0=$(date +%s%N)
	kill -s "$sig" $pid
	RC=0
	wait $pid || RC=$?
	t1=$(date +%s%N)
	MS=$(( (t1 - t0) / 1000000 ))
	ERR=$(cat "$T/.err")
}

# no_debris NAME DIR: no temporary left anywhere in DIR.
no_debris() {
	local left
	left=$(find "$1" -name '.rl-tmp-*' 2>/dev/null | head -3)
	[ -z "$left" ] || { echo "debris: $left"; return 1; }
}

# one_line TEXT: stderr was exactly one line, "reflink: interrupted: ...TEXT".
one_line() {
	[ "$(wc -l < "$T/.err")" = 1 ] || { echo "stderr: $(head -c 300 "$T/.err")"; return 1; }
	case "$ERR" in "reflink: interrupted: "*"$1"*) ;; *) echo "stderr: $ERR"; return 1 ;; esac
}

# all_whole COPY ORIG: each regular file in COPY equals its source (their
# number left in $T/.copied).
all_whole() {
	/usr/bin/python3 - "$1" "$2" "$T/.copied" <<'PY'
import filecmp, os, sys
copy, orig, out = sys.argv[1:]
n = 0
for d, _, names in os.walk(copy):
    for name in names:
        p = os.path.join(d, name)
        if not filecmp.cmp(p, os.path.join(orig, os.path.relpath(p, copy)), shallow=False):
            sys.exit("%r is not whole" % p)
        n += 1
open(out, "w").write("%d\n" % n)
PY
}

# verdict NAME WANT_RC CHECK...: pass if the exit status, the time and
# every CHECK (a command) hold.
verdict() {
	local name=$1 want=$2 why
	shift 2
	if [ "$RC" != "$want" ]; then fail "$name" "exit $RC, wanted $want; stderr: $ERR"; return; fi
	if [ -n "$MS" ] && [ "$MS" -gt 500 ]; then fail "$name" "exited ${MS} ms after the signal"; return; fi
	for c in "$@"; do
		why=$(eval "$c") || { fail "$name" "$c: $why"; return; }
	done
	pass "$name${MS:+ ($MS ms)}"
}

declare -A CODE=([INT]=130 [TERM]=143 [HUP]=129)
for sig in INT TERM HUP; do
	want=${CODE[$sig]}
	rm -rf out && mkdir out
	interrupt $sig 0.4 --reflink=never big out/big
	verdict "SIG$sig during a large file: nothing left" $want \
		"one_line \"'big' not copied\"" '[ ! -e out/big ] || echo "out/big exists"' \
		'no_debris out' '[ -z "$(ls -A out)" ] || ls -A out'

	echo old > out/big
	before=$(file_state out/big)
	interrupt $sig 0.4 --reflink=auto big out/big
	verdict "SIG$sig during a large file over an old one: old one kept" $want \
		"one_line \"'big' not copied\"" '[ "$(file_state out/big)" = "$before" ] || echo changed' \
		'no_debris out'

	rm -rf out && mkdir out
	# Soon after the start: on an idle machine the whole tree takes
	# about 0.3 s on tmpfs.
	interrupt $sig 0.05 -r -j 2 --reflink=never many out/many
	verdict "SIG$sig during a tree of 60000 small files: finished files whole" $want \
		"one_line \"'many' not finished\"" 'no_debris out' 'all_whole out/many many' \
		'[ "$(cat "$T/.copied")" -lt 60000 ] || echo "all copied: too late"'
	echo "# SIG$sig: $(cat "$T/.copied" 2>/dev/null) of 60000 files copied; $ERR"

	rm -rf out && mkdir out
	interrupt $sig 0.6 -r --reflink=never huge out/huge
	verdict "SIG$sig during a tree's one huge file: it is absent" $want \
		"one_line \"'huge' not finished\"" 'no_debris out' 'all_whole out/huge huge' \
		'[ ! -e out/huge/sub/big ] || echo "the huge file is there"'
done

# A signal that was ignored when the command started stays ignored
# (nohup): the copy finishes.
rm -rf out && mkdir out
(trap '' HUP; exec "$RL" --reflink=never big out/big) 2>"$T/.err" &
pid=$!
for ((i = 0; i < 300; i++)); do
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$RL")" ] && break
	sleep 0.01
done
sleep 0.3
kill -HUP $pid
RC=0
wait $pid || RC=$?
if [ "$RC" = 0 ] && cmp -s big out/big; then pass "SIGHUP ignored at start (nohup): the copy finishes"
else fail "SIGHUP ignored at start (nohup): the copy finishes" "exit $RC: $(cat "$T/.err")"; fi

# --- at exact points: the shim runs `kill` just before a given call ---
# at_call RULE SIG ARGS...: run reflink ARGS (default dispositions, the shim
# preloaded into it only) with SIG sent from inside the call RULE names.
at_call() {
	local rule=$1 sig=$2
	shift 2
	: > "$FLOG"
	rl_run "${DFL[@]}" /usr/bin/env LD_PRELOAD="$SHIM" RL_FAULT="$rule" RL_FAULT_LOG="$FLOG" \
		RL_FAULT_RUN="kill -$sig \$PPID" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$RL" "$@"
	MS= # sent from inside the command: no time to measure
}
fired() { grep -q "run" "$FLOG" || echo "the hook never ran"; }
if ! build_shim >"$T/.build" 2>&1; then
	fail "interrupt: build the fault shim" "$(cat "$T/.build")"
else
	head -c 64M big > mid
	rm -rf out && mkdir out
	at_call "pwrite:run:after=3" INT --reflink=never mid out/mid
	verdict "SIGINT at the 4th write of a read/write copy: nothing left" 130 fired \
		"one_line \"0 files copied, 0 B; 'mid' not copied\"" '[ -z "$(ls -A out)" ] || ls -A out'
	echo old > out/mid
	before=$(file_state out/mid)
	at_call "copy_file_range:run:after=1" TERM --reflink=auto mid out/mid
	verdict "SIGTERM at the 2nd copy_file_range: the old file kept" 143 fired \
		"one_line \"'mid' not copied\"" '[ "$(file_state out/mid)" = "$before" ] || echo changed' \
		'no_debris out'
	rm -rf out && mkdir out
	at_call "linkat:run" HUP --reflink=never mid out/mid
	verdict "SIGHUP at the final link: the copy is complete, and said so" 129 fired \
		'one_line "1 file copied, 64.0 MiB"' 'cmp mid out/mid' 'no_debris out'
	rm -rf out && mkdir out && head -c 1M big > one && head -c 1M big > three
	at_call "pread:run:path=mid" INT --reflink=never one mid three out
	verdict "SIGINT during the second of three operands: the first kept, the rest not made" 130 fired \
		"one_line \"1 file copied, 1.0 MiB; 'mid' not copied\"" 'cmp one out/one' \
		'[ "$(ls -A out)" = one ] || ls -A out'
	rm -rf out && mkdir out
	at_call "pwrite:run:after=2000" TERM -r -j 1 --reflink=never many out/many
	verdict "SIGTERM at the 2001st write of a tree: finished files whole" 143 fired \
		"one_line \"'many' not finished\"" 'no_debris out' 'all_whole out/many many'
fi

# --- progress cadence through a pipe: time stamps of each update ---
rm -rf out && mkdir out
/usr/bin/python3 - "$RL" big out/big > "$T/.cad" 2>&1 <<'PY'
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "--reflink=never", "--progress", sys.argv[2], sys.argv[3]],
                     stderr=subprocess.PIPE)
start, stamps, buf = time.monotonic(), [], b""
while True:
    chunk = p.stderr.read1(65536)
    if not chunk:
        break
    now = time.monotonic()
    stamps += [now] * chunk.count(b"\r")
    buf += chunk
end = time.monotonic()
p.wait()
lines = [l for l in buf.split(b"\r") if b"%" in l]
gaps = [b - a for a, b in zip([start] + stamps, stamps + [end])]
last = lines[-1].decode() if lines else ""
print("rc=%d updates=%d longest=%.3f last=%r" % (p.returncode, len(stamps), max(gaps), last))
ok = p.returncode == 0 and len(stamps) >= 4 and max(gaps) <= 0.5 and "files 0/1" in last and "%" in last
sys.exit(0 if ok else 1)
PY
if [ $? = 0 ] && cmp -s big out/big; then pass "--progress to a pipe: refreshed at least every 0.5 s ($(cat "$T/.cad"))"
else fail "--progress to a pipe: refreshed at least every 0.5 s" "$(cat "$T/.cad")"; fi
