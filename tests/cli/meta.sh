#!/usr/bin/env bash
# meta.sh - what the copy carries besides data: permission bits by cp's
# rule (source bits less umask; exact with --preserve=mode; setuid/setgid
# only with ownership), -p/--preserve times, owner and xattrs; an existing
# DEST that is a symlink is replaced, its target untouched; SOURCE...
# DIRECTORY. Runs in auto and never modes. Needs no mounts.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"

W="$T/w"
mkdir "$W" && cd "$W" || exit 1
chmod 755 "$T" "$W"
printf 'source data\n' > src

# bits NAME WANT_OCTAL UMASK SRC_MODE [OPTIONS...]: copy src (chmod
# SRC_MODE) under UMASK in each mode; DEST must have WANT_OCTAL.
bits() {
	local name=$1 want=$2 um=$3 sm=$4 mode got; shift 4
	chmod "$sm" src
	for mode in auto never; do
		rm -f out
		RC=0
		(umask "$um" && exec "$RL" --reflink=$mode "$@" src out) 2>"$T/.err" || RC=$?
		got=$(stat -c %a out 2>/dev/null)
		if [ "$RC" = 0 ] && [ "$got" = "$want" ]; then pass "$name ($mode): $want"
		else fail "$name ($mode): $want" "exit $RC, got '$got': $(cat "$T/.err")"; fi
	done
}
bits "0755 source, umask 022" 755 022 0755
bits "0755 source, umask 077" 700 077 0755
bits "0644 source, umask 027" 640 027 0644
bits "0751 source, umask 000" 751 000 0751
bits "0444 source, umask 022" 444 022 0444
bits "--preserve=mode ignores the umask" 755 077 0755 --preserve=mode
bits "--preserve=mode keeps odd bits exactly" 1751 077 1751 --preserve=mode
bits "setuid dropped by default" 755 022 4755
bits "setuid dropped with --preserve=mode alone" 755 022 4755 --preserve=mode
bits "setgid dropped with --preserve=mode alone" 755 022 2755 --preserve=mode
if is_root; then
	bits "setuid kept with --preserve=mode,ownership (root)" 4755 022 4755 --preserve=mode,ownership
	bits "setuid and setgid kept with -p (root)" 6755 077 6755 -p
	bits "setuid kept with --preserve=all (root)" 4755 022 4755 --preserve=all
fi

# A replaced DEST keeps its own bits without -p (cp's rule), though it is
# a new inode; with -p it gets the source's; --remove-destination makes
# it a new file with the source's bits less the umask.
chmod 0755 src
for mode in auto never; do
	for how in "" -p --remove-destination; do
		printf 'old\n' > out && chmod 0600 out
		ino=$(stat -c %i out)
		RC=0; (umask 022 && exec "$RL" --reflink=$mode $how src out) 2>"$T/.err" || RC=$?
		got=$(stat -c %a out) want=$([ -z "$how" ] && echo 600 || echo 755)
		name="replaced 0600 DEST ${how:-(no option)}: bits $want, a new inode ($mode)"
		if [ "$RC" = 0 ] && [ "$got" = $want ] && cmp -s src out && [ "$(stat -c %i out)" != "$ino" ]; then pass "$name"
		else fail "$name" "exit $RC, got $got: $(cat "$T/.err")"; fi
	done
done

# Unprivileged -p of a root-owned setuid file: the owner cannot be kept,
# so neither can setuid; the copy belongs to the user.
if is_root; then
	mkdir -m 777 pub
	chmod 4755 src
	for mode in auto never; do
		rm -f pub/out
		rl_run "${NOBODY[@]}" "$RL" --reflink=$mode -p src pub/out
		got=$(stat -c '%a %U' pub/out 2>/dev/null)
		if [ "$RC" = 0 ] && [ "$got" = "755 nobody" ]; then pass "unprivileged -p of a setuid root file: 755, owned by the user ($mode)"
		else fail "unprivileged -p of a setuid root file: 755, owned by the user ($mode)" "exit $RC, got '$got': $ERR"; fi
	done
	chmod 0755 src
fi

# --- timestamps ---
# Reading the source may update its atime (relatime): the copy must carry
# the times the source had before the copy.
for opt in -p --preserve=timestamps --preserve=all; do
	for mode in auto never; do
		touch -m -d '2001-02-03 04:05:06.123456789' src
		touch -a -d '2002-03-04 05:06:07.987654321' src
		want="$(stat -c '%x %y' src)"
		rm -f out
		rl_run "$RL" --reflink=$mode $opt src out
		got="$(stat -c '%x %y' out 2>/dev/null)"
		if [ "$RC" = 0 ] && [ "$got" = "$want" ]; then pass "$opt keeps atime and mtime to the ns ($mode)"
		else fail "$opt keeps atime and mtime to the ns ($mode)" "exit $RC, got '$got' wanted '$want': $ERR"; fi
	done
done
rm -f out
rl_run "$RL" --reflink=auto src out
if [ "$RC" = 0 ] && [ "$(stat -c %Y out)" -gt "$(stat -c %Y src)" ] &&
   [ "$(stat -c %Y out)" -ge "$(( $(date +%s) - 60 ))" ]; then
	pass "without -p the copy's mtime is now"
else
	fail "without -p the copy's mtime is now" "mtime $(stat -c %y out)"
fi
rl_run "$RL" --reflink=auto --preserve=mode src out
if [ "$RC" = 0 ] && [ "$(stat -c %Y out)" != "$(stat -c %Y src)" ]; then
	pass "--preserve=mode does not keep times"
else
	fail "--preserve=mode does not keep times" "mtime $(stat -c %y out)"
fi

# --- ownership ---
if is_root; then
	chown 1234:4321 src
	for mode in auto never; do
		rm -f out
		rl_run "$RL" --reflink=$mode -p src out
		got=$(stat -c '%u:%g' out 2>/dev/null)
		if [ "$RC" = 0 ] && [ "$got" = 1234:4321 ]; then pass "-p keeps owner and group (root, $mode)"
		else fail "-p keeps owner and group (root, $mode)" "exit $RC, got '$got': $ERR"; fi
		rm -f out
		rl_run "$RL" --reflink=$mode src out
		got=$(stat -c '%u:%g' out 2>/dev/null)
		if [ "$RC" = 0 ] && [ "$got" = 0:0 ]; then pass "without -p the copy belongs to the caller ($mode)"
		else fail "without -p the copy belongs to the caller ($mode)" "exit $RC, got '$got': $ERR"; fi
	done
	chown 0:0 src
fi

# --- xattrs ---
getx() { /usr/bin/python3 -c 'import os,sys
try: print(os.getxattr(sys.argv[1], "user.rltest").decode())
except OSError as e: print("none")' "$1"; }
if /usr/bin/python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.rltest", b"v1")' src 2>/dev/null; then
	for mode in auto never; do
		for opt in --preserve=xattr --preserve=all; do
			rm -f out
			rl_run "$RL" --reflink=$mode $opt src out
			if [ "$RC" = 0 ] && [ "$(getx out)" = v1 ]; then pass "$opt copies user xattrs ($mode)"
			else fail "$opt copies user xattrs ($mode)" "exit $RC, xattr '$(getx out)': $ERR"; fi
		done
		rm -f out
		rl_run "$RL" --reflink=$mode -p src out
		if [ "$RC" = 0 ] && [ "$(getx out)" = none ]; then pass "-p does not copy xattrs, as cp ($mode)"
		else fail "-p does not copy xattrs, as cp ($mode)" "exit $RC, xattr '$(getx out)'"; fi
	done
else
	skip "xattrs" "this filesystem has no user xattrs"
fi

# --- an existing DEST that is a symlink: replaced, its target untouched ---
mkdir -p elsewhere
for mode in auto never; do
	printf 'victim\n' > elsewhere/victim
	touch -d '2003-01-01' elsewhere/victim
	vstate=$(stat -c '%i %s %y %a' elsewhere/victim)
	for link in rel abs; do
		rm -f "l-$link"
		if [ $link = rel ]; then ln -s elsewhere/victim l-rel; else ln -s "$W/elsewhere/victim" l-abs; fi
		rl_run "$RL" --reflink=$mode src "l-$link"
		if [ "$RC" = 0 ] && [ -f "l-$link" ] && [ ! -L "l-$link" ] && cmp -s src "l-$link"; then
			pass "DEST a symlink ($link): replaced by the copy ($mode)"
		else
			fail "DEST a symlink ($link): replaced by the copy ($mode)" "exit $RC: $ERR; $(ls -l "l-$link")"
		fi
		if [ "$(cat elsewhere/victim)" = victim ] && [ "$(stat -c '%i %s %y %a' elsewhere/victim)" = "$vstate" ]; then
			pass "DEST a symlink ($link): its target untouched ($mode)"
		else
			fail "DEST a symlink ($link): its target untouched ($mode)" "victim now: $(cat elsewhere/victim)"
		fi
	done
	rm -f l-n && ln -s elsewhere/victim l-n
	rl_run "$RL" --reflink=$mode -n src l-n
	if [ "$RC" = 0 ] && [ -z "$ERR" ] && [ -L l-n ] && [ "$(cat elsewhere/victim)" = victim ]; then
		pass "-n with DEST a symlink: skipped, link and target untouched ($mode)"
	else
		fail "-n with DEST a symlink: skipped, link and target untouched ($mode)" "exit $RC: $ERR"
	fi
done
# A symlink to a directory is a directory operand, as for cp.
mkdir -p realdir && rm -f dirlink && ln -s realdir dirlink
rl_run "$RL" --reflink=auto src dirlink
if [ "$RC" = 0 ] && [ -L dirlink ] && cmp -s src realdir/src; then pass "DEST a symlink to a directory: the file goes inside, as cp"
else fail "DEST a symlink to a directory: the file goes inside, as cp" "exit $RC: $ERR"; fi

# --- SOURCE... DIRECTORY ---
mkdir -p s1 s2 multi
printf 'one\n' > s1/f1
printf 'two\n' > s2/f2
printf 'three\n' > f3
for mode in auto never; do
	rm -rf multi/*
	rl_run "$RL" --reflink=$mode s1/f1 s2/f2 f3 multi/
	if [ "$RC" = 0 ] && cmp -s s1/f1 multi/f1 && cmp -s s2/f2 multi/f2 && cmp -s f3 multi/f3 &&
	   [ "$(ls -A multi | wc -l)" = 3 ]; then
		pass "SOURCE... DIRECTORY/: each file under its base name ($mode)"
	else
		fail "SOURCE... DIRECTORY/: each file under its base name ($mode)" "exit $RC: $ERR; $(ls -A multi)"
	fi
done
rl_run "$RL" --reflink=auto s1/f1 "$W/multi"
expect_ok "SOURCE DIRECTORY (absolute, exists): replaces DIRECTORY/base"
