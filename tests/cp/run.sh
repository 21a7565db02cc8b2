#!/usr/bin/env bash
# run.sh - reflink beside /bin/cp, case by case, as data (zstd's
# tests/cli-tests style). Each tests/cp/cases/NAME.sh is a shell snippet run
# in a fresh directory: it makes its input, then runs "$CP ARGS..." last
# (its status is the case's). It runs once with CP=/bin/cp and once with
# CP="reflink --reflink=auto" (cp's own default), and:
#   - NAME.exit: the expected status ("1", or "1 reflink=2" where the
#     README's "Differences from cp" says why: usage errors exit 2);
#   - NAME.stderr.exp: the expected stderr, the program name written PROG;
#   - NAME.stdout.exp (optional): the expected stdout, likewise;
#   - the resulting trees (tests/cp/snapshot.py: type, mode, owner, content,
#     holes, links, times, xattrs, ACLs) must be the same for both.
# Header lines in a case: "# fs: ext4 btrfs ramfs" where it runs (default
# ext4 and btrfs, each a loop image made here; ramfs has no xattrs); "# only: reflink" where
# cp 9.1 differs on purpose (-n and --update as coreutils 9.5, --debug):
# then NAME.tree.exp holds the expected tree instead of cp's.
# CP_CASES=GLOB runs only the cases whose names match.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"

CASES="$TOP/tests/cp/cases"
chmod 755 "$T" # cases run as nobody (setpriv) must reach their directory
PY=/usr/bin/python3
need_pkg setfacl acl >/dev/null 2>&1 || true

# norm FILE: the program's name written PROG, as the .exp files have it.
norm() {
	sed -e 's|^/bin/cp: |PROG: |; s|^cp: |PROG: |; s|^reflink: |PROG: |' \
	    -e "s|Try '/bin/cp --help'|Try 'PROG --help'|; s|Try 'cp --help'|Try 'PROG --help'|; s|Try 'reflink --help'|Try 'PROG --help'|" \
	    -e 's/? \(\/bin\/cp\|cp\|reflink\): /? PROG: /g' "$1"
}

# run_one DIR CP...: run the case in DIR with CP; status in $T/rc.
run_one() {
	local dir=$1 c=$2; shift 2
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$dir" && CP="$*" timeout 60 bash "$CASES/$c.sh" \
		>"$dir.out" 2>"$dir.err" </dev/null; echo $? > "$dir.rc")
}

# want_status CASE PROG: the status the .exit file gives PROG.
want_status() {
	local line; line=$(cat "$CASES/$1.exit")
	case "$2:$line" in
	reflink:*reflink=*) echo "${line##*reflink=}" ;;
	*) echo "${line%% *}" ;;
	esac
}

# compare NAME CASE WORK PROG: status, stderr and stdout of PROG's run.
compare() {
	local name=$1 c=$2 w=$3 prog=$4 want got
	want=$(want_status "$c" "$prog"); got=$(cat "$w.rc")
	if [ "$got" != "$want" ]; then
		echo "$prog exit $got, wanted $want; stderr: $(head -3 "$w.err" | tr '\n' '|')"; return 1
	fi
	if ! diff <(norm "$w.err") "$CASES/$c.stderr.exp" > "$w.diff"; then
		echo "$prog stderr: $(head -6 "$w.diff" | tr '\n' '|')"; return 1
	fi
	if [ -f "$CASES/$c.stdout.exp" ] && ! diff <(norm "$w.out") "$CASES/$c.stdout.exp" > "$w.diff"; then
		echo "$prog stdout: $(head -6 "$w.diff" | tr '\n' '|')"; return 1
	fi
}

# run_case MNT FS CASE
run_case() {
	local mnt=$1 fs=$2 c=$3 name="cp/$3 ($2)" why only
	only=$(sed -n 's/^# only: *//p' "$CASES/$c.sh")
	run_one "$mnt/rl" "$c" "$RL" --reflink=auto
	if ! why=$(compare "$name" "$c" "$mnt/rl" reflink); then fail "$name" "$why"; return; fi
	"$PY" "$TOP/tests/cp/snapshot.py" "$mnt/rl" > "$mnt/rl.tree"
	if [ "$only" = reflink ]; then
		if diff "$CASES/$c.tree.exp" "$mnt/rl.tree" > "$mnt/tree.diff"; then pass "$name"
		else fail "$name" "tree: $(head -6 "$mnt/tree.diff" | tr '\n' '|')"; fi
		return
	fi
	run_one "$mnt/cp" "$c" /bin/cp
	if ! why=$(compare "$name" "$c" "$mnt/cp" cp); then fail "$name" "$why"; return; fi
	"$PY" "$TOP/tests/cp/snapshot.py" "$mnt/cp" > "$mnt/cp.tree"
	if diff "$mnt/cp.tree" "$mnt/rl.tree" > "$mnt/tree.diff"; then pass "$name"
	else fail "$name" "trees differ (< cp, > reflink): $(head -6 "$mnt/tree.diff" | tr '\n' '|')"; fi
}

# The filesystems a case runs on.
case_fs() {
	local f; f=$(sed -n 's/^# fs: *//p' "$CASES/$1.sh")
	echo "${f:-ext4 btrfs}"
}

for fs in ext4 btrfs ramfs; do
	list=
	for f in "$CASES"/${CP_CASES:-*}.sh; do
		c=$(basename "$f" .sh)
		case " $(case_fs "$c") " in *" $fs "*) list="$list $c" ;; esac
	done
	[ -n "$list" ] || continue
	use_fs MNT "cp cases on $fs" "$fs" 160 || continue
	for c in $list; do
		run_case "$MNT" "$fs" "$c"
	done
done
