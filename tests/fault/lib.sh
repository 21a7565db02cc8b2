# fault/lib.sh - run the reflink command with faults injected by the
# LD_PRELOAD shim (tests/fault/shim.c, see its header for RL_FAULT's
# syntax) and check the outcome. Source after common.sh and cli.sh.
#
# The shim is built here, by the test, into $B/fault-shim.so: the normal
# build never contains it.

SHIM="$B/fault-shim.so"
FLOG="$T/.fault-log"

# build_shim: (re)build the shim when missing or older than its source.
build_shim() {
	local src="$TOP/tests/fault/shim.c"
	[ -f "$SHIM" ] && [ "$SHIM" -nt "$src" ] && return 0
	mkdir -p "$B" || return 1
	# Never sanitized: it must load into any build, and stays out of
	# the sanitizers' way by calling through to them with RTLD_NEXT.
	${SHIM_CC:-cc} -std=gnu11 -Wall -Wextra -Werror -O2 -fPIC -shared \
		-o "$SHIM.$$" "$src" -ldl -lpthread && mv -f "$SHIM.$$" "$SHIM"
}

# frun RULES CMD...: rl_run CMD with RL_FAULT=RULES preloaded; the shim's
# log of injected faults goes to $FLOG (emptied first).
frun() {
	local rules=$1; shift
	: > "$FLOG"
	rl_run env LD_PRELOAD="$SHIM" RL_FAULT="$rules" RL_FAULT_LOG="$FLOG" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"
}

# fired FUNC: the last frun injected a fault into FUNC (a call name as
# openat, or a rule name as tmpfile).
fired() { grep -qE "^([^ ]+ )?$1 " "$FLOG"; }

# Accumulated reasons for one case: why_add TEXT; case_end NAME.
# STATE, when set, prefixes each reason ("new: ...", "old: ...").
WHY=()
STATE=
why_add() { WHY+=("${STATE:+$STATE: }$1"); }
case_end() {
	if [ ${#WHY[@]} -eq 0 ]; then pass "$1"
	else fail "$1" "$(IFS='; '; echo "${WHY[*]}")"; fi
	WHY=()
}

# err_is WANT_RC TEXT...: the last run exited WANT_RC with exactly one
# stderr line "reflink: ..." holding every TEXT.
err_is() {
	local want=$1 s; shift
	[ "$RC" = "$want" ] || why_add "exit $RC, wanted $want"
	[ "$(err_lines)" = 1 ] || why_add "$(err_lines) stderr lines, wanted 1: $ERR"
	case "$ERR" in "reflink: "*) ;; *) why_add "stderr lacks 'reflink: '" ;; esac
	for s in "$@"; do
		case "$ERR" in *"$s"*) ;; *) why_add "stderr lacks '$s': $ERR" ;; esac
	done
}

# only_names DIR NAME...: DIR holds exactly NAME... (hidden names too:
# a leftover temporary is debris).
only_names() {
	local dir=$1 want got; shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(ls -A1 "$dir" | sort)
	[ "$want" = "$got" ] || why_add "$dir holds [$(echo $got)], wanted [$(echo $want)]"
}

# is_old FILE: FILE still holds the old content written by put_old.
put_old() { printf 'old content\n' > "$1"; }
is_old() {
	[ -f "$1" ] && [ ! -L "$1" ] && printf 'old content\n' | cmp -s - "$1" ||
		why_add "$1 lost its old content"
}
