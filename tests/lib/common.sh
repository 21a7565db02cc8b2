# common.sh - sourced by every shell test. Each test reports one line per
# check on stdout: "ok - NAME", "not ok - NAME: WHY" or "skip - NAME: WHY";
# tests/run.sh counts them. Set B (build dir) before sourcing.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
RL="$B/reflink"
FIEMAP="$B/fiemap"
export LC_ALL=C

pass() { printf 'ok - %s\n' "$1"; }
fail() { printf 'not ok - %s: %s\n' "$1" "${2:-failed}"; }
skip() { printf 'skip - %s: %s\n' "$1" "$2"; }

# check NAME CMD...: pass if CMD succeeds.
check() {
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# expect_status NAME WANT CMD...: CMD's exit status must be WANT.
expect_status() {
	local name=$1 want=$2; shift 2
	local got=0
	"$@" >/dev/null 2>&1 || got=$?
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "exit $got, wanted $want: $*"; fi
}

# A scratch directory removed at exit (plus any extra cleanup registered).
# fd 3 is the report stream, usable inside $(...) too.
exec 3>&1
T=$(mktemp -d /tmp/rl-test.XXXXXX)
# Cleanups go to a file, so those registered inside $(...) subshells
# (mount_fs) still run at the test's exit; last registered runs first.
on_exit() { printf '%s\n' "$1" >> "$T/.cleanups"; }
_run_cleanups() {
	if [ -f "$T/.cleanups" ]; then
		tac "$T/.cleanups" | while IFS= read -r c; do eval "$c" || true; done
	fi
	rm -rf "$T"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

is_root() { [ "$(id -u)" = 0 ]; }
in_ci() { [ "${CI:-}" = true ]; }

# need_pkg CMD PKG: make CMD available, installing PKG with apt as root.
need_pkg() {
	command -v "$1" >/dev/null 2>&1 && return 0
	is_root || return 1
	if [ ! -e /tmp/rl-apt-updated ]; then
		apt-get update -qq >/dev/null 2>&1 && touch /tmp/rl-apt-updated
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1
	command -v "$1" >/dev/null 2>&1
}
