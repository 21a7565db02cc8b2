#!/usr/bin/env bash
# deb.sh - build the Debian packages from a clean copy of the tree (the
# release tarball of scripts/dist.sh, unpacked under $DEBDIR) with
# dpkg-buildpackage -us -uc -b, then check them with lintian (errors fail).
# The .deb, .changes and .buildinfo files and build.log / lintian.log end
# up in $DEBDIR (default build/deb); nothing is written beside the checkout.
# As root, missing build dependencies are installed with apt.
set -eu
cd "$(dirname "$0")/.."
# Debian's own tools and interpreters, not a python3 first on PATH.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# The package builds as a fresh checkout would, whatever make or the test
# suite that called us had set (make asan passes SAN=1 down in MAKEFLAGS).
unset B SAN MAKEFLAGS MFLAGS MAKELEVEL
DEBDIR=${DEBDIR:-build/deb}
mkdir -p "$DEBDIR"
DEBDIR=$(cd "$DEBDIR" && pwd)
apt_install() {
	[ "$(id -u)" = 0 ] || { echo "deb.sh: missing (not root, so not installed): $*" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null ||
		{ apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null &&
		  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null; }
}
command -v dpkg-checkbuilddeps >/dev/null || apt_install dpkg-dev
command -v lintian >/dev/null || apt_install lintian
# dpkg-checkbuilddeps names what debian/control needs and is missing;
# apt picks the provider of a virtual name (debhelper-compat).
if ! unmet=$(dpkg-checkbuilddeps 2>&1); then
	unmet=$(printf '%s\n' "$unmet" | sed -n 's/.*Unmet build dependencies: //p' |
		sed -e 's/([^)]*)//g' -e 's/|[^ ]*//g' -e 's/:any//g')
	[ -n "$unmet" ] || { echo "deb.sh: dpkg-checkbuilddeps failed" >&2; exit 1; }
	# shellcheck disable=SC2086
	apt_install $unmet
fi

version=$(sed -n 's/^#define RL_VERSION_STRING "\(.*\)"/\1/p' include/reflink.h)
src=$DEBDIR/reflink-$version
rm -rf "$src" "$DEBDIR"/*.deb "$DEBDIR"/*.changes "$DEBDIR"/*.buildinfo
tarball=$(scripts/dist.sh "$DEBDIR")
tar -xzf "$tarball" -C "$DEBDIR"
rm -f "$tarball"
# The build's and lintian's temporary files (lintian leaves some behind)
# go to a directory of ours, removed at the end.
export TMPDIR=$DEBDIR/tmp
rm -rf "$TMPDIR" && mkdir "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT
start=$(date +%s)
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -jauto) > "$DEBDIR/build.log" 2>&1; then
	tail -40 "$DEBDIR/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed; the whole log is $DEBDIR/build.log" >&2
	exit 1
fi
echo "deb.sh: built in $(( $(date +%s) - start )) s"
rm -rf "$src"
changes=$(ls "$DEBDIR"/reflink_"$version"_*.changes)
lintian --fail-on error "$changes" > "$DEBDIR/lintian.log" 2>&1 || {
	cat "$DEBDIR/lintian.log" >&2; echo "deb.sh: lintian found errors" >&2; exit 1; }
cat "$DEBDIR/lintian.log"
ls "$DEBDIR"/*.deb
