#!/usr/bin/env bash
# run.sh - build the Python binding into $B/python (if anything changed) and
# run its pytest suite with /usr/bin/python3, printing one line per test for
# tests/run.sh: "ok - python/<id>", "not ok - python/<id>: why" or
# "skip - python/<id>: why" (written by conftest.py). Other output is
# prefixed with "# ". Extra arguments go to pytest (e.g. -k compat).
set -u
pytest_args=("$@")
cd "$(dirname "$0")/../.."
TOP=$PWD
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
PY=/usr/bin/python3
OUT="$B/python"
mkdir -p "$OUT"
report=$(mktemp /tmp/rl-pyreport.XXXXXX)
log=$(mktemp /tmp/rl-pylog.XXXXXX)
trap 'rm -f "$report" "$log"' EXIT

# need_module MODULE PACKAGE: make `import MODULE` work, with apt as root.
need_module() {
	$PY -c "import $1" 2>/dev/null && return 0
	[ "$(id -u)" = 0 ] || return 1
	if [ ! -e /tmp/rl-apt-updated ]; then
		apt-get update -qq >/dev/null 2>&1 && touch /tmp/rl-apt-updated
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1
	$PY -c "import $1" 2>/dev/null
}
has_headers() {
	$PY -c 'import os, sysconfig; os.stat(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' 2>/dev/null
}
need_headers() {
	has_headers && return 0
	[ "$(id -u)" = 0 ] || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dev >/dev/null 2>&1
	has_headers
}

for need in setuptools:python3-setuptools pytest:python3-pytest; do
	if ! need_module "${need%%:*}" "${need#*:}"; then
		echo "not ok - python/build: $PY cannot import ${need%%:*} (install ${need#*:})"
		exit 1
	fi
done
if ! need_headers; then
	echo "not ok - python/build: Python.h missing (install python3-dev)"
	exit 1
fi

# Build: the extension only when a source or header is newer, the Python
# files always (cheap, and right even when a checkout made them older).
if ! (cd python && $PY setup.py -q build_py --force --build-lib "$OUT/lib" \
	build_ext --build-lib "$OUT/lib" --build-temp "$OUT/temp") >"$log" 2>&1; then
	echo "not ok - python/build: setup.py build failed"
	sed 's/^/# /' "$log" | tail -40
	exit 1
fi
# The extension itself must be warning-free under the project's warnings.
warn="-Wall -Wextra -Werror -Wshadow -Wcast-qual -Wstrict-prototypes \
-Wmissing-prototypes -Wpointer-arith -Wvla -Wformat=2 -Wwrite-strings"
inc=$($PY -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
if ${CC:-cc} -std=gnu11 -fsyntax-only $warn -Iinclude -I"$inc" \
	python/src/_reflink.c >"$log" 2>&1; then
	echo "ok - python/build: extension built into $OUT, _reflink.c warning-free"
else
	echo "not ok - python/build: python/src/_reflink.c has warnings"
	sed 's/^/# /' "$log" | head -40
fi

RLPY_LIB="$OUT/lib" RL_PY_REPORT="$report" PYTHONDONTWRITEBYTECODE=1 \
	timeout 600 $PY -m pytest -q -p no:cacheprovider -rfE \
	--rootdir tests/python tests/python ${pytest_args[@]+"${pytest_args[@]}"} >"$log" 2>&1
rc=$?
cat "$report"
if [ $rc -ne 0 ]; then
	sed 's/^/# /' "$log" | tail -60
	# 1 means "some tests failed", already reported above.
	[ $rc -eq 1 ] || echo "not ok - python/pytest: exited $rc"
fi
exit $rc
