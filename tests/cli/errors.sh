#!/usr/bin/env bash
# errors.sh - each failure gets exit 1 and exactly one line on stderr naming
# the file(s), and changes nothing: same file (also via links and other
# paths), missing source, directory without -r, missing parent, permission
# denied, FIFO and device sources (read as cp reads them, and
# stoppable), dangling symlinks, several
# sources onto a non-directory, --no-clobber. Needs no mounts.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"

W="$T/w"
mkdir "$W" && cd "$W" || exit 1
chmod 755 "$T" "$W" # the unprivileged user below must reach it
printf 'original\n' > a
ln a hard
ln -s a sym
ln -s "$W/a" abssym
mkdir sub

# state FILE: what must not change when a copy onto FILE is refused.
state() { stat -c '%i %s %y %z %a %h' "$1" && md5sum < "$1"; }

# --- same file: refused with exit 1 in every mode, the file untouched ---
same_file() { # same_file NAME SRC DST [DST as reported]
	local name=$1 shown=${4:-$3} before
	before=$(state a)
	for mode in always auto never; do
		rl_run "$RL" --reflink=$mode "$2" "$3"
		expect_error "$name ($mode): exit 1, one line" 1 "'$2'" "'$shown'" "same file"
	done
	if [ "$(state a)" = "$before" ]; then pass "$name: file untouched"
	else fail "$name: file untouched" "was '$before', now '$(state a)'"; fi
}
same_file "same file, same name" a a
same_file "same file via ./" a ./a
same_file "same file via an absolute path" a "$W/a"
same_file "same file via ../" a ../w/a
same_file "same file via sub/.." a sub/../a
same_file "same file via a hard link" a hard
same_file "same file: DEST a symlink to SOURCE" a sym
same_file "same file: DEST an absolute symlink to SOURCE" a abssym
same_file "same file: SOURCE a symlink to DEST" sym a
same_file "same file: into its own directory" a . ./a
rl_run "$RL" --reflink=auto a b .
if [ "$RC" = 1 ] && [ "$(err_lines)" = 2 ] && [[ "$ERR" == *"'a'"*"same file"* ]] &&
   [ "$(cat a)" = original ]; then
	pass "several sources into their own directory: one line each, exit 1"
else
	fail "several sources into their own directory: one line each, exit 1" "exit $RC: $ERR"
fi

# --- missing source ---
rl_run "$RL" --reflink=auto nosuch out
expect_error "missing source: exit 1 naming it" 1 "'nosuch'" "No such file"
check "missing source: no DEST" test ! -e out
printf 'keep\n' > existing
rl_run "$RL" --reflink=auto nosuch existing
expect_error "missing source onto an existing DEST: exit 1" 1 "'nosuch'"
check "missing source: existing DEST untouched" test "$(cat existing)" = keep

# --- directory source without -r ---
rl_run "$RL" --reflink=auto sub out
expect_error "directory source without -r: exit 1, mentions -r" 1 "'sub'" "-r"
check "directory source without -r: no DEST" test ! -e out
rl_run "$RL" --reflink=always sub out
expect_error "directory source without -r in always mode: exit 1, not 3" 1 "'sub'"

# --- missing parent, DEST with a trailing slash ---
rl_run "$RL" --reflink=auto a nodir/out
expect_error "missing parent: exit 1 naming DEST, cp's words" 1 "cannot create regular file 'nodir/out': No such file"
check "missing parent: nothing created" test ! -e nodir
rl_run "$RL" --reflink=auto a a/out
expect_error "parent is a file: exit 1 naming DEST, cp's words" 1 "cannot stat 'a/out': Not a directory"
rl_run "$RL" --reflink=auto a newdir/
expect_error "DEST 'newdir/' (trailing slash, absent): exit 1" 1 "'newdir/'"
check "DEST 'newdir/': nothing created" test ! -e newdir
printf 'file\n' > plainfile
rl_run "$RL" --reflink=auto a plainfile/
expect_error "DEST 'plainfile/' (a file with a trailing slash): exit 1, Not a directory" 1 "'plainfile/'" "Not a directory"
check "DEST 'plainfile/': the file untouched" test "$(cat plainfile)" = file

# --- permission denied, as an unprivileged user ---
if ! is_root; then
	skip "permission denied" "needs root to switch to an unprivileged user"
else
	mkdir -m 777 open && mkdir -m 755 shut && mkdir -m 700 private
	printf 'secret\n' > secret && chmod 600 secret
	printf 'public\n' > public && chmod 644 public
	printf 'hidden\n' > private/f
	rl_run "${NOBODY[@]}" "$RL" --reflink=auto secret open/out
	expect_error "unreadable source: exit 1 naming it, cp's words" 1 "cannot open 'secret' for reading: Permission denied"
	check "unreadable source: nothing left in DEST's directory" test -z "$(ls -A open)"
	rl_run "${NOBODY[@]}" "$RL" --reflink=auto public shut/out
	expect_error "unwritable DEST directory: exit 1 naming DEST, cp's words" 1 "cannot create regular file 'shut/out': Permission denied"
	check "unwritable DEST directory: nothing created" test -z "$(ls -A shut)"
	rl_run "${NOBODY[@]}" "$RL" --reflink=auto private/f open/out
	expect_error "unsearchable source directory: exit 1 naming the source" 1 "'private/f'" "Permission denied"
	rl_run "${NOBODY[@]}" "$RL" --reflink=auto public private/out
	expect_error "unsearchable DEST directory: exit 1, cp's words" 1 "cannot stat 'private/out': Permission denied"
	check "unsearchable DEST directory: nothing created" test "$(ls -A private)" = f
	rl_run "${NOBODY[@]}" "$RL" --reflink=auto public open/out
	if [ "$RC" = 0 ] && cmp -s public open/out && [ "$(stat -c %U open/out)" = nobody ]; then
		pass "unprivileged copy into a writable directory works, owned by the user"
	else
		fail "unprivileged copy into a writable directory works, owned by the user" "exit $RC: $ERR"
	fi
	# The same four failures through /bin/cp: the same status and words,
	# the program name aside.
	rm -f open/out
	for args in "secret open/out" "public shut/out" "private/f open/out" "public private/out"; do
		rl_run "${NOBODY[@]}" /bin/cp $args
		want_rc=$RC want_err=${ERR#/bin/cp: }
		rl_run "${NOBODY[@]}" "$RL" --reflink=auto $args
		if [ "$RC" = "$want_rc" ] && [ "${ERR#reflink: }" = "$want_err" ]; then
			pass "as /bin/cp: $args (exit $RC, $want_err)"
		else
			fail "as /bin/cp: $args" "cp: exit $want_rc '$want_err'; reflink: exit $RC '$ERR'"
		fi
	done
fi

# --- FIFO, devices, sockets without -R: read as files, as cp reads them ---
mkfifo fifo
(sleep 0.3; printf data > fifo) &
rl_run "$RL" --reflink=auto fifo out
wait
check "FIFO source: waits for its writer, then read to its end (cp)" \
	test "$RC" = 0 -a "$(cat out 2>/dev/null)" = data -a -f out -a ! -p out
rm -f out
# No writer comes: it waits as cp does, and a signal stops it at once.
for sig in INT TERM; do
	rl_run timeout --preserve-status -s $sig 0.5 "${DFL[@]}" "$RL" --reflink=auto fifo out
	want=$((128 + $(kill -l $sig)))
	expect_error "FIFO source without a writer: SIG$sig stops the wait (exit $want)" \
		"$want" "interrupted" "'fifo' not copied"
	check "FIFO source stopped by SIG$sig: no DEST, no debris" \
		test ! -e out -a -z "$(ls -a | grep rl-tmp)"
done
rl_run "$RL" --reflink=auto /dev/null out
check "/dev/null as source: an empty regular file, exit 0 (cp /dev/null f)" \
	test "$RC" = 0 -a -f out -a ! -s out
rm -f out
rl_run timeout --preserve-status -s INT 0.5 "${DFL[@]}" "$RL" --reflink=auto /dev/zero out
expect_error "/dev/zero as source: endless as cp's, SIGINT stops it (exit 130)" 130 "interrupted"
check "/dev/zero stopped: no DEST, no debris" test ! -e out -a -z "$(ls -a | grep rl-tmp)"
/usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock
rl_run "$RL" --reflink=auto sock out
expect_error "socket source: cp's words, exit 1" 1 "cannot open 'sock' for reading"

# --- an existing DEST that is not a regular file: written into, as cp ---
# cp writes into a FIFO or device DEST (`cp disk.img /dev/sdX`): no
# temporary can stand in for it, so this one copy is not atomic. A socket
# cannot be opened: refused. Only nodes made here are used, never the
# real ones.
if is_root; then
	mknod nulldev c 1 3 && chmod 666 nulldev
	rl_run "$RL" --reflink=auto a nulldev
	expect_ok "DEST an existing character device: written into, exit 0"
	check "DEST an existing character device: still that device" test -c nulldev
	mkfifo destfifo
	timeout 30 cat destfifo > "$T/fifo-got" & rpid=$!
	rl_run "$RL" --reflink=auto a destfifo
	wait $rpid
	expect_ok "DEST an existing FIFO: written into, exit 0"
	check "DEST an existing FIFO: still a FIFO, the reader got SOURCE" \
		sh -c '[ -p destfifo ] && cmp -s a "$1"' _ "$T/fifo-got"
	for sig in INT HUP; do
		rl_run timeout --preserve-status -s $sig 0.5 "${DFL[@]}" "$RL" --reflink=auto a destfifo
		want=$((128 + $(kill -l $sig)))
		expect_error "DEST an existing FIFO without a reader: SIG$sig stops the wait (exit $want)" \
			"$want" "interrupted"
		check "DEST FIFO wait stopped by SIG$sig: still a FIFO" test -p destfifo
	done
	rl_run "$RL" --reflink=auto --remove-destination a destfifo
	expect_ok "--remove-destination onto a FIFO: exit 0"
	check "--remove-destination onto a FIFO: now a regular copy" \
		sh -c '[ -f destfifo ] && [ ! -p destfifo ] && cmp -s a destfifo'
	/usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' destsock
	rl_run "$RL" --reflink=auto a destsock
	expect_error "DEST an existing socket: exit 1, one line naming it" 1 "'destsock'"
	check "DEST an existing socket: not replaced" test -S destsock
	mkdir -p devdir && mknod devdir/a c 1 3
	rl_run "$RL" --reflink=auto a devdir
	if [ -c devdir/a ] && [ "$RC" = 0 ]; then pass "SOURCE DIRECTORY with a device at DIRECTORY/SOURCE: written into, still a device"
	else fail "SOURCE DIRECTORY with a device at DIRECTORY/SOURCE: written into, still a device" "exit $RC, it is now a $(stat -c %F devdir/a)"; fi
fi

# --- dangling symlinks ---
ln -s nowhere dangling
rl_run "$RL" --reflink=auto dangling out
expect_error "dangling symlink source: exit 1 naming it" 1 "'dangling'" "No such file"
check "dangling symlink source: no DEST" test ! -e out
ln -s target-absent dangdest
rl_run "$RL" --reflink=auto a dangdest
if [ "$RC" = 0 ] && [ -f dangdest ] && [ ! -L dangdest ] && cmp -s a dangdest &&
   [ ! -e target-absent ]; then
	pass "dangling symlink DEST: replaced by the file, its target not created"
else
	fail "dangling symlink DEST: replaced by the file, its target not created" "exit $RC: $ERR; $(ls -l dangdest target-absent 2>&1)"
fi

# --- several sources onto a non-directory ---
printf 'bee\n' > b
printf 'target\n' > tfile
rl_run "$RL" --reflink=auto a b tfile
expect_error "several sources onto a file: exit 1 naming it" 1 "'tfile'"
check "several sources onto a file: file untouched" test "$(cat tfile)" = target
rl_run "$RL" --reflink=auto a b absent
expect_error "several sources onto a missing name: exit 1 naming it" 1 "'absent'"
check "several sources onto a missing name: nothing created" test ! -e absent

# --- -n / --no-clobber ---
printf 'old\n' > dst
# cp 9.5's -n (= --update=none): an existing DEST is skipped silently.
for opt in -n --no-clobber --update=none; do
	rl_run "$RL" --reflink=auto $opt a dst
	expect_ok "$opt onto an existing DEST: skipped, exit 0, silent"
	check "$opt: DEST untouched" test "$(cat dst)" = old
done
rl_run "$RL" --reflink=auto --update=none-fail a dst
expect_error "--update=none-fail onto an existing DEST: exit 1" 1 "not replacing 'dst'"
check "--update=none-fail: DEST untouched" test "$(cat dst)" = old
rl_run "$RL" --reflink=always -n a dst
expect_ok "-n in always mode: an existing DEST skipped (no clone tried), exit 0"
ln -s nowhere-n dangn
rl_run "$RL" --reflink=auto -n a dangn
expect_ok "-n onto a dangling symlink: it exists, skipped"
check "-n onto a dangling symlink: its target not created" test ! -e nowhere-n
rm -f fresh
rl_run "$RL" --reflink=auto -n a fresh
expect_ok "-n onto an absent DEST copies"
same_content "-n onto an absent DEST: content" a fresh
mkdir nd && printf 'old\n' > nd/a
rl_run "$RL" --reflink=auto -n a b nd
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [ "$(cat nd/a)" = old ] && cmp -s b nd/b; then
	pass "-n into a directory: the existing one skipped, the other copied"
else
	fail "-n into a directory: the existing one skipped, the other copied" "exit $RC: $ERR"
fi

# --- a directory as DEST takes the file inside; a directory in the way fails ---
mkdir into
rl_run "$RL" --reflink=auto a into
if [ "$RC" = 0 ] && cmp -s a into/a; then pass "SOURCE DIRECTORY: copied to DIRECTORY/SOURCE"
else fail "SOURCE DIRECTORY: copied to DIRECTORY/SOURCE" "exit $RC: $ERR"; fi
mkdir -p into2/a
rl_run "$RL" --reflink=auto a into2
expect_error "a directory where the file would go: exit 1 naming it" 1 "'into2/a'"
