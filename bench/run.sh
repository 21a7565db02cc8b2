#!/usr/bin/env bash
# run.sh - the reflink benchmark (`make bench`), as root.
#
# Mounts its own btrfs, XFS (reflink=1) and ext4 loop images and a tmpfs
# under a temporary directory (unmounted and removed by the EXIT trap, also
# on failure), installs the npm tree from bench/package-lock.json and the npm
# peers of bench/peers/ (@reflink/reflink) once into bench/cache/, then runs
# bench/harness.py: every tool in turn, several runs, every copy verified. Prints a Markdown table and writes it (and the
# raw JSON) to bench/results/.
#
#   bench/run.sh [--runs N] [--only W1,W2] [--fs btrfs,xfs,ext4,tmpfs]
#                [--strace-fs btrfs,ext4] [--strace-all] [--cold] [--results DIR]
#                [--baseline REFLINK] [--tools REGEX]
#   bench/run.sh --smoke      one small tree and file, one run, no npm tree
#
# Workloads (--only): file1g file1g-cold clone sparse4g npm resync atomic
# tree100k tree10k mixed10k dedupe (npm tree twice, with duperemove and
# jdupes, apt-installed if missing). --cold: caches dropped before every
# run, trees timed up to the destination's syncfs, with -j1, -j8 and
# CPU-load rows. --baseline: another reflink build (say an earlier
# commit's) as a `reflink@baseline -a` row on the trees, in the same
# rounds. --tools: only the tools whose name matches the (Python) regular
# expression, e.g. --tools '^reflink' .
# B is the build directory holding reflink (default build).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
ARGS="$*"
smoke=0 runs=3 only="" tools="" fslist="" strace_fs="btrfs,ext4" flags="" results="$HERE/results"

usage() { sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 ;;
	--runs) runs=$2; shift ;;
	--only) only=$2; shift ;;
	--fs) fslist=$2; shift ;;
	--strace-fs) strace_fs=$2; shift ;;
	--cold) flags="$flags --cold" ;;
	--baseline) baseline=$(realpath "$2") && [ -x "$baseline" ] ||
		{ echo "run.sh: --baseline: '$2' is not an executable" >&2; exit 2; }
		flags="$flags --baseline $baseline"; shift ;;
	--strace-all) flags="$flags --strace-all" ;;
	--results) results=$2; shift ;;
	--tools) tools=$2; shift ;;
	-h|--help) usage 0 ;;
	*) echo "run.sh: unknown option '$1'" >&2; usage 2 >&2 ;;
	esac
	shift
done

source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/fs.sh"
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
is_root || die "needs root (loop mounts, drop_caches)"
[ -x "$RL" ] || die "$RL missing: run 'make B=${B#$TOP/} bench' or build it first"

# Helpers: the FIEMAP tool of the tests and the copy_file_range baseline.
make -s -C "$TOP" B="$B" "$B/fiemap" >/dev/null || die "cannot build $B/fiemap"
for tool in cfr floor; do
	if [ ! -x "$B/bench-$tool" ] || [ "$HERE/$tool.c" -nt "$B/bench-$tool" ]; then
		${CC:-cc} -O2 -Wall -Wextra -Werror -pthread -o "$B/bench-$tool" "$HERE/$tool.c" ||
			die "cannot build bench/$tool.c"
	fi
done
need_pkg strace strace || die "strace missing"
need_pkg perf linux-perf || echo "bench: perf missing: syscalls counted under strace only" >&2
need_pkg rsync rsync || echo "bench: rsync missing: its re-sync rows will fail" >&2
# The dedupe workload's peers; without them their rows are left out.
if [ $smoke = 0 ]; then
	need_pkg duperemove duperemove || echo "bench: duperemove missing: no row for it" >&2
	need_pkg jdupes jdupes || echo "bench: jdupes missing: no row for it" >&2
fi
need_pkg /usr/bin/time time || [ -x /usr/bin/time ] || die "/usr/bin/time missing"

# npm_install NAME DIR: print an installed node_modules for DIR's
# package-lock.json, kept in bench/cache/ (gitignored) under its hash.
npm_install() {
	local key dir tmp
	key=$(cat "$2/package.json" "$2/package-lock.json" | sha256sum | cut -c1-16)
	dir="$HERE/cache/$1-$key"
	if [ ! -d "$dir/node_modules" ]; then
		need_pkg npm npm || return 1
		mkdir -p "$HERE/cache" && tmp=$(mktemp -d "$HERE/cache/tmp.XXXX") || return 1
		cp "$2/package.json" "$2/package-lock.json" "$tmp/"
		echo "bench: installing $2's npm packages into $dir (once)" >&2
		(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
			{ rm -rf "$tmp"; return 1; }
		mv -T "$tmp" "$dir" || return 1
	fi
	echo "$dir/node_modules"
}
# The tree copied by the npm workload (bench/package-lock.json).
npm_tree() { npm_install npm "$HERE"; }
# The peers that are npm packages (bench/peers/): @reflink/reflink, which
# pnpm clones with. Its install script is not needed (its native binary
# comes as the optional dependency for this platform).
node_peers() { npm_install peers "$HERE/peers"; }

if [ $smoke = 1 ]; then
	fslist=${fslist:-tmpfs,ext4,btrfs} runs=1 strace_fs=btrfs
	declare -A size=([btrfs]=128 [xfs]=320 [ext4]=64 [tmpfs]=64)
else
	fslist=${fslist:-btrfs,xfs,ext4,tmpfs}
	declare -A size=([btrfs]=6144 [xfs]=6144 [ext4]=6144 [tmpfs]=4096)
	need_pkg node nodejs || echo "bench: node missing: its rows will fail" >&2
	npm=$(npm_tree) || die "could not install the npm tree (is the npm registry reachable?)"
fi
# Smoke mode too (two small packages, once): its rows must not rot.
peers=$(node_peers) ||
	{ peers=""; echo "bench: could not install bench/peers (npm registry?): no @reflink/reflink rows" >&2; }

fsargs=()
for fs in ${fslist//,/ }; do
	# Not inside $(...): the unmount mount_fs registers must reach our trap.
	mount_fs "$fs" "${size[$fs]}" > "$T/mnt" || die "could not mount $fs"
	fsargs+=(--fs "$fs=$(cat "$T/mnt")")
done

echo "bench: scratch directory $T" >&2
mkdir -p "$results"
out="$results/$(date +%Y%m%d-%H%M%S)$([ $smoke = 1 ] && echo -smoke)"
hargs=(--reflink "$RL" --fiemap "$FIEMAP" --cfr "$B/bench-cfr" --floor "$B/bench-floor" --runs "$runs"
	--strace-fs "$strace_fs" --out "$out" --command "bench/run.sh${ARGS:+ $ARGS}")
[ $smoke = 1 ] && hargs+=(--smoke)
[ -n "$only" ] && hargs+=(--only "$only")
[ -n "$tools" ] && hargs+=(--tools "$tools")
hargs+=($flags)
[ $smoke = 0 ] && hargs+=(--npm-tree "$npm")
[ -n "$peers" ] && hargs+=(--node-peers "$peers")
# In its own process group, waited for in the background, so that on INT
# or TERM the trap stops it and everything it started before unmounting.
setsid "$PY" "$HERE/harness.py" "${hargs[@]}" "${fsargs[@]}" &
hpid=$!
on_exit "kill -TERM -- -$hpid 2>/dev/null; wait $hpid 2>/dev/null"
wait $hpid
status=$?
echo "bench: results in ${out#$TOP/}.md" >&2
exit $status
