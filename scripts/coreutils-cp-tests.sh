#!/usr/bin/env bash
# coreutils-cp-tests.sh - GNU coreutils' own tests/cp run against reflink,
# as README's "Differences from cp" measures them. As root, on Debian:
# fetches Debian's coreutils source (adding a deb-src entry if there is
# none), builds it once under WORK, then runs its tests/cp twice: with its
# own cp, and with src/cp replaced by a wrapper running `REFLINK
# --reflink=auto "$@"` with "reflink:" read as "cp:" in messages.
#
#   scripts/coreutils-cp-tests.sh [REFLINK] [WORK]
#
# REFLINK defaults to build/reflink, WORK to /var/tmp/rl-coreutils. Takes
# about 10 minutes the first time (the build), 5 after. file-perm-race is
# left out of the reflink run: it waits for DEST to appear while it still
# writes the FIFO being copied, and reflink's DEST appears only complete,
# so it would wait forever (a difference kept on purpose).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RL=$(realpath "${1:-$TOP/build/reflink}")
WORK=${2:-/var/tmp/rl-coreutils}
[ -x "$RL" ] || { echo "coreutils-cp-tests: $RL missing (make first)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "coreutils-cp-tests: run as root" >&2; exit 2; }
mkdir -p "$WORK" && cd "$WORK"

src=$(ls -d coreutils-*/ 2>/dev/null | head -1)
if [ -z "$src" ]; then
	if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
	   ! grep -qs '^deb-src' /etc/apt/sources.list; then
		cat > /etc/apt/sources.list.d/rl-deb-src.sources <<-'EOF'
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	fi
	apt-get update -qq
	apt-get source -qq coreutils
	src=$(ls -d coreutils-*/ | head -1)
fi
cd "$src"
if [ ! -x src/cp.real ]; then
	FORCE_UNSAFE_CONFIGURE=1 ./configure -q >configure.log 2>&1
	make -j"$(nproc)" >make.log 2>&1
	cp -p src/cp src/cp.real
fi
trap 'cp -f src/cp.real src/cp' EXIT

# run NAME TESTS...: the tests with the src/cp in place; PASS/FAIL counts.
run() {
	local name=$1; shift
	make -k check-TESTS TESTS="$*" VERBOSE=no > "$WORK/$name.log" 2>&1 || true
	echo "$name: $(grep -cE '^PASS: .*\.sh$' "$WORK/$name.log") passed," \
		"$(grep -cE '^SKIP: .*\.sh$' "$WORK/$name.log") skipped, failed:" \
		"$(grep -E '^(FAIL|ERROR): .*\.sh$' "$WORK/$name.log" | sed 's|.*tests/cp/||' | tr '\n' ' ')"
}

all=$(ls tests/cp/*.sh | tr '\n' ' ')
cp -f src/cp.real src/cp
run cp $all
# Absolute paths: preserve-gid runs cp under chroot with a bare PATH.
cat > src/cp <<EOF
#!/bin/bash
e=\$(/usr/bin/mktemp)
"$RL" --reflink=auto "\$@" 2>"\$e"
rc=\$?
/bin/sed 's/^reflink:/cp:/' "\$e" >&2
/bin/rm -f "\$e"
exit \$rc
EOF
chmod +x src/cp
run reflink $(ls tests/cp/*.sh | grep -v file-perm-race | tr '\n' ' ')
echo "logs: $WORK/cp.log $WORK/reflink.log"
