#!/usr/bin/env bash
# usage.sh - the command line: --help, --version, usage errors (exit 2),
# option values, operand handling and the exit status of a clone that is
# impossible (3) versus any other failure (1). Needs no mounts.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"

W="$T/w"
mkdir "$W" && cd "$W" || exit 1
printf 'hello\n' > a

# Can this directory clone? Asked of cp, not of the code under test.
clones_here=0
cp --reflink=always a .probe 2>/dev/null && clones_here=1
rm -f .probe

# --- --help and --version ---
rl_run "$RL" --help
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [[ "$OUT" == "Usage: reflink "* ]] &&
   [[ "$OUT" == *--reflink* && "$OUT" == *--check* && "$OUT" == *--json* &&
      "$OUT" == *--no-clobber* && "$OUT" == *"Exit status"* ]]; then
	pass "--help prints usage on stdout, exit 0"
else
	fail "--help prints usage on stdout, exit 0" "exit $RC, stdout: ${OUT:0:80}, stderr: $ERR"
fi

want_version=$(sed -n 's/^#define RL_VERSION_STRING "\(.*\)"/\1/p' "$TOP/include/reflink.h")
rl_run "$RL" --version
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [ "$OUT" = "reflink $want_version" ]; then
	pass "--version prints 'reflink $want_version'"
else
	fail "--version prints 'reflink $want_version'" "exit $RC, stdout '$OUT'"
fi

# Output that cannot be written is a failure, not a silent success.
RC=0; "$RL" --help >/dev/full 2>"$T/.err" || RC=$?
if [ "$RC" = 1 ] && grep -q '^reflink: .*write error' "$T/.err"; then
	pass "--help onto a full device exits 1 with an error"
else
	fail "--help onto a full device exits 1 with an error" "exit $RC: $(cat "$T/.err")"
fi

# --- usage errors: exit 2, a message naming the problem, nothing copied ---
# usage_error NAME TEXT CMD...: exit 2, first stderr line "reflink: ..."
# containing TEXT, a hint at --help, nothing on stdout, no 'out' created.
# WANT_RC (default 2) is the status wanted: cp's 1 for the combinations
# cp refuses together.
usage_error() {
	local name=$1 text=$2 want=${WANT_RC:-2}; shift 2
	rm -f out
	rl_run "$@"
	local first=${ERR%%$'\n'*}
	if [ "$RC" != "$want" ]; then
		fail "$name" "exit $RC, wanted $want: $ERR"
	elif [[ "$first" != "reflink: "*"$text"* ]]; then
		fail "$name" "first stderr line lacks '$text': $first"
	elif [[ "$ERR" != *"reflink --help"* ]]; then
		fail "$name" "no hint at --help: $ERR"
	elif [ -n "$OUT" ] || [ -e out ]; then
		fail "$name" "printed on stdout or created out"
	else
		pass "$name"
	fi
}
usage_error "no operand: exit 2" "missing file operand" "$RL"
usage_error "one operand: exit 2 naming it" "'a'" "$RL" a
usage_error "unknown long option: exit 2 naming it" "--bogus" "$RL" --bogus a out
usage_error "unknown short option: exit 2 naming it" "'q'" "$RL" -q a out
usage_error "--reflink=sometimes: exit 2 naming the value" "'sometimes'" "$RL" --reflink=sometimes a out
usage_error "--reflink= (empty): exit 2" "--reflink" "$RL" --reflink= a out
usage_error "--preserve=colour: exit 2 naming the value" "'colour'" "$RL" --preserve=colour a out
WANT_RC=1 usage_error "-l with -s: refused together, exit 1 as cp" "cannot make both hard and symbolic links" "$RL" -l -s a out
WANT_RC=1 usage_error "--backup with -n: refused together, exit 1 as cp" "--backup and --no-clobber are mutually exclusive" "$RL" -b -n a out
WANT_RC=1 usage_error "--reflink=always with --sparse=never: refused together, exit 1 as cp" "--reflink can be used only with --sparse=auto" "$RL" --reflink=always --sparse=never a out
usage_error "--sparse=sometimes: exit 2 with cp's list" "'sometimes'" "$RL" --sparse=sometimes a out
usage_error "--update=sometimes: exit 2 with the list" "'sometimes'" "$RL" --update=sometimes a out
usage_error "--backup=sometimes: exit 2 with the list" "'sometimes' for 'backup type'" "$RL" --backup=sometimes a out
usage_error "--preserve=mode,,times: exit 2" "--preserve" "$RL" --preserve=mode,,times a out
usage_error "--jobs=0: exit 2" "'0'" "$RL" --jobs=0 a out
usage_error "--check without PATH: exit 2" "PATH" "$RL" --check
usage_error "--json=yes (no argument allowed): exit 2" "--json" "$RL" --json=yes a out
usage_error "unknown option after the operands: exit 2" "--bogus" "$RL" --reflink=auto a out --bogus

# --- option values that are accepted ---
for m in auto never; do
	rm -f out
	rl_run "$RL" --reflink=$m a out
	if [ "$RC" = 0 ] && cmp -s a out; then pass "--reflink=$m copies"
	else fail "--reflink=$m copies" "exit $RC: $ERR"; fi
done
for p in mode ownership timestamps xattr links all mode,timestamps; do
	rm -f out
	rl_run "$RL" --reflink=auto --preserve=$p a out
	if [ "$RC" = 0 ] && cmp -s a out; then pass "--preserve=$p accepted"
	else fail "--preserve=$p accepted" "exit $RC: $ERR"; fi
done
rm -f out
rl_run "$RL" a out --reflink=auto
if [ "$RC" = 0 ] && cmp -s a out; then pass "options after operands apply (GNU order)"
else fail "options after operands apply (GNU order)" "exit $RC: $ERR"; fi

printf 'dash\n' > ./-d
rm -f ./-out
rl_run "$RL" --reflink=auto -- -d -out
if [ "$RC" = 0 ] && cmp -s ./-d ./-out; then pass "'--' ends options: '-d' copied to '-out'"
else fail "'--' ends options: '-d' copied to '-out'" "exit $RC: $ERR"; fi

# --- the default mode is always: exit 3 where no clone is possible ---
rm -f out
rl_run "$RL" a out
if [ $clones_here = 0 ]; then
	expect_error "default mode here (no clones) exits 3" 3 "'a'" "'out'" "clone"
	check "exit 3 leaves no DEST" test ! -e out
	rl_run "$RL" --reflink a out
	expect_error "bare --reflink means always: exit 3" 3 "clone"
	rl_run "$RL" --reflink=always a out
	expect_error "--reflink=always here exits 3" 3 "clone"
	# 3 only when nothing else failed: add a missing source and it is 1.
	mkdir -p d3
	rl_run "$RL" a missing d3
	if [ "$RC" = 1 ] && [ "$(err_lines)" = 2 ] && [ ! -e d3/a ]; then
		pass "clone impossible plus a missing source: exit 1, two error lines"
	else
		fail "clone impossible plus a missing source: exit 1, two error lines" "exit $RC: $ERR"
	fi
	cp a b
	rl_run "$RL" a b d3
	if [ "$RC" = 3 ] && [ "$(err_lines)" = 2 ] && [ -z "$(ls -A d3)" ]; then
		pass "two clone-impossible sources: exit 3, two error lines, nothing placed"
	else
		fail "two clone-impossible sources: exit 3, two error lines, nothing placed" "exit $RC: $ERR"
	fi
else
	expect_ok "default mode here (clones work) exits 0"
	same_content "default mode clone has the content" a out
fi

# --- exit 1 for failures that are not usage errors ---
rl_run "$RL" --reflink=auto missing out
expect_error "missing source: exit 1" 1 "'missing'"
