#!/usr/bin/env bash
# run.sh - run every test group and print one summary line:
#   "N passed, N failed" (", N skipped" when something was skipped).
# Groups: unit (C), cli, fs (real filesystems), pkg (packaging: dist,
# install, deb, completion, version), cp (cases beside /bin/cp), python.
# Each reports lines
# "ok - ...", "not ok - ...", "skip - ..."; a script that dies without
# reporting counts as a failure. With CI=true a skip counts as a failure.
# RL_TESTS=glob limits the shell tests run (e.g. RL_TESTS='cli/*').
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export B
case "$B" in /*) ;; *) B="$PWD/$B"; export B ;; esac
pass=0 fail=0 skipped=0
log=$(mktemp /tmp/rl-run.XXXXXX)
trap 'rm -f "$log"' EXIT

count() { # count LABEL: read report lines from stdin, echo, tally
	local label=$1 line seen=0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) pass=$((pass + 1)); seen=1; echo "$line" ;;
		"not ok - "*) fail=$((fail + 1)); seen=1; echo "$line" ;;
		"skip - "*) seen=1
			if [ "${CI:-}" = true ]; then fail=$((fail + 1)); echo "not ok - (skipped under CI) ${line#skip - }"
			else skipped=$((skipped + 1)); echo "$line"; fi ;;
		*) echo "    $line" ;;
		esac
	done
	[ $seen = 1 ] || { fail=$((fail + 1)); echo "not ok - $label: reported nothing"; }
}

run_group() { # run_group LABEL CMD...
	local label=$1; shift
	echo "# $label"
	"$@" > "$log" 2>&1
	local rc=$?
	count "$label" < "$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$log"; then
		fail=$((fail + 1)); echo "not ok - $label: exited $rc"
	fi
}

run_group "unit" "$B/unit-tests"
for t in tests/cli/*.sh tests/fs/*.sh tests/pkg/*.sh tests/cp/run.sh; do
	[ -e "$t" ] || continue
	case "${t#tests/}" in ${RL_TESTS:-*}) ;; *) continue ;; esac
	run_group "${t#tests/}" timeout 600 bash "$t"
done
if [ -d tests/python ] && [ -n "$(ls tests/python/test_*.py 2>/dev/null)" ]; then
	case python in ${RL_TESTS:-*}) run_group "python" tests/python/run.sh ;; esac
fi

total="$pass passed, $fail failed"
[ $skipped -gt 0 ] && total="$total, $skipped skipped"
echo "$total"
[ $fail -eq 0 ]
