#!/usr/bin/env bash
# output.sh - what the command prints: -v (one line per file naming the
# method), --json (one object on stdout, also on failure; -v then goes to
# stderr) and --check (fstype and exit status). Needs no mounts.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"

W="$T/w"
mkdir "$W" && cd "$W" || exit 1
head -c 100000 /dev/urandom > a
printf 'bee\n' > b
: > empty
mkdir dir

# --- -v ---
rl_run "$RL" --reflink=auto -v a out
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [[ "$OUT" =~ ^\'a\'\ -\>\ \'out\'\ \((clone|copy_file_range|read_write)\)$ ]]; then
	pass "-v: one line \"'a' -> 'out' (METHOD)\" on stdout"
else
	fail "-v: one line \"'a' -> 'out' (METHOD)\" on stdout" "exit $RC, stdout '$OUT', stderr '$ERR'"
fi
rl_run "$RL" --reflink=never -v a out
if [ "$RC" = 0 ] && [ "$OUT" = "'a' -> 'out' (read_write)" ]; then
	pass "-v with --reflink=never names read_write"
else
	fail "-v with --reflink=never names read_write" "exit $RC, stdout '$OUT'"
fi
# -v inside trees: -rl and -rs name each link; --debug names each file kept.
mkdir -p lt/d && printf 'x\n' > lt/d/f
rl_run "$RL" -rlv lt ltl
if [ "$RC" = 0 ] && [ "$OUT" = "'lt/d/f' -> 'ltl/d/f' (hard link)" ]; then pass "-rlv: one line per link"
else fail "-rlv: one line per link" "exit $RC, stdout '$OUT', stderr '$ERR'"; fi
rl_run "$RL" -rsv "$W/lt" lts
if [ "$RC" = 0 ] && [ "$OUT" = "'$W/lt/d/f' -> 'lts/d/f' (symbolic link)" ]; then pass "-rsv: one line per link"
else fail "-rsv: one line per link" "exit $RC, stdout '$OUT', stderr '$ERR'"; fi
"$RL" -r --reflink=auto lt ltc
rl_run "$RL" -rn --reflink=auto --debug --json lt/. ltc
if [ "$RC" = 0 ] && [ "$ERR" = "skipped 'ltc/./d/f'" ] && [ "$(json_field skipped)" = 1 ] &&
   [ "$(json_field files)" = 0 ]; then pass "-rn --debug --json: 'skipped' on stderr, counted in the JSON"
else fail "-rn --debug --json: 'skipped' on stderr, counted in the JSON" "exit $RC, stdout '$OUT', stderr '$ERR'"; fi
rm -rf lt ltl lts ltc
rm -f out
rl_run "$RL" --reflink=auto a out
if [ "$RC" = 0 ] && [ -z "$OUT" ] && [ -z "$ERR" ]; then pass "without -v a copy prints nothing"
else fail "without -v a copy prints nothing" "stdout '$OUT', stderr '$ERR'"; fi
rl_run "$RL" --reflink=auto -v a b dir
if [ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | wc -l)" = 2 ] &&
   [[ "$OUT" == "'a' -> 'dir/a' ("*$'\n'"'b' -> 'dir/b' ("* ]]; then
	pass "-v into a directory: one line per file, in order"
else
	fail "-v into a directory: one line per file, in order" "stdout '$OUT'"
fi

# --- --json ---
# jcheck NAME FIELD WANT: FIELD of the last stdout's object equals WANT.
jcheck() {
	local got
	got=$(json_field "$2" 2>&1)
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "$2 is '$got', wanted '$3'"; fi
}
rm -rf dir/*
rl_run "$RL" --reflink=never --json a dir
if [ "$RC" = 0 ] && [ -z "$ERR" ]; then pass "--json copy: exit 0, quiet stderr"
else fail "--json copy: exit 0, quiet stderr" "exit $RC: $ERR"; fi
jcheck "--json: files 1" files 1
jcheck "--json: dirs 0" dirs 0
jcheck "--json: bytes is the logical size" bytes 100000
jcheck "--json: never copies every byte" copied_bytes 100000
jcheck "--json: never clones nothing" cloned_bytes 0
jcheck "--json: errors 0" errors 0
jcheck "--json: methods.read_write 1" methods.read_write 1
jcheck "--json: methods.clone 0" methods.clone 0
secs=$(json_field seconds 2>&1)
if [[ "$secs" =~ ^[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$ ]] && awk -v s="$secs" 'BEGIN{exit !(s >= 0 && s < 30)}'; then
	pass "--json: seconds is a small non-negative number"
else
	fail "--json: seconds is a small non-negative number" "seconds '$secs'"
fi

rm -rf dir/*
rl_run "$RL" --reflink=auto --json a b empty dir
jcheck "--json three files: files 3" files 3
jcheck "--json three files: bytes summed" bytes 100004
sum=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["cloned_bytes"]+d["copied_bytes"], sum(d["methods"].values()))' "$T/.out" 2>&1)
if [ "$sum" = "100004 3" ]; then pass "--json: cloned+copied = bytes, methods count every file"
else fail "--json: cloned+copied = bytes, methods count every file" "got '$sum'"; fi

# On failure the object is printed too, counting the error.
rm -rf dir/*
rl_run "$RL" --reflink=auto --json a missing dir
if [ "$RC" = 1 ] && [ "$(err_lines)" = 1 ] && [[ "$ERR" == *"'missing'"* ]]; then
	pass "--json with a failure: exit 1, one error line"
else
	fail "--json with a failure: exit 1, one error line" "exit $RC: $ERR"
fi
jcheck "--json with a failure: errors 1" errors 1
jcheck "--json with a failure: the good file counted" files 1
rl_run "$RL" --reflink=auto --json missing out
jcheck "--json when everything fails: still an object, errors 1" errors 1
jcheck "--json when everything fails: files 0" files 0
rl_run "$RL" --json --no-clobber a b
jcheck "--json with -n skipping: errors 0 (a skip is no error)" errors 0
jcheck "--json with -n skipping: files 0" files 0

# -v with --json: stdout stays one JSON object, the -v line goes to stderr.
rm -f out
rl_run "$RL" --reflink=auto --json -v a out
if [ "$RC" = 0 ] && json_field files >/dev/null 2>&1 &&
   [[ "$ERR" =~ ^\'a\'\ -\>\ \'out\'\ \((clone|copy_file_range|read_write)\)$ ]]; then
	pass "--json -v: stdout one object, the -v line on stderr"
else
	fail "--json -v: stdout one object, the -v line on stderr" "exit $RC, stdout '$OUT', stderr '$ERR'"
fi

# --- --check ---
# The filesystem type as the mount table names it, and whether cp can clone.
fstype=$(findmnt -n -o FSTYPE -T "$W" | head -1)
clones=0
cp --reflink=always a .probe 2>/dev/null && clones=1
rm -f .probe
before=$(listing "$W")
rl_run "$RL" --check "$W"
if [ $clones = 1 ]; then want="'$W': clones supported ($fstype)"; wrc=0
else want="'$W': clones not supported ($fstype)"; wrc=3; fi
if [ "$RC" = $wrc ] && [[ "$OUT" == "$want"* ]] && [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ]; then
	pass "--check DIR: supported or not, the mount table's fstype, exit $wrc"
else
	fail "--check DIR: supported or not, the mount table's fstype, exit $wrc" "exit $RC, stdout '$OUT', wanted '$want'"
fi
if [ "$(listing "$W")" = "$before" ]; then pass "--check leaves nothing in the directory"
else fail "--check leaves nothing in the directory" "now: $(listing "$W" | tr '\n' ' ')"; fi
rl_run "$RL" --check "$W/a"
if [ "$RC" = $wrc ] && [[ "$OUT" == "'$W/a': clones "*"($fstype)"* ]]; then
	pass "--check FILE answers for its directory"
else
	fail "--check FILE answers for its directory" "exit $RC, stdout '$OUT'"
fi
rl_run "$RL" --check a
if [ "$RC" = $wrc ] && [[ "$OUT" == "'a': clones "*"($fstype)"* ]]; then
	pass "--check of a relative file name"
else
	fail "--check of a relative file name" "exit $RC, stdout '$OUT'"
fi
rl_run "$RL" --check "$W" "$W/nope"
if [ "$RC" = 1 ] && [ "$(err_lines)" = 1 ] && [[ "$ERR" == "reflink: "*"'$W/nope'"* ]] &&
   [[ "$OUT" == "'$W': clones "* ]]; then
	pass "--check with a missing PATH: exit 1, one error line, the others answered"
else
	fail "--check with a missing PATH: exit 1, one error line, the others answered" "exit $RC, stdout '$OUT', stderr '$ERR'"
fi
# A device node means its directory too, and must not be opened: opening
# runs the driver (a tape rewinds, a watchdog arms; a tty without a
# controlling terminal fails with ENXIO, which is what this observes).
if is_root; then
	mknod ttynode c 5 0
	rl_run setsid -w "$RL" --check ttynode
	if [ "$RC" = $wrc ] && [[ "$OUT" == "'ttynode': clones "*"($fstype)"* ]]; then
		pass "--check of a device node answers for its directory, without opening it"
	else
		fail "--check of a device node answers for its directory, without opening it" "exit $RC, stdout '$OUT', stderr '$ERR'"
	fi
	rm -f ttynode
fi
# /proc never clones: with any directory that clones, still 3.
rl_run "$RL" --check "$W" /proc
if [ "$RC" = 3 ] && [[ "$OUT" == *"'/proc': clones not supported (proc)"* ]]; then
	pass "--check /proc: not supported (proc), exit 3"
else
	fail "--check /proc: not supported (proc), exit 3" "exit $RC, stdout '$OUT'"
fi
rl_run "$RL" --check --json "$W" /proc
got=$(/usr/bin/python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
print(len(v), v[0]["fstype"], v[0]["supported"], v[1]["fstype"], v[1]["supported"])' "$T/.out" 2>&1)
want="2 $fstype $([ $clones = 1 ] && echo True || echo False) proc False"
if [ "$RC" = 3 ] && [ "$got" = "$want" ]; then pass "--check --json: a list with fstype and supported"
else fail "--check --json: a list with fstype and supported" "exit $RC, got '$got', wanted '$want'"; fi
