#!/usr/bin/env bash
# make deb, then the packages extracted into a scratch root (dpkg -x; the
# system is not touched) and used from there: the command runs and copies,
# its man page and completion are in place, a C program built with
# pkg-config against the extracted -dev package runs on the extracted
# shared library, and the Python module imports from the extracted tree.
# Also: lintian reports no error, the symbols file matches, the package
# relations are declared, apt would install them (simulated), nothing is
# written beside the checkout.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/pkg.sh"
V=$(sed -n 's/^#define RL_VERSION_STRING "\(.*\)"/\1/p' "$TOP/include/reflink.h")
D=$T/deb root=$T/root
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset MAKEFLAGS MFLAGS MAKELEVEL

if ! is_root && ! (cd "$TOP" && dpkg-checkbuilddeps >/dev/null 2>&1 && command -v lintian >/dev/null); then
	skip "deb/build" "not root and the build dependencies are not installed"; exit 0
fi
# What dpkg-buildpackage would write beside the tree it builds.
beside() { ls -d "$(dirname "$TOP")"/*reflink*_* 2>/dev/null; git -C "$TOP" status --porcelain 2>/dev/null; }
before=$(beside)
start=$(date +%s)
if make -s --no-print-directory -C "$TOP" deb DEBDIR="$D" > "$T/deb.log" 2>&1; then
	pass "deb/build"
	echo "make deb took $(( $(date +%s) - start )) s"
else fail "deb/build" "$(tail -5 "$T/deb.log" | tr '\n' ' ')"; exit 0; fi
after=$(beside)
[ "$before" = "$after" ] && pass "deb/nothing-beside-checkout" ||
	fail "deb/nothing-beside-checkout" "$(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"

if [ -f "$D/lintian.log" ] && ! grep -q '^E: ' "$D/lintian.log"; then pass "deb/lintian-no-errors"
else fail "deb/lintian-no-errors" "$(grep -m3 '^E: ' "$D/lintian.log" 2>/dev/null | tr '\n' ' ')"; fi
sed -n 's/^W: /lintian warning: /p' "$D/lintian.log"
if grep -q 'dpkg-gensymbols' "$D/build.log"; then
	fail "deb/symbols" "$(grep -m3 -A3 'dpkg-gensymbols' "$D/build.log" | tr '\n' ' ')"
else pass "deb/symbols"; fi

field() { dpkg-deb -f "$D/$1"_"$V"_*.deb "$2"; }
for p in libreflink0 libreflink-dev reflink python3-libreflink; do
	if [ -f "$(echo "$D/$p"_"$V"_*.deb)" ]; then dpkg-deb -x "$D/$p"_"$V"_*.deb "$root"
	else fail "deb/package-$p" "no $p deb in $D"; fi
done
rel="$(field python3-libreflink Provides) | $(field python3-libreflink Conflicts) | $(field python3-libreflink Replaces)"
[ "$rel" = "python3-reflink | python3-reflink | python3-reflink" ] && pass "deb/python-replaces-python3-reflink" ||
	fail "deb/python-replaces-python3-reflink" "Provides | Conflicts | Replaces: $rel"
case "$(field libreflink-dev Depends)" in *"libreflink0 (= $V)"*) pass "deb/dev-depends-on-library" ;;
*) fail "deb/dev-depends-on-library" "Depends: $(field libreflink-dev Depends)" ;; esac

# apt would install the four together (a simulation: nothing changes).
debs=$(for p in libreflink0 libreflink-dev reflink python3-libreflink; do echo "$D/$p"_"$V"_*.deb; done)
# shellcheck disable=SC2086
if apt-get -s install $debs > "$T/apt.log" 2>&1 && [ "$(grep -c '^Conf ' "$T/apt.log")" -ge 4 ]; then
	pass "deb/apt-installable"
else fail "deb/apt-installable" "$(tail -3 "$T/apt.log" | tr '\n' ' ')"; fi

multi=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
lib=$root/usr/lib/$multi
soname=$(readelf -d "$lib/libreflink.so.$V" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libreflink.so.0 ] && [ "$(readlink "$lib/libreflink.so.0")" = "libreflink.so.$V" ] &&
	pass "deb/soname" || fail "deb/soname" "soname '$soname', link $(readlink "$lib/libreflink.so.0")"

# The command, its man page and completion, from the extracted root.
cmd=$root/usr/bin/reflink
printf 'some data\n' > "$T/a"
if [ "$("$cmd" --version)" = "reflink $V" ] && "$cmd" --reflink=auto "$T/a" "$T/b" && cmp -s "$T/a" "$T/b"; then
	pass "deb/command"
else fail "deb/command" "$cmd did not run or copy"; fi
zcat "$root/usr/share/man/man1/reflink.1.gz" 2>/dev/null | grep -q '^\.TH REFLINK 1' &&
	pass "deb/man-page" || fail "deb/man-page" "no reflink.1.gz with .TH REFLINK 1"
got=$(bash -c '. "$1" && COMP_WORDS=("$2" --reflink =) COMP_CWORD=2 && _reflink && echo "${COMPREPLY[*]}"' \
	_ "$root/usr/share/bash-completion/completions/reflink" "$cmd" 2>&1)
[ "$got" = "always auto never" ] && pass "deb/completion" || fail "deb/completion" "--reflink= completed to '$got'"

pc_program "deb/pkg-config-program" "$root" "$lib/pkgconfig" "$lib"

# The Python module from the extracted dist-packages (the checkout's
# python/ kept off the path: run from $T).
site=$root/usr/lib/python3/dist-packages
out=$(cd "$T" && PYTHONPATH=$site /usr/bin/python3 -s -c '
import os, sys, reflink
site = sys.argv[1]
assert reflink.__file__.startswith(site + "/reflink/"), reflink.__file__
assert reflink._reflink.__file__.startswith(site + "/reflink/"), reflink._reflink.__file__
reflink.copy("a", "c")
assert open("c").read() == "some data\n"
print("ok")' "$site" 2>&1)
[ "$out" = ok ] && pass "deb/python-module" || fail "deb/python-module" "$out"
