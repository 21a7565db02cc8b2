#!/usr/bin/env bash
# The version lives in include/reflink.h (RL_VERSION_STRING); everything
# else that states it must agree: the Makefile, the command, the shared
# library's file name and soname, debian/changelog, CHANGELOG.md, the
# Debian library package's name; and debian/libreflink0.symbols lists
# exactly the symbols the library exports.
. "$(dirname "$0")/../lib/common.sh"
cd "$TOP"
V=$(sed -n 's/^#define RL_VERSION_STRING "\(.*\)"/\1/p' include/reflink.h)
major=${V%%.*}
# same NAME GOT: GOT must be the header's version.
same() {
	if [ "$2" = "$V" ]; then pass "version/$1"; else fail "version/$1" "'$2', header says '$V'"; fi
}
case "$V" in [0-9]*.[0-9]*.[0-9]*) pass "version/header" ;; *) fail "version/header" "RL_VERSION_STRING is '$V'" ;; esac
mv_ok=$(grep -c "^#define RL_VERSION_MAJOR $major\$" include/reflink.h)
[ "$mv_ok" = 1 ] && pass "version/major-macro" || fail "version/major-macro" "RL_VERSION_MAJOR is not $major"

same makefile "$(make -s --no-print-directory -f Makefile -f - print-rl-version <<<'print-rl-version: ; @echo $(VERSION)')"
same command "$("$RL" --version | sed -n 's/^reflink //p')"
# debian/changelog: a native package carries the version as it is; a
# Debian revision (-N) would follow it.
deb=$(sed -n '1s/^reflink (\([^)]*\)).*/\1/p' debian/changelog)
same debian-changelog "${deb%-*}"
same CHANGELOG.md "$(sed -n 's/^## \([0-9][^ ]*\)$/\1/p' CHANGELOG.md | head -1)"

soname=$(readelf -d "$B/libreflink.so.$V" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = "libreflink.so.$major" ]; then pass "version/soname"
else fail "version/soname" "$B/libreflink.so.$V has soname '$soname', wanted libreflink.so.$major"; fi
if grep -qx "Package: libreflink$major" debian/control && [ -f "debian/libreflink$major.symbols" ] &&
	[ "$(head -1 "debian/libreflink$major.symbols")" = "libreflink.so.$major libreflink$major #MINVER#" ]; then
	pass "version/debian-library-package"
else fail "version/debian-library-package" "debian/control or the symbols file does not name libreflink$major"; fi

exported=$(nm -D --defined-only "$B/libreflink.so.$V" | awk '$2 == "T" && $3 ~ /^rl_/ { print $3 }' | sort)
listed=$(sed -n 's/^ \([^@]*\)@Base .*/\1/p' "debian/libreflink$major.symbols" | sort)
if [ -n "$exported" ] && [ "$exported" = "$listed" ]; then pass "version/symbols-file"
else fail "version/symbols-file" "exported but not listed: $(comm -23 <(echo "$exported") <(echo "$listed") | tr '\n' ' ')listed but not exported: $(comm -13 <(echo "$exported") <(echo "$listed") | tr '\n' ' ')"; fi
