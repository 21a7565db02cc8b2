#!/usr/bin/env bash
# hostile.sh - hostile input, single files and trees:
#   - names at NAME_MAX, paths near and beyond PATH_MAX;
#   - a DEST directory writable by another user (uid 65534) who plants
#     symlinks at DEST, at the temporary names (made predictable by the fault
#     shim's getrandom:fixed) and at entry names of a tree being merged, or
#     swaps a directory for a symlink in the middle of the copy (the shim's
#     run action does the swap at the worst moment): nothing is ever written
#     outside DEST, and a source swapped mid-copy leaks nothing from outside;
#   - symlink loops with -L end with an error, never a hang;
#   - before every system call of a copy, nothing another user can reach
#     shows more than its final mode and owner allow, and setuid/setgid
#     never appear before the final owner (tests/fault/exposure.sh).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/fault/lib.sh"

if ! is_root; then
	skip "hostile" "needs root (another user plants the symlinks; owners are preserved)"
	exit 0
fi
if ! build_shim >"$T/.build" 2>&1; then
	fail "hostile: build the LD_PRELOAD shim" "$(cat "$T/.build")"
	exit 0
fi
# as_other CMD...: run CMD as another, unprivileged user (uid/gid 65534).
as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
FDTREE=(/usr/bin/python3 "$TOP/tests/fault/fdtree.py")
EXPOSE="$TOP/tests/fault/exposure.sh"
W="$T/w"
mkdir -p "$W/in" "$W/victimdir" && cd "$W" || exit 1
chmod 755 "$T" "$W"
head -c 200000 /dev/urandom > in/src
printf 'victim\n' > victim
chmod 644 victim

# untouched NAME: the victim file and directory are as they were, and
# nothing was created next to them.
untouched() {
	[ "$(cat victim)" = victim ] || why_add "the victim file was written"
	[ -z "$(ls -A victimdir)" ] || why_add "something was created in victimdir: $(ls -A victimdir)"
	[ ! -e created-outside ] || why_add "created-outside exists"
}

# --- NAME_MAX and PATH_MAX ---
n255=$(printf 'n%.0s' {1..255})
n256=${n255}x
mkdir -p out
cp in/src "in/$n255"
rl_run "$RL" --reflink=auto "in/$n255" out
rl_run2=$RC
rl_run "$RL" --reflink=auto in/src "out/$n255.x" 2>/dev/null
rl_run "$RL" --reflink=auto in/src "out/${n255:0:250}"
if [ "$rl_run2" = 0 ] && [ "$RC" = 0 ] && cmp -s in/src "out/$n255" &&
   cmp -s in/src "out/${n255:0:250}" && [ "$(ls -A out | wc -l)" = 2 ]; then
	pass "255-byte names: a SOURCE copied into a directory, and as DEST, no debris"
else
	fail "255-byte names: a SOURCE copied into a directory, and as DEST" "exit $rl_run2/$RC: $ERR; $(ls -A out | wc -l) entries"
fi
rm -rf out && mkdir out
rl_run "$RL" --reflink=auto in/src "out/$n256"
err_is 1 "File name too long"
only_names out
case_end "a 256-byte DEST name: one clean error, nothing created"

# DEST paths longer than PATH_MAX (4096 with its NUL): the library opens
# DEST's directory and works relative to it, so a long path whose directory
# part fits is copied; one whose directory part does not fit is a clean
# error, with nothing created.
long=out
while [ ${#long} -lt 4000 ]; do long="$long/${n255:0:200}"; done
mkdir -p "$long"
# in_long CMD...: run CMD in $long, reached one component at a time (its
# absolute path is too long for one chdir).
in_long() { (IFS=/; for c in $long; do cd -P "$c" || exit 1; done; IFS=' '; "$@"); }
dest="$long/${n255:0:$((4200 - ${#long} - 1))}"
rl_run "$RL" --reflink=auto in/src "$dest"
if [ "$RC" = 0 ] && [ ${#dest} = 4200 ] && in_long cmp -s "$W/in/src" "${dest##*/}"; then
	pass "a DEST path of 4200 bytes whose directory part fits PATH_MAX: copied"
else
	fail "a DEST path of 4200 bytes whose directory part fits PATH_MAX: copied" "exit $RC (${#dest} bytes): $ERR"
fi
in_long mkdir "${n255:0:200}"
rl_run "$RL" --reflink=auto in/src "$long/${n255:0:200}/x"
err_is 1 "File name too long"
[ -z "$(in_long ls -A "${n255:0:200}")" ] || why_add "something was created"
case_end "a DEST whose directory part is beyond PATH_MAX: one clean error, nothing created"
rm -rf out

"${FDTREE[@]}" deep in/deep 20 250
depth=$("${FDTREE[@]}" depth in/deep)
rl_run "$RL" --reflink=auto -r in/deep out-deep
if [ "$RC" = 0 ] && [ -z "$ERR" ] && "${FDTREE[@]}" same in/deep out-deep >/dev/null 2>"$T/.same"; then
	pass "-r a tree whose deepest path is $depth bytes (> PATH_MAX), 250-byte names: identical"
else
	fail "-r a tree deeper than PATH_MAX: identical" "exit $RC: $ERR $(cat "$T/.same")"
fi
rm -rf out-deep in/deep

# --- a DEST directory another user can write to ---
# fresh_out: out/ owned by uid 65534, who plants what the case needs.
fresh_out() {
	rm -rf out && mkdir out && chown 65534:65534 out && chmod 755 out
	: > victim.tmp && printf 'victim\n' > victim
}
TMPNAME=.rl-tmp-4141414141414141 # what getrandom:fixed makes of the name

for state in old new; do
	for path in tmpfile named; do
		[ $state = new ] && [ $path = tmpfile ] && continue # no temporary name there
		fresh_out
		[ $state = old ] && as_other sh -c 'printf "old content\n" > out/dst'
		as_other ln -s "$W/victim" "out/$TMPNAME"
		rules="getrandom:fixed"
		[ $path = named ] && rules="$rules,tmpfile:EOPNOTSUPP:every=1"
		frun "$rules" "$RL" --reflink=auto in/src out/dst
		[ "$RC" = 0 ] || why_add "exit $RC: $ERR"
		fired getrandom || why_add "the temporary name was not the predicted one"
		cmp -s in/src out/dst && [ ! -L out/dst ] || why_add "DEST is not the copy"
		[ -L "out/$TMPNAME" ] || why_add "the planted symlink was replaced or removed"
		untouched
		case_end "$path temporary, DEST $state: a symlink planted at the temporary name is not followed"
	done
done

fresh_out
as_other ln -s "$W/created-outside" "out/$TMPNAME"
frun "getrandom:fixed,tmpfile:EOPNOTSUPP:every=1" "$RL" --reflink=auto in/src out/dst
[ "$RC" = 0 ] && cmp -s in/src out/dst || why_add "exit $RC: $ERR"
untouched
case_end "a dangling symlink planted at the temporary name creates nothing outside"

for opt in "" -p -n; do
	fresh_out
	as_other ln -s "$W/victim" out/dst
	rl_run "$RL" --reflink=auto $opt in/src out/dst
	if [ "$opt" = -n ]; then
		[ "$RC" = 0 ] && [ -z "$ERR" ] || why_add "-n: exit $RC (wanted a silent skip, 0): $ERR"
		[ -L out/dst ] || why_add "the symlink was replaced despite -n"
	else
		[ "$RC" = 0 ] && [ ! -L out/dst ] && cmp -s in/src out/dst || why_add "exit $RC, DEST not replaced: $ERR"
	fi
	untouched
	case_end "DEST is another user's symlink to a victim ${opt:-(no option)}: the victim is untouched"
done

# A storm: the other user keeps swapping symlinks in at DEST while 40
# copies run; the victim is never written.
fresh_out
as_other sh -c "while [ ! -e '$T/stop' ]; do ln -sfn '$W/victim' out/dst 2>/dev/null; rm -f out/dst; done" &
spid=$!
bad=0
for i in $(seq 40); do
	"$RL" --reflink=auto in/src out/dst 2>/dev/null || true
	"$RL" --reflink=never in/src out/dst 2>/dev/null || true
done
touch "$T/stop"
wait $spid
rm -f "$T/stop"
untouched
[ -z "$(ls -A out | grep -v '^dst$')" ] || why_add "debris: $(ls -A out)"
case_end "80 copies while another user swaps symlinks in at DEST: nothing written outside"

# --- trees into a directory another user can write to ---
mkdir -p in/tree/sub/deeper
cp in/src in/tree/f1 && cp in/src in/tree/sub/f2 && printf 'deep\n' > in/tree/sub/deeper/f3
# merge_case NAME PLANT: out/t is the other user's, PLANT runs as that user
# inside out/t, then `reflink -r -T in/tree out/t` merges into it.
merge_case() {
	local name=$1 plant=$2
	fresh_out
	as_other mkdir out/t
	(cd out/t && as_other sh -c "$plant")
	rl_run "$RL" --reflink=auto -r -T in/tree out/t
	untouched
	[ "$RC" = 0 ] || [ "$RC" = 1 ] || why_add "exit $RC: $ERR"
	case_end "$name (exit $RC)"
}
merge_case "merge: entry names planted as symlinks to a victim file and directory" \
	"ln -s '$W/victim' f1; ln -s '$W/victimdir' sub"
merge_case "merge: a planted symlink where a subdirectory's file goes" \
	"mkdir sub; ln -s '$W/victim' sub/f2; ln -s '$W/victimdir' sub/deeper"

# A subdirectory of DEST swapped for a symlink just before the copy opens
# it (the shim runs the swap at that call).
for after in 0 1 2; do
	fresh_out
	as_other mkdir -p out/t/sub/deeper
	export RL_FAULT_RUN="[ -L '$W/out/t/sub' ] || { mv '$W/out/t/sub' '$W/out/t/sub.old' && ln -s '$W/victimdir' '$W/out/t/sub'; }"
	frun "openat:run:path=out/t/sub:after=$after" "$RL" --reflink=auto -r -T in/tree out/t
	fired openat || why_add "the swap never ran"
	untouched
	case_end "merge: DEST's subdirectory becomes a symlink at its open #$((after + 1)): nothing outside (exit $RC)"
done

# A source subdirectory swapped for a symlink to a secret directory just
# before the copy opens it: nothing of the secret reaches DEST.
mkdir -p secret && printf 'secret\n' > secret/secret-file
for after in 0 1; do
	rm -rf out in/tree2 && mkdir out && cp -a in/tree in/tree2
	export RL_FAULT_RUN="[ -L '$W/in/tree2/sub' ] || { mv '$W/in/tree2/sub' '$W/in/sub.moved' && ln -s '$W/secret' '$W/in/tree2/sub'; }"
	frun "openat:run:path=in/tree2/sub:after=$after" "$RL" --reflink=auto -r in/tree2 out/t
	fired openat || why_add "the swap never ran"
	[ -z "$(find out -name secret-file)" ] || why_add "the secret was copied: $(find out -name secret-file)"
	rm -rf in/sub.moved
	case_end "source subdirectory becomes a symlink at its open #$((after + 1)): nothing of its target copied (exit $RC)"
done
unset RL_FAULT_RUN

# --- symlink loops with -L ---
rm -rf out loops && mkdir -p out loops/d
ln -s . loops/d/self && ln -s .. loops/d/up && ln -s a loops/b && ln -s b loops/a
printf 'x\n' > loops/d/file
rl_run timeout 20 "$RL" --reflink=auto -r -L loops out/l
[ "$RC" = 1 ] || why_add "exit $RC, wanted 1 (loops reported): $ERR"
[ "$(grep -c . "$T/.err")" -ge 1 ] || why_add "no error reported"
untouched
[ "$(cat out/l/d/file 2>/dev/null)" = x ] || why_add "the plain file was not copied"
case_end "-L over symlink loops (self, parent, a<->b): errors, no hang, the rest copied"

# --- exposure: never more visible than final, before every system call ---
# expose_case NAME FOR RULES CMD...: run CMD with exposure.sh before every
# call; FINAL ($T/final) must be set up by the caller.
expose_case() {
	local name=$1 for=$2 rules=$3; shift 3
	rm -f "$T/viol" "$T/viol.runs"
	RL_FAULT_RUN="'$EXPOSE' '$W/out' '$T/final' '$T/viol' $for" frun "any:run:every=1${rules:+,$rules}" "$@"
	[ "$RC" = 0 ] || why_add "exit $RC: $ERR"
	[ "$(cat "$T/viol.runs" 2>/dev/null | wc -l)" -gt 5 ] || why_add "the check ran only $(cat "$T/viol.runs" 2>/dev/null | wc -l) times"
	[ ! -s "$T/viol" ] || why_add "$(sort -u "$T/viol" | head -3 | tr '\n' ';')"
	case_end "$name"
}
export RL_FAULT_RUN
for mode in 4750 0640 2755; do
	cp in/src in/secret && chown 65534:65534 in/secret && chmod $mode in/secret
	echo "s $mode 65534 65534" > "$T/final"
	for path in tmpfile named; do
		rm -rf out && mkdir out
		rules=""
		[ $path = named ] && rules="tmpfile:EOPNOTSUPP:every=1"
		expose_case "-p, source $mode 65534:65534, $path temporary: never exposed before final" \
			s "$rules" "$RL" --reflink=auto -p in/secret out/s
		[ "$(stat -c '%a %u %g' out/s)" = "${mode#0} 65534 65534" ] ||
			fail "-p, source $mode: final state" "$(stat -c '%a %u %g' out/s)"
	done
done
cp in/src in/suid && chmod 4755 in/suid && chown 65534:65534 in/suid
rm -rf out && mkdir out
echo "s 755 0 0" > "$T/final"
expose_case "no -p, setuid source: the copy never has setuid bits" s "" "$RL" --reflink=auto in/suid out/s
[ "$(stat -c '%a' out/s)" = 755 ] || fail "no -p, setuid source: final mode 755" "$(stat -c '%a' out/s)"

# A tree with -a: directories 0750/0700, files 0640/4755/0600, all owned by
# uid 65534; FINAL is the source's own state.
rm -rf in/mt out && mkdir -p in/mt/pub/priv out
cp in/src in/mt/pub/f640 && cp in/src in/mt/pub/suid && cp in/src in/mt/pub/priv/f600
chmod 640 in/mt/pub/f640 && chmod 4755 in/mt/pub/suid && chmod 600 in/mt/pub/priv/f600
chmod 750 in/mt/pub && chmod 700 in/mt/pub/priv && chmod 755 in/mt
chown -R 65534:65534 in/mt
(cd in/mt && find . -mindepth 1 -printf 't/%P %m %U %G\n'; find . -maxdepth 0 -printf 't %m %U %G\n') > "$T/final"
expose_case "-a tree (0750/0700 dirs, 0640/4755/0600 files of another user): never exposed before final" \
	"" "" "$RL" --reflink=auto -a in/mt out/t
[ "$(cd out/t && find . -printf '%P %m %U %G\n' | sort)" = "$(cd in/mt && find . -printf '%P %m %U %G\n' | sort)" ] ||
	fail "-a tree: final modes and owners as the source's" "$(cd out/t && find . -printf '%P %m %U %G\n' | sort | tr '\n' ';')"
