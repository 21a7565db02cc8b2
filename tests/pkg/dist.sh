#!/usr/bin/env bash
# make dist, and make install / uninstall from the unpacked tarball:
# - the tarball holds the tracked files as they are (and is reproducible);
# - from the unpacked tree a plain `make` builds and the unit tests pass
#   (the whole suite there would take as long as this one: not run);
# - `make install PREFIX=...` after that plain make writes a reflink.pc
#   naming that prefix (a second prefix too, without rebuilding), and a
#   program built with pkg-config against it runs; a staged install
#   (DESTDIR, PREFIX=/usr, a multiarch LIBDIR, as Debian builds) keeps
#   DESTDIR out of the .pc; `make uninstall` with the same variables
#   leaves no file behind.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/pkg.sh"
# The unpacked tree builds as a fresh one: into its own build/, not the
# suite's $B, and not sanitized when make asan runs the suite.
unset B SAN MAKEFLAGS MFLAGS MAKELEVEL
V=$(sed -n 's/^#define RL_VERSION_STRING "\(.*\)"/\1/p' "$TOP/include/reflink.h")
tarball=$T/out/reflink-$V.tar.gz

if out=$(make -s --no-print-directory -C "$TOP" B="$T/out" dist 2>&1) && [ "$out" = "$tarball" ] && [ -s "$tarball" ]; then
	pass "dist/tarball"
else fail "dist/tarball" "make dist printed '$out', wanted $tarball"; exit 0; fi
mkdir "$T/again" && make -s --no-print-directory -C "$TOP" B="$T/again" dist >/dev/null 2>&1
check dist/reproducible cmp -s "$tarball" "$T/again/reflink-$V.tar.gz"

mkdir "$T/u" && tar -xzf "$tarball" -C "$T/u"
src=$T/u/reflink-$V
names=$(tar -tzf "$tarball" | grep -v '/$' | sed "s|^reflink-$V/||" | sort)
bad=$(cd "$src" && while IFS= read -r f; do cmp -s "$f" "$TOP/$f" || echo "$f"; done <<<"$names")
if [ -d "$src" ] && [ -z "$bad" ] && [ -n "$(grep -x include/reflink.h <<<"$names")" ]; then
	pass "dist/files-as-in-tree"
else fail "dist/files-as-in-tree" "differ from the tree or missing: $bad"; fi
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	tracked=$(cd "$TOP" && git ls-files | while IFS= read -r f; do [ -e "$f" ] && echo "$f"; done | sort)
	if [ "$names" = "$tracked" ]; then pass "dist/tracked-files"
	else fail "dist/tracked-files" "$(diff <(echo "$tracked") <(echo "$names") | head -5 | tr '\n' ' ')"; fi
fi

# A plain make from the unpacked tree, then its unit tests.
if (cd "$src" && make -j2 all > "$T/make.log" 2>&1); then pass "dist/make"
else fail "dist/make" "$(tail -5 "$T/make.log" | tr '\n' ' ')"; exit 0; fi
(cd "$src" && build/unit-tests) > "$T/unit.log" 2>&1
rc=$?; n=$(grep -c '^ok - ' "$T/unit.log"); nf=$(grep -c '^not ok - ' "$T/unit.log")
if [ $rc = 0 ] && [ "$n" -gt 0 ] && [ "$nf" = 0 ]; then pass "dist/unit-tests ($n passed)"
else fail "dist/unit-tests" "exit $rc, $n passed, $nf failed: $(grep -m3 '^not ok' "$T/unit.log")"; fi

# installed FILE... (relative to a prefix): all there.
installed_files() {
	local p=$1 f; shift
	for f in bin/reflink include/reflink.h lib/libreflink.a lib/libreflink.so \
		"lib/libreflink.so.${V%%.*}" "lib/libreflink.so.$V" lib/pkgconfig/reflink.pc \
		share/man/man1/reflink.1 share/bash-completion/completions/reflink; do
		f=${f/#lib\//$1/}; [ -e "$p/$f" ] || { echo "$p/$f"; return 1; }
	done
}
pcvar() { pc_env "" "$1" pkg-config --variable="$2" reflink; }

# Two prefixes, one build: each .pc names its own.
for p in "$T/x" "$T/y"; do
	n=install-${p##*/}
	if (cd "$src" && make -s install PREFIX="$p" > "$T/$n.log" 2>&1) && miss=$(installed_files "$p" lib); then
		pass "dist/$n"
	else fail "dist/$n" "$(tail -3 "$T/$n.log") missing: ${miss:-}"; continue; fi
	got="$(pcvar "$p/lib/pkgconfig" prefix) $(pcvar "$p/lib/pkgconfig" libdir) $(pcvar "$p/lib/pkgconfig" includedir)"
	if [ "$got" = "$p $p/lib $p/include" ]; then pass "dist/$n-pc-names-prefix"
	else fail "dist/$n-pc-names-prefix" "prefix, libdir, includedir: $got"; fi
	pc_program "dist/$n-pkg-config-program" "" "$p/lib/pkgconfig" "$p/lib"
	out=$("$p/bin/reflink" --version 2>&1)
	[ "$out" = "reflink $V" ] && pass "dist/$n-command" || fail "dist/$n-command" "--version said '$out'"
done

# A staged install as Debian makes it: DESTDIR is not in the .pc.
stage=$T/stage multi=lib/x86_64-linux-gnu
if (cd "$src" && make -s install DESTDIR="$stage" PREFIX=/usr LIBDIR=/usr/$multi > "$T/stage.log" 2>&1) &&
	miss=$(installed_files "$stage/usr" "$multi"); then
	pass "dist/install-destdir"
	pc=$stage/usr/$multi/pkgconfig
	got="$(pcvar "$pc" prefix) $(pcvar "$pc" libdir) $(pcvar "$pc" includedir)"
	if [ "$got" = "/usr /usr/$multi /usr/include" ] && ! grep -q "$stage" "$pc/reflink.pc"; then
		pass "dist/install-destdir-pc"
	else fail "dist/install-destdir-pc" "prefix, libdir, includedir: $got"; fi
	pc_program "dist/install-destdir-pkg-config-program" "$stage" "$pc" "$stage/usr/$multi"
else fail "dist/install-destdir" "$(tail -3 "$T/stage.log") missing: ${miss:-}"; fi

# uninstall with the same variables leaves no file or link.
(cd "$src" && make -s uninstall PREFIX="$T/x" && make -s uninstall PREFIX="$T/y" &&
	make -s uninstall DESTDIR="$stage" PREFIX=/usr LIBDIR=/usr/$multi) > "$T/un.log" 2>&1
left=$(find "$T/x" "$T/y" "$stage" ! -type d 2>/dev/null)
if [ -z "$left" ] && [ -d "$T/x/bin" ]; then pass "dist/uninstall"
else fail "dist/uninstall" "left behind: $(echo $left | head -c 300) $(tail -2 "$T/un.log")"; fi
